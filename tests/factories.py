import uuid

import factory
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from gccportal.review_clock import review_due_at
from partners.models import Membership, Organization, PartnerValidationRequest
from tests.mfa import authenticator_of

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@partner.example")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class ReviewerFactory(UserFactory):
    """A GCC reviewer (staff), with an authenticator app set up (tests/mfa.py's key), as
    staff must have; `authenticator=False` for one who has not set it up yet."""

    email = factory.Sequence(lambda n: f"reviewer{n}@gccreview.example")
    is_staff = True

    @factory.post_generation
    def authenticator(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            authenticator_of(obj)

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name=settings.REVIEWER_GROUP_NAME))
            for name in extracted or []:
                obj.groups.add(Group.objects.get(name=name))


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    legal_name = factory.Sequence(lambda n: f"Partner {n} LLC")
    partner_type = Organization.PartnerType.DIRECT_RESELLER
    partner_id = factory.Sequence(lambda n: f"{7000000 + n}")
    commercial_tenant_id = factory.LazyFunction(uuid.uuid4)
    azure_gcc_tenant_id = factory.LazyFunction(uuid.uuid4)
    csp_enrollment = Organization.CspEnrollment.ENROLLED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.ADMIN_AGENT


def validation_answers(organization: Organization) -> dict:
    """Valid answers of the partner validation form for `organization`, with the form's
    one-time key (a fresh one per call: each call is a new form)."""
    return {
        "idempotency_key": uuid.uuid4(),
        "commercial_tenant_id": str(organization.commercial_tenant_id),
        "contact_name": "Dana Contact",
        "contact_email": "dana@partner.example",
        "contact_phone": "+1 202 555 0143",
        "government_segments": [PartnerValidationRequest.GovernmentSegment.FEDERAL],
        "contract_vehicles": "GSA Multiple Award Schedule",
        "attested": True,
    }


class PartnerValidationRequestFactory(factory.django.DjangoModelFactory):
    """A request row in any state, written directly (for lists and queues, not for flows:
    flows go through the services). Submitted by an Admin agent of its organization."""

    class Meta:
        model = PartnerValidationRequest

    organization = factory.SubFactory(OrganizationFactory)
    submitted_by = factory.LazyAttribute(
        lambda o: MembershipFactory(organization=o.organization).user
    )
    status = PartnerValidationRequest.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: review_due_at(o.submitted_at))
    commercial_tenant_id = factory.LazyAttribute(lambda o: o.organization.commercial_tenant_id)
    contact_name = "Dana Contact"
    contact_email = "dana@partner.example"
    contact_phone = "+1 202 555 0143"
    government_segments = factory.LazyFunction(
        lambda: [PartnerValidationRequest.GovernmentSegment.FEDERAL]
    )
    contract_vehicles = "GSA Multiple Award Schedule"
    attested = True
    idempotency_key = factory.LazyFunction(uuid.uuid4)


# -- customers -----------------------------------------------------------------------------
# Imported here, not at the top, so the block stays append-only.
from customers.codes.models import GccValidation  # noqa: E402
from customers.models import Customer  # noqa: E402
from customers.validations.models import CustomerValidationRequest  # noqa: E402
from partners.models import ResellerQualification  # noqa: E402


class ResellerQualificationFactory(factory.django.DjangoModelFactory):
    """The organization's GCC approval (what partner_validation_approve grants)."""

    class Meta:
        model = ResellerQualification

    organization = factory.SubFactory(OrganizationFactory)
    qualification = ResellerQualification.Qualification.GOVERNMENT_COMMUNITY_CLOUD
    granted_at = factory.LazyFunction(timezone.now)


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer row only (no relationship, no qualification): flows use the services."""

    class Meta:
        model = Customer

    company_name = factory.Sequence(lambda n: f"Customer {n} County")
    primary_domain = factory.Sequence(lambda n: f"customer{n}.gov")
    address_line1 = "1 Main Street"
    city = "Springfield"
    state = "IL"
    postal_code = "62701"
    contact_first_name = "Casey"
    contact_last_name = "Customer"
    contact_email = factory.Sequence(lambda n: f"it{n}@customer.example")
    contact_phone = "+1 217 555 0100"


def customer_validation_answers(transacting: Organization) -> dict:
    """Valid answers of the customer validation form, with `transacting`'s tenant ID and the
    form's one-time key (a fresh one per call: each call is a new form)."""
    return {
        "idempotency_key": uuid.uuid4(),
        "organization_legal_name": "City of Springfield",
        "organization_type": CustomerValidationRequest.OrganizationType.LOCAL,
        "regulated_data": [],
        "government_domain": "springfield.gov",
        "contact_name": "Robin Clerk",
        "contact_email": "robin.clerk@springfield.gov",
        "contact_phone": "+1 217 555 0199",
        "commercial_tenant_id": str(transacting.commercial_tenant_id),
    }


def customer_validation_form_data(transacting: Organization, **overrides) -> dict:
    """The customer validation form as the browser posts it (empty fields left out). Another
    `government_domain` brings a contact address at it, unless `contact_email` is given."""
    data = {**customer_validation_answers(transacting), **overrides}
    if "government_domain" in overrides and "contact_email" not in overrides:
        data["contact_email"] = f"robin.clerk@{overrides['government_domain']}"
    return {key: value for key, value in data.items() if value not in (None, [])}


class CustomerValidationRequestFactory(factory.django.DjangoModelFactory):
    """A customer validation row in any state, written directly (for lists and queues; flows
    go through the services). The transacting partner follows the organization's type."""

    class Meta:
        model = CustomerValidationRequest

    organization = factory.SubFactory(OrganizationFactory)
    transacting_partner = factory.LazyAttribute(
        lambda o: o.organization.indirect_provider or o.organization
    )
    submitted_by = factory.LazyAttribute(
        lambda o: MembershipFactory(organization=o.organization).user
    )
    status = CustomerValidationRequest.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: review_due_at(o.submitted_at))
    organization_legal_name = factory.Sequence(lambda n: f"Town {n}")
    organization_type = CustomerValidationRequest.OrganizationType.LOCAL
    government_domain = factory.Sequence(lambda n: f"town{n}.gov")
    contact_name = "Robin Clerk"
    contact_email = factory.LazyAttribute(lambda o: f"robin.clerk@{o.government_domain}")
    contact_phone = "+1 217 555 0199"
    commercial_tenant_id = factory.LazyAttribute(
        lambda o: o.transacting_partner.commercial_tenant_id
    )
    idempotency_key = factory.LazyFunction(uuid.uuid4)


class GccValidationFactory(factory.django.DjangoModelFactory):
    """A validation code issued to `partner` from an approved request of that partner (pass
    `source_request__organization=reseller` for a code from an indirect reseller's request)."""

    class Meta:
        model = GccValidation

    partner = factory.SubFactory(OrganizationFactory)
    source_request = factory.SubFactory(
        CustomerValidationRequestFactory,
        organization=factory.SelfAttribute("..partner"),
        status=CustomerValidationRequest.Status.APPROVED,
        due_at=None,
    )
    organization_name = factory.LazyAttribute(lambda o: o.source_request.organization_legal_name)
    max_creates = 1
    remaining_creates = factory.LazyAttribute(lambda o: o.max_creates)


# -- reseller-relationship requests --------------------------------------------------------
from customers.invitations.links import invitation_nonce_new  # noqa: E402
from customers.invitations.models import ResellerInvitation  # noqa: E402


class ResellerInvitationFactory(factory.django.DjangoModelFactory):
    """A reseller relationship request row in any state, written directly (for lists; flows
    go through the services, which also write the draft text with its link)."""

    class Meta:
        model = ResellerInvitation

    organization = factory.SubFactory(OrganizationFactory)
    created_by = factory.LazyAttribute(
        lambda o: (
            MembershipFactory(organization=o.organization, role=Membership.Role.SALES_AGENT).user
        )
    )
    status = ResellerInvitation.Status.DRAFT
    nonce = factory.LazyFunction(invitation_nonce_new)
    subject = factory.LazyAttribute(
        lambda o: f"{o.organization.legal_name} asks to become your Microsoft reseller"
    )
    body = "Hello,\n\nTo accept, open this personalized link."
    language = "en"


# -- answers to an information request -----------------------------------------------------


def info_answer_form_data(response: str, **overrides) -> dict:
    """An answer form (the partner's or the customer contact's) as the browser posts it, with
    the form's one-time key (a fresh one per call: each call is a new form)."""
    return {"idempotency_key": str(uuid.uuid4()), "response": response, **overrides}
