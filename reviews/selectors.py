"""Reads every reviewed request shares: who reviews (the reviewer groups), the audit trail,
the declared moves."""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models
from django.db.models import Count, Q
from django.utils.text import capfirst

from gccportal.aggregates import PercentileCont
from gccportal.review_clock import end_of_today

from .models import (
    CLOCK_RUNNING_STATUSES,
    DECIDED_STATUSES,
    OPEN_STATUSES,
    AuditEvent,
    ReviewableRequest,
    ReviewStatus,
)
from .sla import CLOCK_RESTARTS, CLOCK_STOPS, LONG_PERIOD, SHORT_PERIOD, sla_weeks


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


# -- the SLA figures ---------------------------------------------------------------------------


def review_sla_scopes(*, user) -> list[tuple[type[ReviewableRequest], bool]]:
    """The kinds whose SLA figures `user` may see, each with whether they see everyone's
    (True: a review lead, who may give the kind's requests to any reviewer) or only their own
    (False: a reviewer of the kind: the requests assigned to them or decided by them). Empty
    for anyone else."""
    scopes = []
    for model in review_kinds():
        if user.has_perm(model.review_reassign_permission()):
            scopes.append((model, True))
        elif user.has_perm(model.review_decide_permission()):
            scopes.append((model, False))
    return scopes


@dataclass
class SlaOpen:
    """Open requests: how many in each status, overdue now, due before the day ends."""

    submitted: int = 0
    in_review: int = 0
    info_requested: int = 0
    overdue: int = 0
    due_today: int = 0

    @property
    def total(self) -> int:
        return self.submitted + self.in_review + self.info_requested

    def add(self, other: "SlaOpen") -> None:
        for name in ("submitted", "in_review", "info_requested", "overdue", "due_today"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _share(part: int, whole: int) -> float | None:
    return None if not whole else 100 * part / whole


@dataclass
class SlaDecisions:
    """Decisions: how many of the last 30 and 90 days had a due time, how many met it, and the
    median and p90 business seconds to decision of the last 90 days (None: no decision)."""

    decided_30: int = 0
    on_time_30: int = 0
    decided_90: int = 0
    on_time_90: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None

    @property
    def share_30(self) -> float | None:
        return _share(self.on_time_30, self.decided_30)

    @property
    def share_90(self) -> float | None:
        return _share(self.on_time_90, self.decided_90)

    @property
    def median_hours(self) -> float | None:
        return None if self.median_seconds is None else self.median_seconds / 3600

    @property
    def p90_hours(self) -> float | None:
        return None if self.p90_seconds is None else self.p90_seconds / 3600


@dataclass
class SlaWeek:
    start: dt.datetime
    end: dt.datetime
    on_time: int = 0
    late: int = 0

    @property
    def total(self) -> int:
        return self.on_time + self.late


@dataclass
class SlaKind:
    model: type[ReviewableRequest]
    everyone: bool
    open: SlaOpen
    decisions: SlaDecisions

    @property
    def label(self) -> str:
        return capfirst(self.model._meta.verbose_name_plural)


@dataclass
class SlaReviewerRow:
    """One reviewer's figures for one kind (`reviewer` None: the open requests nobody has)."""

    reviewer: object
    kind: SlaKind
    open: SlaOpen = field(default_factory=SlaOpen)
    decisions: SlaDecisions = field(default_factory=SlaDecisions)


@dataclass
class SlaFigures:
    now: dt.datetime
    everyone: bool
    kinds: list[SlaKind]
    reviewers: list[SlaReviewerRow]
    weeks: list[SlaWeek]
    open_total: SlaOpen

    @property
    def everyone_of_some(self) -> bool:
        """Everyone's figures for some kinds, only the user's own for others: a lead of one
        kind's review who reviews another kind."""
        return not self.everyone and any(kind.everyone for kind in self.kinds)


def _open_aggregates(now: dt.datetime) -> dict:
    running = Q(status__in=CLOCK_RUNNING_STATUSES)
    return {
        "submitted": Count("pk", filter=Q(status=ReviewStatus.SUBMITTED)),
        "in_review": Count("pk", filter=Q(status=ReviewStatus.IN_REVIEW)),
        "info_requested": Count("pk", filter=Q(status=ReviewStatus.INFO_REQUESTED)),
        "overdue": Count("pk", filter=running & Q(due_at__lt=now)),
        # As the queue's "Due today" filter: not overdue yet, due before the day ends.
        "due_today": Count("pk", filter=running & Q(due_at__gte=now, due_at__lt=end_of_today(now))),
    }


def _decision_aggregates(now: dt.datetime) -> dict:
    # Only decisions whose due time is known count in the shares (all, once the data
    # migration has filled the older ones).
    short = Q(decided_at__gte=now - SHORT_PERIOD, decided_on_time__isnull=False)
    long = Q(decided_at__gte=now - LONG_PERIOD, decided_on_time__isnull=False)
    recent = Q(decided_at__gte=now - LONG_PERIOD)
    return {
        "decided_30": Count("pk", filter=short),
        "on_time_30": Count("pk", filter=short & Q(decided_on_time=True)),
        "decided_90": Count("pk", filter=long),
        "on_time_90": Count("pk", filter=long & Q(decided_on_time=True)),
        "median_seconds": PercentileCont(
            "business_seconds_to_decision", fraction=0.5, filter=recent
        ),
        "p90_seconds": PercentileCont("business_seconds_to_decision", fraction=0.9, filter=recent),
    }


def _week_aggregates(weeks: list[SlaWeek]) -> dict:
    aggregates = {}
    for index, week in enumerate(weeks):
        within = Q(decided_at__gte=week.start, decided_at__lt=week.end)
        aggregates[f"week{index}_on_time"] = Count("pk", filter=within & Q(decided_on_time=True))
        aggregates[f"week{index}_late"] = Count("pk", filter=within & Q(decided_on_time=False))
    return aggregates


def _fields(values: dict, names) -> dict:
    return {name: values[name] for name in names}


OPEN_FIELDS = ("submitted", "in_review", "info_requested", "overdue", "due_today")
DECISION_FIELDS = (
    "decided_30",
    "on_time_30",
    "decided_90",
    "on_time_90",
    "median_seconds",
    "p90_seconds",
)


def review_sla_figures(*, user, now: dt.datetime) -> SlaFigures:
    """The SLA figures `user` may see (review_sla_scopes) at `now`, per kind and per reviewer,
    and the chart's decisions per week (on time, late), from aggregate queries only: four per
    kind and one for the reviewers' names, whatever the number of requests.

    A lead's figures are everyone's; a reviewer's count the open requests assigned to them
    and the decisions they made. Open: by status, overdue now, due before the end of today
    (REVIEW_TIME_ZONE). Decisions: the share decided on time over the last 30 and 90 days,
    the median and p90 business time to decision (reviews/sla.py) over the last 90 days.
    """
    weeks = [SlaWeek(start=start, end=end) for start, end in sla_weeks(now)]
    earliest = min(now - LONG_PERIOD, weeks[0].start)
    kinds, rows = [], {}
    open_total = SlaOpen()
    scopes = review_sla_scopes(user=user)
    for model, everyone in scopes:
        opened = model.objects.filter(status__in=OPEN_STATUSES)
        decided = model.objects.filter(status__in=DECIDED_STATUSES, decided_at__gte=earliest)
        if not everyone:
            opened = opened.filter(assigned_reviewer=user)
            decided = decided.filter(decided_by=user)
        totals = decided.aggregate(**_decision_aggregates(now), **_week_aggregates(weeks))
        kind = SlaKind(
            model=model,
            everyone=everyone,
            open=SlaOpen(**opened.aggregate(**_open_aggregates(now))),
            decisions=SlaDecisions(**_fields(totals, DECISION_FIELDS)),
        )
        kinds.append(kind)
        open_total.add(kind.open)
        for index, week in enumerate(weeks):
            week.on_time += totals[f"week{index}_on_time"]
            week.late += totals[f"week{index}_late"]
        # order_by(): the model's ordering would be grouped by too.
        for values in (
            opened.order_by().values("assigned_reviewer").annotate(**_open_aggregates(now))
        ):
            row = rows.setdefault(
                (values["assigned_reviewer"], model),
                SlaReviewerRow(reviewer=values["assigned_reviewer"], kind=kind),
            )
            row.open = SlaOpen(**_fields(values, OPEN_FIELDS))
        for values in decided.order_by().values("decided_by").annotate(**_decision_aggregates(now)):
            row = rows.setdefault(
                (values["decided_by"], model),
                SlaReviewerRow(reviewer=values["decided_by"], kind=kind),
            )
            row.decisions = SlaDecisions(**_fields(values, DECISION_FIELDS))
    reviewer_ids = {reviewer_id for reviewer_id, _model in rows if reviewer_id is not None}
    users = get_user_model().objects.in_bulk(reviewer_ids) if reviewer_ids else {}
    kind_order = {model: index for index, (model, _everyone) in enumerate(scopes)}
    for row in rows.values():
        row.reviewer = users.get(row.reviewer)
    reviewers = sorted(
        (row for row in rows.values() if row.open.total or row.decisions.decided_90),
        key=lambda row: (
            row.reviewer is None,  # the unassigned open requests last
            str(row.reviewer or "").casefold(),
            row.reviewer.pk if row.reviewer else 0,
            kind_order[row.kind.model],
        ),
    )
    return SlaFigures(
        now=now,
        everyone=bool(scopes) and all(everyone for _model, everyone in scopes),
        kinds=kinds,
        reviewers=reviewers,
        weeks=weeks,
        open_total=open_total,
    )


def review_sla_figures_cache_key(*, user, scopes) -> str:
    """Where `user`'s figures are kept: theirs alone, and only for the scopes they were computed
    for (a reviewer made lead, or no longer one, gets new figures at once)."""
    scope = ",".join(f"{model._meta.label_lower}={int(everyone)}" for model, everyone in scopes)
    return f"review-sla:{user.pk}:{scope}"


def review_sla_figures_recent(*, user, now: dt.datetime) -> SlaFigures:
    """`user`'s SLA figures as computed at most REVIEW_SLA_CACHE_SECONDS before `now` (their
    own `now` says when): the page and its CSV read them, so that a lead reloading the page
    does not run the aggregates again. 0 seconds: computed at every call."""
    seconds = settings.REVIEW_SLA_CACHE_SECONDS
    if seconds <= 0:
        return review_sla_figures(user=user, now=now)
    key = review_sla_figures_cache_key(user=user, scopes=review_sla_scopes(user=user))
    figures = cache.get(key)
    if figures is None:
        figures = review_sla_figures(user=user, now=now)
        cache.set(key, figures, seconds)
    return figures
