"""Partner validation services: every allowed and forbidden move, its audit row and emails."""

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from gccportal.review_clock import review_due_at
from notifications.models import OutboxMessage
from partners import services
from partners.models import (
    Membership,
    Organization,
    PartnerValidationRequest,
    ResellerQualification,
)
from partners.selectors import organization_is_gcc_approved
from reviews import emails as review_emails
from reviews import selectors as review_selectors
from reviews import services as review_services
from reviews.models import AuditEvent
from reviews.services import review_reject, review_sla_sweep, review_start
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PartnerValidationRequestFactory,
    ReviewerFactory,
    UserFactory,
    validation_answers,
)
from tests.helpers import (
    FORBIDDEN,
    MONDAY,
    MONDAY_DUE,
    MONDAY_DUE_TEXT,
    NEW_YORK,
    OPEN,
    THURSDAY,
    THURSDAY_DUE,
    assert_nothing_changed,
    audit_ids,
    outbox_ids,
    reload,
    review_refusal,
    snapshot,
    the_one_new_audit_event,
)
from tests.race import Race

Status = PartnerValidationRequest.Status
BASE_URL = "http://127.0.0.1:8000"


INFO_MESSAGE = "Send the number of your GSA Multiple Award Schedule contract."
INFO_RESPONSE = "Our GSA MAS contract number is 47QTCA21D00AB."
REJECT_REASON = "The Partner ID does not match a CSP direct-bill enrollment."

TEMPLATE = "emails/partners/validation_{}"


# -- helpers -------------------------------------------------------------------------------


def new_outbox(before: set[int]) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.exclude(pk__in=before).order_by("to_email"))


def admin_url(request: PartnerValidationRequest) -> str:
    return BASE_URL + reverse("admin:partners_partnervalidationrequest_change", args=[request.pk])


def detail_url(request: PartnerValidationRequest) -> str:
    return BASE_URL + reverse("partners:validation_detail", args=[request.pk])


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def act(run, admin_agent, organization, reviewer):
    """Take `action` on a request as the usual actor (the reviewer or the org's admin agent)."""

    def take(action: str, request: PartnerValidationRequest, **overrides):
        calls = {
            "start_review": (
                review_start,
                {"model": PartnerValidationRequest, "reviewer": reviewer},
            ),
            "request_info": (
                services.partner_validation_request_info,
                {"reviewer": reviewer, "message": INFO_MESSAGE},
            ),
            "answer_info": (
                services.partner_validation_answer_info,
                {
                    "organization": organization,
                    "actor": admin_agent,
                    "response": INFO_RESPONSE,
                    # A fresh form each time: a new key.
                    "idempotency_key": uuid.uuid4(),
                },
            ),
            "approve": (services.partner_validation_approve, {"reviewer": reviewer}),
            "reject": (
                review_reject,
                {"model": PartnerValidationRequest, "reviewer": reviewer, "reason": REJECT_REASON},
            ),
            "withdraw": (
                services.partner_validation_withdraw,
                {"organization": organization, "actor": admin_agent},
            ),
        }
        service, kwargs = calls[action]
        return run(service, request_id=request.pk, **{**kwargs, **overrides})

    return take


@pytest.fixture
def validation_in(submit_validation, admin_agent, act):
    """A request of the organization brought to `status` through the services; mail cleared."""
    paths = {
        Status.SUBMITTED: [],
        Status.IN_REVIEW: ["start_review"],
        Status.INFO_REQUESTED: ["start_review", "request_info"],
        Status.APPROVED: ["start_review", "approve"],
        Status.REJECTED: ["start_review", "reject"],
        Status.WITHDRAWN: ["withdraw"],
    }

    def make(status: str, **submit_overrides) -> PartnerValidationRequest:
        request = submit_validation(admin_agent, **submit_overrides)
        for action in paths[status]:
            act(action, request)
        mail.outbox.clear()
        request = reload(request)
        assert request.status == status
        return request

    return make


# -- submit --------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Membership.Role.ADMIN_AGENT, Membership.Role.SALES_AGENT])
def test_submit_opens_request_due_in_two_business_days_and_emails_ack_and_reviewers(
    run, organization, reviewer, other_admin_agent, role
):
    # Given an Admin or Sales agent of a CSP-enrolled direct reseller, a reviewer, and staff
    # outside the reviewer group
    agent = MembershipFactory(organization=organization, role=role).user
    UserFactory(is_staff=True)
    audit_before, outbox_before = set(AuditEvent.objects.values_list("pk", flat=True)), outbox_ids()

    # When the agent submits on Monday 2026-06-15 at 10:00 New York time
    request = run(
        services.partner_validation_submit,
        organization=organization,
        submitted_by=agent,
        now=MONDAY,
        **validation_answers(organization),
    )

    # Then the request is submitted, due Wednesday 17:00, with the answers saved
    request = reload(request)
    assert request.status == Status.SUBMITTED
    assert request.organization == organization
    assert request.submitted_by == agent
    assert request.submitted_at == MONDAY
    assert request.due_at == MONDAY_DUE
    assert request.commercial_tenant_id == organization.commercial_tenant_id
    assert request.contact_name == "Dana Contact"
    assert request.contact_email == "dana@partner.example"
    assert request.contact_phone == "+1 202 555 0143"
    assert request.government_segments == ["federal"]
    assert request.contract_vehicles == "GSA Multiple Award Schedule"
    assert request.attested is True
    assert request.assigned_reviewer is None
    assert request.decided_at is None
    assert request.reminder_sent_at is None
    assert request.escalated_at is None
    # and exactly one audit event, by the agent, from nothing to submitted
    new_events = list(AuditEvent.objects.exclude(pk__in=audit_before))
    assert new_events == [the_one_new_audit_event(request, set())]
    event = new_events[0]
    assert (event.actor, event.action, event.from_status, event.to_status, event.note) == (
        agent,
        "submitted",
        "",
        "submitted",
        "",
    )
    assert event.organization == organization
    # and two emails: the acknowledgement to the agent, the notice to the reviewer only
    rows = new_outbox(outbox_before)
    assert sorted((row.template, row.to_email) for row in rows) == sorted(
        [
            (TEMPLATE.format("submitted"), agent.email),
            (TEMPLATE.format("new_for_reviewers"), reviewer.email),
        ]
    )
    assert {row.status for row in rows} == {OutboxMessage.Status.SENT}
    assert len(mail.outbox) == 2
    ack = next(m for m in mail.outbox if m.to == [agent.email])
    assert ack.subject == f"GCC validation request #{request.pk} received"
    assert f"We received the Office 365 GCC validation request of {organization.legal_name}." in (
        ack.body
    )
    assert (
        "The GCC review team will decide by June 17, 2026, 5 p.m. (EDT), within two business "
        "days." in ack.body
    )
    assert detail_url(request) in ack.body
    notice = next(m for m in mail.outbox if m.to == [reviewer.email])
    assert notice.subject == f"New GCC partner validation: {organization.legal_name}"
    assert (
        f"{organization.legal_name} (Partner ID {organization.partner_id}) asks for GCC "
        f"approval. Decision due: {MONDAY_DUE_TEXT}" in notice.body
    )
    assert admin_url(request) in notice.body
    assert other_admin_agent.email not in {address for m in mail.outbox for address in m.to}


def test_indirect_provider_may_submit(run, reviewer):
    # Given an indirect provider (a direct-bill partner) and its admin agent
    provider = OrganizationFactory(partner_type=Organization.PartnerType.INDIRECT_PROVIDER)
    agent = MembershipFactory(organization=provider).user

    # When the agent submits
    request = run(
        services.partner_validation_submit,
        organization=provider,
        submitted_by=agent,
        **validation_answers(provider),
    )

    # Then the request is open, acknowledged to the agent and announced to the reviewer
    assert reload(request).status == Status.SUBMITTED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent.email, reviewer.email])


@pytest.mark.parametrize(
    "entered",
    [
        lambda tenant: str(tenant).upper(),
        lambda tenant: f"  {tenant}  ",
        lambda tenant: "{" + str(tenant) + "}",
        lambda tenant: tenant.hex,
    ],
    ids=["upper-case", "surrounding-spaces", "braces", "no-hyphens"],
)
def test_submit_accepts_own_tenant_id_however_written(run, organization, admin_agent, entered):
    # Given the organization's own Microsoft ID written another way
    answers = {
        **validation_answers(organization),
        "commercial_tenant_id": entered(organization.commercial_tenant_id),
    }

    # When the agent submits
    request = run(
        services.partner_validation_submit,
        organization=organization,
        submitted_by=admin_agent,
        **answers,
    )

    # Then the request stores the canonical tenant ID
    assert reload(request).commercial_tenant_id == organization.commercial_tenant_id


@pytest.mark.parametrize(
    ("csp_enrollment", "partner_type"),
    [
        (Organization.CspEnrollment.NOT_ENROLLED, Organization.PartnerType.DIRECT_RESELLER),
        (Organization.CspEnrollment.PENDING, Organization.PartnerType.DIRECT_RESELLER),
        (Organization.CspEnrollment.NOT_ENROLLED, Organization.PartnerType.INDIRECT_PROVIDER),
    ],
)
def test_submit_refused_when_not_enrolled_in_csp(run, reviewer, csp_enrollment, partner_type):
    # Given an organization not (yet) enrolled in CSP
    organization = OrganizationFactory(csp_enrollment=csp_enrollment, partner_type=partner_type)
    agent = MembershipFactory(organization=organization).user
    before = snapshot()

    # When its agent submits
    with pytest.raises(ActionNotAllowed) as refused:
        run(
            services.partner_validation_submit,
            organization=organization,
            submitted_by=agent,
            **validation_answers(organization),
        )

    # Then the form is refused with what to do first, and nothing is recorded
    assert refused.value.message == (
        "Your organization is not enrolled in the Cloud Solution Provider (CSP) program yet. "
        "Complete CSP enrollment first, then apply for GCC."
    )
    assert_nothing_changed(before)


def test_submit_refused_for_indirect_reseller_naming_its_provider(run, reviewer):
    # Given an indirect reseller working through Contoso Distribution
    provider = OrganizationFactory(
        legal_name="Contoso Distribution", partner_type=Organization.PartnerType.INDIRECT_PROVIDER
    )
    reseller = OrganizationFactory(
        partner_type=Organization.PartnerType.INDIRECT_RESELLER, indirect_provider=provider
    )
    agent = MembershipFactory(organization=reseller).user
    before = snapshot()

    # When its agent submits a partner validation
    with pytest.raises(ActionNotAllowed) as refused:
        run(
            services.partner_validation_submit,
            organization=reseller,
            submitted_by=agent,
            **validation_answers(reseller),
        )

    # Then it is told to work with its provider, by name, and nothing is recorded
    assert refused.value.message == (
        "Indirect resellers are not validated for GCC themselves: work with your indirect "
        "provider, Contoso Distribution, which validates its own organization."
    )
    assert_nothing_changed(before)


def test_submit_refused_when_already_approved(run, validation_in, organization, admin_agent):
    # Given an organization already approved for GCC
    validation_in(Status.APPROVED)
    before = snapshot()

    # When its agent submits again
    with pytest.raises(ActionNotAllowed) as refused:
        run(
            services.partner_validation_submit,
            organization=organization,
            submitted_by=admin_agent,
            **validation_answers(organization),
        )

    # Then there is nothing to apply for, and nothing is recorded
    assert refused.value.message == (
        "Your organization is already approved for GCC. There is nothing to apply for."
    )
    assert_nothing_changed(before)


@pytest.mark.parametrize("status", OPEN)
def test_submit_refused_while_a_request_is_open(
    run, validation_in, organization, sales_agent, status
):
    # Given an open request of the organization
    validation_in(status)
    before = snapshot()

    # When another agent of the organization submits a second one
    with pytest.raises(ActionNotAllowed) as refused:
        run(
            services.partner_validation_submit,
            organization=organization,
            submitted_by=sales_agent,
            **validation_answers(organization),
        )

    # Then it is refused, and nothing is recorded
    assert refused.value.message == (
        "Your organization already has a GCC validation request under way. Follow it from "
        "its page; you can apply again only once it is decided or withdrawn."
    )
    assert_nothing_changed(before)


@pytest.mark.parametrize("status", [Status.REJECTED, Status.WITHDRAWN])
def test_submit_again_after_rejection_or_withdrawal(
    run, validation_in, organization, admin_agent, status
):
    # Given the organization's last request was rejected or withdrawn
    previous = validation_in(status)

    # When its agent submits a new request
    request = run(
        services.partner_validation_submit,
        organization=organization,
        submitted_by=admin_agent,
        now=THURSDAY,
        **validation_answers(organization),
    )

    # Then a second, open request exists, due from the new submission; the old one is kept
    request = reload(request)
    assert request.pk != previous.pk
    assert request.status == Status.SUBMITTED
    assert request.due_at == THURSDAY_DUE
    assert reload(previous).status == status
    assert PartnerValidationRequest.objects.filter(organization=organization).count() == 2


# -- the form's one-time key ----------------------------------------------------------------
def test_submit_replayed_with_its_key_returns_the_first_request_and_changes_nothing(
    run, organization, admin_agent, reviewer
):
    # Given a request submitted with the form's key (a retry after a timeout follows)
    key = uuid.uuid4()
    first = run(
        services.partner_validation_submit,
        organization=organization,
        submitted_by=admin_agent,
        **{**validation_answers(organization), "idempotency_key": key},
    )
    mail.outbox.clear()
    before = snapshot()

    # When the same form is submitted again, even with other answers
    again = run(
        services.partner_validation_submit,
        organization=organization,
        submitted_by=admin_agent,
        **{**validation_answers(organization), "idempotency_key": key, "contact_name": "Eve"},
    )

    # Then it is the first request, as it was: no second request, audit event or email (and
    # not "a request is under way", the refusal any other key would get)
    assert again == first
    assert (again.pk, reload(again).contact_name, reload(again).idempotency_key) == (
        first.pk,
        "Dana Contact",
        key,
    )
    assert_nothing_changed(before)


def test_submit_with_another_key_while_the_first_is_open_is_still_refused(
    run, organization, admin_agent, reviewer
):
    # Given a request submitted with one key
    run(
        services.partner_validation_submit,
        organization=organization,
        submitted_by=admin_agent,
        **validation_answers(organization),
    )
    mail.outbox.clear()
    before = snapshot()

    # When a new form (a new key) is submitted
    with pytest.raises(ActionNotAllowed):
        run(
            services.partner_validation_submit,
            organization=organization,
            submitted_by=admin_agent,
            **validation_answers(organization),
        )

    # Then the one-open-request rule applies as before
    assert_nothing_changed(before)


def test_a_key_is_scoped_to_its_organization(run, organization, admin_agent, reviewer):
    # Given organization B's request, submitted with key K
    other = OrganizationFactory()
    other_agent = MembershipFactory(organization=other).user
    key = uuid.uuid4()
    theirs = run(
        services.partner_validation_submit,
        organization=other,
        submitted_by=other_agent,
        **{**validation_answers(other), "idempotency_key": key},
    )
    outbox_before = outbox_ids()

    # When organization A submits with the same key
    mine = run(
        services.partner_validation_submit,
        organization=organization,
        submitted_by=admin_agent,
        **{**validation_answers(organization), "idempotency_key": key},
    )

    # Then A gets its own new request (never B's), acknowledged to A's agent
    assert mine.pk != theirs.pk
    assert (mine.organization, mine.submitted_by, mine.idempotency_key) == (
        organization,
        admin_agent,
        key,
    )
    assert reload(theirs).organization == other
    assert sorted(row.to_email for row in new_outbox(outbox_before)) == sorted(
        [admin_agent.email, reviewer.email]
    )


def test_the_same_key_twice_in_one_organization_is_refused_by_the_database(
    organization, admin_agent
):
    # Given a request of the organization with key K
    key = uuid.uuid4()
    PartnerValidationRequestFactory(
        organization=organization, status=Status.WITHDRAWN, due_at=None, idempotency_key=key
    )

    # When another row with K is written straight to the database
    # Then the unique constraint refuses it
    with (
        pytest.raises(IntegrityError, match="unique_partner_validation_idempotency_key"),
        transaction.atomic(),
    ):
        PartnerValidationRequestFactory(organization=organization, idempotency_key=key)


@pytest.mark.parametrize(
    ("role", "label"),
    [
        (Membership.Role.HELPDESK_AGENT, "Helpdesk agent"),
        (Membership.Role.BILLING_ADMIN, "Billing admin"),
    ],
)
def test_submit_refused_for_roles_without_gcc_actions(run, organization, reviewer, role, label):
    # Given a Helpdesk agent or Billing admin of an eligible organization
    user = MembershipFactory(organization=organization, role=role).user
    before = snapshot()

    # When they submit
    with pytest.raises(ActionNotAllowed) as refused:
        run(
            services.partner_validation_submit,
            organization=organization,
            submitted_by=user,
            **validation_answers(organization),
        )

    # Then the server refuses and says who can, and no request is created
    assert refused.value.message == (
        f"Your role ({label}) can't take GCC actions. Only Admin agents and Sales agents "
        "can; ask one of them."
    )
    assert PartnerValidationRequest.objects.count() == 0
    assert_nothing_changed(before)


def test_submit_refused_for_a_user_of_another_organization(
    run, organization, other_admin_agent, reviewer
):
    # Given an admin agent of another organization
    before = snapshot()

    # When they submit for this organization
    with pytest.raises(ActionNotAllowed) as refused:
        run(
            services.partner_validation_submit,
            organization=organization,
            submitted_by=other_admin_agent,
            **validation_answers(organization),
        )

    # Then they are refused, and nothing is recorded
    assert refused.value.message == "You are not a member of this organization."
    assert PartnerValidationRequest.objects.count() == 0
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        (
            lambda org, other: "not-a-guid",
            "This is not a valid tenant ID. A tenant ID is a GUID of 32 hexadecimal digits, "
            "like 00000000-0000-0000-0000-000000000000. Enter your organization's commercial "
            "tenant ID, the Microsoft ID on your profile: {expected}.",
        ),
        (
            lambda org, other: str(org.commercial_tenant_id)[:-1],
            "This is not a valid tenant ID. A tenant ID is a GUID of 32 hexadecimal digits, "
            "like 00000000-0000-0000-0000-000000000000. Enter your organization's commercial "
            "tenant ID, the Microsoft ID on your profile: {expected}.",
        ),
        (
            lambda org, other: "",
            "This is not a valid tenant ID. A tenant ID is a GUID of 32 hexadecimal digits, "
            "like 00000000-0000-0000-0000-000000000000. Enter your organization's commercial "
            "tenant ID, the Microsoft ID on your profile: {expected}.",
        ),
        (
            lambda org, other: str(org.azure_gcc_tenant_id),
            "This is an Azure GCC tenant ID, not the commercial (global) one. Enter your "
            "organization's commercial tenant ID, the Microsoft ID on your profile: {expected}.",
        ),
        (
            lambda org, other: str(other.commercial_tenant_id),
            "This is not the expected tenant ID. Enter your organization's commercial tenant "
            "ID, the Microsoft ID on your profile: {expected}.",
        ),
        (
            lambda org, other: str(other.azure_gcc_tenant_id),
            "This is not the expected tenant ID. Enter your organization's commercial tenant "
            "ID, the Microsoft ID on your profile: {expected}.",
        ),
        (
            lambda org, other: str(uuid.uuid4()),
            "This is not the expected tenant ID. Enter your organization's commercial tenant "
            "ID, the Microsoft ID on your profile: {expected}.",
        ),
    ],
    ids=[
        "malformed",
        "one-digit-short",
        "empty",
        "own-azure-gcc-id",
        "other-org-commercial-id",
        "other-org-azure-gcc-id",
        "random-guid",
    ],
)
def test_submit_catches_tenant_id_mistakes(
    run, organization, other_organization, admin_agent, reviewer, entered, message
):
    # Given a wrong commercial tenant ID in the form
    answers = {
        **validation_answers(organization),
        "commercial_tenant_id": entered(organization, other_organization),
    }
    before = snapshot()

    # When the agent submits
    with pytest.raises(ValidationError) as invalid:
        run(
            services.partner_validation_submit,
            organization=organization,
            submitted_by=admin_agent,
            **answers,
        )

    # Then the field error says what to enter instead, and nothing is recorded
    assert invalid.value.message_dict == {
        "commercial_tenant_id": [message.format(expected=organization.commercial_tenant_id)]
    }
    assert_nothing_changed(before)


def test_submit_requires_the_attestation(run, organization, admin_agent, reviewer):
    # Given the accuracy attestation left unchecked
    answers = {**validation_answers(organization), "attested": False}
    before = snapshot()

    # When the agent submits
    with pytest.raises(ValidationError) as invalid:
        run(
            services.partner_validation_submit,
            organization=organization,
            submitted_by=admin_agent,
            **answers,
        )

    # Then the attestation is asked for, and nothing is recorded
    assert invalid.value.message_dict == {"attested": ["Confirm that the information is accurate."]}
    assert_nothing_changed(before)


# -- start_review --------------------------------------------------------------------------
def test_start_review_assigns_the_reviewer_and_keeps_the_clock(
    act, validation_in, organization, reviewer
):
    # Given a submitted request due Wednesday 17:00
    request = validation_in(Status.SUBMITTED, now=MONDAY)
    audit_before, outbox_before = audit_ids(request), outbox_ids()

    # When a reviewer starts the review
    act("start_review", request)

    # Then it is in review, assigned to that reviewer, still due Wednesday 17:00
    request = reload(request)
    assert request.status == Status.IN_REVIEW
    assert request.assigned_reviewer == reviewer
    assert request.due_at == MONDAY_DUE
    assert request.decided_at is None
    event = the_one_new_audit_event(request, audit_before)
    assert (event.actor, event.action, event.from_status, event.to_status, event.note) == (
        reviewer,
        "review_started",
        "submitted",
        "in_review",
        "",
    )
    assert event.organization == organization
    # and nobody is emailed
    assert new_outbox(outbox_before) == []
    assert mail.outbox == []


# -- request_info --------------------------------------------------------------------------
def test_request_info_stops_the_clock_and_emails_the_message(
    act, validation_in, admin_agent, reviewer
):
    # Given a request in review, due Wednesday 17:00
    request = validation_in(Status.IN_REVIEW, now=MONDAY)
    audit_before, outbox_before = audit_ids(request), outbox_ids()
    asked_at = dt.datetime(2026, 6, 16, 9, 0, tzinfo=NEW_YORK)

    # When the reviewer asks for more information (with surrounding blanks)
    act("request_info", request, message=f"  {INFO_MESSAGE}\n", now=asked_at)

    # Then the request waits on the partner and the clock is stopped
    request = reload(request)
    assert request.status == Status.INFO_REQUESTED
    assert request.due_at is None
    assert request.info_request_message == INFO_MESSAGE
    assert request.info_requested_at == asked_at
    assert request.info_response == ""
    assert request.info_responded_at is None
    assert request.assigned_reviewer == reviewer
    event = the_one_new_audit_event(request, audit_before)
    assert (event.actor, event.action, event.from_status, event.to_status, event.note) == (
        reviewer,
        "info_requested",
        "in_review",
        "info_requested",
        INFO_MESSAGE,
    )
    # and the submitter gets the question
    rows = new_outbox(outbox_before)
    assert [(row.template, row.to_email) for row in rows] == [
        (TEMPLATE.format("info_requested"), admin_agent.email)
    ]
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [admin_agent.email]
    assert email.subject == f"GCC validation request #{request.pk}: information needed"
    assert f"\n{INFO_MESSAGE}\n" in email.body
    assert (
        "The review clock is stopped until you answer, then restarts for two business days."
        in email.body
    )
    assert detail_url(request) in email.body


# -- answer_info ---------------------------------------------------------------------------
def test_answer_info_restarts_the_clock_and_emails_the_assigned_reviewer(
    act, validation_in, organization, admin_agent, reviewer
):
    # Given a request waiting on the partner (submitted Monday, clock stopped) and another
    # reviewer who is not assigned
    request = validation_in(Status.INFO_REQUESTED, now=MONDAY)
    ReviewerFactory()
    assert request.due_at is None
    audit_before, outbox_before = audit_ids(request), outbox_ids()

    # When the agent answers on Thursday 2026-06-18 at 10:00
    act("answer_info", request, response=f"\n{INFO_RESPONSE}  ", now=THURSDAY)

    # Then the request is back in review with a new due time counted from the answer
    request = reload(request)
    assert request.status == Status.IN_REVIEW
    assert request.due_at == review_due_at(THURSDAY) == THURSDAY_DUE
    assert request.info_response == INFO_RESPONSE
    assert request.info_responded_at == THURSDAY
    assert request.info_request_message == INFO_MESSAGE
    event = the_one_new_audit_event(request, audit_before)
    assert (event.actor, event.action, event.from_status, event.to_status, event.note) == (
        admin_agent,
        "info_provided",
        "info_requested",
        "in_review",
        INFO_RESPONSE,
    )
    assert event.organization == organization
    # and only the assigned reviewer is told, with the answer and the new due time
    rows = new_outbox(outbox_before)
    assert [(row.template, row.to_email) for row in rows] == [
        (TEMPLATE.format("info_answered"), reviewer.email)
    ]
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [reviewer.email]
    assert email.subject == (
        f"Partner answered: GCC validation #{request.pk} ({organization.legal_name})"
    )
    assert (
        f"{organization.legal_name} answered your information request. The request is back "
        "in the queue, due June 23, 2026, 5 p.m. EDT." in email.body
    )
    assert INFO_RESPONSE in email.body
    assert admin_url(request) in email.body


def test_the_same_answer_form_twice_is_one_answer_and_another_form_is_refused(
    act, validation_in, reviewer
):
    # Given a request whose question was answered with form K (one answer, one email)
    request = validation_in(Status.INFO_REQUESTED, now=MONDAY)
    key = uuid.uuid4()
    answered = act("answer_info", request, idempotency_key=key, now=THURSDAY)
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    mail.outbox.clear()
    before = snapshot()

    # When form K is submitted again, even later and with other words (a retry)
    later = THURSDAY + dt.timedelta(minutes=5)
    again = act("answer_info", request, idempotency_key=key, response="Retyped.", now=later)

    # Then it is the same answer: nothing recorded, no email
    assert again.pk == answered.pk
    assert_nothing_changed(before)
    assert (reload(request).info_response, reload(request).info_answer_key) == (
        INFO_RESPONSE,
        key,
    )

    # When another form answers the question already answered
    with pytest.raises(InvalidTransition) as refused:
        act("answer_info", request, response="A second answer.")

    # Then the existing refusal; nothing changes
    assert refused.value.message == (
        "This request is in review; that action is no longer possible. Nothing was changed."
    )
    assert_nothing_changed(before)


def test_second_information_round_gets_its_own_emails(act, validation_in, admin_agent, reviewer):
    # Given a request whose first information request was answered
    request = validation_in(Status.INFO_REQUESTED, now=MONDAY)
    act("answer_info", request, now=THURSDAY)
    mail.outbox.clear()
    outbox_before = outbox_ids()

    # When the reviewer asks again and the partner answers again
    second_ask = dt.datetime(2026, 6, 19, 9, 0, tzinfo=NEW_YORK)
    second_answer = dt.datetime(2026, 6, 22, 9, 0, tzinfo=NEW_YORK)
    act("request_info", request, message="Also send the SEWP V contract.", now=second_ask)
    act("answer_info", request, response="NNG15SD00B.", now=second_answer)

    # Then both emails of the second round go out, and the clock restarts from the answer
    assert [(row.template, row.to_email) for row in new_outbox(outbox_before)] == sorted(
        [
            (TEMPLATE.format("info_requested"), admin_agent.email),
            (TEMPLATE.format("info_answered"), reviewer.email),
        ],
        key=lambda pair: pair[1],
    )
    assert [m.to for m in mail.outbox] == [[admin_agent.email], [reviewer.email]]
    assert "Also send the SEWP V contract." in mail.outbox[0].body
    assert reload(request).due_at == dt.datetime(2026, 6, 24, 17, 0, tzinfo=NEW_YORK)


# -- approve -------------------------------------------------------------------------------
def test_approve_grants_the_gcc_qualification_and_emails_what_is_unlocked(
    act, validation_in, organization, admin_agent, reviewer
):
    # Given a request in review; the organization holds no qualification yet
    request = validation_in(Status.IN_REVIEW)
    assert organization_is_gcc_approved(organization=organization) is False
    audit_before, org_audit_before, outbox_before = (
        audit_ids(request),
        audit_ids(organization),
        outbox_ids(),
    )

    # When the reviewer approves with a note
    act("approve", request, note="  Welcome to GCC.  ")

    # Then the request is approved, decided by the reviewer, and the clock is cleared
    request = reload(request)
    assert request.status == Status.APPROVED
    assert request.decided_by == reviewer
    assert request.decided_at is not None
    assert request.decision_note == "Welcome to GCC."
    assert request.due_at is None
    # and the organization holds the GCC reseller qualification (Partner Center's value)
    qualification = ResellerQualification.objects.get(organization=organization)
    assert qualification.qualification == "GovernmentCommunityCloud"
    assert qualification.granted_at == request.decided_at
    assert qualification.source_request == request
    assert organization_is_gcc_approved(organization=organization) is True
    # and one audit event on the request, one on the organization
    event = the_one_new_audit_event(request, audit_before)
    assert (event.actor, event.action, event.from_status, event.to_status, event.note) == (
        reviewer,
        "approved",
        "in_review",
        "approved",
        "Welcome to GCC.",
    )
    granted = the_one_new_audit_event(organization, org_audit_before)
    assert (granted.actor, granted.action, granted.note) == (
        reviewer,
        "qualification_granted",
        "GovernmentCommunityCloud",
    )
    # and the submitter is told, with what the approval unlocks
    rows = new_outbox(outbox_before)
    assert [(row.template, row.to_email) for row in rows] == [
        (TEMPLATE.format("approved"), admin_agent.email)
    ]
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [admin_agent.email]
    assert email.subject == f"GCC validation request #{request.pk} approved"
    assert (
        f"{organization.legal_name} is approved for Office 365 Government Community Cloud "
        "(GCC). Your organization now holds the Government Community Cloud (GCC) reseller "
        "qualification." in email.body
    )
    assert "Welcome to GCC." in email.body
    assert "- Submit GCC validation requests for your government customers." in email.body
    assert "- Create GCC customers with the validation codes you receive." in email.body
    assert "- Place GCC orders for your validated customers." in email.body
    assert detail_url(request) in email.body


# -- reject --------------------------------------------------------------------------------
def test_reject_records_the_reason_and_emails_how_to_apply_again(
    act, validation_in, organization, admin_agent, reviewer
):
    # Given a request in review
    request = validation_in(Status.IN_REVIEW)
    audit_before, outbox_before = audit_ids(request), outbox_ids()

    # When the reviewer rejects it with a reason
    act("reject", request, reason=f" {REJECT_REASON} ")

    # Then the request is rejected with the reason, and no qualification is granted
    request = reload(request)
    assert request.status == Status.REJECTED
    assert request.decided_by == reviewer
    assert request.decided_at is not None
    assert request.decision_note == REJECT_REASON
    assert request.due_at is None
    assert ResellerQualification.objects.filter(organization=organization).exists() is False
    event = the_one_new_audit_event(request, audit_before)
    assert (event.actor, event.action, event.from_status, event.to_status, event.note) == (
        reviewer,
        "rejected",
        "in_review",
        "rejected",
        REJECT_REASON,
    )
    assert audit_ids(organization) == set()
    # and the submitter gets the reason and how to apply again
    rows = new_outbox(outbox_before)
    assert [(row.template, row.to_email) for row in rows] == [
        (TEMPLATE.format("rejected"), admin_agent.email)
    ]
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [admin_agent.email]
    assert email.subject == f"GCC validation request #{request.pk} not approved"
    assert f"Reason:\n{REJECT_REASON}\n" in email.body
    assert (
        "How to apply again: correct what the reason says, then submit a new request from "
        "your dashboard." in email.body
    )
    assert detail_url(request) in email.body


# -- withdraw ------------------------------------------------------------------------------
@pytest.mark.parametrize("status", OPEN)
def test_withdraw_an_open_request(act, validation_in, organization, sales_agent, reviewer, status):
    # Given an open request of the organization
    request = validation_in(status)
    audit_before, outbox_before = audit_ids(request), outbox_ids()

    # When a sales agent of the organization withdraws it
    act("withdraw", request, actor=sales_agent)

    # Then it is withdrawn and off the clock, with one audit event and no email but to the
    # reviewer working on it (none while it waits for one)
    request = reload(request)
    assert request.status == Status.WITHDRAWN
    assert request.due_at is None
    assert request.decided_at is None
    assert request.decided_by is None
    event = the_one_new_audit_event(request, audit_before)
    assert (event.actor, event.action, event.from_status, event.to_status, event.note) == (
        sales_agent,
        "withdrawn",
        status,
        "withdrawn",
        "",
    )
    assert event.organization == organization
    told = [] if status == Status.SUBMITTED else [reviewer.email]
    assert [(row.template, row.to_email) for row in new_outbox(outbox_before)] == [
        (TEMPLATE.format("withdrawn"), email) for email in told
    ]
    assert [m.to for m in mail.outbox] == [[email] for email in told]


def test_withdraw_tells_the_assigned_reviewer_once(act, validation_in, organization, reviewer):
    # Given a request in review by a reviewer, and another reviewer not assigned
    request = validation_in(Status.IN_REVIEW)
    other = ReviewerFactory()
    outbox_before = outbox_ids()

    # When the organization withdraws it
    act("withdraw", request)

    # Then only the assigned reviewer is told, with the link to the request in the admin
    (row,) = new_outbox(outbox_before)
    assert (row.template, row.to_email) == (TEMPLATE.format("withdrawn"), reviewer.email)
    (email,) = mail.outbox
    assert email.to == [reviewer.email]
    assert other.email not in email.to
    assert email.subject == f"Withdrawn: GCC validation #{request.pk} ({organization.legal_name})"
    assert (
        f"{organization.legal_name} withdrew GCC validation request #{request.pk}, which you "
        "were reviewing. The request is closed: nothing more is needed from you." in email.body
    )
    assert admin_url(request) in email.body
    # and telling again (a retried task) queues nothing more: one email per request
    review_emails.withdrawn(reload(request))
    assert OutboxMessage.objects.exclude(pk__in=outbox_before).count() == 1


# -- every forbidden move ------------------------------------------------------------------
@pytest.mark.parametrize(("status", "action"), FORBIDDEN)
def test_forbidden_move_raises_and_changes_nothing(act, validation_in, status, action):
    # Given a request in `status`
    request = validation_in(status)
    before = snapshot()

    # When `action` is attempted
    with pytest.raises(InvalidTransition) as refused:
        act(action, request)

    # Then a clear message says why, and nothing changed: no row, no audit, no email
    assert refused.value.message == review_refusal(status)
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("first", "second"),
    [("approve", "approve"), ("approve", "reject"), ("reject", "approve"), ("reject", "reject")],
)
def test_second_reviewer_cannot_decide_again(act, validation_in, first, second):
    # Given a request decided by one reviewer
    request = validation_in(Status.IN_REVIEW)
    act(first, request)
    mail.outbox.clear()
    decided = reload(request)
    before = snapshot()

    # When a second reviewer decides it too
    with pytest.raises(InvalidTransition) as refused:
        act(second, request, reviewer=ReviewerFactory())

    # Then the first decision stands and nothing changes
    assert refused.value.message == (
        f"This request is {decided.get_status_display().lower()}; that action is no longer "
        "possible. Nothing was changed."
    )
    assert_nothing_changed(before)


# -- who may act ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.SUBMITTED, "start_review"),
        (Status.IN_REVIEW, "request_info"),
        (Status.IN_REVIEW, "approve"),
        (Status.IN_REVIEW, "reject"),
    ],
)
@pytest.mark.parametrize(
    "make_user",
    [
        lambda admin_agent: UserFactory(is_staff=True),
        lambda admin_agent: admin_agent,
    ],
    ids=["staff-not-reviewer", "partner-admin-agent"],
)
def test_users_without_the_decide_permission_cannot_review(
    act, validation_in, admin_agent, status, action, make_user
):
    # Given a request, and a user without the decide permission
    request = validation_in(status)
    user = make_user(admin_agent)
    before = snapshot()

    # When that user takes a reviewer action
    with pytest.raises(ActionNotAllowed) as refused:
        act(action, request, reviewer=user)

    # Then it is refused, and nothing changes
    assert refused.value.message == "Only GCC reviewers can review validation requests."
    assert_nothing_changed(before)


def test_reviewer_lead_may_decide(act, validation_in):
    # Given a reviewer lead (in both reviewer groups)
    lead = ReviewerFactory(groups=[settings.REVIEWER_LEAD_GROUP_NAME])
    request = validation_in(Status.IN_REVIEW)

    # When the lead approves
    act("approve", request, reviewer=lead)

    # Then the request is approved by the lead
    request = reload(request)
    assert (request.status, request.decided_by) == (Status.APPROVED, lead)


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_reject_requires_a_reason(act, validation_in, reason):
    # Given a request in review
    request = validation_in(Status.IN_REVIEW)
    before = snapshot()

    # When the reviewer rejects it without a reason
    with pytest.raises(ValidationError) as invalid:
        act("reject", request, reason=reason)

    # Then the reason is asked for, and nothing changes
    assert invalid.value.message_dict == {
        "reason": ["Give the reason for the rejection; the partner sees it."]
    }
    assert_nothing_changed(before)


@pytest.mark.parametrize("message", ["", "  \t "])
def test_request_info_requires_a_message(act, validation_in, message):
    # Given a request in review
    request = validation_in(Status.IN_REVIEW)
    before = snapshot()

    # When the reviewer asks for information without saying what
    with pytest.raises(ValidationError) as invalid:
        act("request_info", request, message=message)

    # Then the message is asked for, and nothing changes
    assert invalid.value.message_dict == {
        "message": ["Say what information the partner must send."]
    }
    assert_nothing_changed(before)


def test_answer_info_requires_a_response(act, validation_in):
    # Given a request waiting on the partner
    request = validation_in(Status.INFO_REQUESTED)
    before = snapshot()

    # When the agent sends an empty answer
    with pytest.raises(ValidationError) as invalid:
        act("answer_info", request, response="  ")

    # Then the answer is asked for, and nothing changes
    assert invalid.value.message_dict == {
        "response": ["Enter the information the reviewer asked for."]
    }
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("action", "status"), [("answer_info", Status.INFO_REQUESTED), ("withdraw", Status.IN_REVIEW)]
)
def test_another_organization_cannot_see_the_request(
    act, validation_in, other_organization, other_admin_agent, action, status
):
    # Given a request of the organization, and an admin agent of another organization
    request = validation_in(status)
    before = snapshot()

    # When the other organization's agent acts on it through their own organization
    with pytest.raises(PartnerValidationRequest.DoesNotExist):
        act(action, request, organization=other_organization, actor=other_admin_agent)

    # Then the request does not exist for them, and nothing changes
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("action", "status"), [("answer_info", Status.INFO_REQUESTED), ("withdraw", Status.IN_REVIEW)]
)
def test_another_organization_cannot_act_in_the_organizations_name(
    act, validation_in, other_admin_agent, action, status
):
    # Given a request of the organization, and an admin agent of another organization
    request = validation_in(status)
    before = snapshot()

    # When the other agent names the request's organization
    with pytest.raises(ActionNotAllowed) as refused:
        act(action, request, actor=other_admin_agent)

    # Then they are not a member, and nothing changes
    assert refused.value.message == "You are not a member of this organization."
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("action", "status"), [("answer_info", Status.INFO_REQUESTED), ("withdraw", Status.SUBMITTED)]
)
@pytest.mark.parametrize("role", [Membership.Role.HELPDESK_AGENT, Membership.Role.BILLING_ADMIN])
def test_roles_without_gcc_actions_cannot_answer_or_withdraw(
    act, validation_in, organization, action, status, role
):
    # Given a request, and a Helpdesk agent or Billing admin of the organization
    request = validation_in(status)
    user = MembershipFactory(organization=organization, role=role).user
    before = snapshot()

    # When they answer or withdraw
    with pytest.raises(ActionNotAllowed):
        act(action, request, actor=user)

    # Then the server refuses, and nothing changes
    assert_nothing_changed(before)


# -- the SLA sweep -------------------------------------------------------------------------
@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def run_sweep(now: dt.datetime) -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return review_sla_sweep(model=PartnerValidationRequest, now=now)

    return run_sweep


NO_WORK = {"reminders": 0, "escalations": 0}


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_REVIEW])
def test_sweep_does_nothing_while_more_than_one_business_day_remains(sweep, validation_in, status):
    # Given an open request due Wednesday 17:00
    validation_in(status, now=MONDAY)
    before = snapshot()

    # When the sweep runs on Tuesday at 16:59
    counts = sweep(dt.datetime(2026, 6, 16, 16, 59, tzinfo=NEW_YORK))

    # Then nobody is reminded
    assert counts == NO_WORK
    assert_nothing_changed(before)


def test_sweep_reminds_the_assigned_reviewer_once(sweep, validation_in, reviewer):
    # Given a request in review, due Wednesday 17:00, and another reviewer not assigned
    request = validation_in(Status.IN_REVIEW, now=MONDAY)
    ReviewerFactory()
    outbox_before = outbox_ids()
    tuesday_17h = dt.datetime(2026, 6, 16, 17, 0, tzinfo=NEW_YORK)

    # When the sweep runs on Tuesday at 17:00 (less than one business day left)
    counts = sweep(tuesday_17h)

    # Then the assigned reviewer alone is reminded, and the reminder is recorded
    assert counts == {"reminders": 1, "escalations": 0}
    request = reload(request)
    assert request.reminder_sent_at == tuesday_17h
    assert request.escalated_at is None
    assert request.status == Status.IN_REVIEW
    rows = new_outbox(outbox_before)
    assert [(row.template, row.to_email) for row in rows] == [
        (TEMPLATE.format("reminder"), reviewer.email)
    ]
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [reviewer.email]
    assert email.subject == f"Reminder: GCC validation #{request.pk} is due soon"
    assert (
        f"The GCC partner validation of {request.organization.legal_name} is due "
        f"{MONDAY_DUE_TEXT}: less than one business day remains." in email.body
    )
    assert admin_url(request) in email.body
    mail.outbox.clear()

    # When the sweep runs again an hour later
    before = snapshot()
    counts = sweep(dt.datetime(2026, 6, 16, 18, 0, tzinfo=NEW_YORK))

    # Then nothing more is sent
    assert counts == NO_WORK
    assert_nothing_changed(before)


def test_sweep_reminds_every_reviewer_of_an_unassigned_request(sweep, validation_in, reviewer):
    # Given a submitted request nobody has picked up, and two reviewers
    request = validation_in(Status.SUBMITTED, now=MONDAY)
    second = ReviewerFactory()
    outbox_before = outbox_ids()

    # When the sweep runs on Wednesday morning
    counts = sweep(dt.datetime(2026, 6, 17, 9, 0, tzinfo=NEW_YORK))

    # Then both reviewers are reminded
    assert counts == {"reminders": 1, "escalations": 0}
    assert sorted((row.template, row.to_email) for row in new_outbox(outbox_before)) == sorted(
        [
            (TEMPLATE.format("reminder"), reviewer.email),
            (TEMPLATE.format("reminder"), second.email),
        ]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([reviewer.email, second.email])
    assert reload(request).reminder_sent_at == dt.datetime(2026, 6, 17, 9, 0, tzinfo=NEW_YORK)


def test_sweep_escalates_an_overdue_request_to_reviewer_leads_once(sweep, validation_in, reviewer):
    # Given a request in review due Wednesday 17:00, and a reviewer lead
    lead = ReviewerFactory(groups=[settings.REVIEWER_LEAD_GROUP_NAME])
    request = validation_in(Status.IN_REVIEW, now=MONDAY)
    outbox_before = outbox_ids()
    wednesday_1701 = dt.datetime(2026, 6, 17, 17, 1, tzinfo=NEW_YORK)

    # When the sweep runs at 17:01 on Wednesday, past the due time
    counts = sweep(wednesday_1701)

    # Then the leads alone are told, once, and the escalation is recorded
    assert counts == {"reminders": 0, "escalations": 1}
    request = reload(request)
    assert request.escalated_at == wednesday_1701
    assert request.status == Status.IN_REVIEW
    rows = new_outbox(outbox_before)
    assert [(row.template, row.to_email) for row in rows] == [
        (TEMPLATE.format("escalation"), lead.email)
    ]
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [lead.email]
    assert email.subject == f"Overdue: GCC validation #{request.pk}"
    assert (
        f"The GCC partner validation of {request.organization.legal_name} was due "
        f"{MONDAY_DUE_TEXT} and is not decided." in email.body
    )
    assert admin_url(request) in email.body
    mail.outbox.clear()

    # When the sweep runs again the next day
    before = snapshot()
    counts = sweep(dt.datetime(2026, 6, 18, 9, 0, tzinfo=NEW_YORK))

    # Then nothing more is sent
    assert counts == NO_WORK
    assert_nothing_changed(before)


def test_sweep_at_the_due_time_reminds_but_does_not_escalate(sweep, validation_in, reviewer):
    # Given a request in review due Wednesday 17:00
    lead = ReviewerFactory(groups=[settings.REVIEWER_LEAD_GROUP_NAME])
    request = validation_in(Status.IN_REVIEW, now=MONDAY)

    # When the sweep runs exactly at the due time
    counts = sweep(MONDAY_DUE)

    # Then it is not yet overdue: a reminder, no escalation
    assert counts == {"reminders": 1, "escalations": 0}
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    assert lead.email not in {m.to[0] for m in mail.outbox}
    assert reload(request).escalated_at is None


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 6, 16, 17, 30, tzinfo=NEW_YORK),
        dt.datetime(2026, 6, 17, 18, 0, tzinfo=NEW_YORK),
        dt.datetime(2026, 7, 1, 9, 0, tzinfo=NEW_YORK),
    ],
    ids=["reminder-time", "overdue-time", "weeks-later"],
)
def test_sweep_ignores_requests_waiting_for_information(sweep, validation_in, now):
    # Given a request submitted Monday whose reviewer asked for information (clock stopped),
    # and a reviewer lead
    ReviewerFactory(groups=[settings.REVIEWER_LEAD_GROUP_NAME])
    validation_in(Status.INFO_REQUESTED, now=MONDAY)
    before = snapshot()

    # When the sweep runs when the original due time is near or past
    counts = sweep(now)

    # Then nobody is reminded or escalated to
    assert counts == NO_WORK
    assert_nothing_changed(before)


@pytest.mark.parametrize("status", [Status.APPROVED, Status.REJECTED, Status.WITHDRAWN])
def test_sweep_ignores_closed_requests(sweep, validation_in, status):
    # Given a closed request submitted Monday, and a reviewer lead
    ReviewerFactory(groups=[settings.REVIEWER_LEAD_GROUP_NAME])
    validation_in(status, now=MONDAY)
    before = snapshot()

    # When the sweep runs after the original due time
    counts = sweep(dt.datetime(2026, 6, 18, 9, 0, tzinfo=NEW_YORK))

    # Then nothing is sent
    assert counts == NO_WORK
    assert_nothing_changed(before)


def test_answer_restarts_reminders_and_escalation_for_the_new_due_time(
    act, sweep, validation_in, reviewer
):
    # Given a request that was reminded and escalated, then put on hold for information
    lead = ReviewerFactory(groups=[settings.REVIEWER_LEAD_GROUP_NAME])
    request = validation_in(Status.IN_REVIEW, now=MONDAY)
    assert sweep(dt.datetime(2026, 6, 16, 17, 0, tzinfo=NEW_YORK))["reminders"] == 1
    assert sweep(dt.datetime(2026, 6, 17, 17, 1, tzinfo=NEW_YORK))["escalations"] == 1
    act("request_info", request, now=dt.datetime(2026, 6, 17, 17, 30, tzinfo=NEW_YORK))

    # When the partner answers on Thursday (new due time Tuesday 06-23 17:00)
    act("answer_info", request, now=THURSDAY)
    request = reload(request)
    assert (request.due_at, request.reminder_sent_at, request.escalated_at) == (
        THURSDAY_DUE,
        None,
        None,
    )
    mail.outbox.clear()
    outbox_before = outbox_ids()

    # Then the sweep reminds again from Monday 06-22 17:00 and escalates after Tuesday 17:00
    assert sweep(dt.datetime(2026, 6, 22, 16, 59, tzinfo=NEW_YORK)) == NO_WORK
    assert sweep(dt.datetime(2026, 6, 22, 17, 0, tzinfo=NEW_YORK)) == {
        "reminders": 1,
        "escalations": 0,
    }
    assert sweep(dt.datetime(2026, 6, 23, 17, 1, tzinfo=NEW_YORK)) == {
        "reminders": 0,
        "escalations": 1,
    }
    assert sorted((row.template, row.to_email) for row in new_outbox(outbox_before)) == sorted(
        [
            (TEMPLATE.format("reminder"), reviewer.email),
            (TEMPLATE.format("escalation"), lead.email),
        ]
    )
    assert "due June 23, 2026, 5 p.m. EDT" in mail.outbox[0].body
    assert [m.to for m in mail.outbox] == [[reviewer.email], [lead.email]]


# -- language ------------------------------------------------------------------------------
def test_emails_are_written_in_each_recipients_language(run, organization, reviewer):
    # Given a French-speaking agent and an English-speaking reviewer
    agent = MembershipFactory(organization=organization, user__language="fr").user

    # When the agent submits
    request = run(
        services.partner_validation_submit,
        organization=organization,
        submitted_by=agent,
        now=MONDAY,
        **validation_answers(organization),
    )

    # Then the acknowledgement is in French (dates in the French format), the notice in English
    ack_row = OutboxMessage.objects.get(template=TEMPLATE.format("submitted"))
    notice_row = OutboxMessage.objects.get(template=TEMPLATE.format("new_for_reviewers"))
    assert (ack_row.to_email, ack_row.language) == (agent.email, "fr")
    assert (notice_row.to_email, notice_row.language) == (reviewer.email, "en")
    ack = next(m for m in mail.outbox if m.to == [agent.email])
    notice = next(m for m in mail.outbox if m.to == [reviewer.email])
    assert ack.extra_headers["Content-Language"] == "fr"
    assert notice.extra_headers["Content-Language"] == "en"
    assert "17 juin 2026 17:00" in ack.body
    assert "June 17, 2026, 5 p.m." not in ack.body
    assert MONDAY_DUE_TEXT in notice.body
    assert reload(request).status == Status.SUBMITTED


# -- concurrency ---------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("moves", [("approve", "approve"), ("approve", "reject")])
def test_two_reviewers_deciding_at_once_only_one_wins(monkeypatch, moves):
    # Given a request in review (built and committed outside a test transaction)
    organization = OrganizationFactory()
    agent = MembershipFactory(organization=organization).user
    reviewers = [ReviewerFactory(), ReviewerFactory()]
    request = services.partner_validation_submit(
        organization=organization, submitted_by=agent, **validation_answers(organization)
    )
    review_start(model=PartnerValidationRequest, request_id=request.pk, reviewer=reviewers[0])
    mail.outbox.clear()
    # and the first decision to lock the request holding its lock, inside its transaction,
    # until the other reviewer's decision is seen waiting for that lock (the decision's move
    # is applied by reviews.services, with the row locked)
    race = Race()
    race.hold_after(monkeypatch, review_services, "review_transition_apply")

    def decide(index: int):
        if moves[index] == "approve":
            return services.partner_validation_approve(
                request_id=request.pk, reviewer=reviewers[index]
            )
        return review_reject(
            model=PartnerValidationRequest,
            request_id=request.pk,
            reviewer=reviewers[index],
            reason=REJECT_REASON,
        )

    # When both reviewers press their button at the same moment
    outcomes = race.run([lambda: decide(0), lambda: decide(1)])

    # Then the loser waited for the winner's lock, then got InvalidTransition
    winner = race.holder
    assert race.waited == [1 - winner]
    assert isinstance(outcomes[winner], PartnerValidationRequest), outcomes
    assert isinstance(outcomes[1 - winner], InvalidTransition), outcomes
    expected_status = Status.APPROVED if moves[winner] == "approve" else Status.REJECTED
    request = reload(request)
    assert request.status == expected_status
    assert request.decided_by == reviewers[winner]
    # and one decision audit event, one decision email
    decisions = AuditEvent.objects.for_subject(request).filter(action__in=["approved", "rejected"])
    assert [(event.actor, event.to_status) for event in decisions] == [
        (reviewers[winner], expected_status)
    ]
    decision_rows = OutboxMessage.objects.filter(
        template__in=[TEMPLATE.format("approved"), TEMPLATE.format("rejected")]
    )
    assert [(row.template, row.to_email) for row in decision_rows] == [
        (TEMPLATE.format(expected_status), agent.email)
    ]
    assert [m.to for m in mail.outbox] == [[agent.email]]
    assert ResellerQualification.objects.filter(organization=organization).count() == (
        1 if expected_status == Status.APPROVED else 0
    )


@pytest.mark.django_db(transaction=True)
def test_the_same_form_submitted_twice_at_once_gives_one_request(monkeypatch):
    # Given an eligible organization, a reviewer, and one form (one key) posted twice at the
    # same moment (built and committed outside a test transaction)
    organization = OrganizationFactory()
    agent = MembershipFactory(organization=organization).user
    reviewer = ReviewerFactory()
    answers = validation_answers(organization)
    # and the first submission to write its request holding its transaction open (and the
    # organization's lock) until the other submission is seen waiting for that lock
    race = Race()
    race.hold_after(monkeypatch, services, "review_submitted")
    real_lookup = review_selectors.review_request_for_key
    lookups: list[list] = [[], []]

    def lookup(**kwargs):
        found = real_lookup(**kwargs)
        lookups[race.index].append(found)
        return found

    # (the kind's service looks first, the shared create again after the unique key's refusal)
    for module in (services, review_services):
        monkeypatch.setattr(module, "review_request_for_key", lookup)

    def submit():
        return services.partner_validation_submit(
            organization=organization, submitted_by=agent, **answers
        )

    # When both posts arrive together
    outcomes = race.run([submit, submit])

    # Then both get the same request: one row, one audit event, one set of emails
    assert all(isinstance(outcome, PartnerValidationRequest) for outcome in outcomes), outcomes
    request = PartnerValidationRequest.objects.get()
    assert [outcome.pk for outcome in outcomes] == [request.pk, request.pk]
    # and the loser provably raced: it waited for the winner's lock on the organization, then
    # found the winner's request by the key (the winner had found none)
    winner = race.holder
    assert race.waited == [1 - winner]
    assert (lookups[winner], lookups[1 - winner]) == ([None], [request])
    assert request.idempotency_key == answers["idempotency_key"]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["submitted"]
    assert sorted(OutboxMessage.objects.values_list("template", "to_email")) == sorted(
        [
            (TEMPLATE.format("submitted"), agent.email),
            (TEMPLATE.format("new_for_reviewers"), reviewer.email),
        ]
    )
