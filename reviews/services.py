"""Shared machinery of review transitions: check the move, record the audit event."""

from django.db import models
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from gccportal.exceptions import InvalidTransition

from .models import AuditEvent, ReviewableRequest


def review_transition_apply(*, request: ReviewableRequest, move: str) -> str:
    """Apply the allowed move `move` to a *locked* request; return the previous status.

    Raises InvalidTransition (with a message for the user) when the move is not allowed
    from the current status — e.g. a second reviewer deciding a decided request.
    """
    method = getattr(request, move)
    if not can_proceed(method):
        raise InvalidTransition(
            _("This request is %(status)s; that action is no longer possible. Nothing was changed.")
            % {"status": request.get_status_display().lower()}
        )
    previous = request.status
    method()
    return previous


def audit_event_record(
    *,
    subject: models.Model,
    actor,
    action: str,
    organization=None,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        subject=subject,
        organization=organization,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
