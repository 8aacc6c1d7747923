"""Password reset (through the outbox, single-use link, no user enumeration) and change."""

import re

import pytest
from django.urls import reverse

from notifications.models import OutboxMessage
from tests.factories import TEST_PASSWORD
from tests.html import page_text

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-2026"
RESET_TEMPLATE = "emails/accounts/password_reset"


def reset_emails():
    return OutboxMessage.objects.filter(template=RESET_TEMPLATE)


def ask_reset(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def reset_link(message: OutboxMessage) -> str:
    (link,) = re.findall(r"https?://\S+", message.body_text)
    return link


def test_the_sign_in_page_links_to_the_password_reset(client):
    response = client.get(reverse("login"))

    assert f'href="{reverse("password_reset")}"' in response.content.decode()
    assert "Forgot your password?" in page_text(response)


def test_the_reset_link_goes_through_the_outbox_to_the_portal_address(
    client, admin_agent, settings
):
    # A forged Host must not end up in the emailed link.
    response = ask_reset(client, admin_agent.email.upper(), HTTP_HOST="evil.example")

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    (message,) = reset_emails()
    assert message.to_email == admin_agent.email
    assert reset_link(message).startswith(f"{settings.PORTAL_BASE_URL}/accounts/password/reset/")
    assert "evil.example" not in message.body_text


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, admin_agent):
    known = ask_reset(client, admin_agent.email)
    unknown = ask_reset(client, "nobody@example.gov")

    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert reset_emails().count() == 1
    assert page_text(client.get(unknown.url)) == page_text(client.get(known.url))


def test_the_link_sets_a_new_password_once(client, admin_agent):
    ask_reset(client, admin_agent.email)
    link = reset_link(reset_emails().get())

    # The link leads to the form (Django moves the token into the session first)
    form_page = client.get(link, follow=True)
    assert "Set a new password" in page_text(form_page)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")
    admin_agent.refresh_from_db()
    assert admin_agent.check_password(NEW_PASSWORD)

    # Then the same link no longer works
    again = client.get(link, follow=True)
    assert "This link no longer works" in page_text(again)
    assert "new_password1" not in again.content.decode()


def test_the_new_password_must_follow_the_rules_shown_on_the_form(client, admin_agent):
    ask_reset(client, admin_agent.email)
    form_page = client.get(reset_link(reset_emails().get()), follow=True)
    rules = page_text(form_page)
    assert "at least 12 characters" in rules
    assert "commonly used password" in rules

    for weak in ["short-pass1", "password1234"]:
        response = client.post(
            form_page.redirect_chain[-1][0], {"new_password1": weak, "new_password2": weak}
        )
        assert response.status_code == 200
    admin_agent.refresh_from_db()
    assert admin_agent.check_password(TEST_PASSWORD)


def test_signed_in_navigation_links_to_change_password(client, admin_agent):
    client.force_login(admin_agent)

    response = client.get(reverse("partners:dashboard"))

    assert f'href="{reverse("password_change")}"' in response.content.decode()


def test_change_password_needs_the_current_one_and_keeps_the_session(client, admin_agent):
    client.force_login(admin_agent)
    url = reverse("password_change")
    assert "at least 12 characters" in page_text(client.get(url))

    wrong = client.post(
        url,
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    weak = client.post(
        url, {"old_password": TEST_PASSWORD, "new_password1": "abc", "new_password2": "abc"}
    )
    assert weak.status_code == 200

    response = client.post(
        url,
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.url == reverse("password_change_done")
    admin_agent.refresh_from_db()
    assert admin_agent.check_password(NEW_PASSWORD)
    assert client.get(reverse("partners:dashboard")).status_code == 200


def test_change_password_asks_to_sign_in_first(client):
    response = client.get(reverse("password_change"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# -- rate limits: anyone may ask, and each asking sends an email ----------------------------


def test_resets_asked_for_one_address_are_limited_whoever_asks(client, admin_agent, settings):
    # Given at most 2 resets an hour per address (and plenty per client address)
    settings.PUBLIC_EMAIL_RATE_PER_LINK = "2/h"
    settings.PUBLIC_EMAIL_RATE_PER_IP = "50/h"

    # When the same address is asked for 3 times, from 3 client addresses, however written
    answers = [
        ask_reset(client, email, REMOTE_ADDR=address).status_code
        for email, address in (
            (admin_agent.email, "198.51.100.1"),
            (admin_agent.email.upper(), "198.51.100.2"),
            (f" {admin_agent.email} ", "198.51.100.3"),
        )
    ]

    # Then the third is refused with the try-again page; two emails left, not three
    assert answers == [302, 302, 429]
    assert reset_emails().count() == 2


def test_resets_asked_from_one_client_address_are_limited_whatever_the_address(client, settings):
    # Given at most 3 resets an hour per client address
    settings.PUBLIC_EMAIL_RATE_PER_LINK = "50/h"
    settings.PUBLIC_EMAIL_RATE_PER_IP = "3/h"

    # When one client asks for 4 different addresses
    answers = [
        ask_reset(client, f"someone{n}@partner.example", REMOTE_ADDR="198.51.100.9").status_code
        for n in range(4)
    ]

    # Then the fourth is told to try again later, in minutes
    assert answers[:3] == [302, 302, 302]
    assert answers[3] == 429
    limited = ask_reset(client, "other@partner.example", REMOTE_ADDR="198.51.100.9")
    assert "Try again in" in page_text(limited)
