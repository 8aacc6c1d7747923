import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.html import element, text

pytestmark = pytest.mark.django_db


def test_partner_signs_in_with_email_and_lands_on_the_dashboard(client, admin_agent):
    response = client.post(
        reverse("login"), {"username": admin_agent.email, "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("partners:dashboard")


def test_wrong_password_shows_a_message_and_keeps_the_email(client, admin_agent):
    response = client.post(reverse("login"), {"username": admin_agent.email, "password": "nope"})

    assert response.status_code == 200
    body = response.content.decode()
    assert text(element(response, id="form-errors")) == (
        "Enter a correct email address and password; the password is case-sensitive."
    )
    # Django's default says both fields may be case-sensitive: the email isn't.
    assert "both fields may be case-sensitive" not in body
    assert f'value="{admin_agent.email}"' in body


def test_the_email_may_be_typed_in_any_case(client, admin_agent):
    response = client.post(
        reverse("login"), {"username": admin_agent.email.upper(), "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == reverse("partners:dashboard")


def test_repeated_failures_lock_the_account_out(client, admin_agent):
    # Given as many failed attempts as the lockout allows
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": admin_agent.email, "password": "wrong"})

    # When the right password is then given
    response = client.post(
        reverse("login"), {"username": admin_agent.email, "password": TEST_PASSWORD}
    )

    # Then sign-in stays locked
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
