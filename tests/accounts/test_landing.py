"""Where each kind of account lands after sign-in, and what `/` does for reviewers."""

import pytest
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from tests.mfa import authenticator_of, totp_code

pytestmark = pytest.mark.django_db


def sign_in(client, user, **data):
    """The password, then for a reviewer the code step (tests/accounts/test_mfa.py tests it):
    the response that lands."""
    response = client.post(
        reverse("login"), {"username": user.email, "password": TEST_PASSWORD, **data}
    )
    if user.is_staff:
        assert response.url.startswith(reverse("accounts:mfa_verify"))
        response = client.post(response.url, {"code": totp_code(authenticator_of(user))})
    return response


def test_a_reviewer_lands_on_the_admin_after_the_code(client, reviewer):
    response = sign_in(client, reviewer)

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_a_partner_member_lands_on_the_dashboard(client, sales_agent):
    response = sign_in(client, sales_agent)

    assert response.url == reverse("partners:dashboard")


def test_a_safe_next_wins(client, reviewer):
    target = reverse("admin:notifications_outboxmessage_changelist")

    response = sign_in(client, reviewer, next=target)

    assert response.url == target


def test_a_next_to_another_site_is_ignored(client, reviewer):
    response = sign_in(client, reviewer, next="https://evil.example/admin/")

    assert response.url == reverse("admin:index")


def test_a_signed_in_reviewer_visiting_the_sign_in_page_goes_to_the_admin(client, reviewer):
    client.force_login(reviewer)

    response = client.get(reverse("login"))

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_the_home_page_sends_a_reviewer_to_the_admin(client, reviewer):
    client.force_login(reviewer)

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_the_home_page_is_the_dashboard_for_a_partner_member(client, admin_agent):
    client.force_login(admin_agent)

    assert client.get("/").status_code == 200


def test_the_home_page_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
