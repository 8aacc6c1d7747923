"""A session yet to pass a second factor: its membership read before the second-factor check,
which takes the user's verification status from that same query (partners/middleware.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.mfa import MFA_STATUS_ATTRIBUTE, mfa_status, mfa_status_forget
from tests.factories import TEST_PASSWORD, ReviewerFactory
from tests.mfa import PortalClient

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("partners:dashboard")


def device_reads(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "otp_totp_totpdevice" in q["sql"]]


def test_a_member_without_the_second_factor_has_one_read_for_membership_and_status(
    client, sales_agent
):
    client.force_login(sales_agent)  # no app, not required: a session never verified
    client.get(DASHBOARD)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(DASHBOARD).status_code == 200

    [read] = device_reads(queries)
    assert 'FROM "partners_membership"' in read, read
    assert sum('FROM "partners_membership"' in q["sql"] for q in queries.captured_queries) == 1


@pytest.mark.parametrize(
    ("required", "app", "step"),
    [(True, False, "accounts:mfa_setup"), (False, True, "accounts:mfa_verify")],
)
def test_the_status_read_with_the_membership_still_sends_to_the_step(
    sales_agent, organization, required, app, step
):
    organization.mfa_required = required
    organization.save()
    if app:
        TOTPDevice.objects.create(user=sales_agent, name="app", confirmed=True)
    client = PortalClient()
    # Signed in with the password only: the session has not passed the second factor.
    client.post(reverse("login"), {"username": sales_agent.email, "password": TEST_PASSWORD})

    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response.url.startswith(reverse(step))


def test_a_reviewer_without_membership_is_checked_by_the_status_query(db):
    reviewer = ReviewerFactory(authenticator=False)
    client = PortalClient()
    client.post(reverse("login"), {"username": reviewer.email, "password": TEST_PASSWORD})

    response = client.get(reverse("admin:index"))

    assert response.url.startswith(reverse("accounts:mfa_setup"))


def test_a_status_left_on_the_user_is_used_until_forgotten(sales_agent):
    setattr(sales_agent, MFA_STATUS_ATTRIBUTE, (True, True))
    with CaptureQueriesContext(connection) as queries:
        assert mfa_status(sales_agent) == (True, True)
    assert len(queries) == 0

    mfa_status_forget(sales_agent)
    mfa_status_forget(sales_agent)  # twice: nothing to forget

    assert mfa_status(sales_agent) == (False, False)
