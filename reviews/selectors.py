"""Reads every reviewed request shares: who reviews (the reviewer groups), the audit trail,
the declared moves."""

import datetime as dt
import uuid

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models

from .models import AuditEvent, ReviewableRequest
from .sla import CLOCK_RESTARTS, CLOCK_STOPS


def review_kinds() -> list[type[ReviewableRequest]]:
    """Every kind of reviewed request: the installed concrete ReviewableRequest models."""
    return [model for model in apps.get_models() if issubclass(model, ReviewableRequest)]


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


def review_assignees(*, model: type[ReviewableRequest]) -> list:
    """Whom a request of kind `model` may be given to: every active reviewer and lead who may
    decide it, by name."""
    # The permission read in the query, through the reviewer groups (one query, not a
    # permission check per reviewer).
    app_label, codename = model.review_decide_permission().split(".", 1)
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            is_staff=True,
            groups__name__in=[settings.REVIEWER_GROUP_NAME, settings.REVIEWER_LEAD_GROUP_NAME],
            groups__permissions__codename=codename,
            groups__permissions__content_type__app_label=app_label,
        )
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def reviewers_of(request: ReviewableRequest) -> list:
    """Who hears about a request's progress: its assigned reviewer, else every reviewer."""
    return [request.assigned_reviewer] if request.assigned_reviewer else list(reviewer_users())


def review_request_for_key(
    *, model: type[ReviewableRequest], organization, key: uuid.UUID | None
) -> ReviewableRequest | None:
    """The request of kind `model` that `organization` submitted with this form key, if any.
    Keys are scoped to the organization: another organization's request is never found by its
    key."""
    if key is None:
        return None
    return model.objects.filter(organization=organization, idempotency_key=key).first()


def review_answered_with_key(*, request: ReviewableRequest, key: uuid.UUID | None) -> bool:
    """Whether `request`'s latest answer to an information request came from the answer form
    with this key: a re-post of it (a retry after a timeout), to be shown its first result."""
    return key is not None and request.info_answer_key == key


def audit_event_list_for_subject(*, subject: models.Model) -> models.QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.for_subject(subject).select_related("actor").order_by("created_at", "pk")
    )


def review_clock_events(*, request: ReviewableRequest) -> list[tuple[str, dt.datetime]]:
    """The (action, time) pairs that stopped and restarted `request`'s review clock, in time
    order (for sla.clock_intervals)."""
    return list(
        AuditEvent.objects.for_subject(request)
        .filter(action__in=[CLOCK_STOPS, CLOCK_RESTARTS])
        .order_by("created_at", "pk")
        .values_list("action", "created_at")
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
