"""Sign-in lockout: per username from any address, per client address for any usernames,
the client address from a trusted proxy only, the 429 page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD
from tests.html import element, page_text

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
OTHER = "198.51.100.20"
PROXY = "10.0.0.5"
WRONG = "not-the-password"


def sign_in(client, username, password=WRONG, **meta):
    meta.setdefault("REMOTE_ADDR", ATTACKER)
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def test_a_username_is_locked_after_its_limit_whatever_the_address(client, admin_agent, settings):
    # Given the username's limit of failures, each from a different address
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, admin_agent.email, REMOTE_ADDR=f"192.0.2.{number + 1}")

    # When the right password comes from yet another address
    response = sign_in(client, admin_agent.email, TEST_PASSWORD, REMOTE_ADDR=OTHER)

    # Then the account stays locked
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_address_is_locked_after_its_limit_over_many_usernames(client, admin_agent, settings):
    # Given fewer failures per username than its limit, over enough usernames to reach the
    # address's limit (the old per (username, address) lockout never stopped this)
    per_username = settings.AXES_FAILURE_LIMIT - 1
    usernames = -(-settings.AXES_IP_FAILURE_LIMIT // per_username)
    for number in range(usernames):
        for _ in range(per_username):
            sign_in(client, f"guess{number}@example.gov")

    # Then that address can't sign in to any account, even with its right password
    assert sign_in(client, admin_agent.email, TEST_PASSWORD).status_code == 429
    # While the same account signs in from another address
    assert sign_in(client, admin_agent.email, TEST_PASSWORD, REMOTE_ADDR=OTHER).status_code == 302


def test_the_address_limit_is_its_own(client, admin_agent, settings):
    settings.AXES_IP_FAILURE_LIMIT = 3
    for number in range(2):
        sign_in(client, f"guess{number}@example.gov")
    # One failure short of the address's limit: still allowed.
    assert sign_in(client, admin_agent.email, TEST_PASSWORD).status_code == 302

    client.logout()
    sign_in(client, "guess9@example.gov")
    assert sign_in(client, admin_agent.email, TEST_PASSWORD).status_code == 429


def test_signing_in_to_ones_own_account_does_not_clear_the_address_failures(
    client, admin_agent, other_admin_agent, settings
):
    # Given an attacker with an account of their own, one failure short of the address limit
    for number in range(settings.AXES_IP_FAILURE_LIMIT - 1):
        sign_in(client, f"guess{number % 10}@example.gov")
    assert sign_in(client, other_admin_agent.email, TEST_PASSWORD).status_code == 302
    client.logout()

    # When guessing once more
    sign_in(client, "guess0@example.gov")

    # Then the address is locked out
    assert sign_in(client, other_admin_agent.email, TEST_PASSWORD).status_code == 429


def test_the_username_counts_the_same_whatever_its_case(client, admin_agent, settings):
    spellings = [admin_agent.email.upper(), admin_agent.email, admin_agent.email.title()]
    for number in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, spellings[number % len(spellings)], REMOTE_ADDR=f"192.0.2.{number + 1}")

    assert sign_in(client, admin_agent.email, TEST_PASSWORD, REMOTE_ADDR=OTHER).status_code == 429


def test_the_lockout_ends_after_the_cool_off(client, admin_agent, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, admin_agent.email)
        assert sign_in(client, admin_agent.email, TEST_PASSWORD).status_code == 429

        # Each attempt while locked starts the wait again: from the last one
        traveller.shift(dt.timedelta(hours=settings.AXES_COOLOFF_TIME, seconds=1))

        assert sign_in(client, admin_agent.email, TEST_PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_each_forwarded_client_counts_on_its_own(
    client, admin_agent, settings
):
    settings.TRUSTED_PROXY_IPS = [PROXY]
    for number in range(settings.AXES_IP_FAILURE_LIMIT):
        sign_in(
            client,
            f"guess{number}@example.gov",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=ATTACKER,
        )

    # The attacker is locked out; another client behind the same proxy is not.
    locked = sign_in(
        client, admin_agent.email, TEST_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER
    )
    assert locked.status_code == 429
    allowed = sign_in(
        client, admin_agent.email, TEST_PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OTHER
    )
    assert allowed.status_code == 302


def test_a_forged_forwarded_for_from_an_untrusted_peer_changes_nothing(
    client, admin_agent, settings
):
    settings.TRUSTED_PROXY_IPS = [PROXY]
    for number in range(settings.AXES_IP_FAILURE_LIMIT):
        sign_in(client, f"guess{number}@example.gov", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")

    response = sign_in(client, admin_agent.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR=OTHER)

    assert response.status_code == 429


def test_the_lockout_page_says_for_how_long_and_links_back_to_sign_in(
    client, admin_agent, settings
):
    settings.AXES_COOLOFF_TIME = 0.5
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, admin_agent.email)

    assert response.status_code == 429
    assert "sign-in is locked for 30 minutes after the last failed attempt" in page_text(response)
    link = element(response, tag="a", css_class="btn-primary")
    assert dict(link.attributes)["href"] == reverse("login")
    assert "Back to sign in" in page_text(response)
