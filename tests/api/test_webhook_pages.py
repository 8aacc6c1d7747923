"""The Admin agent's webhook pages: who may use them, what bad input is told, the secret
shown once, another organization's IDs, the delivery log's queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import webhook_services
from partners.models import Membership
from reviews.models import AuditEvent
from tests.factories import OrganizationFactory
from tests.helpers import agent_of, reload
from tests.html import alert_texts, attr, element, elements, error_of, has_attr, page_text
from tests.html import text as text_of
from webhooks.events import EventType
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_event_emit

pytestmark = pytest.mark.django_db

WEBHOOKS = "/organization/webhooks/"
ADMIN_ONLY = "Only your organization&#x27;s Admin agent can manage webhooks."


@pytest.fixture
def admin(partner):
    return partner.memberships.get(role=Membership.Role.ADMIN_AGENT).user


@pytest.fixture
def signed_in(client, admin):
    client.force_login(admin)
    return client


def endpoint_of(organization, url="https://hooks.contoso.example/gcc", events=None):
    admin = organization.memberships.filter(role=Membership.Role.ADMIN_AGENT).first()
    actor = admin.user if admin else agent_of(organization, Membership.Role.ADMIN_AGENT)
    return webhook_services.webhook_endpoint_register(
        organization=organization,
        actor=actor,
        url=url,
        description="Billing sync",
        event_types=events or [EventType.ORDER_STATUS_CHANGED],
    ).endpoint


def deliveries_for(organization, count: int) -> None:
    for n in range(count):
        webhook_event_emit(
            organization_ids=[organization.pk],
            event_type=EventType.ORDER_STATUS_CHANGED,
            data={"orderId": str(n)},
            dedupe_key=f"order:{n}",
        )


@pytest.mark.parametrize("role", [Membership.Role.SALES_AGENT, Membership.Role.HELPDESK_AGENT])
def test_only_the_admin_agent_manages_webhooks(client, partner, role):
    endpoint = endpoint_of(partner)
    client.force_login(agent_of(partner, role))
    for path in [WEBHOOKS, f"{WEBHOOKS}add/", f"{WEBHOOKS}{endpoint.pk}/"]:
        response = client.get(path)
        assert response.status_code == 403
        assert ADMIN_ONLY in response.content.decode()
    response = client.post(f"{WEBHOOKS}{endpoint.pk}/disable/")
    assert response.status_code == 403
    assert reload(endpoint).is_active


def test_the_empty_list_says_what_webhooks_are_and_offers_to_add_one(signed_in):
    response = signed_in.get(WEBHOOKS)
    assert response.status_code == 200
    assert "No endpoint yet." in page_text(response)
    assert f'href="{WEBHOOKS}add/"' in response.content.decode()


def test_bad_input_is_told_next_to_each_field_and_kept(signed_in, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    response = signed_in.post(
        f"{WEBHOOKS}add/", {"url": "http://hooks.contoso.example/gcc", "description": "Sync"}
    )
    assert response.status_code == 400
    assert error_of(response, "event_types") == "Choose at least one of the events offered."
    response = signed_in.post(
        f"{WEBHOOKS}add/",
        {
            "url": "http://hooks.contoso.example/gcc",
            "description": "Sync",
            "event_types": [EventType.ORDER_STATUS_CHANGED],
        },
    )
    assert response.status_code == 400
    assert error_of(response, "url") == "The URL must start with https://."
    form = response.content.decode()
    assert 'value="http://hooks.contoso.example/gcc"' in form
    assert 'value="Sync"' in form
    checked = [
        attr(box, "value")
        for box in elements(response, tag="input")
        if attr(box, "name") == "event_types" and has_attr(box, "checked")
    ]
    assert checked == [EventType.ORDER_STATUS_CHANGED]
    assert not WebhookEndpoint.objects.exists()


def test_an_unknown_event_is_refused(signed_in):
    response = signed_in.post(
        f"{WEBHOOKS}add/",
        {"url": "https://hooks.contoso.example/gcc", "event_types": ["customer.deleted"]},
    )
    assert response.status_code == 400
    assert "Select a valid choice." in error_of(response, "event_types")


def test_the_secret_is_shown_once_after_adding(signed_in, partner):
    response = signed_in.post(
        f"{WEBHOOKS}add/",
        {
            "url": "https://hooks.contoso.example/gcc",
            "description": "Billing sync",
            "event_types": [EventType.ORDER_STATUS_CHANGED, EventType.INVITATION_ACCEPTED],
        },
        follow=True,
    )
    endpoint = WebhookEndpoint.objects.get(organization=partner)
    assert response.redirect_chain == [(f"{WEBHOOKS}{endpoint.pk}/", 302)]
    assert endpoint.event_types == [EventType.INVITATION_ACCEPTED, EventType.ORDER_STATUS_CHANGED]
    assert attr(element(response, id="secret-value"), "value") == endpoint.secret
    assert endpoint.secret.startswith("whsec_")
    again = signed_in.get(f"{WEBHOOKS}{endpoint.pk}/")
    assert endpoint.secret not in again.content.decode()
    assert AuditEvent.objects.filter(action="webhook_endpoint_registered").count() == 1


def test_the_same_url_twice_is_refused(signed_in, partner):
    endpoint_of(partner)
    response = signed_in.post(
        f"{WEBHOOKS}add/",
        {
            "url": "https://hooks.contoso.example/gcc",
            "event_types": [EventType.ORDER_STATUS_CHANGED],
        },
    )
    assert error_of(response, "url") == (
        "This URL is registered already; change that endpoint instead."
    )


def test_at_most_ten_endpoints(signed_in, partner):
    for n in range(webhook_services.MAX_ENDPOINTS):
        endpoint_of(partner, url=f"https://hooks.contoso.example/{n}")
    listing = signed_in.get(WEBHOOKS)
    assert f'href="{WEBHOOKS}add/"' not in listing.content.decode()
    response = signed_in.post(
        f"{WEBHOOKS}add/",
        {
            "url": "https://hooks.contoso.example/11",
            "event_types": [EventType.ORDER_STATUS_CHANGED],
        },
    )
    assert response.status_code == 400
    assert "Your organization has 10 endpoints, the most it can have; delete one first." in (
        page_text(response)
    )


def test_rotating_asks_first_then_shows_the_new_secret_once(signed_in, partner):
    endpoint = endpoint_of(partner)
    old = endpoint.secret
    confirm = signed_in.get(f"{WEBHOOKS}{endpoint.pk}/rotate-secret/")
    assert "For the next 24 hours, each event is signed with both" in page_text(confirm)
    assert reload(endpoint).secret == old
    response = signed_in.post(f"{WEBHOOKS}{endpoint.pk}/rotate-secret/", follow=True)
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.previous_secret == old
    assert attr(element(response, id="secret-value"), "value") == endpoint.secret
    assert "A new signing secret was made." in alert_texts(response)[0]


def test_edit_disable_enable_and_delete(signed_in, partner):
    endpoint = endpoint_of(partner)
    response = signed_in.post(
        f"{WEBHOOKS}{endpoint.pk}/edit/",
        {
            "url": "https://hooks.contoso.example/v2",
            "description": "",
            "event_types": [EventType.CUSTOMER_VALIDATION_STATUS_CHANGED],
        },
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_types) == (
        "https://hooks.contoso.example/v2",
        [EventType.CUSTOMER_VALIDATION_STATUS_CHANGED],
    )
    signed_in.post(f"{WEBHOOKS}{endpoint.pk}/disable/")
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_reason_text.startswith("Disabled by ")
    page = signed_in.get(f"{WEBHOOKS}{endpoint.pk}/")
    assert "Nothing is sent to it" in page_text(page)
    signed_in.post(f"{WEBHOOKS}{endpoint.pk}/enable/")
    assert reload(endpoint).is_active
    confirm = signed_in.get(f"{WEBHOOKS}{endpoint.pk}/delete/")
    assert "This can't be undone" in page_text(confirm)
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    signed_in.post(f"{WEBHOOKS}{endpoint.pk}/delete/")
    assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert list(AuditEvent.objects.filter(organization=partner).values_list("action", flat=True))[
        -5:
    ] == [
        "webhook_endpoint_registered",
        "webhook_endpoint_changed",
        "webhook_endpoint_disabled",
        "webhook_endpoint_enabled",
        "webhook_endpoint_deleted",
    ]


def test_another_organizations_endpoint_is_not_found_by_guessing_ids(signed_in, partner):
    other = OrganizationFactory()
    theirs = endpoint_of(other, url="https://hooks.other.example/in")
    deliveries_for(other, 1)
    delivery = WebhookDelivery.objects.get(endpoint=theirs)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed")
    base = f"{WEBHOOKS}{theirs.pk}/"
    for path in [base, f"{base}edit/", f"{base}rotate-secret/", f"{base}delete/"]:
        assert signed_in.get(path).status_code == 404, path
    for path in [
        f"{base}edit/",
        f"{base}rotate-secret/",
        f"{base}disable/",
        f"{base}enable/",
        f"{base}delete/",
    ]:
        assert signed_in.post(path, {"url": "https://evil.example/"}).status_code == 404, path
    assert signed_in.get(f"{base}deliveries/{delivery.pk}/").status_code == 404
    assert signed_in.post(f"{base}deliveries/{delivery.pk}/redeliver/").status_code == 404
    # Their delivery under one of our endpoints' IDs: not found either.
    ours = endpoint_of(partner)
    assert signed_in.get(f"{WEBHOOKS}{ours.pk}/deliveries/{delivery.pk}/").status_code == 404
    assert (
        signed_in.post(f"{WEBHOOKS}{ours.pk}/deliveries/{delivery.pk}/redeliver/").status_code
        == 404
    )
    theirs_now = reload(theirs)
    assert (theirs_now.url, theirs_now.secret, theirs_now.is_active) == (
        theirs.url,
        theirs.secret,
        True,
    )
    assert reload(delivery).status == "failed"


def test_the_delivery_log_shows_each_delivery_and_redelivers_one(signed_in, partner):
    endpoint = endpoint_of(partner)
    deliveries_for(partner, 2)
    first = WebhookDelivery.objects.order_by("pk").first()
    WebhookDelivery.objects.filter(pk=first.pk).update(
        status="failed", attempts=8, last_status_code=500, last_error="http_status:500"
    )
    page = signed_in.get(f"{WEBHOOKS}{endpoint.pk}/")
    text = page_text(page)
    assert "8 attempts · last answer 500 · The endpoint answered 500." in text
    assert text_of(element(page, id="delivery-log")).count("Order: status changed") == 2
    response = signed_in.post(
        f"{WEBHOOKS}{endpoint.pk}/deliveries/{first.pk}/redeliver/", follow=True
    )
    assert (
        f"{first.message.event_id} is being sent again, with the same webhook-id."
        in (alert_texts(response)[0])
    )
    first.refresh_from_db()
    assert (first.status, first.attempts) == ("pending", 0)
    detail = signed_in.get(f"{WEBHOOKS}{endpoint.pk}/deliveries/{first.pk}/")
    assert '"orderId": "0"' in detail.content.decode().replace("&quot;", '"')


def test_the_endpoint_page_runs_the_same_queries_for_2_and_20_deliveries(signed_in, partner):
    endpoint = endpoint_of(partner)

    def queries_with(count: int) -> int:
        WebhookDelivery.objects.all().delete()
        deliveries_for(partner, count)
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get(f"{WEBHOOKS}{endpoint.pk}/").status_code == 200
        return len(queries)

    assert queries_with(2) == queries_with(20)


def test_the_list_runs_the_same_queries_for_1_and_9_endpoints(signed_in, partner):
    def queries_with(count: int) -> int:
        WebhookEndpoint.objects.all().delete()
        for n in range(count):
            endpoint_of(partner, url=f"https://hooks.contoso.example/{n}")
        with CaptureQueriesContext(connection) as queries:
            assert signed_in.get(WEBHOOKS).status_code == 200
        return len(queries)

    assert queries_with(1) == queries_with(9)


def test_a_problem_recorded_by_the_worker_is_told_in_the_readers_language(
    signed_in, partner, admin
):
    endpoint = endpoint_of(partner)
    deliveries_for(partner, 1)
    WebhookDelivery.objects.update(
        status="failed", last_status_code=500, last_error="http_status:500"
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False, disabled_reason="disabled_after_failures:20"
    )
    admin.language = "fr"
    admin.save(update_fields=["language"])
    text = page_text(signed_in.get(f"{WEBHOOKS}{endpoint.pk}/"))
    assert "Le point de terminaison a répondu 500." in text
    assert "Désactivé après 20 tentatives échouées d\u2019affilée." in text
