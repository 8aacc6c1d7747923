"""The Admin agent's webhook pages in Chromium: from the organization profile, add an endpoint
(errors first), copy its secret (shown once), see an event arrive at a receiver on loopback
and in the delivery log, redeliver it, rotate the secret, delete the endpoint. Each page
passes axe-core, and the endpoint page fits a phone."""

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from api import webhook_services
from partners.models import Membership, PartnerValidationRequest
from reviews.services import review_start
from tests.browser.helpers import (
    PHONE,
    admin_agent_signed_in,
    assert_fits_the_width,
    check_page,
    choose_french,
    english_words,
    sign_in,
)
from tests.factories import (
    OrganizationFactory,
    PartnerValidationRequestFactory,
    ReviewerFactory,
)
from tests.helpers import agent_of, wait_for
from webhooks.events import EventType
from webhooks.models import WebhookAttempt
from webhooks.services import webhook_event_emit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_agent_adds_an_endpoint_and_follows_its_deliveries(new_page, webhook_receiver):
    organization, _admin, page = admin_agent_signed_in(new_page)

    page.goto("/organization/")
    page.get_by_role("link", name="Manage webhooks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
    expect(page.get_by_text("No endpoint yet.")).to_be_visible()
    check_page(page, "webhooks-empty")

    page.get_by_role("link", name="Add endpoint").first.click()
    page.get_by_label("Endpoint URL").fill(webhook_receiver.url)
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_text("Choose at least one of the events offered.").first).to_be_visible()
    expect(page.get_by_label("Endpoint URL")).to_have_value(webhook_receiver.url)
    check_page(page, "webhook-add-errors")

    page.get_by_label("Description").fill("Billing sync")
    page.get_by_label("Partner validation request: status changed").check()
    page.get_by_label("Order: status changed").check()
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.get_by_label("Secret").input_value()
    assert secret.startswith("whsec_")
    expect(page.get_by_text("No event sent yet.")).to_be_visible()
    check_page(page, "webhook-endpoint-new-secret")

    # A change the endpoint subscribed to: the receiver gets it, signed.
    request = PartnerValidationRequestFactory(organization=organization)
    review_start(model=PartnerValidationRequest, request_id=request.pk, reviewer=ReviewerFactory())
    wait_for(lambda: webhook_receiver.received, what="the webhook at the receiver")
    got = webhook_receiver.received[0]
    assert Webhook(secret).verify(got.body, got.headers)["data"]["status"] == "in_review"

    page.reload()
    assert secret not in page.content()
    log = page.locator("#delivery-log")
    expect(log).to_contain_text("Partner validation request: status changed")
    expect(log).to_contain_text("Delivered")
    expect(log).to_contain_text("1 attempt · last answer 200")
    check_page(page, "webhook-endpoint-log")

    log.get_by_role("link", name="Partner validation request: status changed").click()
    expect(page.get_by_text("answered 200 in")).to_be_visible()
    expect(page.locator("#payload")).to_contain_text('"status": "in_review"')
    check_page(page, "webhook-delivery")
    page.get_by_role("button", name="Redeliver").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "is being sent again, with the same webhook-id."
    )
    wait_for(lambda: len(webhook_receiver.received) == 2, what="the redelivery")
    assert webhook_receiver.received[1].headers["webhook-id"] == got.headers["webhook-id"]

    page.get_by_role("link", name="Rotate secret").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rotate the signing secret?")
    check_page(page, "webhook-rotate-confirm")
    page.get_by_role("button", name="Rotate secret").click()
    rotated = page.get_by_label("Secret").input_value()
    assert rotated.startswith("whsec_") and rotated != secret

    page.set_viewport_size(PHONE)
    assert_fits_the_width(page)
    check_page(page, "webhook-endpoint-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Delete").click()
    check_page(page, "webhook-delete-confirm")
    page.get_by_role("button", name="Delete endpoint").click()
    expect(page.get_by_role("status").first).to_contain_text("was deleted.")
    expect(page.get_by_text("No endpoint yet.")).to_be_visible()


def test_the_admin_agents_integration_pages_are_in_french_and_pass_axe(new_page):
    organization = OrganizationFactory(legal_name="Contoso Government Solutions LLC")
    admin = agent_of(organization, Membership.Role.ADMIN_AGENT, first_name="Ada")
    registered = webhook_services.webhook_endpoint_register(
        organization=organization,
        actor=admin,
        url="https://hooks.contoso.example/gcc",
        description="Synchronisation",
        event_types=list(EventType.values),
    )
    endpoint = registered.endpoint
    webhook_event_emit(
        organization_ids=[organization.pk],
        event_type=EventType.ORDER_STATUS_CHANGED,
        data={"orderId": "1"},
        dedupe_key="order:1",
    )
    delivery = endpoint.deliveries.get()
    # What the operating system said of the attempt made on commit (its own words) aside.
    WebhookAttempt.objects.filter(delivery=delivery).delete()
    delivery.status, delivery.attempts, delivery.last_error = "failed", 8, "no_answer:timeout"
    delivery.save()
    page = new_page()
    sign_in(page, admin.email)
    choose_french(page)
    base = f"/organization/webhooks/{endpoint.pk}/"
    found = {}
    for name, path in [
        ("api-clients", "/organization/api-clients/"),
        ("webhooks", "/organization/webhooks/"),
        ("webhook-add", "/organization/webhooks/add/"),
        ("webhook-endpoint", base),
        ("webhook-edit", f"{base}edit/"),
        ("webhook-delivery", f"{base}deliveries/{delivery.pk}/"),
        ("webhook-rotate", f"{base}rotate-secret/"),
        ("webhook-delete", f"{base}delete/"),
    ]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        english = english_words(page)
        if english:
            found[path] = english
        check_page(page, f"fr-{name}")
    assert found == {}, found
