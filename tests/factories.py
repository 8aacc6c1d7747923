import uuid

import factory
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from gccportal.review_clock import review_due_at
from partners.models import Membership, Organization, PartnerValidationRequest

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
    email = factory.Sequence(lambda n: f"reviewer{n}@gccreview.example")
    is_staff = True

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
    """Valid answers of the partner validation form for `organization`."""
    return {
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
