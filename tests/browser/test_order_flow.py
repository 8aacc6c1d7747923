"""GCC orders in Chromium. For an existing customer: the customer's Account → Add subscriptions
→ quantities (one out of range first) → Review with the total → Submit → the order's page,
Completed with its subscriptions → the Account lists them.

Provisioning runs inline (eager Celery) once the live server's request commits. Every page
visited is screenshotted to test-artifacts/ and must pass axe-core with no violation.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from customers.models import Customer, CustomerQualification
from orders.catalogue import catalogue_load
from orders.models import Offer, Order, Subscription
from tests.browser.helpers import (
    ADD_CUSTOMER_PATH,
    CODE_LABEL,
    CUSTOMER_NAME,
    GCC_OPTION,
    check_page,
    field,
    fill_customer_form,
    sign_in,
)
from tests.factories import GccValidationFactory
from tests.helpers import customer_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

G3 = "gcc-o365-g3"
D365 = "gcc-d365-sales"


@pytest.fixture
def gcc_partner_and_customer(gcc_partner):
    """`gcc_partner` (a GCC-approved reseller, its Sales agent) and a GCC customer of its."""
    catalogue_load(Offer)  # the test's flushes removed what the data migration loaded
    organization, agent = gcc_partner
    return organization, agent, customer_of(organization, gcc=True)


def row(page: Page, offer_id: str):
    return page.locator(f"#offer-{offer_id}")


def test_sales_agent_orders_gcc_subscriptions_for_an_existing_customer(
    page, gcc_partner_and_customer
):
    organization, agent, customer = gcc_partner_and_customer

    # -- The customer's Account: no subscription yet ----------------------------------------
    sign_in(page, agent.email)
    page.get_by_role("link", name="Customers", exact=True).first.click()
    page.get_by_role("link", name=customer.company_name).click()
    section = page.locator("#orders-and-subscriptions")
    expect(section.locator("#subscriptions-empty")).to_have_text("No subscription yet.")
    expect(section.locator("#orders-empty")).to_have_text("No order yet.")
    check_page(page, "order-01-account-empty")

    # -- Add subscriptions: the GCC offers, grouped by product family --------------------------
    section.get_by_role("link", name="Add subscriptions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Add subscriptions for {customer.company_name}"
    )
    expect(page.locator("#offer-cloud")).to_contain_text(
        f"GCC offers for {customer.company_name}'s GCC tenant."
    )
    expect(page.get_by_role("heading", level=2)).to_have_text(
        [
            "Office 365",
            "Microsoft 365",
            "Enterprise Mobility + Security",
            "Power BI",
            "Dynamics 365",
        ]
    )
    office = page.get_by_role("region", name="Office 365", exact=True)
    expect(office.locator(".offer")).to_have_count(3)
    expect(row(page, G3)).to_contain_text("Office 365 G3 GCC")
    expect(row(page, G3).locator(".badge")).to_have_count(0)
    expect(row(page, "com-m365-basic")).to_have_count(0)
    expect(page.locator("#gcc-offers-hidden")).to_have_count(0)
    check_page(page, "order-02-add-subscriptions")

    # -- Too many Dynamics seats: the message is next to the row, the values are kept -------
    page.get_by_label("Quantity of Office 365 G3 GCC").fill("25")
    page.get_by_label("Friendly name for Office 365 G3 GCC").fill("Clerks")
    page.get_by_label("Quantity of Dynamics 365 Sales Enterprise GCC").fill("5001")
    page.get_by_role("button", name="Review order").click()
    expect(row(page, D365)).to_contain_text(
        "Order between 1 and 5000 of Dynamics 365 Sales Enterprise GCC."
    )
    expect(page.get_by_label("Quantity of Office 365 G3 GCC")).to_have_value("25")
    expect(page.get_by_label("Friendly name for Office 365 G3 GCC")).to_have_value("Clerks")
    check_page(page, "order-03-add-subscriptions-error")

    # -- Review: the lines and the totals ----------------------------------------------------
    page.get_by_label("Quantity of Dynamics 365 Sales Enterprise GCC").fill("2")
    page.get_by_role("button", name="Review order").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Review the order for {customer.company_name}"
    )
    expect(page.locator("#total-monthly")).to_have_text("$500.00")
    expect(page.locator("#total-annual")).to_have_text("$190.00")
    check_page(page, "order-04-review")

    # Back keeps the values; Review again
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_label("Quantity of Office 365 G3 GCC")).to_have_value("25")
    expect(page.get_by_label("Quantity of Dynamics 365 Sales Enterprise GCC")).to_have_value("2")
    page.get_by_role("button", name="Review order").click()
    assert not Order.objects.exists()

    # -- Submit: the order's page, completed, with its subscriptions -------------------------
    page.get_by_role("button", name="Submit").click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    order = Order.objects.get(organization=organization)
    expect(page.get_by_role("status").first).to_contain_text(f"Order #{order.pk} was submitted")
    expect(page.locator("#order-status")).to_have_text("Status: Completed")
    g3 = Subscription.objects.get(offer__offer_id=G3)
    d365 = Subscription.objects.get(offer__offer_id=D365)
    expect(page.locator("#line-table")).to_contain_text(str(g3.subscription_id))
    expect(page.locator("#line-table")).to_contain_text(str(d365.subscription_id))
    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline.get_by_role("listitem")).to_have_count(3)
    expect(timeline).to_contain_text("Sam Sales")
    check_page(page, "order-05-order-completed")

    # -- The Account lists the subscriptions and the order -----------------------------------
    page.get_by_role("link", name=customer.company_name).first.click()
    subscriptions = page.locator("#subscription-table")
    expect(subscriptions.locator("tbody tr")).to_have_count(2)
    expect(subscriptions).to_contain_text("Office 365 G3 GCC")
    expect(subscriptions).to_contain_text("Clerks")
    orders = page.locator("#order-table")
    expect(orders.get_by_role("link", name=f"Order #{order.pk}")).to_be_visible()
    expect(orders).to_contain_text("Completed")
    check_page(page, "order-06-account-with-subscriptions")


def test_a_failed_order_shows_the_reason_and_retry_completes_it(
    page, gcc_partner_and_customer, settings
):
    _organization, agent, customer = gcc_partner_and_customer
    # Given an offer that can't be provisioned now
    settings.ORDERS_SIMULATED_FAILING_OFFER_IDS = [G3]
    sign_in(page, agent.email)
    page.goto(f"/customers/{customer.pk}/subscriptions/add/")
    page.get_by_label("Quantity of Office 365 G3 GCC").fill("10")
    page.get_by_role("button", name="Review order").click()
    page.get_by_role("button", name="Submit").click()

    # Then the order's page says it failed, why, and offers Retry
    expect(page.locator("#order-status")).to_have_text("Status: Failed")
    expect(page.locator("#failure-reason")).to_have_text(
        "Office 365 G3 GCC could not be provisioned: the offer is not available for purchase now."
    )
    check_page(page, "order-07-order-failed")

    # When the cause is fixed and the agent retries
    settings.ORDERS_SIMULATED_FAILING_OFFER_IDS = []
    page.get_by_role("button", name="Retry").click()

    # Then the order is completed with its subscription
    expect(page.locator("#order-status")).to_have_text("Status: Completed")
    subscription = Subscription.objects.get(customer=customer)
    expect(page.locator("#line-0")).to_contain_text(str(subscription.subscription_id))
    expect(page.get_by_role("list", name="Timeline").get_by_role("listitem")).to_have_count(6)
    check_page(page, "order-08-order-retried")


def test_sales_agent_orders_for_a_new_customer_created_with_a_validation_code(
    page, gcc_partner_and_customer
):
    # Given an approved code with two creates for the partner
    organization, agent, _existing = gcc_partner_and_customer
    code = GccValidationFactory(
        partner=organization, organization_name=CUSTOMER_NAME, max_creates=2
    )
    sign_in(page, agent.email)

    # -- Add customer → GCC → the code → Next: Subscriptions -------------------------------
    page.goto(ADD_CUSTOMER_PATH)
    fill_customer_form(page)
    page.get_by_label(GCC_OPTION).check()
    field(page, CODE_LABEL).select_option(label=f"{CUSTOMER_NAME} — 2 creates left")
    page.get_by_role("button", name="Next: Subscriptions").click()
    expect(row(page, G3)).to_contain_text("Office 365 G3 GCC")
    assert not Customer.objects.filter(primary_domain="springfield.gov").exists()
    check_page(page, "order-07-new-customer-offers")

    # -- Quantities → Review → Submit ---------------------------------------------------------
    page.get_by_label("Quantity of Office 365 G3 GCC").fill("40")
    page.get_by_role("button", name="Review order").click()
    expect(page.locator("#total-monthly")).to_have_text("$800.00")
    check_page(page, "order-08-new-customer-review")
    page.get_by_role("button", name="Submit").click()

    # -- The order page: completed; the customer exists with GCC and used one create ---------
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    expect(page.locator("#order-status")).to_have_text("Status: Completed")
    check_page(page, "order-09-new-customer-order-completed")
    customer = Customer.objects.get(primary_domain="springfield.gov")
    qualification = customer.qualifications.get()
    assert (qualification.qualification, qualification.validation) == (
        CustomerQualification.Qualification.GOVERNMENT_COMMUNITY_CLOUD,
        code,
    )
    code.refresh_from_db()
    assert code.remaining_creates == 1
    assert Subscription.objects.get(customer=customer).quantity == 40
