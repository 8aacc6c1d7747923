"""Reads every reviewed request shares: who reviews (the reviewer groups), the audit trail,
the declared moves."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models

from .models import AuditEvent, ReviewableRequest


def reviewer_users() -> models.QuerySet:
    """Every reviewer who can act: active staff in the reviewer group."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name=settings.REVIEWER_GROUP_NAME)
        .distinct()
    )


def reviewer_lead_users() -> models.QuerySet:
    """Every reviewer lead who can act (escalations go to them)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, is_staff=True, groups__name=settings.REVIEWER_LEAD_GROUP_NAME
        )
        .distinct()
    )


def reviewers_of(request: ReviewableRequest) -> list:
    """Who hears about a request's progress: its assigned reviewer, else every reviewer."""
    return [request.assigned_reviewer] if request.assigned_reviewer else list(reviewer_users())


def audit_event_list_for_subject(*, subject: models.Model) -> models.QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.for_subject(subject).select_related("actor").order_by("created_at", "pk")
    )


def review_move_targets(*, model: type[ReviewableRequest], move: str) -> set[str]:
    """The statuses `move` leads to, read from the model's declared transitions."""
    transitions = model._meta.get_field("status").get_all_transitions(model)
    return {transition.target for transition in transitions if transition.name == move}


def review_decision_recorded(
    *, request: ReviewableRequest, reviewer, move: str, since: dt.datetime
) -> bool:
    """Whether `reviewer`'s `move` of `request`, made at or after `since`, was committed.

    Every transition writes its audit event in the transaction that changes the status, so the
    event exists exactly when the decision was saved. This answers the reviewer whose decision
    met a database failure (e.g. the connection dropped at COMMIT): ask on a fresh connection.
    The status the reviewer saw is not required to match: the move was checked under the lock.
    """
    return (
        AuditEvent.objects.for_subject(request)
        .filter(
            actor=reviewer,
            to_status__in=review_move_targets(model=type(request), move=move),
            created_at__gte=since,
        )
        .exists()
    )
