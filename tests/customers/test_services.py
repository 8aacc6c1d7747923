"""Customer services: GCC customer validation, validation codes, customers and qualifications."""

import datetime as dt
import inspect
import re
import threading
import time
import uuid

import pytest
from django.conf import settings
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import resolve, reverse
from django.utils import timezone

from customers import services as customer_services
from customers.codes import services as code_services
from customers.codes.models import GccValidation
from customers.codes.selectors import gcc_validation_list_available
from customers.codes.services import CodeExhausted
from customers.invitations import services as invitation_services
from customers.links import LinkExpired, LinkInvalid
from customers.models import Customer, CustomerQualification, CustomerRelationship
from customers.selectors import customer_list_for_org, gcc_block_reason, transacting_partner_for
from customers.validations import links, services
from customers.validations.links import info_link_path, info_link_read
from customers.validations.models import CustomerValidationDocument, CustomerValidationRequest
from customers.validations.uploads import document_check
from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from gccportal.review_clock import review_due_at
from notifications.models import OutboxMessage
from partners.models import Membership, Organization
from reviews import selectors as review_selectors
from reviews import services as review_services
from reviews.models import AuditEvent
from reviews.services import review_reject, review_sla_sweep, review_start
from tests.factories import (
    CustomerFactory,
    CustomerValidationRequestFactory,
    GccValidationFactory,
    MembershipFactory,
    OrganizationFactory,
    ResellerQualificationFactory,
    ReviewerFactory,
    UserFactory,
    customer_validation_answers,
)
from tests.helpers import (
    FORBIDDEN,
    MONDAY,
    MONDAY_DUE,
    MONDAY_DUE_TEXT,
    NEW_YORK,
    NOT_APPROVED,
    OPEN,
    PDF,
    THURSDAY,
    THURSDAY_DUE,
    agent_of,
    assert_nothing_changed,
    audit_ids,
    outbox_ids,
    pdf,
    reload,
    review_refusal,
    role_refusal,
    snapshot,
    stored_files,
    the_one_new_audit_event,
)
from tests.race import Race

Status = CustomerValidationRequest.Status
Qualification = CustomerQualification.Qualification
Vetting = CustomerQualification.VettingStatus
BASE_URL = "http://127.0.0.1:8000"


LEGAL_NAME = "City of Springfield"
CONTACT_EMAIL = "robin.clerk@springfield.gov"
DOMAIN_UNAVAILABLE = (
    "A new customer can't be created with springfield.gov. If the organization already works "
    "with Microsoft, send it a reseller relationship request instead."
)
INFO_MESSAGE = "Send the city charter page that names the IT department."
INFO_RESPONSE = "Charter article 4, section 2 names the Department of Information Technology."
REJECT_REASON = "springfield.gov is not registered to the City of Springfield."
LINK_USED = "This link was already used or replaced by a newer one."

TEMPLATE = "emails/customers/validation_{}"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
TEXT = b"This is a plain text file pretending to be a PDF.\n"

NOT_AVAILABLE = "This validation code is not available to your organization"


# -- helpers -------------------------------------------------------------------------------


def new_audit_events(subject, before: set[int]) -> list[AuditEvent]:
    return list(AuditEvent.objects.for_subject(subject).exclude(pk__in=before).order_by("pk"))


def event_tuple(event: AuditEvent) -> tuple:
    return (event.actor, event.action, event.from_status, event.to_status, event.note)


def new_outbox(before: set[int]) -> list[tuple[str, str]]:
    rows = OutboxMessage.objects.exclude(pk__in=before)
    return sorted((row.template, row.to_email) for row in rows)


def email_to(address: str):
    (email,) = [m for m in mail.outbox if m.to == [address]]
    return email


def admin_url(request) -> str:
    return BASE_URL + reverse("admin:customers_customervalidationrequest_change", args=[request.pk])


def detail_url(request) -> str:
    return BASE_URL + reverse("customers:validation_detail", args=[request.pk])


LINK = re.compile(re.escape(BASE_URL) + r"(/customer-information/[^/\s]+/)")


def token_in(body: str) -> str:
    """The token of the one answer link in an email body, resolved like the browser would."""
    (path,) = LINK.findall(body)
    match = resolve(path)
    assert match.view_name == "customers:info_answer"
    return match.kwargs["token"]


def current_token(request: CustomerValidationRequest) -> str:
    """A link for the request's current nonce (what the latest email holds)."""
    path = info_link_path(request_id=request.pk, nonce=reload(request).info_link_nonce)
    return resolve(path).kwargs["token"]


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def customer_answers(**overrides) -> dict:
    """Valid Add customer answers, with the form's one-time key (a fresh one per call: each
    call is a new form)."""
    return {
        "idempotency_key": uuid.uuid4(),
        "company_name": "City of Springfield",
        "primary_domain": "springfield.gov",
        "address_line1": "800 E Monroe St",
        "city": "Springfield",
        "state": "il",
        "postal_code": "62701",
        "contact_first_name": "Robin",
        "contact_last_name": "Clerk",
        "contact_email": CONTACT_EMAIL,
        "contact_phone": "+1 217 555 0199",
        **overrides,
    }


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def gcc_organization(organization) -> Organization:
    """The `organization` fixture, approved for GCC."""
    ResellerQualificationFactory(organization=organization)
    return organization


@pytest.fixture
def submit(run, gcc_organization, admin_agent):
    """Submit a customer validation as `user` (default: the admin agent); mail cleared."""

    def make(user=None, **overrides) -> CustomerValidationRequest:
        user = user or admin_agent
        organization = user.membership.organization
        transacting = transacting_partner_for(organization=organization)
        request = run(
            services.customer_validation_submit,
            organization=organization,
            submitted_by=user,
            **{**customer_validation_answers(transacting), **overrides},
        )
        mail.outbox.clear()
        return request

    return make


@pytest.fixture
def act(run, reviewer):
    """Take `action` on a request as the usual actor (the reviewer, the customer contact
    through the current link, or the submitter)."""

    def take(action: str, request: CustomerValidationRequest, **overrides):
        if action == "answer_info":
            kwargs = {
                "token": current_token(request),
                "response": INFO_RESPONSE,
                "idempotency_key": uuid.uuid4(),
            }
            return run(services.customer_validation_answer_info, **{**kwargs, **overrides})
        calls = {
            "start_review": (
                review_start,
                {"model": CustomerValidationRequest, "reviewer": reviewer},
            ),
            "request_info": (
                services.customer_validation_request_info,
                {"reviewer": reviewer, "message": INFO_MESSAGE},
            ),
            "approve": (services.customer_validation_approve, {"reviewer": reviewer}),
            "reject": (
                review_reject,
                {"model": CustomerValidationRequest, "reviewer": reviewer, "reason": REJECT_REASON},
            ),
            "withdraw": (
                services.customer_validation_withdraw,
                {"organization": request.organization, "actor": request.submitted_by},
            ),
        }
        service, kwargs = calls[action]
        return run(service, request_id=request.pk, **{**kwargs, **overrides})

    return take


@pytest.fixture
def validation_in(submit, act):
    """A request of the organization brought to `status` through the services; mail cleared."""
    paths = {
        Status.SUBMITTED: [],
        Status.IN_REVIEW: ["start_review"],
        Status.INFO_REQUESTED: ["start_review", "request_info"],
        Status.APPROVED: ["start_review", "approve"],
        Status.REJECTED: ["start_review", "reject"],
        Status.WITHDRAWN: ["withdraw"],
    }

    def make(status: str, user=None, **submit_overrides) -> CustomerValidationRequest:
        request = submit(user, **submit_overrides)
        for action in paths[status]:
            act(action, request)
        mail.outbox.clear()
        request = reload(request)
        assert request.status == status
        return request

    return make


@pytest.fixture
def provider(db) -> Organization:
    """A GCC-approved indirect provider."""
    organization = OrganizationFactory(
        legal_name="Contoso Distribution",
        partner_type=Organization.PartnerType.INDIRECT_PROVIDER,
    )
    ResellerQualificationFactory(organization=organization)
    return organization


def reseller_of(provider: Organization, **kwargs) -> Organization:
    return OrganizationFactory(
        partner_type=Organization.PartnerType.INDIRECT_RESELLER,
        indirect_provider=provider,
        **kwargs,
    )


# -- submit --------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Membership.Role.ADMIN_AGENT, Membership.Role.SALES_AGENT])
def test_submit_opens_request_due_in_two_business_days_and_emails_ack_and_reviewers(
    run, gcc_organization, reviewer, other_admin_agent, role
):
    # Given an Admin or Sales agent of a GCC-approved direct reseller, a reviewer, and staff
    # outside the reviewer group
    agent = agent_of(gcc_organization, role)
    UserFactory(is_staff=True)
    audit_before, outbox_before = set(AuditEvent.objects.values_list("pk", flat=True)), outbox_ids()

    # When the agent submits on Monday 2026-06-15 at 10:00 New York time, for a local
    # government, with blanks around the name and an upper-case domain
    request = run(
        services.customer_validation_submit,
        organization=gcc_organization,
        submitted_by=agent,
        now=MONDAY,
        **{
            **customer_validation_answers(gcc_organization),
            "organization_legal_name": f"  {LEGAL_NAME} ",
            "government_domain": " SpringField.GOV ",
            "regulated_data": ["itar"],
        },
    )

    # Then the request is submitted, due Wednesday 17:00, with the answers saved
    request = reload(request)
    assert request.status == Status.SUBMITTED
    assert request.organization == gcc_organization
    assert request.transacting_partner == gcc_organization
    assert request.submitted_by == agent
    assert request.submitted_at == MONDAY
    assert request.due_at == MONDAY_DUE
    assert request.organization_legal_name == LEGAL_NAME
    assert request.organization_type == "local"
    assert request.regulated_data == []  # only asked of private organizations
    assert request.government_domain == "springfield.gov"
    assert (request.contact_name, request.contact_email, request.contact_phone) == (
        "Robin Clerk",
        CONTACT_EMAIL,
        "+1 217 555 0199",
    )
    assert request.commercial_tenant_id == gcc_organization.commercial_tenant_id
    assert request.info_link_nonce == ""
    assert (request.assigned_reviewer, request.decided_at, request.reminder_sent_at) == (
        None,
        None,
        None,
    )
    assert list(request.documents.all()) == []
    # and exactly one audit event, by the agent, from nothing to submitted
    (event,) = AuditEvent.objects.exclude(pk__in=audit_before)
    assert event == the_one_new_audit_event(request, set())
    assert event_tuple(event) == (agent, "submitted", "", "submitted", "")
    assert event.organization == gcc_organization
    # and two emails: the acknowledgement with the due time, the notice to the reviewer only
    assert new_outbox(outbox_before) == sorted(
        [
            (TEMPLATE.format("new_for_reviewers"), reviewer.email),
            (TEMPLATE.format("submitted"), agent.email),
        ]
    )
    assert len(mail.outbox) == 2
    ack = email_to(agent.email)
    assert ack.subject == f"GCC customer validation #{request.pk} received: {LEGAL_NAME}"
    assert f"We received the GCC validation request for {LEGAL_NAME}." in ack.body
    assert (
        "The GCC review team will decide by June 17, 2026, 5 p.m. (EDT), within two business "
        "days." in ack.body
    )
    assert detail_url(request) in ack.body
    notice = email_to(reviewer.email)
    assert notice.subject == f"New GCC customer validation: {LEGAL_NAME}"
    assert (
        f"{gcc_organization.legal_name} asks for the GCC validation of {LEGAL_NAME}. Decision "
        f"due: {MONDAY_DUE_TEXT}" in notice.body
    )
    assert admin_url(request) in notice.body
    assert other_admin_agent.email not in {address for m in mail.outbox for address in m.to}


def test_submit_of_a_private_organization_keeps_the_regulated_data(run, gcc_organization):
    # Given a private organization that handles CUI and DoD impact level data
    agent = agent_of(gcc_organization)
    answers = {
        **customer_validation_answers(gcc_organization),
        "organization_type": CustomerValidationRequest.OrganizationType.PRIVATE_REGULATED,
        "regulated_data": ["cui", "dod_il"],
    }

    # When the agent submits
    request = run(
        services.customer_validation_submit,
        organization=gcc_organization,
        submitted_by=agent,
        **answers,
    )

    # Then the kinds of data are kept, in order, with their labels
    request = reload(request)
    assert request.regulated_data == ["cui", "dod_il"]
    assert request.get_regulated_data_display() == [
        "CUI (Controlled Unclassified Information)",
        "DoD Impact Level data",
    ]


def test_submit_of_a_private_organization_requires_the_regulated_data(run, gcc_organization):
    # Given a private organization with no kind of regulated data chosen
    agent = agent_of(gcc_organization)
    before = snapshot()

    # When the agent submits
    with pytest.raises(ValidationError) as invalid:
        run(
            services.customer_validation_submit,
            organization=gcc_organization,
            submitted_by=agent,
            **{
                **customer_validation_answers(gcc_organization),
                "organization_type": "private_regulated",
            },
        )

    # Then it is asked for, and nothing is recorded
    assert invalid.value.message_dict == {
        "regulated_data": ["Say which regulated government data the organization handles."]
    }
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    "contact_email",
    ["sales@northwind.example", "clerk@mail.springfield.gov", "clerk@springfield.gov.example"],
)
def test_the_customer_contact_must_have_a_mailbox_at_the_government_domain(
    run, gcc_organization, contact_email
):
    # Given a request for springfield.gov whose contact (where the reviewers' questions and
    # the single-use answer link go) is an address the partner chose elsewhere
    agent = agent_of(gcc_organization)
    before = snapshot()

    # When the agent submits
    with pytest.raises(ValidationError) as invalid:
        run(
            services.customer_validation_submit,
            organization=gcc_organization,
            submitted_by=agent,
            **{**customer_validation_answers(gcc_organization), "contact_email": contact_email},
        )

    # Then it is refused next to the contact's email, and nothing is recorded
    assert invalid.value.message_dict == {
        "contact_email": [
            "Enter the customer contact's address at springfield.gov: the review team's "
            "questions and the link to answer them go there."
        ]
    }
    assert_nothing_changed(before)


def test_the_contact_address_at_the_domain_is_stored_in_lower_case(submit):
    request = submit(
        contact_email="Robin.Clerk@SPRINGFIELD.gov", government_domain="Springfield.GOV"
    )
    assert (request.government_domain, request.contact_email) == (
        "springfield.gov",
        "robin.clerk@springfield.gov",
    )


@pytest.mark.parametrize(
    ("entered", "message"),
    [
        (
            lambda org: str(org.azure_gcc_tenant_id),
            "This is an Azure GCC tenant ID, not the commercial (global) one. Enter your "
            "organization's commercial tenant ID, the Microsoft ID on your profile: {expected}.",
        ),
        (
            lambda org: "not-a-guid",
            "This is not a valid tenant ID. A tenant ID is a GUID of 32 hexadecimal digits, like "
            "00000000-0000-0000-0000-000000000000. Enter your organization's commercial tenant "
            "ID, the Microsoft ID on your profile: {expected}.",
        ),
        (
            lambda org: str(uuid.UUID(int=42)),
            "This is not the expected tenant ID. Enter your organization's commercial tenant "
            "ID, the Microsoft ID on your profile: {expected}.",
        ),
    ],
    ids=["azure-gcc-tenant", "malformed", "customer-tenant"],
)
def test_submit_catches_tenant_id_mistakes(run, gcc_organization, admin_agent, entered, message):
    # Given a tenant ID entered by mistake
    before = snapshot()

    # When the agent submits with it
    with pytest.raises(ValidationError) as invalid:
        run(
            services.customer_validation_submit,
            organization=gcc_organization,
            submitted_by=admin_agent,
            **{
                **customer_validation_answers(gcc_organization),
                "commercial_tenant_id": entered(gcc_organization),
            },
        )

    # Then the field says what to enter instead, and nothing is recorded
    assert invalid.value.message_dict == {
        "commercial_tenant_id": [message.format(expected=gcc_organization.commercial_tenant_id)]
    }
    assert_nothing_changed(before)


# -- the form's one-time key ----------------------------------------------------------------
def test_submit_replayed_with_its_key_returns_the_first_request_and_changes_nothing(
    submit, run, gcc_organization, admin_agent, reviewer
):
    # Given a request submitted with the form's key K and a document
    key = uuid.uuid4()
    first = submit(idempotency_key=key, documents=[pdf("charter.pdf")])
    before = snapshot()

    # When the same form is submitted again, with other answers and other documents
    again = run(
        services.customer_validation_submit,
        organization=gcc_organization,
        submitted_by=admin_agent,
        documents=[pdf("other.pdf")],
        **{
            **customer_validation_answers(gcc_organization),
            "idempotency_key": key,
            "organization_legal_name": "Shelbyville",
        },
    )

    # Then it is the first request, as it was: no second request, document, audit event or
    # email
    assert again == first
    assert (reload(again).organization_legal_name, reload(again).idempotency_key) == (
        LEGAL_NAME,
        key,
    )
    assert_nothing_changed(before)


def test_submit_replayed_after_the_request_moved_on_still_returns_it(
    validation_in, run, gcc_organization, admin_agent
):
    # Given a request submitted with key K, since withdrawn
    key = uuid.uuid4()
    withdrawn = validation_in(Status.WITHDRAWN, idempotency_key=key)
    before = snapshot()

    # When K is submitted again
    again = run(
        services.customer_validation_submit,
        organization=gcc_organization,
        submitted_by=admin_agent,
        **{**customer_validation_answers(gcc_organization), "idempotency_key": key},
    )

    # Then the key's request is returned; nothing is reopened or created
    assert again == withdrawn
    assert reload(again).status == Status.WITHDRAWN
    assert_nothing_changed(before)


def test_a_key_is_scoped_to_its_organization(run, gcc_organization, admin_agent, reviewer):
    # Given organization B's request, submitted with key K
    other = OrganizationFactory()
    ResellerQualificationFactory(organization=other)
    key = uuid.uuid4()
    theirs = run(
        services.customer_validation_submit,
        organization=other,
        submitted_by=agent_of(other),
        **{**customer_validation_answers(other), "idempotency_key": key},
    )
    outbox_before = outbox_ids()

    # When organization A submits with the same key
    mine = run(
        services.customer_validation_submit,
        organization=gcc_organization,
        submitted_by=admin_agent,
        **{**customer_validation_answers(gcc_organization), "idempotency_key": key},
    )

    # Then A gets its own new request (never B's), acknowledged to A's agent
    assert mine.pk != theirs.pk
    assert (mine.organization, mine.submitted_by, mine.idempotency_key) == (
        gcc_organization,
        admin_agent,
        key,
    )
    assert new_outbox(outbox_before) == sorted(
        [
            (TEMPLATE.format("new_for_reviewers"), reviewer.email),
            (TEMPLATE.format("submitted"), admin_agent.email),
        ]
    )


def test_the_same_key_twice_in_one_organization_is_refused_by_the_database(gcc_organization):
    # Given a request of the organization with key K
    key = uuid.uuid4()
    CustomerValidationRequestFactory(organization=gcc_organization, idempotency_key=key)

    # When another row with K is written straight to the database
    # Then the unique constraint refuses it
    with (
        pytest.raises(IntegrityError, match="unique_customer_validation_idempotency_key"),
        transaction.atomic(),
    ):
        CustomerValidationRequestFactory(organization=gcc_organization, idempotency_key=key)


# -- indirect resellers: the provider's tenant ID and the provider's codes -----------------
def test_indirect_reseller_submits_with_the_providers_tenant_id(run, provider, reviewer):
    # Given an indirect reseller of a GCC-approved provider
    reseller = reseller_of(provider)
    agent = agent_of(reseller)

    # When its agent submits with the provider's tenant ID (the transacting partner's)
    request = run(
        services.customer_validation_submit,
        organization=reseller,
        submitted_by=agent,
        **customer_validation_answers(provider),
    )

    # Then the request is the reseller's, transacted by the provider, with its tenant ID
    request = reload(request)
    assert request.status == Status.SUBMITTED
    assert request.organization == reseller
    assert request.transacting_partner == provider
    assert request.commercial_tenant_id == provider.commercial_tenant_id
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent.email, reviewer.email])


def test_indirect_reseller_own_tenant_id_is_refused(run, provider):
    # Given an indirect reseller of a GCC-approved provider
    reseller = reseller_of(provider)
    agent = agent_of(reseller)
    before = snapshot()

    # When its agent enters its own tenant ID instead of the provider's
    with pytest.raises(ValidationError) as invalid:
        run(
            services.customer_validation_submit,
            organization=reseller,
            submitted_by=agent,
            **customer_validation_answers(reseller),
        )

    # Then the field is refused, naming the provider and its tenant ID; nothing is recorded
    assert invalid.value.message_dict == {
        "commercial_tenant_id": [
            "This is your own organization's tenant ID. Requests of an indirect reseller carry "
            "its indirect provider's: enter the commercial tenant ID of Contoso Distribution, "
            f"your indirect provider: {provider.commercial_tenant_id}."
        ]
    }
    assert_nothing_changed(before)


def test_code_of_an_indirect_resellers_request_goes_to_the_provider_and_the_reseller_uses_it(
    run, act, provider, reviewer
):
    # Given two indirect resellers of one GCC-approved provider, and a direct reseller
    reseller = reseller_of(provider)
    sibling = reseller_of(provider)
    direct = OrganizationFactory()
    ResellerQualificationFactory(organization=direct)
    agent, sibling_agent = agent_of(reseller), agent_of(sibling)

    # When the reseller's request is submitted and approved for 2 creates
    request = run(
        services.customer_validation_submit,
        organization=reseller,
        submitted_by=agent,
        **customer_validation_answers(provider),
    )
    act("start_review", request)
    mail.outbox.clear()
    act("approve", request, max_creates=2)

    # Then the code is issued to the provider (the transacting partner)
    code = GccValidation.objects.get(source_request=request)
    assert code.partner == provider
    assert (code.organization_name, code.max_creates, code.remaining_creates) == (
        LEGAL_NAME,
        2,
        2,
    )
    # and the reseller's agent is told; the sibling reseller is not
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent.email, CONTACT_EMAIL])
    # and the reseller sees it; the sibling sees only its own; the provider sees all of its
    # codes (its own, each reseller's) but none exhausted; the direct reseller only its own
    own = GccValidationFactory(partner=provider, organization_name="Alpha Water District")
    siblings = GccValidationFactory(
        partner=provider, source_request__organization=sibling, organization_name="Beta Schools"
    )
    GccValidationFactory(partner=provider, remaining_creates=0, organization_name="Aardvark")
    directs = GccValidationFactory(partner=direct, organization_name="Delta Parish")
    assert list(gcc_validation_list_available(organization=reseller)) == [code]
    assert list(gcc_validation_list_available(organization=sibling)) == [siblings]
    assert list(gcc_validation_list_available(organization=provider)) == [own, siblings, code]
    assert list(gcc_validation_list_available(organization=direct)) == [directs]

    # When the reseller's agent creates the customer with the code
    customer = run(
        customer_services.customer_create,
        organization=reseller,
        created_by=agent,
        special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
        gcc_validation=code,
        **customer_answers(),
    )

    # Then the customer is the reseller's, GCC-qualified with that code, one create used
    assert list(customer_list_for_org(organization=reseller)) == [customer]
    assert customer.qualifications.get().validation == code
    code.refresh_from_db()
    assert code.remaining_creates == 1

    # When the sibling reseller's agent tries the same code (one create left)
    mail.outbox.clear()
    before = snapshot()
    with pytest.raises(ActionNotAllowed, match=NOT_AVAILABLE):
        run(
            customer_services.customer_create,
            organization=sibling,
            created_by=sibling_agent,
            special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            gcc_validation=code,
            **customer_answers(primary_domain="shelbyville.gov"),
        )

    # Then it is refused and nothing is created or consumed
    assert_nothing_changed(before)
    assert list(customer_list_for_org(organization=sibling)) == []


# -- who may act: gcc_block_reason and roles -----------------------------------------------
def test_gcc_block_reason_is_none_for_approved_partners_and_their_resellers(provider, organization):
    # Given a GCC-approved provider, its reseller, and a direct reseller not approved
    reseller = reseller_of(provider)

    # When / Then the approved provider and its reseller may act; the other may not
    assert gcc_block_reason(organization=provider) is None
    assert gcc_block_reason(organization=reseller) is None
    assert gcc_block_reason(organization=organization) == NOT_APPROVED


def test_partner_not_approved_for_gcc_can_neither_submit_nor_create_gcc_customers(
    run, organization, admin_agent
):
    # Given a direct reseller not approved for GCC (holding a code, as if by mistake)
    code = GccValidationFactory(partner=organization, max_creates=2)
    before = snapshot()

    # When its agent submits a customer validation
    with pytest.raises(ActionNotAllowed) as refused_submit:
        run(
            services.customer_validation_submit,
            organization=organization,
            submitted_by=admin_agent,
            **customer_validation_answers(organization),
        )
    # and creates a GCC customer with the code
    with pytest.raises(ActionNotAllowed) as refused_create:
        run(
            customer_services.customer_create,
            organization=organization,
            created_by=admin_agent,
            special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            gcc_validation=code,
            **customer_answers(),
        )

    # Then both are refused with why, and nothing is recorded or consumed
    assert refused_submit.value.message == NOT_APPROVED
    assert refused_create.value.message == NOT_APPROVED
    assert_nothing_changed(before)


def test_indirect_reseller_of_a_provider_not_approved_is_told_the_providers_name(db, run):
    # Given an indirect reseller whose provider, Contoso Distribution, is not approved
    provider = OrganizationFactory(
        legal_name="Contoso Distribution", partner_type=Organization.PartnerType.INDIRECT_PROVIDER
    )
    reseller = reseller_of(provider)
    agent = agent_of(reseller)
    code = GccValidationFactory(partner=provider, source_request__organization=reseller)
    before = snapshot()
    message = (
        "Your indirect provider, Contoso Distribution, is not approved for GCC yet. GCC "
        "customers and orders become available once it is."
    )

    # When its agent submits a customer validation, then creates a GCC customer
    with pytest.raises(ActionNotAllowed) as refused_submit:
        run(
            services.customer_validation_submit,
            organization=reseller,
            submitted_by=agent,
            **customer_validation_answers(provider),
        )
    with pytest.raises(ActionNotAllowed) as refused_create:
        run(
            customer_services.customer_create,
            organization=reseller,
            created_by=agent,
            special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            gcc_validation=code,
            **customer_answers(),
        )

    # Then both are refused, naming the provider, and nothing changes
    assert gcc_block_reason(organization=reseller) == message
    assert refused_submit.value.message == message
    assert refused_create.value.message == message
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("role", "label"),
    [
        (Membership.Role.HELPDESK_AGENT, "Helpdesk agent"),
        (Membership.Role.BILLING_ADMIN, "Billing admin"),
    ],
)
def test_roles_without_gcc_actions_are_refused(run, gcc_organization, role, label):
    # Given a Helpdesk agent or Billing admin of a GCC-approved organization holding a code
    user = agent_of(gcc_organization, role)
    code = GccValidationFactory(partner=gcc_organization)
    before = snapshot()

    # When the user submits a customer validation, creates a GCC customer or a plain one
    attempts = [
        lambda: run(
            services.customer_validation_submit,
            organization=gcc_organization,
            submitted_by=user,
            **customer_validation_answers(gcc_organization),
        ),
        lambda: run(
            customer_services.customer_create,
            organization=gcc_organization,
            created_by=user,
            special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            gcc_validation=code,
            **customer_answers(),
        ),
        lambda: run(
            customer_services.customer_create,
            organization=gcc_organization,
            created_by=user,
            **customer_answers(),
        ),
    ]
    messages = []
    for attempt in attempts:
        with pytest.raises(ActionNotAllowed) as refused:
            attempt()
        messages.append(refused.value.message)

    # Then each is refused with the role's name, and nothing changes
    assert messages == [role_refusal(label)] * 3
    assert_nothing_changed(before)


def test_a_user_cannot_act_for_another_organization(run, gcc_organization, other_admin_agent):
    # Given an agent of another organization
    before = snapshot()

    # When it submits in the organization's name
    with pytest.raises(ActionNotAllowed) as refused:
        run(
            services.customer_validation_submit,
            organization=gcc_organization,
            submitted_by=other_admin_agent,
            **customer_validation_answers(gcc_organization),
        )

    # Then it is refused, and nothing changes
    assert refused.value.message == "You are not a member of this organization."
    assert_nothing_changed(before)


# -- start_review --------------------------------------------------------------------------
def test_start_review_assigns_the_reviewer_and_keeps_the_clock(act, validation_in, reviewer):
    # Given a submitted request due Wednesday 17:00
    request = validation_in(Status.SUBMITTED, now=MONDAY)
    audit_before, outbox_before = audit_ids(request), outbox_ids()

    # When a reviewer starts the review with a note
    act("start_review", request, note=" Checking the domain. ")

    # Then it is in review, assigned to that reviewer, still due Wednesday 17:00
    request = reload(request)
    assert request.status == Status.IN_REVIEW
    assert request.assigned_reviewer == reviewer
    assert request.due_at == MONDAY_DUE
    event = the_one_new_audit_event(request, audit_before)
    assert event_tuple(event) == (
        reviewer,
        "review_started",
        "submitted",
        "in_review",
        "Checking the domain.",
    )
    # and nobody is emailed
    assert new_outbox(outbox_before) == []
    assert mail.outbox == []


# -- request_info: to the customer contact, with a single-use link ---------------------------
def test_request_info_emails_the_customer_contact_a_working_link_and_tells_the_partner(
    act, validation_in, admin_agent, reviewer
):
    # Given a request in review, due Wednesday 17:00
    request = validation_in(Status.IN_REVIEW, now=MONDAY)
    audit_before, outbox_before = audit_ids(request), outbox_ids()
    asked_at = dt.datetime(2026, 6, 16, 9, 0, tzinfo=NEW_YORK)

    # When the reviewer asks for more information (with surrounding blanks)
    act("request_info", request, message=f"  {INFO_MESSAGE}\n", now=asked_at)

    # Then the request waits on the customer, the clock is stopped, a link nonce is set
    request = reload(request)
    assert request.status == Status.INFO_REQUESTED
    assert request.due_at is None
    assert request.info_request_message == INFO_MESSAGE
    assert request.info_requested_at == asked_at
    assert (request.info_response, request.info_responded_at) == ("", None)
    assert len(request.info_link_nonce) == 32
    event = the_one_new_audit_event(request, audit_before)
    assert event_tuple(event) == (
        reviewer,
        "info_requested",
        "in_review",
        "info_requested",
        INFO_MESSAGE,
    )
    # and the customer contact (in English) and the submitting partner are emailed
    assert new_outbox(outbox_before) == sorted(
        [
            (TEMPLATE.format("info_requested_customer"), CONTACT_EMAIL),
            (TEMPLATE.format("info_requested_partner"), admin_agent.email),
        ]
    )
    assert OutboxMessage.objects.get(to_email=CONTACT_EMAIL).language == "en"
    assert len(mail.outbox) == 2
    to_customer = email_to(CONTACT_EMAIL)
    assert to_customer.subject == f"Microsoft GCC validation of {LEGAL_NAME}: information needed"
    assert (
        f"Hello Robin Clerk,\n\n{request.organization.legal_name} asked for the Office 365 "
        f"Government Community Cloud (GCC) validation of {LEGAL_NAME}. The GCC review team "
        "needs more information:" in to_customer.body
    )
    assert f"\n{INFO_MESSAGE}\n" in to_customer.body
    # with a link that resolves to the answer page and reads back as this request's nonce
    token = token_in(to_customer.body)
    assert info_link_read(token) == (request.pk, request.info_link_nonce)
    # that carries nothing but the request id and the nonce
    assert signing.loads(token, salt=links.SALT) == {"r": request.pk, "n": request.info_link_nonce}
    to_partner = email_to(admin_agent.email)
    assert to_partner.subject == (
        f"GCC customer validation #{request.pk}: the customer was asked for information"
    )
    assert (
        f"The GCC review team asked {LEGAL_NAME} ({CONTACT_EMAIL}) for more information. The "
        "review clock is stopped until the customer answers." in to_partner.body
    )
    assert f"\n{INFO_MESSAGE}\n" in to_partner.body
    assert detail_url(request) in to_partner.body
    # and the partner never gets the customer's link
    assert "/customer-information/" not in to_partner.body


# -- answer_info: through the link ---------------------------------------------------------
def test_customer_answers_through_the_link_and_the_clock_restarts(
    run, act, validation_in, reviewer, media_root
):
    # Given a request waiting on the customer (submitted Monday, clock stopped, reminded and
    # escalated before), another reviewer not assigned, and the link from the email
    request = validation_in(Status.IN_REVIEW, now=MONDAY)
    CustomerValidationRequest.objects.filter(pk=request.pk).update(
        reminder_sent_at=MONDAY, escalated_at=MONDAY
    )
    act("request_info", request)
    token = token_in(email_to(CONTACT_EMAIL).body)
    mail.outbox.clear()
    ReviewerFactory()
    audit_before, outbox_before = audit_ids(request), outbox_ids()

    # When the customer answers on Thursday 10:00 and attaches a document
    run(
        services.customer_validation_answer_info,
        idempotency_key=uuid.uuid4(),
        token=token,
        response=f"\n{INFO_RESPONSE}  ",
        documents=[pdf("charter-article-4.pdf")],
        now=THURSDAY,
    )

    # Then the request is back in review, due two business days after the answer, and the
    # link is spent
    request = reload(request)
    assert request.status == Status.IN_REVIEW
    assert request.due_at == review_due_at(THURSDAY) == THURSDAY_DUE
    assert request.info_response == INFO_RESPONSE
    assert request.info_responded_at == THURSDAY
    assert request.info_request_message == INFO_MESSAGE
    assert request.info_link_nonce == ""
    assert (request.reminder_sent_at, request.escalated_at) == (None, None)
    assert request.assigned_reviewer == reviewer
    # and the document is stored with the request, from the customer
    (document,) = request.documents.all()
    assert (document.original_name, document.content_type, document.size, document.source) == (
        "charter-article-4.pdf",
        "application/pdf",
        len(PDF),
        CustomerValidationDocument.Source.CUSTOMER,
    )
    assert (media_root / document.file.name).read_bytes() == PDF
    # and one audit event, by nobody (the customer has no account)
    event = the_one_new_audit_event(request, audit_before)
    assert event_tuple(event) == (
        None,
        "info_provided",
        "info_requested",
        "in_review",
        (INFO_RESPONSE),
    )
    # and only the assigned reviewer is told, with the answer and the new due time
    assert new_outbox(outbox_before) == [(TEMPLATE.format("info_answered"), reviewer.email)]
    (email,) = mail.outbox
    assert email.to == [reviewer.email]
    assert email.subject == f"Customer answered: GCC customer validation #{request.pk}"
    assert (
        f"{LEGAL_NAME} answered your information request. The request is back in the queue, "
        "due June 23, 2026, 5 p.m. EDT." in email.body
    )
    assert INFO_RESPONSE in email.body
    assert admin_url(request) in email.body


def test_answer_requires_a_response_and_the_link_keeps_working(run, act, validation_in):
    # Given a request waiting on the customer and its link
    request = validation_in(Status.INFO_REQUESTED)
    token = current_token(request)
    before = snapshot()

    # When the customer sends an empty answer
    with pytest.raises(ValidationError) as invalid:
        run(
            services.customer_validation_answer_info,
            idempotency_key=uuid.uuid4(),
            token=token,
            response=" \n ",
        )

    # Then it is asked for, nothing changes
    assert invalid.value.message_dict == {
        "response": ["Enter the information the reviewer asked for."]
    }
    assert_nothing_changed(before)

    # and the same link still works
    run(
        services.customer_validation_answer_info,
        idempotency_key=uuid.uuid4(),
        token=token,
        response=INFO_RESPONSE,
    )
    assert reload(request).status == Status.IN_REVIEW


def test_the_link_works_once(run, act, validation_in):
    # Given a request whose customer already answered through the link
    request = validation_in(Status.INFO_REQUESTED)
    token = current_token(request)
    run(
        services.customer_validation_answer_info,
        idempotency_key=uuid.uuid4(),
        token=token,
        response=INFO_RESPONSE,
    )
    mail.outbox.clear()
    before = snapshot()

    # When the same link is used again
    with pytest.raises(InvalidTransition) as refused:
        run(
            services.customer_validation_answer_info,
            idempotency_key=uuid.uuid4(),
            token=token,
            response="A second answer.",
        )

    # Then it is refused, and the first answer stands
    assert refused.value.message == LINK_USED
    assert_nothing_changed(before)
    assert reload(request).info_response == INFO_RESPONSE


def test_the_same_answer_form_twice_is_one_answer(run, act, validation_in, reviewer, media_root):
    # Given a request whose customer answered through the link with form K and a document
    request = validation_in(Status.INFO_REQUESTED)
    token, key = current_token(request), uuid.uuid4()
    answered = run(
        services.customer_validation_answer_info,
        token=token,
        response=INFO_RESPONSE,
        documents=[pdf("charter.pdf")],
        idempotency_key=key,
    )
    assert [m.to for m in mail.outbox] == [[reviewer.email]]
    mail.outbox.clear()
    before = snapshot()
    files = stored_files(media_root)

    # When form K is submitted again through the same link (a retry), its document with it
    again = run(
        services.customer_validation_answer_info,
        token=token,
        response=INFO_RESPONSE,
        documents=[pdf("charter.pdf")],
        idempotency_key=key,
    )

    # Then it is the same answer: nothing recorded or stored, no email
    assert again.pk == answered.pk
    assert_nothing_changed(before)
    assert stored_files(media_root) == files
    assert (reload(request).info_response, reload(request).info_answer_key) == (
        INFO_RESPONSE,
        key,
    )


def test_a_new_information_request_replaces_the_older_link(run, act, validation_in):
    # Given a first round answered, then a second information request with its own link
    request = validation_in(Status.INFO_REQUESTED)
    first = current_token(request)
    act("answer_info", request)
    act("request_info", request, message="Also send the IT director's appointment letter.")
    second = token_in(email_to(CONTACT_EMAIL).body)
    mail.outbox.clear()
    assert second != first
    before = snapshot()

    # When the first round's link is used while the request waits again
    with pytest.raises(InvalidTransition) as refused:
        run(
            services.customer_validation_answer_info,
            idempotency_key=uuid.uuid4(),
            token=first,
            response="Old link.",
        )

    # Then it is refused; nothing changes
    assert refused.value.message == LINK_USED
    assert_nothing_changed(before)

    # and the new link works
    run(
        services.customer_validation_answer_info,
        idempotency_key=uuid.uuid4(),
        token=second,
        response="Letter attached.",
    )
    assert reload(request).info_response == "Letter attached."


def test_an_expired_link_is_refused(run, act, validation_in, settings, monkeypatch):
    # Given links valid for one hour, and an information request emailed two hours ago
    settings.CUSTOMER_INFO_LINK_MAX_AGE_SECONDS = 3600
    request = validation_in(Status.IN_REVIEW)
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 7200)
    act("request_info", request)
    monkeypatch.setattr(signing.time, "time", real_time)
    token = token_in(email_to(CONTACT_EMAIL).body)
    mail.outbox.clear()
    before = snapshot()

    # When the customer answers now
    with pytest.raises(LinkExpired):
        run(
            services.customer_validation_answer_info,
            idempotency_key=uuid.uuid4(),
            token=token,
            response=INFO_RESPONSE,
        )

    # Then nothing changes: the request still waits on the customer
    assert_nothing_changed(before)
    assert reload(request).status == Status.INFO_REQUESTED


def test_a_link_just_under_its_age_still_works(run, act, validation_in, settings, monkeypatch):
    # Given links valid for one hour, and an information request emailed 59 minutes ago
    settings.CUSTOMER_INFO_LINK_MAX_AGE_SECONDS = 3600
    request = validation_in(Status.IN_REVIEW)
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 3540)
    act("request_info", request)
    monkeypatch.setattr(signing.time, "time", real_time)
    token = token_in(email_to(CONTACT_EMAIL).body)

    # When the customer answers now
    run(
        services.customer_validation_answer_info,
        idempotency_key=uuid.uuid4(),
        token=token,
        response=INFO_RESPONSE,
    )

    # Then the answer is taken
    assert reload(request).status == Status.IN_REVIEW


@pytest.mark.parametrize(
    "forge",
    [
        lambda token, request: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token, request: token.replace(":", ":x", 1),
        lambda token, request: signing.dumps(
            {"r": request.pk, "n": request.info_link_nonce}, salt="another.salt", compress=True
        ),
        lambda token, request: signing.dumps(
            {"r": request.pk, "n": request.info_link_nonce},
            salt=links.SALT,
            key="not-the-portal-secret-key-0123456789",
        ),
        lambda token, request: signing.dumps({"request": request.pk}, salt=links.SALT),
        lambda token, request: signing.dumps({"r": 999999, "n": "guessed"}, salt=links.SALT),
        lambda token, request: "not-a-token",
    ],
    ids=[
        "tampered-signature",
        "tampered-payload",
        "other-salt",
        "other-key",
        "wrong-shape",
        "unknown-request",
        "garbage",
    ],
)
def test_a_forged_or_tampered_link_is_refused(run, validation_in, forge):
    # Given a request waiting on the customer
    request = validation_in(Status.INFO_REQUESTED)
    before = snapshot()

    # When a forged or altered link is used
    with pytest.raises(LinkInvalid):
        run(
            services.customer_validation_answer_info,
            idempotency_key=uuid.uuid4(),
            token=forge(current_token(request), request),
            response=INFO_RESPONSE,
        )

    # Then nothing changes
    assert_nothing_changed(before)
    assert reload(request).status == Status.INFO_REQUESTED


def test_a_signed_link_with_a_guessed_nonce_is_refused(run, validation_in):
    # Given a request waiting on the customer, and an authentic link with the wrong nonce
    # (what a leaked secret key plus a guess would give)
    request = validation_in(Status.INFO_REQUESTED)
    path = info_link_path(request_id=request.pk, nonce="guessed-nonce")
    before = snapshot()

    # When it is used
    with pytest.raises(InvalidTransition) as refused:
        run(
            services.customer_validation_answer_info,
            idempotency_key=uuid.uuid4(),
            token=resolve(path).kwargs["token"],
            response=INFO_RESPONSE,
        )

    # Then it is refused, and nothing changes
    assert refused.value.message == LINK_USED
    assert_nothing_changed(before)


def test_withdrawal_kills_the_link(run, act, validation_in):
    # Given a request waiting on the customer, with its emailed link
    request = validation_in(Status.INFO_REQUESTED)
    token = current_token(request)

    # When the partner withdraws it
    act("withdraw", request)

    # Then the nonce is gone and the link no longer works
    assert reload(request).info_link_nonce == ""
    mail.outbox.clear()  # the assigned reviewer's notice
    before = snapshot()
    with pytest.raises(InvalidTransition) as refused:
        run(
            services.customer_validation_answer_info,
            idempotency_key=uuid.uuid4(),
            token=token,
            response=INFO_RESPONSE,
        )
    assert refused.value.message == LINK_USED
    assert_nothing_changed(before)
    assert reload(request).status == Status.WITHDRAWN


# -- approve: a validation code for the transacting partner --------------------------------
def test_approve_issues_a_code_and_emails_the_partner_and_the_customer(
    act, validation_in, gcc_organization, admin_agent, reviewer
):
    # Given a request in review
    request = validation_in(Status.IN_REVIEW)
    audit_before, outbox_before = audit_ids(request), outbox_ids()

    # When the reviewer approves it for 3 creates, with a note
    act("approve", request, max_creates=3, note="  Domain verified.  ")

    # Then the request is approved, decided by the reviewer, off the clock
    request = reload(request)
    assert request.status == Status.APPROVED
    assert request.decided_by == reviewer
    assert request.decided_at is not None
    assert request.decision_note == "Domain verified."
    assert request.due_at is None
    # and a code is issued to the transacting partner with Partner Center's fields
    code = GccValidation.objects.get()
    assert isinstance(code.validation_id, uuid.UUID)
    assert code.partner == gcc_organization
    assert code.organization_name == LEGAL_NAME == request.organization_legal_name
    assert (code.max_creates, code.remaining_creates) == (3, 3)
    assert code.source_request == request
    # and two audit events: the decision, the code
    assert [event_tuple(e) for e in new_audit_events(request, audit_before)] == [
        (reviewer, "approved", "in_review", "approved", "Domain verified."),
        (reviewer, "code_issued", "", "", f"Validation code {code.validation_id}, 3 create(s)"),
    ]
    # and the partner gets the code, the customer contact the news
    assert new_outbox(outbox_before) == sorted(
        [
            (TEMPLATE.format("approved"), admin_agent.email),
            (TEMPLATE.format("approved_customer"), CONTACT_EMAIL),
        ]
    )
    assert len(mail.outbox) == 2
    to_partner = email_to(admin_agent.email)
    assert to_partner.subject == f"GCC customer validation #{request.pk} approved: {LEGAL_NAME}"
    assert (
        f"{LEGAL_NAME} is validated for Office 365 Government Community Cloud (GCC). Validation "
        f"code {code.validation_id} was issued; it can create 3 GCC customer(s)." in to_partner.body
    )
    assert "Domain verified." in to_partner.body
    assert detail_url(request) in to_partner.body
    to_customer = email_to(CONTACT_EMAIL)
    assert to_customer.subject == f"{LEGAL_NAME} is validated for Microsoft GCC"
    assert (
        f"Hello Robin Clerk,\n\n{LEGAL_NAME} is validated for Office 365 Government Community "
        f"Cloud (GCC). Your partner, {gcc_organization.legal_name}, can now set up your GCC "
        "services." in to_customer.body
    )
    assert str(code.validation_id) not in to_customer.body


def test_approve_allows_one_create_by_default(act, validation_in):
    # Given a request in review
    request = validation_in(Status.IN_REVIEW)

    # When the reviewer approves without choosing the number of creates
    act("approve", request)

    # Then the code allows one customer
    code = GccValidation.objects.get(source_request=request)
    assert (code.max_creates, code.remaining_creates) == (1, 1)


@pytest.mark.parametrize("max_creates", [0, -1])
def test_approve_with_fewer_than_one_create_is_refused(act, validation_in, max_creates):
    # Given a request in review
    request = validation_in(Status.IN_REVIEW)
    before = snapshot()

    # When the reviewer approves it for no customer
    with pytest.raises(ValidationError) as invalid:
        act("approve", request, max_creates=max_creates)

    # Then the field says so, and nothing changes: no decision, no code, no email
    assert invalid.value.message_dict == {
        "max_creates": ["Allow at least one customer to be created."]
    }
    assert_nothing_changed(before)
    assert reload(request).status == Status.IN_REVIEW


# -- reject --------------------------------------------------------------------------------
def test_reject_records_the_reason_and_emails_the_partner(
    act, validation_in, admin_agent, reviewer
):
    # Given a request in review
    request = validation_in(Status.IN_REVIEW)
    audit_before, outbox_before = audit_ids(request), outbox_ids()

    # When the reviewer rejects it with a reason
    act("reject", request, reason=f" {REJECT_REASON} ")

    # Then the request is rejected with the reason, and no code is issued
    request = reload(request)
    assert request.status == Status.REJECTED
    assert request.decided_by == reviewer
    assert request.decided_at is not None
    assert request.decision_note == REJECT_REASON
    assert request.due_at is None
    assert not GccValidation.objects.exists()
    event = the_one_new_audit_event(request, audit_before)
    assert event_tuple(event) == (reviewer, "rejected", "in_review", "rejected", REJECT_REASON)
    # and only the partner is told, with the reason and how to apply again
    assert new_outbox(outbox_before) == [(TEMPLATE.format("rejected"), admin_agent.email)]
    (email,) = mail.outbox
    assert email.to == [admin_agent.email]
    assert email.subject == f"GCC customer validation #{request.pk} not approved: {LEGAL_NAME}"
    assert f"Reason:\n{REJECT_REASON}\n" in email.body
    assert (
        "How to apply again: correct what the reason says, then submit a new customer "
        "validation request." in email.body
    )
    assert detail_url(request) in email.body


@pytest.mark.parametrize("reason", ["", "  \n"])
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


@pytest.mark.parametrize("message", ["", "  \n"])
def test_request_info_requires_a_message(act, validation_in, message):
    # Given a request in review
    request = validation_in(Status.IN_REVIEW)
    before = snapshot()

    # When the reviewer asks for information without saying which
    with pytest.raises(ValidationError) as invalid:
        act("request_info", request, message=message)

    # Then it is asked for, and nothing changes
    assert invalid.value.message_dict == {
        "message": ["Say what information the customer must send."]
    }
    assert_nothing_changed(before)


# -- withdraw ------------------------------------------------------------------------------
@pytest.mark.parametrize("status", OPEN)
def test_withdraw_an_open_request(act, validation_in, sales_agent, reviewer, status):
    # Given an open request of the organization
    request = validation_in(status)
    audit_before, outbox_before = audit_ids(request), outbox_ids()

    # When a sales agent of the organization withdraws it
    act("withdraw", request, actor=sales_agent)

    # Then it is withdrawn, off the clock, its link dead, with one audit event and no email
    # but to the reviewer working on it (none while it waits for one)
    request = reload(request)
    assert request.status == Status.WITHDRAWN
    assert request.due_at is None
    assert request.info_link_nonce == ""
    assert (request.decided_at, request.decided_by) == (None, None)
    event = the_one_new_audit_event(request, audit_before)
    assert event_tuple(event) == (sales_agent, "withdrawn", status, "withdrawn", "")
    told = [] if status == Status.SUBMITTED else [reviewer.email]
    assert new_outbox(outbox_before) == [(TEMPLATE.format("withdrawn"), email) for email in told]
    assert [m.to for m in mail.outbox] == [[email] for email in told]


def test_withdraw_tells_the_assigned_reviewer(act, validation_in, reviewer):
    # Given a request waiting on the customer, assigned to a reviewer, and another reviewer
    request = validation_in(Status.INFO_REQUESTED)
    other = ReviewerFactory()
    outbox_before = outbox_ids()

    # When the partner withdraws it
    act("withdraw", request)

    # Then only the assigned reviewer is told, with the link to the request in the admin
    assert new_outbox(outbox_before) == [(TEMPLATE.format("withdrawn"), reviewer.email)]
    email = email_to(reviewer.email)
    assert other.email not in [address for m in mail.outbox for address in m.to]
    customer = request.organization_legal_name
    assert email.subject == f"Withdrawn: GCC customer validation #{request.pk} ({customer})"
    assert (
        f"{request.organization.legal_name} withdrew GCC customer validation request "
        f"#{request.pk} for {customer}, which you were reviewing. The request is closed: "
        "nothing more is needed from you." in email.body
    )
    assert admin_url(request) in email.body


def test_another_organization_cannot_withdraw_the_request(
    act, validation_in, other_organization, other_admin_agent
):
    # Given an open request of the organization
    request = validation_in(Status.SUBMITTED)
    before = snapshot()

    # When an agent of another organization withdraws it in its own organization's name
    with pytest.raises(CustomerValidationRequest.DoesNotExist):
        act("withdraw", request, organization=other_organization, actor=other_admin_agent)

    # Then it is not found, and nothing changes
    assert_nothing_changed(before)


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
    expected = LINK_USED if action == "answer_info" else review_refusal(status)
    assert refused.value.message == expected
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

    # Then the first decision stands: no second code, no second email
    assert refused.value.message == (
        f"This request is {decided.get_status_display().lower()}; that action is no longer "
        "possible. Nothing was changed."
    )
    assert_nothing_changed(before)
    assert GccValidation.objects.count() == (1 if first == "approve" else 0)


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: UserFactory(is_staff=True),
        lambda: MembershipFactory(role=Membership.Role.ADMIN_AGENT).user,
    ],
    ids=["staff-outside-reviewer-group", "partner-admin-agent"],
)
@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.SUBMITTED, "start_review"),
        (Status.IN_REVIEW, "request_info"),
        (Status.IN_REVIEW, "approve"),
        (Status.IN_REVIEW, "reject"),
    ],
)
def test_users_without_the_decide_permission_cannot_review(
    act, validation_in, make_user, status, action
):
    # Given a request, and a user without the decide permission
    request = validation_in(status)
    user = make_user()
    before = snapshot()

    # When that user takes a reviewer action
    with pytest.raises(ActionNotAllowed) as refused:
        act(action, request, reviewer=user)

    # Then it is refused, and nothing changes
    assert refused.value.message == "Only GCC reviewers can review validation requests."
    assert_nothing_changed(before)


# -- customers -----------------------------------------------------------------------------
def test_create_customer_without_a_special_qualification(run, organization, sales_agent):
    # Given a sales agent of a partner (GCC approval is not needed for a plain customer)
    audit_before = set(AuditEvent.objects.values_list("pk", flat=True))

    # When the agent adds a customer (domain in mixed case, state in lower case)
    customer = run(
        customer_services.customer_create,
        organization=organization,
        created_by=sales_agent,
        **customer_answers(company_name=" City of Springfield ", primary_domain=" SpringField.Gov"),
    )

    # Then the customer is stored normalized, managed by the organization, unqualified
    customer = Customer.objects.get(pk=customer.pk)
    assert (customer.company_name, customer.primary_domain) == (
        "City of Springfield",
        "springfield.gov",
    )
    assert (customer.state, customer.country, customer.created_by) == ("IL", "US", sales_agent)
    assert list(customer_list_for_org(organization=organization)) == [customer]
    assert list(CustomerRelationship.objects.values_list("organization", "customer")) == [
        (organization.pk, customer.pk)
    ]
    assert not customer.qualifications.exists()
    (event,) = AuditEvent.objects.exclude(pk__in=audit_before)
    assert event == the_one_new_audit_event(customer, set())
    assert (event.actor, event.action, event.organization) == (
        sales_agent,
        "customer_created",
        organization,
    )
    assert mail.outbox == []


@pytest.mark.parametrize("qualification", [Qualification.EDUCATION, Qualification.NONPROFIT])
def test_create_customer_with_education_or_nonprofit_is_in_review(
    run, organization, admin_agent, qualification
):
    # Given a partner not approved for GCC (not needed for these qualifications)

    # When its agent adds an Education or Nonprofit customer
    customer = run(
        customer_services.customer_create,
        organization=organization,
        created_by=admin_agent,
        special_qualification=qualification,
        **customer_answers(),
    )

    # Then the customer carries the qualification, still being vetted, without a code
    granted = customer.qualifications.get()
    assert (granted.qualification, granted.vetting_status, granted.validation) == (
        qualification,
        Vetting.IN_REVIEW,
        None,
    )
    assert granted.granted_by == admin_agent
    assert [(e.action, e.note) for e in AuditEvent.objects.for_subject(customer)] == [
        ("customer_created", ""),
        ("qualification_granted", qualification),
    ]


def test_create_gcc_customer_with_a_code_uses_one_create(run, gcc_organization, sales_agent):
    # Given a code of the organization with 2 creates
    code = GccValidationFactory(partner=gcc_organization, max_creates=2)
    other_code = GccValidationFactory(partner=gcc_organization, max_creates=2)

    # When a sales agent creates a GCC customer with it
    customer = run(
        customer_services.customer_create,
        organization=gcc_organization,
        created_by=sales_agent,
        special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
        gcc_validation=code,
        **customer_answers(),
    )

    # Then the customer holds the approved GovernmentCommunityCloud qualification with the code
    granted = customer.qualifications.get()
    assert (granted.qualification, granted.vetting_status, granted.validation) == (
        "GovernmentCommunityCloud",
        Vetting.APPROVED,
        code,
    )
    assert granted.granted_by == sales_agent
    assert granted.granted_at is not None
    # and exactly one create of that code is used (the other code is untouched)
    code.refresh_from_db()
    other_code.refresh_from_db()
    assert (code.max_creates, code.remaining_creates) == (2, 1)
    assert other_code.remaining_creates == 2
    assert list(gcc_validation_list_available(organization=gcc_organization)) == sorted(
        [code, other_code], key=lambda c: (c.organization_name, c.pk)
    )
    # and both steps are in the customer's audit trail
    assert [(e.actor, e.action, e.note) for e in AuditEvent.objects.for_subject(customer)] == [
        (sales_agent, "customer_created", ""),
        (
            sales_agent,
            "qualification_granted",
            f"GovernmentCommunityCloud ({code.validation_id})",
        ),
    ]


def test_create_gcc_customer_without_a_code_is_refused(run, gcc_organization, sales_agent):
    # Given a GCC-approved organization
    before = snapshot()

    # When an agent chooses GCC but no code
    with pytest.raises(ValidationError) as invalid:
        run(
            customer_services.customer_create,
            organization=gcc_organization,
            created_by=sales_agent,
            special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            **customer_answers(),
        )

    # Then the code is asked for, nothing is created
    assert invalid.value.message_dict == {
        "gcc_validation": ["Choose the GCC validation code for this customer."]
    }
    assert_nothing_changed(before)


def test_a_code_of_another_organization_is_never_usable_nor_visible(run, gcc_organization):
    # Given two GCC-approved direct resellers A and B, and a code of B with creates left
    agent_a = agent_of(gcc_organization)
    org_b = OrganizationFactory()
    ResellerQualificationFactory(organization=org_b)
    code_b = GccValidationFactory(partner=org_b, max_creates=2)
    before = snapshot()

    # When A's agent creates a GCC customer with B's code
    with pytest.raises(ActionNotAllowed, match=NOT_AVAILABLE):
        run(
            customer_services.customer_create,
            organization=gcc_organization,
            created_by=agent_a,
            special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            gcc_validation=code_b,
            **customer_answers(),
        )

    # Then nothing is created and B's code keeps its creates; A never sees it
    assert_nothing_changed(before)
    code_b.refresh_from_db()
    assert code_b.remaining_creates == 2
    assert list(gcc_validation_list_available(organization=gcc_organization)) == []
    assert list(gcc_validation_list_available(organization=org_b)) == [code_b]


def test_an_exhausted_code_is_refused_and_nothing_is_half_created(
    run, gcc_organization, sales_agent
):
    # Given a code whose only create was used
    code = GccValidationFactory(
        partner=gcc_organization, organization_name=LEGAL_NAME, max_creates=1, remaining_creates=0
    )
    before = snapshot()

    # When an agent creates a GCC customer with it
    with pytest.raises(CodeExhausted) as refused:
        run(
            customer_services.customer_create,
            organization=gcc_organization,
            created_by=sales_agent,
            special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            gcc_validation=code,
            **customer_answers(),
        )

    # Then a clear message, and no customer, relationship, qualification or audit row
    assert refused.value.message == (
        f"The validation code for {LEGAL_NAME} has no creates left: another customer used the "
        "last one. Nothing was created. Choose another code or submit a new validation request."
    )
    assert_nothing_changed(before)
    assert not Customer.objects.exists()
    code.refresh_from_db()
    assert code.remaining_creates == 0


@pytest.mark.parametrize("entered", ["springfield.gov", " SPRINGFIELD.gov "])
def test_a_duplicate_domain_is_refused_and_the_code_is_not_consumed(
    run, gcc_organization, sales_agent, entered
):
    # Given a customer springfield.gov already in the portal (another partner's), and a code
    CustomerFactory(primary_domain="springfield.gov")
    code = GccValidationFactory(partner=gcc_organization, max_creates=2)
    before = snapshot()

    # When an agent creates a GCC customer with the same domain, however written
    with pytest.raises(ValidationError) as invalid:
        run(
            customer_services.customer_create,
            organization=gcc_organization,
            created_by=sales_agent,
            special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            gcc_validation=code,
            **customer_answers(primary_domain=entered),
        )

    # Then the domain field says what to do instead, and the code keeps its creates
    assert invalid.value.message_dict == {"primary_domain": [DOMAIN_UNAVAILABLE]}
    assert_nothing_changed(before)
    code.refresh_from_db()
    assert code.remaining_creates == 2


@pytest.mark.parametrize("whose", ["another partner's", "its own", "nobody's (no relationship)"])
def test_a_domain_in_the_portal_gets_the_same_answer_whoever_manages_it(
    run, gcc_organization, other_organization, sales_agent, whose
):
    # Given springfield.gov in the portal: another partner's customer, this partner's own, or
    # a customer nobody manages any more
    managers = {
        "another partner's": [other_organization],
        "its own": [gcc_organization],
        "nobody's (no relationship)": [],
    }[whose]
    customer = CustomerFactory(primary_domain="springfield.gov")
    for organization in managers:
        CustomerRelationship.objects.create(organization=organization, customer=customer)

    # When the partner adds a customer with that domain
    with pytest.raises(ValidationError) as invalid:
        run(
            customer_services.customer_create,
            organization=gcc_organization,
            created_by=sales_agent,
            **customer_answers(primary_domain="springfield.gov"),
        )

    # Then the answer is the same words, which never say whether or whose customer it is
    assert invalid.value.message_dict == {"primary_domain": [DOMAIN_UNAVAILABLE]}
    assert "already a customer" not in DOMAIN_UNAVAILABLE


def test_the_same_add_customer_form_twice_is_one_customer_and_one_create_of_the_code(
    run, gcc_organization, sales_agent
):
    # Given a GCC customer created with form K, using the code's last create
    code = GccValidationFactory(partner=gcc_organization, max_creates=1)
    answers = customer_answers()
    create = {
        "organization": gcc_organization,
        "created_by": sales_agent,
        "special_qualification": Qualification.GOVERNMENT_COMMUNITY_CLOUD,
        "gcc_validation": code,
    }
    customer = run(customer_services.customer_create, **create, **answers)
    before = snapshot()

    # When form K is submitted again, even with other answers (a retry after a timeout)
    again = run(customer_services.customer_create, **create, **{**answers, "company_name": "Other"})

    # Then it is the same customer: nothing created, the code's create not taken again
    assert again == customer
    assert_nothing_changed(before)
    assert list(CustomerRelationship.objects.values_list("organization", "idempotency_key")) == [
        (gcc_organization.pk, answers["idempotency_key"])
    ]


def test_a_key_another_organization_used_creates_this_organizations_own_customer(
    run, gcc_organization, sales_agent, other_organization, other_admin_agent
):
    # Given organization B's customer, created with form key K
    key = uuid.uuid4()
    theirs = run(
        customer_services.customer_create,
        organization=other_organization,
        created_by=other_admin_agent,
        **customer_answers(idempotency_key=key, primary_domain="shelbyville.gov"),
    )

    # When organization A creates a customer with a form carrying the same key
    mine = run(
        customer_services.customer_create,
        organization=gcc_organization,
        created_by=sales_agent,
        **customer_answers(idempotency_key=key),
    )

    # Then A gets its own new customer; B's is neither returned nor A's
    assert mine != theirs
    assert list(customer_list_for_org(organization=gcc_organization)) == [mine]
    assert list(
        CustomerRelationship.objects.order_by("pk").values_list(
            "organization", "customer", "idempotency_key"
        )
    ) == [(other_organization.pk, theirs.pk, key), (gcc_organization.pk, mine.pk, key)]


# -- the race for the last create ----------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_agents_racing_for_the_last_create_get_exactly_one_customer(monkeypatch):
    # Given a GCC-approved direct reseller, two of its sales agents, and a code with one
    # create left (built and committed outside a test transaction)
    organization = OrganizationFactory()
    ResellerQualificationFactory(organization=organization)
    agents = [agent_of(organization), agent_of(organization)]
    code = GccValidationFactory(partner=organization, max_creates=1)
    # and the first create to take the code's create holding its transaction open (and the
    # code's row lock) until the other agent's create is seen waiting for that lock
    race = Race()
    race.hold_after(monkeypatch, customer_services, "audit_event_record")
    domains = ["springfield.gov", "shelbyville.gov"]

    def create(index: int) -> Customer:
        return customer_services.customer_create(
            organization=organization,
            created_by=agents[index],
            special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            gcc_validation=code,
            **customer_answers(primary_domain=domains[index]),
        )

    # When both agents press Create at the same moment
    outcomes = race.run([lambda: create(0), lambda: create(1)])

    # Then exactly one customer is created; the other agent waited for it on the code's row,
    # then got CodeExhausted
    winner = race.holder
    assert race.waited == [1 - winner]
    assert isinstance(outcomes[winner], Customer), outcomes
    assert isinstance(outcomes[1 - winner], CodeExhausted), outcomes
    assert list(Customer.objects.values_list("primary_domain", flat=True)) == [domains[winner]]
    # and the code is used up, by exactly one qualification and one relationship
    code.refresh_from_db()
    assert code.remaining_creates == 0
    assert list(CustomerQualification.objects.values_list("validation", "customer")) == [
        (code.pk, outcomes[winner].pk)
    ]
    assert CustomerRelationship.objects.count() == 1
    assert list(AuditEvent.objects.values_list("actor", "action")) == [
        (agents[winner].pk, "customer_created"),
        (agents[winner].pk, "qualification_granted"),
    ]


# -- the same form posted twice at once -----------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_same_form_submitted_twice_at_once_gives_one_request(monkeypatch, settings, tmp_path):
    # Given a GCC-approved partner, a reviewer, and one form (one key, one document each)
    # posted twice at the same moment (built and committed outside a test transaction)
    settings.MEDIA_ROOT = tmp_path / "media"
    organization = OrganizationFactory()
    ResellerQualificationFactory(organization=organization)
    agent = agent_of(organization)
    reviewer = ReviewerFactory()
    answers = customer_validation_answers(organization)
    # and each post looking the key up before either has written its request, so that both
    # go on to insert it: the unique constraint, not the lookup, has to settle the race
    race = Race()
    real_lookup = review_selectors.review_request_for_key
    looked_up = threading.Barrier(2)
    lookups: list[list] = [[], []]

    def lookup(**kwargs):
        found = real_lookup(**kwargs)
        lookups[race.index].append(found)
        if len(lookups[race.index]) == 1:
            looked_up.wait(timeout=10)
        return found

    # (the kind's service looks first, the shared create again after the unique key's refusal)
    for module in (services, review_services):
        monkeypatch.setattr(module, "review_request_for_key", lookup)
    # and the first to write its request (and its document) holding its transaction open
    # until the other post's insert is seen waiting for it on the unique key
    race.hold_after(monkeypatch, services, "review_submitted")

    def submit(index: int) -> CustomerValidationRequest:
        return services.customer_validation_submit(
            organization=organization,
            submitted_by=agent,
            documents=[pdf(f"copy-{index}.pdf")],
            **answers,
        )

    # When both posts arrive together
    outcomes = race.run([lambda: submit(0), lambda: submit(1)])

    # Then both get the same request
    assert all(isinstance(o, CustomerValidationRequest) for o in outcomes), outcomes
    request = CustomerValidationRequest.objects.get()
    assert [outcome.pk for outcome in outcomes] == [request.pk, request.pk]
    # and the loser provably raced: its first lookup found nothing, its insert waited for the
    # winner's on the unique key and hit the constraint, its second lookup found the request
    winner = race.holder
    assert race.waited == [1 - winner]
    assert (lookups[winner], lookups[1 - winner]) == ([None], [None, request])
    # and only the winner's document, audit event and emails exist; no orphan file
    assert list(request.documents.values_list("original_name", flat=True)) == [f"copy-{winner}.pdf"]
    assert [path.name for path in stored_files(settings.MEDIA_ROOT)] == [
        request.documents.get().file.name.rsplit("/", 1)[-1]
    ]
    assert list(AuditEvent.objects.values_list("actor", "action")) == [(agent.pk, "submitted")]
    assert sorted(OutboxMessage.objects.values_list("template", "to_email")) == sorted(
        [
            (TEMPLATE.format("new_for_reviewers"), reviewer.email),
            (TEMPLATE.format("submitted"), agent.email),
        ]
    )


@pytest.mark.django_db(transaction=True)
def test_the_same_add_customer_form_posted_twice_at_once_gives_one_customer(monkeypatch):
    # Given a GCC-approved direct reseller, its agent, a code with one create left, and one
    # Add customer form (one key) posted twice at the same moment (built and committed
    # outside a test transaction)
    organization = OrganizationFactory()
    ResellerQualificationFactory(organization=organization)
    agent = agent_of(organization)
    code = GccValidationFactory(partner=organization, max_creates=1)
    answers = customer_answers()
    # and each post looking the key up before either has created the customer, so that both
    # go on to take the code's create: the database, not the lookup, has to settle the race
    race = Race()
    real_lookup = customer_services.customer_for_idempotency_key
    looked_up = threading.Barrier(2)
    lookups: list[list] = [[], []]

    def lookup(**kwargs):
        found = real_lookup(**kwargs)
        lookups[race.index].append(found)
        if len(lookups[race.index]) == 1:
            looked_up.wait(timeout=10)
        return found

    monkeypatch.setattr(customer_services, "customer_for_idempotency_key", lookup)
    # and the first to take the code's create holding its transaction open (and the code's
    # row lock) until the other post is seen waiting for that lock
    race.hold_after(monkeypatch, customer_services, "audit_event_record")

    def create() -> Customer:
        return customer_services.customer_create(
            organization=organization,
            created_by=agent,
            special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            gcc_validation=code,
            **answers,
        )

    # When both posts arrive together
    outcomes = race.run([create, create])

    # Then both get the same customer, not "no creates left"
    assert all(isinstance(outcome, Customer) for outcome in outcomes), outcomes
    customer = Customer.objects.get()
    assert [outcome.pk for outcome in outcomes] == [customer.pk, customer.pk]
    # and the loser provably raced: its first lookup found nothing, it waited for the winner
    # on the code's row and found no create left, and its second lookup found the customer
    winner = race.holder
    assert race.waited == [1 - winner]
    assert (lookups[winner], lookups[1 - winner]) == ([None], [None, customer])
    # and the code's create was taken once: one relationship, qualification, audit trail
    code.refresh_from_db()
    assert code.remaining_creates == 0
    assert list(CustomerRelationship.objects.values_list("customer", "idempotency_key")) == [
        (customer.pk, answers["idempotency_key"])
    ]
    assert list(CustomerQualification.objects.values_list("customer", "validation")) == [
        (customer.pk, code.pk)
    ]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "customer_created",
        "qualification_granted",
    ]


# -- irreversibility -----------------------------------------------------------------------
def test_no_service_removes_or_changes_a_qualification():
    # Given / When the public functions of the customer services
    public = sorted(
        name
        for module in (customer_services, services, code_services, invitation_services)
        for name, value in vars(module).items()
        if inspect.isfunction(value)
        and not name.startswith("_")
        and getattr(value, "__module__", None) == module.__name__
    )

    # Then they are the known transitions; none removes, revokes or edits a qualification
    # (customer_qualification_add adds one to a customer that holds none)
    assert public == [
        "customer_create",
        "customer_insert",
        "customer_qualification_add",
        "customer_qualification_check",
        "customer_validation_answer_info",
        "customer_validation_approve",
        "customer_validation_request_fields",  # builds a new request's fields, changes nothing
        "customer_validation_request_info",
        "customer_validation_submit",
        "customer_validation_withdraw",
        "gcc_organization_require",
        "gcc_validation_take",
        "invitation_accept",
        "invitation_confirmation_read",
        "invitation_confirmation_send",
        "invitation_create",
        "invitation_expire_sweep",
        "invitation_for_token",
        "invitation_issue",
        "invitation_link",
        "invitation_revoke",
        "invitation_send",
        "provider_relationship_create",
    ]


def test_a_customer_can_never_hold_a_second_qualification(run, gcc_organization, sales_agent):
    # Given a GCC customer created with a code
    code = GccValidationFactory(partner=gcc_organization, max_creates=2)
    customer = run(
        customer_services.customer_create,
        organization=gcc_organization,
        created_by=sales_agent,
        special_qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
        gcc_validation=code,
        **customer_answers(),
    )
    before = snapshot()

    # When the customer is created again (same domain) with another qualification
    with pytest.raises(ValidationError):
        run(
            customer_services.customer_create,
            organization=gcc_organization,
            created_by=sales_agent,
            special_qualification=Qualification.EDUCATION,
            **customer_answers(),
        )
    # and a second qualification is written straight to the database
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerQualification.objects.create(
            customer=customer,
            qualification=Qualification.EDUCATION,
            vetting_status=Vetting.IN_REVIEW,
            granted_at=timezone.now(),
        )

    # Then the customer keeps its one GCC qualification, and the code its remaining create
    assert_nothing_changed(before)
    assert list(customer.qualifications.values_list("qualification", flat=True)) == [
        "GovernmentCommunityCloud"
    ]


def test_a_gcc_qualification_always_names_its_code(db):
    # Given a customer
    customer = CustomerFactory()

    # When a GCC qualification without a code is written straight to the database
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerQualification.objects.create(
            customer=customer,
            qualification=Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            vetting_status=Vetting.APPROVED,
            granted_at=timezone.now(),
        )

    # Then it is refused
    assert not CustomerQualification.objects.exists()


# -- documents -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("charter.pdf", PDF, "application/pdf"),
        ("Charter.PDF", PDF, "application/pdf"),
        ("seal.png", PNG, "image/png"),
        ("letter.jpg", JPEG, "image/jpeg"),
        ("letter.jpeg", JPEG, "image/jpeg"),
    ],
)
def test_document_check_accepts_pdf_png_and_jpeg_by_content(name, content, mime):
    # Given / When a document of an accepted type, declared by the browser as anything
    # Then its type is read from its content
    assert document_check(upload(name, content)) == mime


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "charter.pdf",
            TEXT,
            "charter.pdf is not a PDF, PNG or JPEG file. Send the document in one of those "
            "formats.",
        ),
        (
            "seal.pdf",
            PNG,
            "seal.pdf is not what its name says. Send PDF, PNG or JPEG files named after their "
            "real type.",
        ),
        (
            "charter.png",
            PDF,
            "charter.png is not what its name says. Send PDF, PNG or JPEG files named after "
            "their real type.",
        ),
        (
            "setup.jpg",
            b"MZ\x90\x00\x03\x00\x00\x00",
            "setup.jpg is not a PDF, PNG or JPEG file. Send the document in one of those formats.",
        ),
        (
            "empty.pdf",
            b"",
            "empty.pdf is not a PDF, PNG or JPEG file. Send the document in one of those formats.",
        ),
    ],
    ids=["text-named-pdf", "png-named-pdf", "pdf-named-png", "executable-named-jpg", "empty"],
)
def test_document_check_refuses_what_the_content_is_not(name, content, message):
    # Given a file whose content is not what is accepted, or not what its name says,
    # declared by the browser as a PDF
    document = upload(name, content, content_type="application/pdf")

    # When it is checked
    with pytest.raises(ValidationError) as invalid:
        document_check(document)

    # Then it is refused with what to send instead
    assert invalid.value.messages == [message]


def test_document_check_refuses_an_oversize_file(settings):
    # Given documents limited to 2 KB
    settings.CUSTOMER_DOCUMENT_MAX_BYTES = 2048

    # When a 2 KB PDF and a 2.9 KB PDF are checked
    exactly = document_check(pdf(content=PDF + b"0" * (2048 - len(PDF))))
    with pytest.raises(ValidationError) as invalid:
        document_check(pdf("scan.pdf", PDF + b"0" * (3000 - len(PDF))))

    # Then the first is accepted, the second refused with the sizes
    assert exactly == "application/pdf"
    assert invalid.value.messages == [
        "scan.pdf is 2.9\xa0KB; documents may be at most 2.0\xa0KB. Send a smaller file."
    ]


def test_submit_stores_the_documents_under_a_random_name(submit, media_root):
    # Given a PDF and a PNG

    # When the agent submits with them
    request = submit(documents=[pdf("charter.pdf"), upload("seal.png", PNG, "image/png")])

    # Then both are stored with the request, from the partner, under names that are not
    # the uploaded ones, in the media root
    documents = list(reload(request).documents.order_by("pk"))
    assert [(d.original_name, d.content_type, d.size, d.source) for d in documents] == [
        ("charter.pdf", "application/pdf", len(PDF), "partner"),
        ("seal.png", "image/png", len(PNG), "partner"),
    ]
    for document, content in zip(documents, [PDF, PNG], strict=True):
        assert re.fullmatch(rf"customer-validation/{request.pk}/[0-9a-f]{{32}}", document.file.name)
        assert (media_root / document.file.name).read_bytes() == content
    assert len(stored_files(media_root)) == 2


@pytest.mark.parametrize(
    ("documents", "message"),
    [
        (
            lambda: [upload("charter.pdf", TEXT, "application/pdf")],
            "charter.pdf is not a PDF, PNG or JPEG file. Send the document in one of those "
            "formats.",
        ),
        (
            lambda: [pdf("good.pdf"), upload("seal.pdf", PNG, "application/pdf")],
            "seal.pdf is not what its name says. Send PDF, PNG or JPEG files named after their "
            "real type.",
        ),
        (
            lambda: [pdf("scan.pdf", PDF.ljust(5 * 1024, b"0"))],
            "scan.pdf is 5.0\xa0KB; documents may be at most 4.0\xa0KB. Send a smaller file.",
        ),
    ],
    ids=["text-named-pdf", "good-then-png-named-pdf", "oversize"],
)
def test_submit_with_a_refused_document_records_nothing(
    run, gcc_organization, admin_agent, media_root, settings, documents, message
):
    # Given documents limited to 4 KB, and a refused document among the uploads
    settings.CUSTOMER_DOCUMENT_MAX_BYTES = 4096
    before = snapshot()

    # When the agent submits with it
    with pytest.raises(ValidationError) as invalid:
        run(
            services.customer_validation_submit,
            organization=gcc_organization,
            submitted_by=admin_agent,
            documents=documents(),
            **customer_validation_answers(gcc_organization),
        )

    # Then the documents field says why, and nothing is left: no request, no document row,
    # no stored file, no audit, no email
    assert invalid.value.message_dict == {"documents": [message]}
    assert_nothing_changed(before)
    assert stored_files(media_root) == []


def test_answer_with_a_refused_document_changes_nothing_and_the_link_still_works(
    run, validation_in, media_root
):
    # Given a request waiting on the customer, and its link
    request = validation_in(Status.INFO_REQUESTED)
    token = current_token(request)
    before = snapshot()

    # When the customer answers with a PNG renamed .pdf after a good PDF
    with pytest.raises(ValidationError) as invalid:
        run(
            services.customer_validation_answer_info,
            idempotency_key=uuid.uuid4(),
            token=token,
            response=INFO_RESPONSE,
            documents=[pdf("good.pdf"), upload("seal.pdf", PNG)],
        )

    # Then it is refused, and the request still waits with its link alive; no file is left
    assert invalid.value.message_dict == {
        "documents": [
            "seal.pdf is not what its name says. Send PDF, PNG or JPEG files named after their "
            "real type."
        ]
    }
    assert_nothing_changed(before)
    assert stored_files(media_root) == []
    run(
        services.customer_validation_answer_info,
        idempotency_key=uuid.uuid4(),
        token=token,
        response=INFO_RESPONSE,
    )
    assert reload(request).status == Status.IN_REVIEW


# -- the SLA sweep -------------------------------------------------------------------------
@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def run_sweep(now: dt.datetime) -> dict[str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return review_sla_sweep(model=CustomerValidationRequest, now=now)

    return run_sweep


NO_WORK = {"reminders": 0, "escalations": 0}


def test_sweep_reminds_the_assigned_reviewer_once(sweep, validation_in, reviewer):
    # Given a request in review, due Wednesday 17:00, and another reviewer not assigned
    request = validation_in(Status.IN_REVIEW, now=MONDAY)
    ReviewerFactory()
    outbox_before = outbox_ids()
    tuesday_17h = dt.datetime(2026, 6, 16, 17, 0, tzinfo=NEW_YORK)
    assert sweep(dt.datetime(2026, 6, 16, 16, 59, tzinfo=NEW_YORK)) == NO_WORK

    # When the sweep runs on Tuesday at 17:00 (less than one business day left)
    counts = sweep(tuesday_17h)

    # Then the assigned reviewer alone is reminded, and the reminder is recorded
    assert counts == {"reminders": 1, "escalations": 0}
    request = reload(request)
    assert (request.reminder_sent_at, request.escalated_at) == (tuesday_17h, None)
    assert new_outbox(outbox_before) == [(TEMPLATE.format("reminder"), reviewer.email)]
    (email,) = mail.outbox
    assert email.subject == f"Reminder: GCC customer validation #{request.pk} is due soon"
    assert (
        f"The GCC customer validation of {LEGAL_NAME} is due {MONDAY_DUE_TEXT}: less than one "
        "business day remains." in email.body
    )
    assert admin_url(request) in email.body
    mail.outbox.clear()

    # When the sweep runs again an hour later
    before = snapshot()
    counts = sweep(dt.datetime(2026, 6, 16, 18, 0, tzinfo=NEW_YORK))

    # Then nothing more is sent
    assert counts == NO_WORK
    assert_nothing_changed(before)


def test_sweep_escalates_an_overdue_request_to_reviewer_leads_once(sweep, validation_in, reviewer):
    # Given a submitted request due Wednesday 17:00, and a reviewer lead
    lead = ReviewerFactory(groups=[settings.REVIEWER_LEAD_GROUP_NAME])
    request = validation_in(Status.SUBMITTED, now=MONDAY)
    outbox_before = outbox_ids()
    wednesday_1701 = dt.datetime(2026, 6, 17, 17, 1, tzinfo=NEW_YORK)

    # When the sweep runs at 17:01 on Wednesday, past the due time
    counts = sweep(wednesday_1701)

    # Then the leads alone are told, once, and the escalation is recorded
    assert counts == {"reminders": 0, "escalations": 1}
    assert reload(request).escalated_at == wednesday_1701
    assert new_outbox(outbox_before) == [(TEMPLATE.format("escalation"), lead.email)]
    (email,) = mail.outbox
    assert email.subject == f"Overdue: GCC customer validation #{request.pk}"
    assert (
        f"The GCC customer validation of {LEGAL_NAME} was due {MONDAY_DUE_TEXT} and is not "
        "decided." in email.body
    )
    assert admin_url(request) in email.body
    mail.outbox.clear()

    # When the sweep runs again the next day
    before = snapshot()
    counts = sweep(dt.datetime(2026, 6, 18, 9, 0, tzinfo=NEW_YORK))

    # Then nothing more is sent
    assert counts == NO_WORK
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    "status", [Status.INFO_REQUESTED, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN]
)
def test_sweep_ignores_requests_off_the_clock(sweep, validation_in, status):
    # Given a request submitted Monday that waits on the customer or is closed, and a lead
    ReviewerFactory(groups=[settings.REVIEWER_LEAD_GROUP_NAME])
    validation_in(status, now=MONDAY)
    before = snapshot()

    # When the sweep runs well after the original due time
    counts = sweep(dt.datetime(2026, 6, 18, 9, 0, tzinfo=NEW_YORK))

    # Then nobody is reminded or escalated to
    assert counts == NO_WORK
    assert_nothing_changed(before)


def test_more_documents_than_allowed_are_refused_and_nothing_is_created(submit, settings, tmp_path):
    # Given the limit of documents a request may carry
    settings.MEDIA_ROOT = tmp_path
    settings.CUSTOMER_DOCUMENT_MAX_FILES = 2
    before = snapshot()

    # When a request comes with one more
    with pytest.raises(ValidationError) as refused:
        submit(documents=[pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")])

    # Then it is refused next to the documents field, and nothing is stored
    assert refused.value.message_dict == {"documents": ["Attach at most 2 documents."]}
    assert_nothing_changed(before)
    assert not CustomerValidationRequest.objects.exists()
    assert list(tmp_path.rglob("*.*")) == []


def test_an_unknown_special_qualification_is_refused(run, gcc_organization, sales_agent):
    before = snapshot()

    with pytest.raises(ValidationError) as refused:
        run(
            customer_services.customer_create,
            organization=gcc_organization,
            created_by=sales_agent,
            special_qualification="StateOwnedEntity",
            **customer_answers(),
        )

    assert refused.value.message_dict == {
        "special_qualification": ["Choose one of the special qualifications offered."]
    }
    assert_nothing_changed(before)
    assert not Customer.objects.exists()
