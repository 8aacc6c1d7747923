"""Where webhooks may go. In production: HTTPS on public addresses only, checked when the
endpoint is registered and at every call, connected to the address checked (no second
lookup), no redirects."""

import socket

import pytest
from django.core.exceptions import ValidationError

from api import webhook_services
from partners.models import Membership
from tests.helpers import agent_of
from webhooks import targets
from webhooks.events import EventType
from webhooks.services import webhook_delivery_send, webhook_event_emit

REFUSED_PRIVATE = "The URL must be on a public address, not a private or loopback one."


@pytest.fixture
def production_rules(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False


def resolving(monkeypatch, answers: dict[str, str]):
    """Name resolution as a DNS server would answer: `answers` maps host names to addresses;
    the real lookup for the rest."""
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in answers:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(targets.socket, "getaddrinfo", fake)


def registered_for_orders(organization, url: str):
    """An endpoint of `organization` at `url` for order events, and one order event for it."""
    registered = webhook_services.webhook_endpoint_register(
        organization=organization,
        actor=agent_of(organization, Membership.Role.ADMIN_AGENT),
        url=url,
        description="",
        event_types=[EventType.ORDER_STATUS_CHANGED],
    )
    return registered.endpoint


def order_event(organization) -> None:
    webhook_event_emit(
        organization_ids=[organization.pk],
        event_type=EventType.ORDER_STATUS_CHANGED,
        data={"orderId": "1"},
        dedupe_key="order:1",
    )


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://hooks.example.com/in", "The URL must start with https://."),
        ("ftp://hooks.example.com/in", "The URL must start with https://."),
        ("https://127.0.0.1/in", REFUSED_PRIVATE),
        ("https://10.1.2.3/in", REFUSED_PRIVATE),
        ("https://192.168.0.10/in", REFUSED_PRIVATE),
        ("https://169.254.169.254/latest/meta-data/", REFUSED_PRIVATE),
        ("https://100.64.0.1/in", REFUSED_PRIVATE),
        ("https://[::1]/in", REFUSED_PRIVATE),
        ("https://[::ffff:127.0.0.1]/in", REFUSED_PRIVATE),
        ("https://[fd00::1]/in", REFUSED_PRIVATE),
        ("https://localhost/in", REFUSED_PRIVATE),
        ("https://metadata.google.internal/in", REFUSED_PRIVATE),
        (
            "https://user:pw@hooks.example.com/in",
            "Leave user names and passwords out of the URL; verify the signature instead.",
        ),
        ("https://hooks.example.com:99999/in", "Enter a valid URL."),
        ("https:///in", "Enter a valid URL."),
        ("https://hooks.example.com/in", None),
        ("https://203.0.113.7:8443/in", REFUSED_PRIVATE),  # documentation range: not global
        ("https://8.8.8.8/in", None),
    ],
)
def test_production_url_rules(production_rules, url, problem):
    assert targets.url_problem(url) == problem


def test_registering_a_private_url_is_refused_next_to_the_field(db, production_rules, organization):
    admin = agent_of(organization, Membership.Role.ADMIN_AGENT)
    with pytest.raises(ValidationError) as refused:
        webhook_services.webhook_endpoint_register(
            organization=organization,
            actor=admin,
            url="https://169.254.169.254/latest/meta-data/",
            description="",
            event_types=[EventType.ORDER_STATUS_CHANGED],
        )
    assert refused.value.message_dict == {"url": [REFUSED_PRIVATE]}


def test_a_name_that_resolves_to_a_private_address_is_not_called(
    db, settings, organization, webhook_receiver, monkeypatch
):
    """DNS rebinding: registered while the name pointed somewhere public, it now points to
    the metadata service. The call is refused after the lookup, before any connection."""
    resolving(monkeypatch, {"hooks.example.com": "8.8.8.8"})
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    endpoint = registered_for_orders(organization, "https://hooks.example.com/in")
    resolving(monkeypatch, {"hooks.example.com": "169.254.169.254"})
    order_event(organization)
    delivery = endpoint.deliveries.get()
    assert webhook_delivery_send(delivery_id=delivery.pk).value == "retry"
    delivery.refresh_from_db()
    assert delivery.error_text == (
        "The host resolves to a private or loopback address; nothing was sent."
    )
    assert delivery.last_status_code is None


def test_the_call_goes_to_the_address_looked_up_with_the_registered_host_name(
    db, organization, webhook_receiver, monkeypatch
):
    """One lookup per call, and the connection goes to its answer: the receiver on loopback
    gets the POST for "hooks.example.com", with that Host header."""
    resolving(monkeypatch, {"hooks.example.com": "127.0.0.1"})
    endpoint = registered_for_orders(
        organization, f"http://hooks.example.com:{webhook_receiver.port}/in?source=gcc"
    )
    order_event(organization)
    delivery = endpoint.deliveries.get()
    assert webhook_delivery_send(delivery_id=delivery.pk).value == "delivered"
    [got] = webhook_receiver.received
    assert got.headers["Host"] == f"hooks.example.com:{webhook_receiver.port}"
    assert got.path == "/in?source=gcc"


def test_the_deployment_check_warns_when_private_targets_are_allowed(settings):
    from webhooks.checks import private_targets_refused

    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    assert [w.id for w in private_targets_refused()] == ["webhooks.W001"]
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    assert private_targets_refused() == []
