"""Browser tests: Playwright (sync API) driving Debian's Chromium, axe-core on every page.

One Chromium per session; each test gets fresh browser contexts (cookies, storage), so
tests never share a session. Pages run against pytest-django's `live_server`, which needs
transactional database access: mark tests `@pytest.mark.django_db(transaction=True)` (the
reviewer groups come back after each flush: they are synced on post_migrate).

Fixtures only: what a test does on a page (sign in, check it) is in helpers.py.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from orders.catalogue import catalogue_load
from orders.models import Offer, Order, OrderLineItem, Subscription
from partners.models import Membership
from tests.factories import MembershipFactory, OrganizationFactory, ResellerQualificationFactory
from tests.helpers import customer_of

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse the
# ORM calls the tests make (factories, assertions) as "called from an async context".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def _close_stray_database_sessions(django_db_setup, django_db_blocker) -> Iterator[None]:
    """After the browser tests, end database sessions left open by server threads.

    Django code run from Playwright's greenlets keeps its connection in a context the main
    thread can't reach; left idle, it would stop pytest-django from dropping the test
    database at the end of the run.
    """
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def playwright_session(_close_stray_database_sessions) -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`.")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright, live_server) -> Iterator[Browser]:
    # Depends on live_server so that it closes first: Chromium's keep-alive connections
    # would otherwise hold server threads (and their database connections) open while the
    # test database is dropped.
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server) -> Iterator[Callable[..., Page]]:
    """Factory of pages, each in its own browser context (one per person in a test).

    Keyword arguments are extra context options, e.g. `java_script_enabled=False`.
    """
    contexts = []

    def make(**options) -> Page:
        # axe-core adds its own <style> to the page, which the portal's Content-Security-
        # Policy refuses: pages checked with axe ignore the policy, unless a test enforces it
        # (tests/browser/test_content_security_policy.py passes bypass_csp=False).
        options.setdefault("bypass_csp", True)
        # Reduced motion: Bootstrap then drops its colour transitions, so axe never measures
        # the contrast of a button halfway between two colours (it once read 4.21:1 on a
        # button clicked a moment before: neither its resting nor its hover colours).
        options.setdefault("reduced_motion", "reduce")
        context = browser.new_context(
            base_url=live_server.url,
            viewport=VIEWPORT,
            locale="en-US",
            timezone_id="America/New_York",
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


@pytest.fixture
def gcc_partner(db):
    """A direct reseller approved for GCC and its Sales agent."""
    organization = OrganizationFactory(legal_name="Contoso Government Solutions LLC")
    ResellerQualificationFactory(organization=organization)
    agent = MembershipFactory(
        organization=organization,
        role=Membership.Role.SALES_AGENT,
        user__first_name="Sam",
        user__last_name="Sales",
    ).user
    return organization, agent


@pytest.fixture
def partner_pages(gcc_partner):
    """Name and path of every partner page, with what some of them need (a GCC customer,
    one of its orders)."""
    organization, agent = gcc_partner
    catalogue_load(Offer)  # transactional tests flush what the data migration loaded
    customer = customer_of(organization, gcc=True, company_name="Springfield County")
    offer = Offer.objects.order_by("pk").first()
    order = Order.objects.create(
        organization=organization,
        customer=customer,
        idempotency_key=uuid.uuid4(),
        partner_id_on_record=organization.partner_id,
        created_by=agent,
        status=Order.Status.COMPLETED,
    )
    line = OrderLineItem.objects.create(
        order=order, line_item_number=0, offer=offer, quantity=5, unit_price=offer.unit_price
    )
    Subscription.objects.create(customer=customer, offer=offer, quantity=5, line_item=line)
    return [
        ("dashboard", "/"),
        ("organization-profile", "/organization/"),
        ("gcc-validations", "/gcc/validations/"),
        ("gcc-validation-new", "/gcc/validations/new/"),
        ("customers", "/customers/"),
        ("customer-add", "/customers/add/"),
        ("customer-account", f"/customers/{customer.pk}/account/"),
        ("customer-validations", "/customers/validations/"),
        ("customer-validation-eligibility", "/customers/validations/eligibility/"),
        ("customer-validation-new", "/customers/validations/new/"),
        ("reseller-relationship-requests", "/customers/relationship-requests/"),
        ("order", f"/orders/{order.pk}/"),
        ("subscriptions-add", f"/customers/{customer.pk}/subscriptions/add/"),
    ]
