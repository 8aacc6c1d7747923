"""The reviewers' admin and the public link pages, in English and in French, in Chromium.

A reviewer (here a lead, who also sees the email ledger and the tasks given up) walks every
admin page reviewers use: the index, each list, each kind of request in each state met
(submitted, in review, information requested) with its decision pages, and the customer and
organization pages with their inline tables. Every page passes axe-core; in French (the
reviewer's profile language), no English word shows (test_french.english_words: Django's
admin brings its own French, the portal's strings are in the catalogue).

The public link pages (a reseller relationship request, a customer contact's answer page,
the link-problem pages) are checked in French the same way: the language the link was sent in.
"""

import re
import uuid
from pprint import pformat
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from customers.invitations import services as invitation_services
from customers.invitations.models import ResellerInvitation
from customers.validations import services as customer_validation_services
from customers.validations.links import info_link_path
from customers.validations.models import CustomerValidationRequest
from jobs.models import TaskDelivery
from notifications.models import OutboxMessage
from orders.catalogue import catalogue_load
from orders.models import Offer, Order, OrderLineItem, Subscription
from partners import services as partner_services
from partners.models import Membership, PartnerValidationRequest
from reviews.models import AuditEvent
from reviews.services import review_start
from tests.browser.helpers import (
    ADMIN_LOGIN_PATH,
    MFA_VERIFY_PATH,
    check_page,
    choose_french,
    english_words,
    screenshot,
)
from tests.factories import (
    TEST_PASSWORD,
    MembershipFactory,
    OrganizationFactory,
    ResellerQualificationFactory,
    ReviewerFactory,
    customer_validation_answers,
    validation_answers,
)
from tests.helpers import agent_of, customer_of, invitation_sent
from tests.mfa import authenticator_of, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER_NAME = "Contoso Government Solutions LLC"
CUSTOMER_NAME = "City of Springfield"


def admin_sign_in(page: Page, user) -> None:
    """The admin's login form, then the code step, by field (not by label: in French the
    code step already speaks the reviewer's language)."""
    device = authenticator_of(user)
    page.goto(ADMIN_LOGIN_PATH)
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(TEST_PASSWORD)
    page.locator("#login-form [type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(MFA_VERIFY_PATH)))
    page.locator(f"form[action='{MFA_VERIFY_PATH}']").get_by_role("textbox").fill(totp_code(device))
    page.locator(f"form[action='{MFA_VERIFY_PATH}']").get_by_role("button").click()
    expect(page).not_to_have_url(re.compile(re.escape(MFA_VERIFY_PATH)))


BLANK_TEMPLATE_PATHS = """() => {
    for (const element of document.querySelectorAll("body *")) {
        const text = element.textContent.trim();
        if (element.children.length === 0 && /^emails\\/[\\w/]+$/.test(text)) {
            element.textContent = "";
        }
    }
}"""


def walk(page: Page, pages: list[tuple[str, str]], language: str) -> dict[str, list[str]]:
    """Visit each (name, path): 200, in `language`, axe-clean; in French, the English words
    found per path (returned, so one run lists them all)."""
    english = {}
    for name, path in pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", language)
        check_page(page, f"{language}-{name}")
        # (An organization's history page is django-simple-history's, with its own partial
        # French: "None", "Changes"; checked with axe only.)
        if language == "fr" and not path.endswith("/history/"):
            # An email's template is named by its path, a code ("emails/partners/..."): on
            # the email's page and in the outbox's filter. Not words to translate.
            page.evaluate(BLANK_TEMPLATE_PATHS)
            found = english_words(page)
            if found:
                english[path] = found
    return english


@pytest.fixture
def review_world(db, language):
    """Everything a reviewer meets: an approved partner (memberships, a qualification), a
    customer (its qualification, its relationship), requests of both kinds in each open
    state, an order, an email, a task given up."""
    reviewer = ReviewerFactory(first_name="Riley", last_name="Reviewer", language=language)
    organization = OrganizationFactory(legal_name=PARTNER_NAME)
    ResellerQualificationFactory(organization=organization)
    agent = MembershipFactory(
        organization=organization,
        role=Membership.Role.ADMIN_AGENT,
        user__first_name="Avery",
        user__last_name="Admin",
        user__language="fr",
    ).user
    agent_of(
        organization,
        Membership.Role.SALES_AGENT,
        first_name="Sam",
        last_name="Sales",
        language="fr",
    )
    customer = customer_of(organization, gcc=True, company_name=CUSTOMER_NAME)

    # Partner validation requests: submitted, in review, information requested.
    requests = {}
    for state, name in (
        ("submitted", "Fabrikam Federal Inc."),
        ("in-review", "Northwind Public Sector LLC"),
        ("info", "Tailspin Civic Systems LLC"),
    ):
        other = OrganizationFactory(legal_name=name)
        submitter = agent_of(other, Membership.Role.ADMIN_AGENT, language="fr")
        request = partner_services.partner_validation_submit(
            organization=other, submitted_by=submitter, **validation_answers(other)
        )
        if state != "submitted":
            review_start(model=PartnerValidationRequest, request_id=request.pk, reviewer=reviewer)
        if state == "info":
            partner_services.partner_validation_request_info(
                request_id=request.pk, reviewer=reviewer, message="Envoyez votre numéro GSA."
            )
        requests[f"partner-{state}"] = request

    # Customer validation requests of the approved partner, in the same states.
    for state, town in (
        ("submitted", "Shelbyville"),
        ("in-review", "Ogdenville"),
        ("info", "Brockway"),
    ):
        request = customer_validation_services.customer_validation_submit(
            organization=organization,
            submitted_by=agent,
            **{
                **customer_validation_answers(organization),
                "organization_legal_name": f"{town} County",
                "government_domain": f"{town.lower()}.gov",
                "contact_email": f"robin.clerk@{town.lower()}.gov",
            },
        )
        if state != "submitted":
            review_start(model=CustomerValidationRequest, request_id=request.pk, reviewer=reviewer)
        if state == "info":
            customer_validation_services.customer_validation_request_info(
                request_id=request.pk, reviewer=reviewer, message="Envoyez l'arrêté municipal."
            )
        requests[f"customer-{state}"] = request

    catalogue_load(Offer)  # transactional tests flush what the data migration loaded
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
    subscription = Subscription.objects.create(
        customer=customer, offer=offer, quantity=5, line_item=line
    )
    now = timezone.now()
    TaskDelivery.objects.create(
        task_id="c0ffee00-0000-4000-8000-000000000001",
        task_name="notifications.tasks.outbox_message_send_task",
        args=[1],
        deliveries=5,
        first_delivered_at=now,
        last_delivered_at=now,
        gave_up_at=now,
        reason="Each delivery stopped its worker.",
    )
    return {
        "reviewer": reviewer,
        "organization": organization,
        "customer": customer,
        "requests": requests,
        "offer": offer,
        "order": order,
        "subscription": subscription,
    }


def admin_pages(world) -> list[tuple[str, str]]:
    organization, customer = world["organization"], world["customer"]
    code = customer.qualifications.get().validation
    pages = [
        ("admin-index", "/admin/"),
        ("admin-partner-requests", "/admin/partners/partnervalidationrequest/"),
        ("admin-partner-requests-all", "/admin/partners/partnervalidationrequest/?queue=all"),
        ("admin-customer-requests", "/admin/customers/customervalidationrequest/"),
        ("admin-customers", "/admin/customers/customer/"),
        ("admin-customer", f"/admin/customers/customer/{customer.pk}/change/"),
        ("admin-organizations", "/admin/partners/organization/"),
        ("admin-organization", f"/admin/partners/organization/{organization.pk}/change/"),
        ("admin-organization-history", f"/admin/partners/organization/{organization.pk}/history/"),
        ("admin-qualifications", "/admin/partners/resellerqualification/"),
        ("admin-codes", "/admin/customers/gccvalidation/"),
        ("admin-offers", "/admin/orders/offer/"),
        ("admin-offer", f"/admin/orders/offer/{world['offer'].pk}/change/"),
        ("admin-offer-add", "/admin/orders/offer/add/"),
        ("admin-orders", "/admin/orders/order/"),
        ("admin-order", f"/admin/orders/order/{world['order'].pk}/change/"),
        ("admin-subscriptions", "/admin/orders/subscription/"),
        ("admin-subscription", f"/admin/orders/subscription/{world['subscription'].pk}/change/"),
        ("admin-audit-events", "/admin/reviews/auditevent/"),
        ("admin-outbox", "/admin/notifications/outboxmessage/"),
        ("admin-task-deliveries", "/admin/jobs/taskdelivery/"),
        ("admin-sla", "/admin/sla/"),
    ]
    pages.append(("admin-code", f"/admin/customers/gccvalidation/{code.pk}/change/"))
    event = AuditEvent.objects.order_by("pk").first()
    pages.append(("admin-audit-event", f"/admin/reviews/auditevent/{event.pk}/change/"))
    message = OutboxMessage.objects.order_by("pk").first()
    pages.append(
        ("admin-outbox-message", f"/admin/notifications/outboxmessage/{message.pk}/change/")
    )
    for key, request in world["requests"].items():
        app = request._meta.app_label
        model = request._meta.model_name
        pages.append((f"admin-{key}", f"/admin/{app}/{model}/{request.pk}/change/"))
    return pages


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_admin_page_reviewers_use_passes_axe(new_page, review_world, language):
    reviewer = review_world["reviewer"]
    reviewer.groups.add(Group.objects.get(name=settings.REVIEWER_LEAD_GROUP_NAME))
    page = new_page()
    admin_sign_in(page, reviewer)

    pages = admin_pages(review_world)
    english = walk(page, pages, language)

    # Each request's decision pages, as its page links to them.
    for key, request in review_world["requests"].items():
        page.goto(
            f"/admin/{request._meta.app_label}/{request._meta.model_name}/{request.pk}/change/"
        )
        links = page.locator("a[href*='/decide/']")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        if key.endswith("in-review"):
            assert hrefs, key
        english |= walk(
            page, [(f"admin-{key}-{h.rstrip('/').rsplit('/', 1)[-1]}", h) for h in hrefs], language
        )
    assert english == {}, pformat(english)


def french_visitor(new_page, live_server) -> Page:
    """A visitor who picked Français in the footer (a link that can't be read has no
    language of its own: its problem page is in the visitor's)."""
    page = new_page()
    page.goto(f"{live_server.url}/reseller-relationship/not-a-real-token/")
    choose_french(page)
    return page


def public_check(page: Page, name: str, english: dict) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    found = english_words(page)
    if found:
        english[name] = found
    check_page(page, f"fr-{name}")


def on_live_server(link: str, live_server) -> str:
    return f"{live_server.url}{urlsplit(link).path}"


def test_public_link_pages_in_french_pass_axe(new_page, live_server):
    organization = OrganizationFactory(legal_name=PARTNER_NAME)
    ResellerQualificationFactory(organization=organization)
    agent = agent_of(organization, Membership.Role.ADMIN_AGENT, language="fr")
    customer_of(
        OrganizationFactory(legal_name="Litware Federal Inc"),
        gcc=True,
        company_name=CUSTOMER_NAME,
        primary_domain="springfield.gov",
    )
    invitation, revoked, expired = (invitation_sent(organization, agent) for _ in range(3))
    assert invitation.language == "fr"
    invitation_services.invitation_revoke(
        invitation_id=revoked.pk, organization=organization, actor=agent
    )
    ResellerInvitation.objects.filter(pk=expired.pk).update(expires_at=expired.created_at)
    english = {}

    # -- The customer opens the French request in an English browser: French pages ----------
    customer = new_page()
    link = on_live_server(invitation_services.invitation_link(invitation), live_server)
    customer.goto(link)
    public_check(customer, "public-invitation-accept", english)
    customer.locator("main form [type=submit]").click()  # nothing filled in: the errors
    expect(customer.locator("#id_company_name")).to_have_attribute("aria-invalid", "true")
    public_check(customer, "public-invitation-accept-errors", english)
    customer.locator("#id_company_name").fill(CUSTOMER_NAME)
    customer.locator("#id_primary_domain").fill("springfield.gov")
    customer.locator("#id_accepted_by_name").fill("Robin Clerk")
    customer.locator("#id_accepted_by_email").fill("robin.clerk@springfield.gov")
    customer.locator("main form [type=submit]").click()
    expect(customer.locator("#id_company_name")).to_have_count(0)
    public_check(customer, "public-invitation-check-email", english)
    (message,) = [m for m in mail.outbox if m.to == ["robin.clerk@springfield.gov"]]
    confirm = next(w for w in message.body.split() if "/reseller-relationship/confirm/" in w)
    customer.goto(on_live_server(confirm, live_server))
    public_check(customer, "public-invitation-confirm", english)
    customer.locator("main form [type=submit]").click()
    expect(customer.locator("#invitation-result")).to_be_visible()
    public_check(customer, "public-invitation-accepted", english)

    # -- The link-problem pages, for a visitor whose browser asks for French ----------------
    visitor = french_visitor(new_page, live_server)
    for name, target, status in (
        ("used", link, 410),
        ("revoked", invitation_services.invitation_link(revoked), 410),
        ("expired", invitation_services.invitation_link(expired), 410),
        ("invalid", "/reseller-relationship/not-a-real-token/", 404),
    ):
        response = visitor.goto(on_live_server(target, live_server))
        assert response is not None and response.status == status, name
        public_check(visitor, f"public-invitation-link-{name}", english)

    # -- A customer contact answers a French reviewer's question ----------------------------
    reviewer = ReviewerFactory()
    validation = customer_validation_services.customer_validation_submit(
        organization=organization,
        submitted_by=agent,
        **customer_validation_answers(organization),
    )
    assert validation.contact_language == "fr"
    review_start(model=CustomerValidationRequest, request_id=validation.pk, reviewer=reviewer)
    validation = customer_validation_services.customer_validation_request_info(
        request_id=validation.pk, reviewer=reviewer, message="Envoyez l'arrêté municipal."
    )
    answer_link = info_link_path(request_id=validation.pk, nonce=validation.info_link_nonce)
    contact = new_page()
    contact.goto(answer_link)
    public_check(contact, "public-info-answer", english)
    contact.locator("main form [type=submit]").click()
    expect(contact.locator("#id_response")).to_have_attribute("aria-invalid", "true")
    public_check(contact, "public-info-answer-error", english)
    contact.locator("#id_response").fill("Arrêté 2019-14.")
    contact.locator("main form [type=submit]").click()
    expect(contact.locator("#answer-sent")).to_be_visible()
    public_check(contact, "public-info-answer-sent", english)

    for name, target, status in (
        ("used", answer_link, 410),
        ("invalid", "/customer-information/not-a-real-token/", 404),
    ):
        response = visitor.goto(target)
        assert response is not None and response.status == status, name
        public_check(visitor, f"public-info-link-{name}", english)
    assert english == {}, pformat(english)


def test_inline_tables_have_named_headers_for_a_superuser_too(new_page):
    """Who may change and delete sees the inline tables' other columns ("Delete?", a new
    row's form): the organization's memberships, the customer's relationships. Their
    table headers pass axe's table rules (the rest of these editing pages is not the
    reviewers', and not checked here)."""
    superuser = ReviewerFactory(is_superuser=True)
    organization = OrganizationFactory(legal_name=PARTNER_NAME)
    ResellerQualificationFactory(organization=organization)
    agent_of(organization, Membership.Role.ADMIN_AGENT, first_name="Avery", last_name="Admin")
    customer = customer_of(organization, gcc=True, company_name=CUSTOMER_NAME)
    page = new_page()
    admin_sign_in(page, superuser)

    page.goto(f"/admin/partners/organization/{organization.pk}/change/")
    memberships = page.locator("#memberships-group table")
    expect(memberships.locator("thead th").last).to_have_text("Delete?")
    # each row as many cells as the header (the new row's template included)
    header_cells = memberships.locator("thead tr").first.locator("th, td").count()
    for row in memberships.locator("tbody tr.form-row").all():
        assert row.locator(":scope > td").count() == header_cells
    screenshot(page, "superuser-admin-organization")
    assert_table_headers_named(page)
    page.goto(f"/admin/customers/customer/{customer.pk}/change/")
    expect(page.locator("#relationships-group table tbody tr.has_original")).to_have_count(1)
    screenshot(page, "superuser-admin-customer")
    assert_table_headers_named(page)


TABLE_RULES = ["empty-table-header", "th-has-data-cells", "td-headers-attr", "table-duplicate-name"]


def assert_table_headers_named(page: Page) -> None:
    results = Axe().run(
        page,
        context=".inline-group",
        options={"runOnly": {"type": "rule", "values": TABLE_RULES}},
    )
    assert results.violations_count == 0, results.generate_report()
