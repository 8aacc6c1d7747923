"""Two-step verification (accounts/mfa.py): who must, the code after the password, the setup,
recovery codes, the organization's requirement. Every sign-in here is the real one (the
password, then the code): never the test client's force_login shortcut."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gccportal.exceptions import ActionNotAllowed
from partners.services import organization_mfa_requirement_set
from reviews.models import AuditEvent
from tests.factories import TEST_PASSWORD, ReviewerFactory
from tests.html import page_text
from tests.mfa import PortalClient, authenticator_of, totp_code

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
DASHBOARD = reverse("partners:dashboard")
VERIFY = reverse("accounts:mfa_verify")
SETUP = reverse("accounts:mfa_setup")
RECOVERY = reverse("accounts:mfa_recovery")
CODES = reverse("accounts:mfa_recovery_codes")
MFA_SETTINGS = reverse("accounts:mfa_settings")


@pytest.fixture
def client():
    # The plain client of the real flow (no second factor added by force_login).
    return PortalClient()


def password(client, user, **data):
    return client.post(
        reverse("login"), {"username": user.email, "password": TEST_PASSWORD, **data}
    )


def sign_in(client, user):
    """The password, then the app's code: the response of the code step."""
    response = password(client, user)
    assert response.url.startswith(VERIFY)
    return client.post(response.url, {"code": totp_code(authenticator_of(user))})


def enrol(client, user) -> list[str]:
    """Through the setup page (signed in with the password already): its QR code's device
    confirmed with a code; the recovery codes shown once."""
    page = client.get(SETUP)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    confirmed = client.post(SETUP, {"code": totp_code(device)})
    assert confirmed.url == CODES
    shown = client.get(CODES)
    codes = re.findall(r"<code class=\"fs-6\">([a-z0-9]+)</code>", shown.content.decode())
    assert len(codes) == 10
    return codes


def assert_sent_to(response, step: str, next_url: str | None = None) -> None:
    assert response.status_code == 302, response.status_code
    path, _, query = response.url.partition("?")
    assert path == step
    if next_url is not None:
        assert query == f"next={next_url.replace('/', '%2F')}"


# -- staff: always -----------------------------------------------------------------------------


def test_staff_without_an_app_must_set_it_up_before_any_admin_page(client):
    reviewer = ReviewerFactory(authenticator=False)

    after_password = password(client, reviewer)

    assert_sent_to(after_password, SETUP, ADMIN)
    for path in (
        ADMIN,
        reverse("admin:partners_partnervalidationrequest_changelist"),
        reverse("admin:login"),
        reverse("admin:password_change"),
        DASHBOARD,
        reverse("password_change"),
        MFA_SETTINGS,
    ):
        assert_sent_to(client.get(path), SETUP, path)
    # and nothing is posted past it either
    assert_sent_to(client.post(reverse("admin:partners_partnervalidationrequest_add")), SETUP)
    assert_sent_to(client.get(VERIFY), SETUP)


def test_staff_enrols_and_then_reaches_the_admin(client):
    reviewer = ReviewerFactory(authenticator=False)
    password(client, reviewer)

    page = client.get(SETUP)
    text = page_text(page)
    assert "Set up two-step verification" in text
    assert "Your account must use two-step verification" in text
    assert 'src="data:image/svg+xml' in page.content.decode()
    assert " style=" not in page.content.decode()  # the Content-Security-Policy allows none
    codes = enrol(client, reviewer)

    assert client.get(ADMIN).status_code == 200
    assert TOTPDevice.objects.get(user=reviewer).confirmed
    assert sorted(
        StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True)
    ) == sorted(codes)
    # shown once
    assert client.get(CODES).url == MFA_SETTINGS


def test_a_wrong_setup_code_confirms_nothing(client):
    reviewer = ReviewerFactory(authenticator=False)
    password(client, reviewer)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "000000"})

    assert response.status_code == 400
    assert "That code is not right" in page_text(response)
    assert not TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()
    assert_sent_to(client.get(ADMIN), SETUP, ADMIN)


def test_staff_with_an_app_must_enter_its_code_before_the_admin(client, reviewer):
    after_password = password(client, reviewer)

    assert_sent_to(after_password, VERIFY, ADMIN)
    assert_sent_to(client.get(ADMIN), VERIFY, ADMIN)
    assert_sent_to(client.get(reverse("admin:login")), VERIFY, reverse("admin:login"))
    assert_sent_to(client.get(SETUP), VERIFY)  # no new app without the current one's code
    page = client.get(VERIFY)
    assert "Enter the 6-digit code from your authenticator app." in page_text(page)

    verified = client.post(
        f"{VERIFY}?next={ADMIN}", {"code": totp_code(authenticator_of(reviewer))}
    )

    assert verified.url == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_the_admin_sign_in_form_leads_to_the_code_too(client, reviewer):
    response = client.post(
        reverse("admin:login") + f"?next={ADMIN}",
        {"username": reviewer.email, "password": TEST_PASSWORD, "next": ADMIN},
    )
    assert response.url == ADMIN

    assert_sent_to(client.get(ADMIN), VERIFY, ADMIN)


def test_a_wrong_code_is_refused_then_throttled(client, reviewer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    password(client, reviewer)

    wrong = client.post(VERIFY, {"code": "123456"})
    # even the right code waits out the throttle
    right_too_soon = client.post(VERIFY, {"code": totp_code(authenticator_of(reviewer))})

    assert wrong.status_code == 400
    assert "That code is not right" in page_text(wrong)
    assert right_too_soon.status_code == 400
    assert "Too many wrong codes. Wait 60 seconds, then try again." in page_text(right_too_soon)
    assert_sent_to(client.get(ADMIN), VERIFY, ADMIN)


def test_a_code_is_not_digits_is_refused_without_counting(client, reviewer):
    password(client, reviewer)

    response = client.post(VERIFY, {"code": "abc"})

    assert response.status_code == 400
    assert "Enter the 6 digits your authenticator app shows." in page_text(response)
    assert authenticator_of(reviewer).throttling_failure_count == 0


def test_a_code_works_once(client, reviewer):
    device = authenticator_of(reviewer)
    code = totp_code(device)
    password(client, reviewer)
    assert client.post(VERIFY, {"code": code}).url == ADMIN
    other = PortalClient()
    password(other, reviewer)

    replayed = other.post(VERIFY, {"code": code})

    assert replayed.status_code == 400


def test_signing_in_again_after_the_code_gives_a_new_session_key(client, reviewer):
    password(client, reviewer)
    before = client.session.session_key

    sign_in_code = client.post(VERIFY, {"code": totp_code(authenticator_of(reviewer))})

    assert sign_in_code.status_code == 302
    assert client.session.session_key != before


def test_a_session_waiting_for_its_code_may_sign_out_and_read_its_status(client, reviewer):
    password(client, reviewer)

    assert client.get(reverse("session_status")).status_code == 200
    assert client.get(reverse("password_reset")).status_code == 200
    assert client.post(reverse("logout")).url == reverse("login")
    assert "_auth_user_id" not in client.session


# -- next --------------------------------------------------------------------------------------


def test_next_is_kept_through_the_code(client, reviewer):
    target = reverse("admin:notifications_outboxmessage_changelist")

    after_password = password(client, reviewer, next=target)
    assert_sent_to(after_password, VERIFY, target)
    verified = client.post(after_password.url, {"code": totp_code(authenticator_of(reviewer))})

    assert verified.url == target


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/admin/", "//evil.example/", "javascript:alert(1)"]
)
def test_an_unsafe_next_is_ignored_at_each_step(client, reviewer, unsafe):
    after_password = password(client, reviewer, next=unsafe)
    assert after_password.url == f"{VERIFY}?next=%2Fadmin%2F"

    verified = client.post(
        f"{VERIFY}?next={unsafe}", {"code": totp_code(authenticator_of(reviewer)), "next": unsafe}
    )

    assert verified.url == ADMIN


def test_next_is_kept_through_the_setup_and_the_recovery_codes(client):
    reviewer = ReviewerFactory(authenticator=False)
    target = reverse("admin:notifications_outboxmessage_changelist")
    after_password = password(client, reviewer, next=target)
    assert_sent_to(after_password, SETUP, target)
    client.get(after_password.url)
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)

    confirmed = client.post(after_password.url, {"code": totp_code(device)})
    codes_page = client.get(confirmed.url)

    assert_sent_to(confirmed, CODES, target)
    assert f'href="{target}"' in codes_page.content.decode()


# -- recovery codes ----------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(client):
    reviewer = ReviewerFactory(authenticator=False)
    password(client, reviewer)
    codes = enrol(client, reviewer)
    client.post(reverse("logout"))

    # the phone is lost: a recovery code instead
    password(client, reviewer)
    page = client.get(RECOVERY)
    recovered = client.post(RECOVERY, {"code": codes[0].upper()})

    assert page.status_code == 200
    assert_sent_to(recovered, MFA_SETTINGS)
    settings_page = page_text(client.get(MFA_SETTINGS))
    assert "You have 9 recovery codes left." in settings_page
    assert "set up your authenticator app again now" in settings_page
    assert client.get(ADMIN).status_code == 200
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    # used: it no longer works
    client.post(reverse("logout"))
    password(client, reviewer)
    again = client.post(RECOVERY, {"code": codes[0]})
    assert again.status_code == 400
    assert "That recovery code is not right, or was already used." in page_text(again)
    assert_sent_to(client.get(ADMIN), VERIFY, ADMIN)


def test_new_recovery_codes_replace_the_old_ones(client):
    reviewer = ReviewerFactory(authenticator=False)
    password(client, reviewer)
    old = enrol(client, reviewer)

    response = client.post(reverse("accounts:mfa_recovery_codes_regenerate"))
    new = re.findall(
        r"<code class=\"fs-6\">([a-z0-9]+)</code>", client.get(response.url).content.decode()
    )

    assert len(new) == 10
    assert not set(old) & set(new)
    assert set(
        StaticToken.objects.filter(device__user=reviewer).values_list("token", flat=True)
    ) == set(new)


def test_a_new_phone_replaces_the_old_app(client):
    reviewer = ReviewerFactory(authenticator=False)
    password(client, reviewer)
    enrol(client, reviewer)
    old = TOTPDevice.objects.get(user=reviewer, confirmed=True)

    client.get(SETUP)
    new = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    client.post(SETUP, {"code": totp_code(new)})

    assert list(TOTPDevice.objects.filter(user=reviewer)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


# -- partners: when their organization requires it, or by choice -------------------------------


def test_a_partner_whose_organization_does_not_require_it_is_untouched(client, sales_agent):
    after_password = password(client, sales_agent)

    assert after_password.url == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200
    assert "Off" in page_text(client.get(MFA_SETTINGS))


def test_the_organization_requirement_makes_its_members_set_it_up(
    client, sales_agent, organization
):
    organization.mfa_required = True
    organization.save()

    after_password = password(client, sales_agent)

    assert_sent_to(after_password, SETUP, DASHBOARD)
    assert_sent_to(client.get(DASHBOARD), SETUP, DASHBOARD)
    enrol(client, sales_agent)
    assert client.get(DASHBOARD).status_code == 200


def test_an_unconfirmed_app_does_not_count(client, sales_agent):
    TOTPDevice.objects.create(user=sales_agent, name="half set up", confirmed=False)
    reviewer = ReviewerFactory(authenticator=False)
    TOTPDevice.objects.create(user=reviewer, name="half set up", confirmed=False)

    partner_lands = password(client, sales_agent)
    reviewer_client = PortalClient()
    reviewer_lands = password(reviewer_client, reviewer)

    assert partner_lands.url == DASHBOARD
    assert_sent_to(reviewer_lands, SETUP, ADMIN)


def test_a_partner_turns_it_on_then_needs_the_code_then_turns_it_off(client, sales_agent, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the wrong code below makes no wait
    password(client, sales_agent)
    enrol(client, sales_agent)
    client.post(reverse("logout"))

    assert_sent_to(password(client, sales_agent), VERIFY, DASHBOARD)
    client.post(VERIFY, {"code": totp_code(authenticator_of(sales_agent))})
    wrong = client.post(reverse("accounts:mfa_turn_off"), {"code": "000000"})
    off = client.post(
        reverse("accounts:mfa_turn_off"), {"code": totp_code(authenticator_of(sales_agent))}
    )

    assert wrong.status_code == 400
    assert off.url == MFA_SETTINGS
    assert not TOTPDevice.objects.filter(user=sales_agent).exists()
    assert not StaticToken.objects.filter(device__user=sales_agent).exists()
    client.post(reverse("logout"))
    assert password(client, sales_agent).url == DASHBOARD


def test_where_it_is_required_it_cannot_be_turned_off(client):
    reviewer = ReviewerFactory(authenticator=False)
    password(client, reviewer)
    enrol(client, reviewer)

    response = client.post(
        reverse("accounts:mfa_turn_off"), {"code": totp_code(authenticator_of(reviewer))}
    )

    assert response.url == MFA_SETTINGS
    assert TOTPDevice.objects.filter(user=reviewer, confirmed=True).exists()
    assert "it can't be turned off" in page_text(client.get(MFA_SETTINGS))


# -- the organization's requirement: its Admin agent only, audited -----------------------------


def test_only_the_admin_agent_changes_the_requirement(
    client, organization, admin_agent, sales_agent, other_admin_agent
):
    authenticator_of(sales_agent)
    authenticator_of(other_admin_agent)

    for actor in (sales_agent, other_admin_agent):
        with pytest.raises(ActionNotAllowed, match="Only your organization's Admin agent"):
            organization_mfa_requirement_set(organization=organization, actor=actor, required=True)

    organization.refresh_from_db()
    assert not organization.mfa_required
    assert not AuditEvent.objects.filter(action="mfa_requirement_changed").exists()


def test_the_admin_agent_must_have_set_it_up_first(organization, admin_agent):
    with pytest.raises(
        ActionNotAllowed, match="Set up two-step verification for your own account first"
    ):
        organization_mfa_requirement_set(
            organization=organization, actor=admin_agent, required=True
        )

    organization.refresh_from_db()
    assert not organization.mfa_required


def test_the_admin_agent_requires_it_on_the_profile_page_audited(client, organization, admin_agent):
    password(client, admin_agent)
    profile = client.get(reverse("partners:organization_profile"))
    assert "set up two-step verification</a> for your own account" in profile.content.decode()
    refused = client.post(reverse("partners:organization_mfa_requirement"), {"mfa_required": "on"})
    assert refused.status_code == 403
    assert "Set up two-step verification for your own account first" in page_text(refused)
    enrol(client, admin_agent)

    response = client.post(reverse("partners:organization_mfa_requirement"), {"mfa_required": "on"})

    assert response.url == reverse("partners:organization_profile")
    organization.refresh_from_db()
    assert organization.mfa_required
    assert organization.history.latest().mfa_required
    event = AuditEvent.objects.get(action="mfa_requirement_changed")
    assert (event.actor, event.organization, event.note) == (admin_agent, organization, "required")
    assert "now required for every member" in page_text(
        client.get(reverse("partners:organization_profile"))
    )


def test_other_members_see_the_requirement_as_text_and_cannot_post_it(
    client, organization, sales_agent
):
    organization.mfa_required = True
    organization.save()
    password(client, sales_agent)
    enrol(client, sales_agent)

    profile = client.get(reverse("partners:organization_profile"))
    refused = client.post(reverse("partners:organization_mfa_requirement"), {})

    assert "Required for every member of your organization." in page_text(profile)
    assert 'id="mfa-requirement-form"' not in profile.content.decode()
    assert refused.status_code == 403
    organization.refresh_from_db()
    assert organization.mfa_required
