"""Placing and provisioning orders: gating, idempotency, the failure path and the retry."""

import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from gccportal.exceptions import ActionNotAllowed, InvalidTransition
from orders import services
from orders.catalogue import CATALOGUE
from orders.models import Offer, Order, Subscription
from orders.selectors import OfferChoice, offer_choice_for_customer, offers_by_family
from orders.services import OrderLine
from partners.models import Membership
from reviews.models import AuditEvent
from tests.factories import MembershipFactory, ResellerQualificationFactory
from tests.helpers import customer_of

pytestmark = pytest.mark.django_db

G3 = "gcc-o365-g3"
POWER_BI = "gcc-powerbi-pro"
COMMERCIAL = "com-m365-basic"


@pytest.fixture
def place(django_capture_on_commit_callbacks, sales_agent):
    """Place an order the way the view does: provisioning runs after commit (inline here)."""

    def call(customer, lines, *, user=None, key=None, organization=None):
        user = user or sales_agent
        with django_capture_on_commit_callbacks(execute=True):
            return services.order_place(
                organization=organization or user.membership.organization,
                created_by=user,
                customer_id=customer.pk,
                lines=lines,
                idempotency_key=key or uuid.uuid4(),
            )

    return call


def test_catalogue_has_the_gcc_offers_and_commercial_ones(catalogue):
    gcc = {o.name for o in catalogue.values() if o.requires_gcc}
    assert {
        "Office 365 G1 GCC",
        "Office 365 G3 GCC",
        "Office 365 G5 GCC",
        "Microsoft 365 G3 GCC",
        "Microsoft 365 G5 GCC",
        "Enterprise Mobility + Security E3 GCC",
        "Enterprise Mobility + Security E5 GCC",
        "Power BI Pro GCC",
        "Dynamics 365 Sales Enterprise GCC",
        "Dynamics 365 Customer Service Enterprise GCC",
    } == gcc
    assert len(catalogue) == len(CATALOGUE)
    assert {o.offer_id for o in catalogue.values() if not o.requires_gcc} == {
        "com-m365-basic",
        "com-m365-standard",
        "com-o365-e3",
    }
    # and each row's values, typed as the fields are (from the catalogue file's text)
    g1 = catalogue["gcc-o365-g1"]
    assert (g1.sku_part_number, g1.unit_price, g1.billing_cycle) == (
        "STANDARDPACK_GOV",
        Decimal("8.00"),
        "monthly",
    )
    assert (g1.min_quantity, g1.max_quantity) == (1, 10000)
    assert catalogue["gcc-d365-sales"].sku_part_number == ""


@pytest.mark.parametrize("partner_gcc", [True, False])
@pytest.mark.parametrize("customer_gcc", [True, False])
@pytest.mark.parametrize(
    "role",
    [
        Membership.Role.ADMIN_AGENT,
        Membership.Role.SALES_AGENT,
        Membership.Role.HELPDESK_AGENT,
        Membership.Role.BILLING_ADMIN,
    ],
)
def test_gating_matrix_for_a_gcc_offer(
    catalogue, organization, place, partner_gcc, customer_gcc, role
):
    # Given a partner (GCC-enabled or not), one of its customers (GCC or not), a user's role
    if partner_gcc:
        ResellerQualificationFactory(organization=organization)
    customer = customer_of(organization, gcc=customer_gcc)
    user = MembershipFactory(organization=organization, role=role).user
    allowed = partner_gcc and customer_gcc and role in Membership.GCC_ROLES

    # When the user orders Office 365 G3 GCC
    if allowed:
        order = place(customer, [OrderLine(G3, 10)], user=user)
        # Then the order is placed and provisioned
        assert order.status == Order.Status.SUBMITTED
        order.refresh_from_db()
        assert order.status == Order.Status.COMPLETED
    else:
        with pytest.raises(ActionNotAllowed):
            place(customer, [OrderLine(G3, 10)], user=user)
        # Then nothing at all is written
        assert not Order.objects.exists()
        assert not Subscription.objects.exists()
        assert mail.outbox == []


def test_another_organizations_customer_is_refused(
    catalogue, gcc_enabled, place, other_organization
):
    ResellerQualificationFactory(organization=other_organization)
    theirs = customer_of(other_organization, gcc=True)

    with pytest.raises(ActionNotAllowed, match="not managed by your organization"):
        place(theirs, [OrderLine(G3, 5)])

    assert not Order.objects.exists()


def test_the_offers_listed_are_those_the_customers_tenant_runs(
    catalogue, organization, gcc_customer
):
    plain = customer_of(organization, gcc=False)
    gcc_offers = {o.offer_id for o in catalogue.values() if o.requires_gcc}
    commercial_offers = {o.offer_id for o in catalogue.values() if not o.requires_gcc}

    def listed(customer) -> OfferChoice:
        return offer_choice_for_customer(organization=organization, customer=customer)

    # Not GCC-enabled: nothing for a GCC tenant (it runs GCC offers only), commercial offers
    # for a commercial one
    assert (listed(gcc_customer).offers, listed(gcc_customer).gcc_tenant) == ([], True)
    assert listed(gcc_customer).gcc_reason
    assert {o.offer_id for o in listed(plain).offers} == commercial_offers
    ResellerQualificationFactory(organization=organization)

    # GCC-enabled: GCC offers only for the GCC customer, commercial only for the other one
    choice = listed(gcc_customer)
    assert {o.offer_id for o in choice.offers} == gcc_offers
    assert (choice.gcc_tenant, choice.gcc_reason) == (True, None)
    choice = listed(plain)
    assert {o.offer_id for o in choice.offers} == commercial_offers
    assert choice.gcc_tenant is False
    assert choice.gcc_reason == (
        f"{plain.company_name} is not validated for GCC. GCC offers are only for customers "
        "with the Government Community Cloud (GCC) qualification."
    )


def test_the_offers_are_grouped_by_product_family_without_a_query(
    catalogue, gcc_enabled, gcc_customer, django_assert_num_queries
):
    choice = offer_choice_for_customer(organization=gcc_enabled, customer=gcc_customer)

    with django_assert_num_queries(0):
        groups = offers_by_family(choice.offers)

    assert [(family, [o.offer_id for o in offers]) for family, offers in groups] == [
        ("Office 365", ["gcc-o365-g1", "gcc-o365-g3", "gcc-o365-g5"]),
        ("Microsoft 365", ["gcc-m365-g3", "gcc-m365-g5"]),
        ("Enterprise Mobility + Security", ["gcc-ems-e3", "gcc-ems-e5"]),
        ("Power BI", ["gcc-powerbi-pro"]),
        ("Dynamics 365", ["gcc-d365-service", "gcc-d365-sales"]),
    ]


def test_a_commercial_offer_for_a_gcc_customer_is_refused_next_to_its_row(
    catalogue, gcc_enabled, gcc_customer, place
):
    # When a commercial offer is ordered for a GCC customer, with a GCC one
    with pytest.raises(ValidationError) as refused:
        place(gcc_customer, [OrderLine(G3, 10), OrderLine(COMMERCIAL, 3)])

    # Then it is refused, the message for its row; nothing is ordered
    assert refused.value.message_dict == {
        f"quantity_{COMMERCIAL}": [
            f"Microsoft 365 Business Basic is a commercial offer: it can't run in "
            f"{gcc_customer.company_name}'s GCC tenant. Choose a GCC offer."
        ]
    }
    assert not Order.objects.exists()
    # And the review refuses it the same way
    with pytest.raises(ValidationError) as reviewed:
        services.order_review(
            organization=gcc_enabled, customer=gcc_customer, lines=[OrderLine(COMMERCIAL, 3)]
        )
    assert list(reviewed.value.message_dict) == [f"quantity_{COMMERCIAL}"]


def test_commercial_offers_are_ordered_for_a_commercial_customer(catalogue, gcc_enabled, place):
    plain = customer_of(gcc_enabled, gcc=False)

    order = place(plain, [OrderLine(COMMERCIAL, 3), OrderLine("com-o365-e3", 2)])

    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert sorted(Subscription.objects.values_list("offer__offer_id", flat=True)) == [
        COMMERCIAL,
        "com-o365-e3",
    ]


def test_dynamics_ems_and_power_bi_gcc_use_the_same_validation(
    catalogue, gcc_enabled, gcc_customer, place
):
    lines = [OrderLine("gcc-d365-sales", 5), OrderLine("gcc-ems-e3", 5), OrderLine(POWER_BI, 5)]

    order = place(gcc_customer, lines)

    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert gcc_customer.qualifications.count() == 1  # no second review or qualification


def test_order_lines_follow_partner_centers_shape(
    catalogue, gcc_enabled, gcc_customer, place, sales_agent
):
    order = place(gcc_customer, [OrderLine(G3, 25, "G3 seats"), OrderLine(POWER_BI, 3)])

    lines = list(order.line_items.order_by("line_item_number"))
    assert [
        (li.line_item_number, li.offer.offer_id, li.quantity, li.friendly_name) for li in lines
    ] == [
        (0, G3, 25, "G3 seats"),
        (1, POWER_BI, 3, ""),
    ]
    assert order.partner_id_on_record == gcc_enabled.partner_id
    assert lines[0].unit_price == Decimal("20.00")
    assert [e.action for e in AuditEvent.objects.for_subject(order)] == [
        "order_submitted",
        "provisioning_started",
        "order_completed",
    ]
    assert Subscription.objects.filter(customer=gcc_customer).count() == 2
    [email] = mail.outbox
    assert email.to == [sales_agent.email]
    assert email.subject == f"Order #{order.pk} for {gcc_customer.company_name} is complete"
    assert "Office 365 G3 GCC x 25 (G3 seats)" in email.body


@pytest.mark.parametrize(
    ("lines", "errors"),
    [
        ([], {"lines": ["Choose at least one offer and its quantity."]}),
        (
            [OrderLine(G3, 0)],
            {f"quantity_{G3}": ["Order between 1 and 10000 of Office 365 G3 GCC."]},
        ),
        (
            [OrderLine(G3, 10001)],
            {f"quantity_{G3}": ["Order between 1 and 10000 of Office 365 G3 GCC."]},
        ),
        ([OrderLine("nope", 1)], {"lines": ["nope is not in the catalogue."]}),
        (
            [OrderLine(G3, 1), OrderLine(G3, 2)],
            {"lines": ["Each offer may appear only once in an order."]},
        ),
    ],
)
def test_bad_lines_are_refused_with_a_message(
    catalogue, gcc_enabled, gcc_customer, place, lines, errors
):
    with pytest.raises(ValidationError) as refused:
        place(gcc_customer, lines)

    assert refused.value.message_dict == errors
    assert not Order.objects.exists()


def test_the_same_key_twice_is_one_order(catalogue, gcc_enabled, gcc_customer, place, key):
    first = place(gcc_customer, [OrderLine(G3, 10)], key=key)
    again = place(gcc_customer, [OrderLine(G3, 99)], key=key)

    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert Subscription.objects.get().quantity == 10
    assert len(mail.outbox) == 1


def test_two_keys_are_two_orders(catalogue, gcc_enabled, gcc_customer, place):
    place(gcc_customer, [OrderLine(G3, 10)])
    place(gcc_customer, [OrderLine(G3, 10)])

    assert Order.objects.count() == 2
    assert Subscription.objects.count() == 2


def test_a_failing_line_fails_the_order_and_a_retry_after_the_fix_completes_it_once(
    catalogue,
    gcc_enabled,
    gcc_customer,
    place,
    settings,
    sales_agent,
    django_capture_on_commit_callbacks,
):
    # Given Power BI Pro GCC can't be provisioned right now
    settings.ORDERS_SIMULATED_FAILING_OFFER_IDS = [POWER_BI]

    # When an order with it is placed
    order = place(gcc_customer, [OrderLine(G3, 10), OrderLine(POWER_BI, 5)])

    # Then the order failed, the good line is provisioned, the reason is emailed
    order.refresh_from_db()
    assert order.status == Order.Status.FAILED
    assert "Power BI Pro GCC could not be provisioned" in order.failure_reason
    assert list(Subscription.objects.values_list("offer__offer_id", flat=True)) == [G3]
    [email] = mail.outbox
    assert email.subject == f"Order #{order.pk} for {gcc_customer.company_name} failed"
    assert "Power BI Pro GCC could not be provisioned" in email.body
    mail.outbox.clear()

    # When the cause is fixed and the order is retried
    settings.ORDERS_SIMULATED_FAILING_OFFER_IDS = []
    with django_capture_on_commit_callbacks(execute=True):
        services.order_retry(order_id=order.pk, organization=gcc_enabled, actor=sales_agent)

    # Then it completes once: one subscription per line, one confirmation
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert order.attempts == 2
    assert order.failure_reason == ""
    assert sorted(Subscription.objects.values_list("offer__offer_id", flat=True)) == [G3, POWER_BI]
    assert [m.subject for m in mail.outbox] == [
        f"Order #{order.pk} for {gcc_customer.company_name} is complete"
    ]
    # And provisioning again changes nothing (idempotent task)
    services.order_provision(order_id=order.pk)
    assert Subscription.objects.count() == 2
    with pytest.raises(InvalidTransition):
        services.order_retry(order_id=order.pk, organization=gcc_enabled, actor=sales_agent)


def test_sweep_redispatches_orders_whose_dispatch_was_lost(
    catalogue, gcc_enabled, gcc_customer, sales_agent
):
    # Given an order placed while nothing dispatched it (commit callbacks not run)
    order = services.order_place(
        organization=gcc_enabled,
        created_by=sales_agent,
        customer_id=gcc_customer.pk,
        lines=[OrderLine(G3, 1)],
        idempotency_key=uuid.uuid4(),
    )
    assert order.status == Order.Status.SUBMITTED

    # When the sweep runs later (tasks run inline in tests)
    later = order.created_at.replace(year=order.created_at.year + 1)
    assert services.order_provisioning_sweep(now=later) == 1

    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert services.order_provisioning_sweep(now=later) == 0


def test_offers_are_not_deleted_from_the_admin(catalogue):
    from django.contrib.admin.sites import site

    assert site._registry[Offer].has_delete_permission(request=None) is False
