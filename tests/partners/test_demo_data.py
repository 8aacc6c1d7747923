import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.models import User
from partners.models import Membership, Organization
from partners.selectors import organization_is_gcc_approved

pytestmark = pytest.mark.django_db


def test_demo_data_loads_the_documented_logins_and_is_idempotent():
    # When the demo data is loaded twice (make run does it on every start)
    call_command("demo_data", stdout=None)
    call_command("demo_data", stdout=None)

    # Then each demo login exists once, with the role the README lists
    roles = dict(Membership.objects.values_list("user__email", "role"))
    assert roles == {
        "admin@contoso.example": Membership.Role.ADMIN_AGENT,
        "sales@contoso.example": Membership.Role.SALES_AGENT,
        "helpdesk@contoso.example": Membership.Role.HELPDESK_AGENT,
        "admin@fabrikam.example": Membership.Role.ADMIN_AGENT,
        "sales@northwind.example": Membership.Role.SALES_AGENT,
    }
    northwind = Organization.objects.get(partner_id="6100003")
    assert northwind.partner_type == Organization.PartnerType.INDIRECT_RESELLER
    assert northwind.indirect_provider.legal_name == "Fabrikam Distribution Inc."
    assert organization_is_gcc_approved(organization=northwind.indirect_provider)
    assert not organization_is_gcc_approved(
        organization=Organization.objects.get(partner_id="6100001")
    )
    reviewer = User.objects.get(email="reviewer@gccreview.example")
    assert reviewer.is_staff
    assert reviewer.groups.filter(name=settings.REVIEWER_GROUP_NAME).exists()
    assert reviewer.check_password("gcc-demo-2026!")


def test_demo_data_refuses_settings_that_do_not_allow_it(settings):
    # Given settings without the demo (production's: the demo password is published)
    settings.DEMO_DATA_ALLOWED = False

    # When it is loaded / Then it is refused, and no account exists
    with pytest.raises(CommandError, match="Demo data is for the embedded shape only"):
        call_command("demo_data", stdout=None)
    assert not User.objects.exists()
