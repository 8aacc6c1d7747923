"""The review machinery every reviewed request shares (`reviews.models.ReviewableRequest`,
`reviews.services`), tested on its own with `MinimalRequest`, a request kind that exists
only in the tests (tests/reviews_testapp): the allowed and refused moves, the audit event
of each move, the review clock, the SLA sweep, and two reviewers deciding at once."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.invitations.models import ResellerInvitation
from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from gccportal.review_clock import review_due_at
from orders.models import Order
from reviews import services
from reviews.backfill import sla_action_at_fill
from reviews.models import AuditEvent, ReviewStatus
from reviews.selectors import review_request_for_key
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.helpers import (
    ACTIONS,
    ALL_STATUSES,
    ALLOWED,
    FORBIDDEN,
    MONDAY,
    MONDAY_DUE,
    NEW_YORK,
    THURSDAY,
    THURSDAY_DUE,
    assert_nothing_changed,
    reload,
    review_refusal,
    snapshot,
)
from tests.race import Race
from tests.reviews_testapp.models import MinimalRequest

Status = ReviewStatus
TUESDAY = dt.datetime(2026, 6, 16, 11, 0, tzinfo=NEW_YORK)


def decider():
    """A reviewer allowed to decide minimal requests."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="decide_minimalrequest"))
    return user


def request_in(status: str, *, organization=None, submitted_at=MONDAY, **fields) -> MinimalRequest:
    """A request in `status`, submitted Monday; its clock running while it waits on a
    reviewer, as the request kinds' submit services start it."""
    organization = organization or OrganizationFactory()
    running = status in (Status.SUBMITTED, Status.IN_REVIEW)
    return MinimalRequest.objects.create(
        organization=organization,
        submitted_by=MembershipFactory(organization=organization).user,
        status=status,
        submitted_at=submitted_at,
        due_at=review_due_at(submitted_at) if running else None,
        **{"idempotency_key": uuid.uuid4(), **fields},
    )


def events(request: MinimalRequest) -> list[tuple]:
    return list(
        AuditEvent.objects.for_subject(request)
        .order_by("pk")
        .values_list("organization", "actor", "action", "from_status", "to_status", "note")
    )


def locked(request: MinimalRequest) -> MinimalRequest:
    return services.review_request_lock(model=MinimalRequest, request_id=request.pk)


@pytest.fixture
def reviewer(db):
    """Here, a reviewer of minimal requests (the suite's `reviewer` decides partner and
    customer requests)."""
    return decider()


# -- the moves -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "action"), list(ALLOWED))
def test_an_allowed_move_changes_the_status_and_returns_the_previous_one(status, action):
    # Given a request in `status`, locked
    request = request_in(status)
    with transaction.atomic():
        request = locked(request)

        # When the move is applied
        previous = services.review_transition_apply(request=request, move=action)

    # Then the status is the move's target (saving is the service's part), the previous one
    # is returned
    assert (previous, request.status) == (status, ALLOWED[(status, action)])
    assert reload(request).status == status


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_a_move_not_allowed_from_the_status_is_refused_and_says_why(status, action):
    # Given a request in `status`
    request = request_in(status)
    before = snapshot()

    # When the move is applied
    with transaction.atomic():
        request = locked(request)
        with pytest.raises(InvalidTransition) as refused:
            services.review_transition_apply(request=request, move=action)

    # Then it is refused with the status in words, and nothing changed
    assert str(refused.value) == review_refusal(status)
    assert request.status == status
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("model", "status", "move", "refusal"),
    [
        (Order, Order.Status.COMPLETED, "fail", "This order is completed"),
        (
            ResellerInvitation,
            ResellerInvitation.Status.ACCEPTED,
            "revoke",
            "This request is accepted",
        ),
        (MinimalRequest, Status.APPROVED, "reject", "This request is approved"),
    ],
)
def test_a_refused_move_names_what_was_refused_in_its_models_words(model, status, move, refusal):
    # Given an order, a reseller relationship request, a reviewed request, each in a status
    # that does not allow `move`
    subject = model(status=status)

    # When the move is applied
    with pytest.raises(InvalidTransition) as refused:
        services.review_transition_apply(request=subject, move=move)

    # Then the refusal says what it is (its model's sentence); the status is unchanged
    assert str(refused.value) == (
        f"{refusal}; that action is no longer possible. Nothing was changed."
    )
    assert subject.status == status


def test_the_review_table_covers_every_status_and_action_once():
    # Given / When the allowed and forbidden moves every request kind is tested against
    # Then together they cover every status and action exactly once (28 forbidden moves)
    assert len(ALLOWED) + len(FORBIDDEN) == len(ALL_STATUSES) * len(ACTIONS) == 36
    assert len(FORBIDDEN) == 28


def test_the_declared_moves_are_exactly_the_review_table():
    declared = {
        (transition.source, transition.name): transition.target
        for transition in MinimalRequest().get_all_status_transitions()
    }

    assert declared == ALLOWED


# -- each move through the services: saved, audited, the clock ------------------------------


@pytest.mark.django_db
def test_a_new_request_is_submitted_now_with_its_clock_running():
    # Given an organization's member
    member = MembershipFactory()

    # When a request is created on Monday
    key = uuid.uuid4()
    with transaction.atomic():
        request, created = services.review_request_create(
            model=MinimalRequest,
            organization=member.organization,
            submitted_by=member.user,
            idempotency_key=key,
            now=MONDAY,
            reference="ref-1",
        )

    # Then it is new: submitted, due two business days later, with the kind's fields and key
    assert created
    request = reload(request)
    assert (request.status, request.submitted_by, request.submitted_at) == (
        Status.SUBMITTED,
        member.user,
        MONDAY,
    )
    assert (request.due_at, request.reference, request.idempotency_key) == (
        MONDAY_DUE,
        "ref-1",
        key,
    )
    # and nothing is audited yet: the kind does, once its parts are saved
    assert events(request) == []


@pytest.mark.django_db
def test_a_second_insert_with_the_same_key_gives_the_first_request_and_adds_nothing():
    # Given a request an organization's form created (the other post of the same form, which
    # looked the key up before this one's insert committed)
    member = MembershipFactory()
    first = request_in(Status.SUBMITTED, organization=member.organization)

    # When this post inserts its request with the same key
    with transaction.atomic():
        request, created = services.review_request_create(
            model=MinimalRequest,
            organization=member.organization,
            submitted_by=member.user,
            idempotency_key=first.idempotency_key,
            reference="second",
        )
        # (the caller's transaction is still usable: the insert failed in a savepoint)
        count = MinimalRequest.objects.count()

    # Then it gets the first request, not new; nothing was added
    assert (request.pk, created, count) == (first.pk, False, 1)


@pytest.mark.django_db
def test_a_key_is_the_organizations_own_another_organizations_request_is_not_found_by_it():
    # Given another organization's request made with a key
    other = request_in(Status.SUBMITTED)
    member = MembershipFactory()

    # When this organization's form, by chance with the same key, is submitted
    request, created = services.review_request_create(
        model=MinimalRequest,
        organization=member.organization,
        submitted_by=member.user,
        idempotency_key=other.idempotency_key,
    )

    # Then it creates its own request, and the key finds each organization's own only
    assert created and request.pk != other.pk
    for organization, expected in ((member.organization, request), (other.organization, other)):
        found = review_request_for_key(
            model=MinimalRequest, organization=organization, key=other.idempotency_key
        )
        assert found == expected


@pytest.mark.django_db
def test_a_new_request_unsaved_has_its_clock_as_a_saved_one_and_a_bulk_insert_keeps_it():
    # Given a member of an organization, at a fixed time
    member = MembershipFactory()
    now = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)

    # When a request is built unsaved, then inserted without save() (as a bulk insert does)
    request = services.review_request_new(
        model=MinimalRequest,
        organization=member.organization,
        submitted_by=member.user,
        idempotency_key=uuid.uuid4(),
        now=now,
    )
    assert request.pk is None
    [inserted] = MinimalRequest.objects.bulk_create([request])

    # Then its clock is the one review_request_create's save() gives
    saved, _created = services.review_request_create(
        model=MinimalRequest,
        organization=member.organization,
        submitted_by=member.user,
        idempotency_key=uuid.uuid4(),
        now=now,
    )
    inserted = MinimalRequest.objects.get(pk=inserted.pk)
    assert (inserted.submitted_at, inserted.due_at) == (now, review_due_at(now))
    assert inserted.sla_action_at is not None
    assert inserted.sla_action_at == MinimalRequest.objects.get(pk=saved.pk).sla_action_at


@pytest.mark.django_db
def test_another_constraint_of_the_kind_is_not_taken_for_a_replay():
    # Given an insert that breaks a constraint other than the key's (a request needs its
    # submitter), with a key no request has
    member = MembershipFactory()

    # When it is created / Then the IntegrityError reaches the caller, which decides
    with pytest.raises(IntegrityError), transaction.atomic():
        services.review_request_create(
            model=MinimalRequest,
            organization=member.organization,
            submitted_by=None,
            idempotency_key=uuid.uuid4(),
        )


@pytest.mark.django_db
def test_a_submitted_request_is_audited_and_announced(monkeypatch):
    # Given a new request whose parts are saved (the shared emails recorded, not rendered:
    # this kind has no templates)
    request = request_in(Status.SUBMITTED)
    announced = []
    monkeypatch.setattr(services.emails, "submitted", announced.append)

    # When the kind says it is submitted
    services.review_submitted(request=request, actor=request.submitted_by)

    # Then it is audited as submitted, by its submitter, and announced once
    assert events(request) == [
        (request.organization_id, request.submitted_by_id, "submitted", "", Status.SUBMITTED, "")
    ]
    assert announced == [request]


@pytest.mark.django_db
def test_start_review_assigns_the_reviewer_audits_and_keeps_the_clock_running(reviewer):
    # Given a request submitted Monday, due Wednesday 17:00
    request = request_in(Status.SUBMITTED)
    assert request.due_at == MONDAY_DUE

    # When a reviewer starts the review
    with transaction.atomic():
        services.review_start(
            model=MinimalRequest,
            request_id=request.pk,
            reviewer=reviewer,
            note="  Taking this one.  ",
        )

    # Then it is in review, assigned, still due Wednesday 17:00
    request = reload(request)
    assert (request.status, request.assigned_reviewer, request.due_at) == (
        Status.IN_REVIEW,
        reviewer,
        MONDAY_DUE,
    )
    # and one audit event says who moved it from where to where
    assert events(request) == [
        (
            request.organization_id,
            reviewer.pk,
            "review_started",
            Status.SUBMITTED,
            Status.IN_REVIEW,
            "Taking this one.",
        )
    ]


@pytest.mark.django_db
def test_asking_for_information_stops_the_clock_and_audits(reviewer):
    # Given a request in review, due Wednesday, that was answered once already
    request = request_in(
        Status.IN_REVIEW,
        info_response="An earlier answer.",
        info_responded_at=MONDAY,
    )

    # When the reviewer asks for information on Tuesday
    with transaction.atomic():
        services.review_info_request(
            model=MinimalRequest,
            request_id=request.pk,
            reviewer=reviewer,
            message="  Send the charter.  ",
            missing_message="Say what to send.",
            now=TUESDAY,
            extra_fields={"reference": "link-2"},
        )

    # Then the clock is stopped (no due time) and the earlier answer cleared
    request = reload(request)
    assert (request.status, request.due_at) == (Status.INFO_REQUESTED, None)
    assert (request.info_request_message, request.info_requested_at) == (
        "Send the charter.",
        TUESDAY,
    )
    assert (request.info_response, request.info_responded_at) == ("", None)
    # and the kind's own field was saved with it
    assert request.reference == "link-2"
    # and one audit event, the question as its note
    assert events(request) == [
        (
            request.organization_id,
            reviewer.pk,
            "info_requested",
            Status.IN_REVIEW,
            Status.INFO_REQUESTED,
            "Send the charter.",
        )
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("by_a_member", [True, False])
def test_the_answer_restarts_the_clock_from_the_answer_and_audits(by_a_member):
    # Given a request waiting for information, whose earlier reminder and escalation were sent
    request = request_in(
        Status.INFO_REQUESTED,
        info_request_message="Send the charter.",
        info_requested_at=TUESDAY,
        reminder_sent_at=MONDAY,
        escalated_at=MONDAY,
    )
    # (the partner's member answers on the portal; the customer contact through a link: none)
    actor = request.submitted_by if by_a_member else None

    # When it is answered on Thursday
    with transaction.atomic():
        previous = services.review_info_answer(
            request=locked(request),
            actor=actor,
            response="  Charter article 4.  ",
            now=THURSDAY,
            extra_fields={"reference": "answer-1"},
        )

    # Then it is back in review, due two business days after the answer (over the weekend),
    # with a fresh reminder and escalation to come
    request = reload(request)
    assert previous == Status.INFO_REQUESTED
    assert (request.status, request.due_at) == (Status.IN_REVIEW, THURSDAY_DUE)
    assert (request.reminder_sent_at, request.escalated_at) == (None, None)
    assert (request.info_response, request.info_responded_at) == ("Charter article 4.", THURSDAY)
    assert request.reference == "answer-1"
    # and one audit event by whoever answered
    assert events(request) == [
        (
            request.organization_id,
            actor.pk if actor else None,
            "info_provided",
            Status.INFO_REQUESTED,
            Status.IN_REVIEW,
            "Charter article 4.",
        )
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("move", ["approve", "reject"])
def test_a_decision_records_who_when_and_why_stops_the_clock_and_audits(reviewer, move):
    # Given a request in review, due Wednesday
    request = request_in(Status.IN_REVIEW)

    # When the reviewer decides on Tuesday
    with time_machine.travel(TUESDAY, tick=False), transaction.atomic():
        services.review_decide(
            model=MinimalRequest,
            request_id=request.pk,
            reviewer=reviewer,
            move=move,
            note="  The reason.  ",
        )

    # Then the decision is recorded and the clock stopped
    request = reload(request)
    decided = Status.APPROVED if move == "approve" else Status.REJECTED
    assert (request.status, request.decided_by, request.decided_at) == (decided, reviewer, TUESDAY)
    assert (request.decision_note, request.due_at) == ("The reason.", None)
    # and one audit event named after the decision
    assert events(request) == [
        (request.organization_id, reviewer.pk, decided, Status.IN_REVIEW, decided, "The reason.")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "service"),
    [
        (Status.IN_REVIEW, "start"),
        (Status.SUBMITTED, "approve"),
        (Status.INFO_REQUESTED, "reject"),
        (Status.APPROVED, "reject"),
        (Status.SUBMITTED, "request_info"),
        (Status.IN_REVIEW, "answer_info"),
        (Status.WITHDRAWN, "answer_info"),
    ],
)
def test_a_service_refuses_a_move_not_allowed_and_changes_nothing(reviewer, status, service):
    # Given a request in `status`
    request = request_in(status)
    before = snapshot()
    calls = {
        "start": lambda: services.review_start(
            model=MinimalRequest, request_id=request.pk, reviewer=reviewer
        ),
        "approve": lambda: services.review_decide(
            model=MinimalRequest,
            request_id=request.pk,
            reviewer=reviewer,
            move="approve",
            note="",
        ),
        "reject": lambda: services.review_decide(
            model=MinimalRequest,
            request_id=request.pk,
            reviewer=reviewer,
            move="reject",
            note="No.",
        ),
        "request_info": lambda: services.review_info_request(
            model=MinimalRequest,
            request_id=request.pk,
            reviewer=reviewer,
            message="Why?",
            missing_message="Say what to send.",
        ),
        "answer_info": lambda: services.review_info_answer(
            request=locked(request), actor=None, response="Because.", now=THURSDAY
        ),
    }

    # When the service is called
    with pytest.raises(InvalidTransition) as refused, transaction.atomic():
        calls[service]()

    # Then it is refused, saying why; no field, no audit event changed
    assert str(refused.value) == review_refusal(status)
    assert_nothing_changed(before)


@pytest.mark.django_db
@pytest.mark.parametrize("move", ["start", "approve"])
def test_a_user_without_the_permission_cannot_review(admin_agent, move):
    # Given a request, and a partner user (no permission to decide)
    request = request_in(Status.SUBMITTED if move == "start" else Status.IN_REVIEW)
    before = snapshot()

    # When they start the review or decide
    with pytest.raises(ActionNotAllowed) as refused, transaction.atomic():
        if move == "start":
            services.review_start(
                model=MinimalRequest,
                request_id=request.pk,
                reviewer=admin_agent,
            )
        else:
            services.review_decide(
                model=MinimalRequest,
                request_id=request.pk,
                reviewer=admin_agent,
                move="approve",
                note="",
            )

    # Then it is refused; nothing changed
    assert str(refused.value) == "Only GCC reviewers can review validation requests."
    assert_nothing_changed(before)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        (
            "partner_user",
            ("ActionNotAllowed", "Only GCC reviewers can review validation requests."),
        ),
        (
            "reviewer",
            (
                "ValidationError",
                {"reason": ["Give the reason for the rejection; the partner sees it."]},
            ),
        ),
    ],
)
def test_a_rejection_checks_who_first_then_the_reason(admin_agent, reviewer, who, refusal):
    # Given a request in review
    request = request_in(Status.IN_REVIEW)
    user = {"partner_user": admin_agent, "reviewer": reviewer}[who]
    before = snapshot()

    # When it is rejected without a reason
    with pytest.raises((ActionNotAllowed, ValidationError)) as refused, transaction.atomic():
        services.review_reject(
            model=MinimalRequest, request_id=request.pk, reviewer=user, reason="  "
        )

    # Then a partner user learns only that it may not review; a reviewer, what is missing
    error = refused.value
    said = error.message_dict if isinstance(error, ValidationError) else error.message
    assert (type(error).__name__, said) == refusal
    assert_nothing_changed(before)


@pytest.mark.django_db
def test_asking_for_information_without_a_question_is_refused_in_the_kinds_words(reviewer):
    # Given a request in review
    request = request_in(Status.IN_REVIEW)
    before = snapshot()

    # When the reviewer asks nothing
    with pytest.raises(ValidationError) as refused, transaction.atomic():
        services.review_info_request(
            model=MinimalRequest,
            request_id=request.pk,
            reviewer=reviewer,
            message=" ",
            missing_message="Say what the minimal partner must send.",
        )

    # Then the kind's message says who must answer; nothing changed
    assert refused.value.message_dict == {"message": ["Say what the minimal partner must send."]}
    assert_nothing_changed(before)


@pytest.mark.django_db
def test_a_withdrawal_stops_the_clock_saves_the_kinds_fields_and_audits():
    # Given a request in review, with its clock running
    request = request_in(Status.IN_REVIEW, reference="link-1")
    member = request.submitted_by

    # When a member of its organization withdraws it
    with transaction.atomic():
        services.review_withdraw(
            model=MinimalRequest,
            request_id=request.pk,
            organization=request.organization,
            actor=member,
            extra_fields={"reference": ""},
        )

    # Then it is withdrawn, its clock stopped and the kind's field saved
    request = reload(request)
    assert (request.status, request.due_at, request.reference) == (Status.WITHDRAWN, None, "")
    # and one audit event by the member
    assert events(request) == [
        (request.organization_id, member.pk, "withdrawn", Status.IN_REVIEW, Status.WITHDRAWN, "")
    ]


@pytest.mark.django_db
def test_another_organizations_request_is_not_found_for_a_withdrawal():
    # Given a request, and a member of another organization
    request = request_in(Status.IN_REVIEW)
    other = MembershipFactory()
    before = snapshot()

    # When the other organization withdraws it
    with pytest.raises(MinimalRequest.DoesNotExist), transaction.atomic():
        services.review_withdraw(
            model=MinimalRequest,
            request_id=request.pk,
            organization=other.organization,
            actor=other.user,
        )

    # Then it is "not found", as if it did not exist; nothing changed
    assert_nothing_changed(before)


# -- the review clock ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "due_at", "now", "overdue", "is_open"),
    [
        (Status.SUBMITTED, MONDAY_DUE, MONDAY, False, True),
        (Status.SUBMITTED, MONDAY_DUE, THURSDAY, True, True),
        (Status.IN_REVIEW, MONDAY_DUE, THURSDAY, True, True),
        (Status.INFO_REQUESTED, None, THURSDAY, False, True),  # the clock is stopped
        (Status.APPROVED, None, THURSDAY, False, False),
        (Status.REJECTED, None, THURSDAY, False, False),
        (Status.WITHDRAWN, None, THURSDAY, False, False),
    ],
)
def test_a_request_is_overdue_only_while_its_clock_runs_past_the_due_time(
    status, due_at, now, overdue, is_open
):
    request = MinimalRequest(status=status, due_at=due_at)

    with time_machine.travel(now, tick=False):
        assert (request.is_overdue, request.is_open) == (overdue, is_open)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "expected", "reminded", "escalated"),
    [
        (TUESDAY, {"reminders": 0, "escalations": 0}, False, False),  # more than a day left
        (
            dt.datetime(2026, 6, 16, 17, 30, tzinfo=NEW_YORK),  # under one business day left
            {"reminders": 1, "escalations": 0},
            True,
            False,
        ),
        (THURSDAY, {"reminders": 0, "escalations": 1}, False, True),  # overdue
    ],
)
def test_the_sla_sweep_reminds_then_escalates_once_and_only_while_the_clock_runs(
    now, expected, reminded, escalated
):
    # Given a request in review due Wednesday 17:00, and requests whose clock is stopped
    request = request_in(Status.IN_REVIEW)
    stopped = [request_in(status) for status in (Status.INFO_REQUESTED, Status.APPROVED)]
    calls = []

    def sweep():
        return services.review_sla_sweep(
            model=MinimalRequest,
            remind=lambda r: calls.append(("remind", r.pk)),
            escalate=lambda r: calls.append(("escalate", r.pk)),
            now=now,
        )

    # When the sweep runs, twice
    first, second = sweep(), sweep()

    # Then the running request is reminded or escalated once, as its due time says
    assert first == expected
    assert second == {"reminders": 0, "escalations": 0}
    assert calls == [("remind", request.pk)] * reminded + [("escalate", request.pk)] * escalated
    request = reload(request)
    assert (request.reminder_sent_at, request.escalated_at) == (
        now if reminded else None,
        now if escalated else None,
    )
    # and the others are left alone
    assert [(reload(r).reminder_sent_at, reload(r).escalated_at) for r in stopped] == [
        (None, None),
        (None, None),
    ]


# -- the SLA sweep's next action (sla_action_at) --------------------------------------------


def ny(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK)


def sweep_at(now: dt.datetime) -> dict[str, int]:
    return services.review_sla_sweep(
        model=MinimalRequest, remind=lambda r: None, escalate=lambda r: None, now=now
    )


def action_at(request: MinimalRequest) -> dt.datetime | None:
    return reload(request).sla_action_at


@pytest.mark.django_db
def test_the_sweeps_next_action_follows_every_move_of_a_request(reviewer):
    # Given a request submitted on the Thursday before the Juneteenth weekend (Friday June 19
    # is a holiday): due Tuesday 17:00, its reminder due Monday 17:00
    organization = OrganizationFactory()
    member = MembershipFactory(organization=organization).user
    request, created = services.review_request_create(
        model=MinimalRequest,
        organization=organization,
        submitted_by=member,
        idempotency_key=uuid.uuid4(),
        now=THURSDAY,
    )
    assert created and reload(request).due_at == THURSDAY_DUE
    assert action_at(request) == ny(2026, 6, 22, 17, 0)

    # When its review starts, the reminder is still next
    with transaction.atomic():
        services.review_start(model=MinimalRequest, request_id=request.pk, reviewer=reviewer)
    assert action_at(request) == ny(2026, 6, 22, 17, 0)

    # While information is awaited, the clock is stopped: nothing to do
    with transaction.atomic():
        services.review_info_request(
            model=MinimalRequest,
            request_id=request.pk,
            reviewer=reviewer,
            message="Send the charter.",
            missing_message="",
            now=ny(2026, 6, 22, 9, 0),
        )
    assert action_at(request) is None

    # The answer on Thursday June 25 restarts the clock: due Monday June 29 17:00, its
    # reminder on Friday June 26 17:00 (over the weekend)
    with transaction.atomic():
        services.review_info_answer(
            request=locked(request), actor=member, response="Article 4.", now=ny(2026, 6, 25, 10)
        )
    assert reload(request).due_at == ny(2026, 6, 29, 17, 0)
    assert action_at(request) == ny(2026, 6, 26, 17, 0)

    # Once reminded, the due time is next
    assert sweep_at(ny(2026, 6, 26, 17, 15)) == {"reminders": 1, "escalations": 0}
    assert action_at(request) == ny(2026, 6, 29, 17, 0)

    # Once escalated, nothing is left to do
    assert sweep_at(ny(2026, 6, 29, 17, 15)) == {"reminders": 0, "escalations": 1}
    assert action_at(request) is None

    # and after the decision neither
    with transaction.atomic():
        services.review_decide(
            model=MinimalRequest, request_id=request.pk, reviewer=reviewer, move="approve", note=""
        )
    assert action_at(request) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("submitted_at", "reminder_at"),
    [
        (MONDAY, ny(2026, 6, 16, 17, 0)),  # due Wednesday: Tuesday 17:00
        # Wednesday July 1: due Monday July 6 (Friday July 3 is Independence Day observed),
        # so the reminder is on Thursday July 2, before the holiday and the weekend
        (ny(2026, 7, 1, 12, 0), ny(2026, 7, 2, 17, 0)),
    ],
)
def test_a_new_requests_next_action_is_its_reminder_one_business_day_before_it_is_due(
    submitted_at, reminder_at
):
    request = request_in(Status.SUBMITTED, submitted_at=submitted_at)

    assert action_at(request) == reminder_at


@pytest.mark.django_db
@pytest.mark.parametrize("move", ["approve", "reject", "withdraw"])
def test_a_decision_or_a_withdrawal_leaves_the_sweep_nothing_to_do(reviewer, move):
    # Given a request in review, already reminded (its due time next)
    request = request_in(Status.IN_REVIEW, reminder_sent_at=ny(2026, 6, 16, 17, 0))
    assert action_at(request) == MONDAY_DUE

    # When it is decided or withdrawn
    with transaction.atomic():
        if move == "withdraw":
            services.review_withdraw(
                model=MinimalRequest,
                request_id=request.pk,
                organization=request.organization,
                actor=request.submitted_by,
            )
        else:
            services.review_decide(
                model=MinimalRequest, request_id=request.pk, reviewer=reviewer, move=move, note="x"
            )

    # Then the sweep has nothing left to do with it
    assert action_at(request) is None


@pytest.mark.django_db
def test_the_sla_sweep_runs_one_query_when_nothing_is_due(django_assert_num_queries):
    # Given, on Tuesday 11:00, requests with nothing to do now: one in review due Wednesday
    # (its reminder at Tuesday 17:00), one reminded and not yet due, one overdue already
    # escalated (but never reminded), and requests whose clock is stopped
    waiting = request_in(Status.IN_REVIEW)
    request_in(Status.SUBMITTED, reminder_sent_at=ny(2026, 6, 16, 10, 0))
    request_in(Status.IN_REVIEW, submitted_at=ny(2026, 6, 10, 10), escalated_at=ny(2026, 6, 12))
    for status in (Status.INFO_REQUESTED, Status.APPROVED, Status.WITHDRAWN):
        request_in(status)

    # When the sweep runs, it selects nothing: one query, nothing done
    with django_assert_num_queries(1):
        assert sweep_at(TUESDAY) == {"reminders": 0, "escalations": 0}

    # and at Tuesday 17:00 only the request whose reminder is due
    calls = []
    counts = services.review_sla_sweep(
        model=MinimalRequest,
        remind=lambda r: calls.append(r.pk),
        escalate=lambda r: calls.append(-r.pk),
        now=ny(2026, 6, 16, 17, 0),
    )
    assert (counts, calls) == ({"reminders": 1, "escalations": 0}, [waiting.pk])


@pytest.mark.django_db
def test_a_save_of_other_fields_leaves_the_next_action_alone():
    # Given a request in review whose stored next action was cleared by an update()
    request = request_in(Status.IN_REVIEW)
    MinimalRequest.objects.filter(pk=request.pk).update(sla_action_at=None)
    request = reload(request)

    # When a field it is not derived from is saved, it is not written
    request.decision_note = "x"
    request.save(update_fields=["decision_note"])
    assert action_at(request) is None

    # and when one it is derived from is saved, it is recomputed and written too
    request.save(update_fields=["status"])
    assert action_at(request) == ny(2026, 6, 16, 17, 0)


@pytest.mark.django_db
def test_the_fill_of_existing_rows_gives_each_running_request_its_next_action():
    # Given requests written before the column existed (stored as NULL)
    running = [
        request_in(Status.SUBMITTED),
        request_in(Status.IN_REVIEW, reminder_sent_at=ny(2026, 6, 16, 17, 0)),
    ]
    stopped = [
        request_in(Status.INFO_REQUESTED),
        request_in(Status.IN_REVIEW, escalated_at=ny(2026, 6, 18, 0)),
    ]
    MinimalRequest.objects.update(sla_action_at=None)

    # When the data migrations' fill runs, in batches of one
    filled = sla_action_at_fill(MinimalRequest, batch_size=1)

    # Then each running request has its next action; the others none
    assert filled == 2
    assert [action_at(r) for r in running] == [ny(2026, 6, 16, 17, 0), MONDAY_DUE]
    assert [action_at(r) for r in stopped] == [None, None]


# -- two reviewers deciding at once (real transactions, PostgreSQL) -------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("moves", [("approve", "approve"), ("approve", "reject")])
def test_two_reviewers_deciding_at_once_one_wins_and_the_other_waited_for_it(monkeypatch, moves):
    # Given a request in review (committed) and two reviewers
    request = request_in(Status.IN_REVIEW)
    reviewers = [decider(), decider()]
    # and the first decision to take the row's lock holding it, inside its transaction,
    # until the other reviewer's decision is seen waiting for that lock
    race = Race()
    race.hold_after(monkeypatch, services, "review_transition_apply")

    def decide(index: int):
        with transaction.atomic():
            return services.review_decide(
                model=MinimalRequest,
                request_id=request.pk,
                reviewer=reviewers[index],
                move=moves[index],
                note=f"Decision {index}.",
            )

    # When both decide at the same moment
    outcomes = race.run([lambda: decide(0), lambda: decide(1)])

    # Then the loser waited for the winner's lock, then was refused: the request was decided
    winner = race.holder
    loser = 1 - winner
    assert race.waited == [loser]
    assert isinstance(outcomes[winner], MinimalRequest), outcomes
    decided = Status.APPROVED if moves[winner] == "approve" else Status.REJECTED
    assert isinstance(outcomes[loser], InvalidTransition), outcomes
    assert str(outcomes[loser]) == review_refusal(decided)
    # and the winner's decision is the one recorded, with one audit event
    request = reload(request)
    assert (request.status, request.decided_by, request.decision_note) == (
        decided,
        reviewers[winner],
        f"Decision {winner}.",
    )
    assert events(request) == [
        (
            request.organization_id,
            reviewers[winner].pk,
            decided,
            Status.IN_REVIEW,
            decided,
            f"Decision {winner}.",
        )
    ]
