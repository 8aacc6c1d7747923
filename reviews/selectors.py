from django.db import models

from .models import AuditEvent


def audit_event_list_for_subject(*, subject: models.Model) -> models.QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.for_subject(subject).select_related("actor").order_by("created_at", "pk")
    )
