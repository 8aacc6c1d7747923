import uuid

import factory
from django.conf import settings
from django.contrib.auth.models import Group

from accounts.models import User
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
