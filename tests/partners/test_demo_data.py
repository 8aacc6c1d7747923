from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from customers.codes.models import GccValidation
from customers.invitations.models import ResellerInvitation
from customers.models import Customer, CustomerQualification, CustomerRelationship
from customers.validations.models import CustomerValidationRequest
from orders.models import Offer, Order
from partners.models import Membership, Organization
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD as GCC
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


# -- the demo scenario (gccportal/demo.py) ---------------------------------------------------

CONTOSO, FABRIKAM, NORTHWIND = "6100001", "6100002", "6100003"


def relationships_of(customer) -> set[tuple]:
    """(partner, through which indirect reseller) of each relationship of `customer`."""
    return {(r.organization, r.indirect_reseller) for r in customer.relationships.all()}


@pytest.fixture
def demo(db):
    """The demo data, loaded twice as two starts of `make run` load it."""
    for _start in range(2):
        call_command("demo_data", stdout=StringIO())
    return {key: Organization.objects.get(partner_id=key) for key in (CONTOSO, FABRIKAM, NORTHWIND)}


def test_the_demo_holds_a_gcc_customer_with_its_code_and_a_completed_order_once(demo):
    northwind, fabrikam = demo[NORTHWIND], demo[FABRIKAM]

    # Then one GCC customer of Northwind's, created with a code issued to Fabrikam
    [customer] = Customer.objects.filter(primary_domain="springfield-county.gov")
    assert customer.company_name == "Springfield County"
    [qualification] = customer.qualifications.all()
    assert qualification.qualification == GCC
    assert qualification.vetting_status == CustomerQualification.VettingStatus.APPROVED
    code = qualification.validation
    assert code.partner == fabrikam
    assert (code.max_creates, code.remaining_creates) == (3, 2)  # creates left for another
    assert code.source_request.status == CustomerValidationRequest.Status.APPROVED
    assert GccValidation.objects.count() == 1
    assert relationships_of(customer) == {(northwind, None), (fabrikam, northwind)}

    # and its one order, placed by Northwind, completed with a subscription per line
    [order] = Order.objects.all()
    assert (order.organization, order.customer, order.status) == (
        northwind,
        customer,
        Order.Status.COMPLETED,
    )
    assert order.partner_id_on_record == northwind.partner_id
    subscriptions = {(s.offer.offer_id, s.quantity) for s in customer.subscriptions.all()}
    assert subscriptions == {("gcc-o365-g3", 25), ("gcc-ems-e3", 25)}


def test_the_demo_holds_a_pending_and_an_information_requested_validation_request_once(demo):
    requests = CustomerValidationRequest.objects.filter(organization=demo[NORTHWIND])
    statuses = dict(requests.values_list("organization_legal_name", "status"))

    assert statuses == {
        "Springfield County": CustomerValidationRequest.Status.APPROVED,
        "Adams County Schools": CustomerValidationRequest.Status.SUBMITTED,
        "Lakeview Water District": CustomerValidationRequest.Status.INFO_REQUESTED,
    }
    assert CustomerValidationRequest.objects.count() == 3
    waiting = requests.get(status=CustomerValidationRequest.Status.INFO_REQUESTED)
    assert waiting.assigned_reviewer.email == "reviewer@gccreview.example"
    assert waiting.info_request_message.startswith("Please send the district's")
    assert waiting.info_link_nonce  # the contact's link to answer was mailed
    assert waiting.transacting_partner == demo[FABRIKAM]


def test_the_demo_holds_a_sent_and_an_accepted_invitation_once(demo):
    northwind, fabrikam = demo[NORTHWIND], demo[FABRIKAM]
    invitations = ResellerInvitation.objects.all()

    assert sorted(invitations.values_list("status", flat=True)) == [
        ResellerInvitation.Status.ACCEPTED,
        ResellerInvitation.Status.SENT,
    ]
    assert {(i.organization, i.on_behalf_of) for i in invitations} == {(northwind, fabrikam)}
    accepted = invitations.get(status=ResellerInvitation.Status.ACCEPTED)
    assert (accepted.accepted_by_email, accepted.customer.primary_domain) == (
        "morgan.reyes@ogden-city.gov",
        "ogden-city.gov",
    )
    # The accepted customer is Northwind's, and Fabrikam's through Northwind.
    assert relationships_of(accepted.customer) == {(northwind, None), (fabrikam, northwind)}
    # No draft is left: Request a reseller relationship (the walk-through) starts a new one.
    assert not invitations.filter(status=ResellerInvitation.Status.DRAFT).exists()


def test_the_demo_leaves_contoso_clean_for_the_partner_walk_through(demo):
    contoso = demo[CONTOSO]

    assert not organization_is_gcc_approved(organization=contoso)
    assert not CustomerRelationship.objects.filter(organization=contoso).exists()
    assert not CustomerValidationRequest.objects.filter(organization=contoso).exists()
    assert not ResellerInvitation.objects.filter(organization=contoso).exists()
    assert not Order.objects.filter(organization=contoso).exists()
    assert not contoso.validation_requests.exists()


def test_the_demo_output_says_what_it_holds():
    out = StringIO()

    call_command("demo_data", stdout=out)

    assert "Springfield County" in out.getvalue()
    assert "sales@northwind.example" in out.getvalue()
    assert "Demo scenario not loaded" not in out.getvalue()


def test_northwinds_sales_agent_sees_the_demo_customer_and_its_order(demo, client):
    # Given Northwind's Sales agent signed in
    client.force_login(User.objects.get(email="sales@northwind.example"))
    customer = Customer.objects.get(primary_domain="springfield-county.gov")
    order = Order.objects.get(customer=customer)

    # When they open Customers, then the customer's account page
    customers = client.get("/customers/")
    account = client.get(f"/customers/{customer.pk}/account/")

    # Then Springfield County is listed, and its account shows the GCC qualification and the order
    assert customers.status_code == 200
    assert "Springfield County" in customers.text
    assert "Ogden City" in customers.text
    assert account.status_code == 200
    assert "Government Community Cloud (GCC)" in account.text
    assert reverse("orders:order_detail", args=[order.pk]) in account.text


def test_a_scenario_that_can_not_load_is_reported_and_the_sign_ins_still_work(db):
    # Given a catalogue without one of the offers the scenario orders
    Offer.objects.filter(offer_id="gcc-ems-e3").update(is_active=False)
    out = StringIO()

    # When the demo data is loaded
    call_command("demo_data", stdout=out)

    # Then it says so, loads no part of the scenario, and the sign-ins are there
    assert "Demo scenario not loaded" in out.getvalue()
    assert not Customer.objects.filter(primary_domain="springfield-county.gov").exists()
    assert not CustomerValidationRequest.objects.exists()
    assert not Order.objects.exists()
    assert User.objects.filter(email="sales@northwind.example").exists()
