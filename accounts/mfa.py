"""Two-step verification (OWASP ASVS 5.0 V6): a code from an authenticator app (TOTP) after
the password, with single-use recovery codes for a lost phone. Built on django-otp: a
`TOTPDevice` is the authenticator app, a `StaticDevice` holds the recovery codes (its tokens,
each deleted when used); `django_otp.login` marks the session as past the second factor
(`request.user.is_verified()`, OTPMiddleware).

Who must (`mfa_required`): staff (reviewers, superusers) always; a partner member when their
organization requires it (`Organization.mfa_required`, set by its Admin agent). Anyone else may
turn it on. Only a confirmed authenticator app counts as "set up": a device created by the
setup page and never confirmed with a code is nobody's second factor.

`SecondFactorRequiredMiddleware` holds a signed-in session that has not passed the second
factor on the step it needs — the code (an app is set up) or the setup (none yet, but
required) — whatever page it asks for, the admin's included; sign-out, the session's status,
the password reset pages and the language switch stay open. Wrong codes are throttled by
django-otp (each device waits 1, 2, 4, 8 … seconds after successive failures).
"""

import contextlib
from base64 import b32encode

import segno
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_CODES_NAME = "Recovery codes"
# The recovery codes just made, shown once by the next page and then forgotten.
NEW_RECOVERY_CODES_KEY = "_mfa_new_recovery_codes"

VERIFY = "accounts:mfa_verify"
SETUP = "accounts:mfa_setup"
# What a session that has not passed its second factor may still reach, besides its step.
OPEN_TO_UNVERIFIED = {
    "logout",
    "admin:logout",
    "session_status",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
}
STEP_PAGES = {
    VERIFY: {VERIFY, "accounts:mfa_recovery"},
    SETUP: {SETUP},
}


# -- who must, who has ----------------------------------------------------------------------


def mfa_status_of(
    *, is_staff: bool, is_superuser: bool, has_app: bool, organization_requires: bool
) -> tuple[bool, bool]:
    """The rule: (has a confirmed authenticator app, must use two-step verification): staff
    always must; a partner member when their organization requires it."""
    return bool(has_app), bool(is_staff or is_superuser or organization_requires)


# Where a read made anyway this request (the partner membership's, partners.middleware) left
# `mfa_status` on the user: this request's own, never kept past it.
MFA_STATUS_ATTRIBUTE = "mfa_status_read"


def mfa_status(user) -> tuple[bool, bool]:
    """(has a confirmed authenticator app, must use two-step verification), in one query (none
    when this request's membership read gave it: MFA_STATUS_ATTRIBUTE)."""
    if not user.is_authenticated:
        return False, False
    if (known := getattr(user, MFA_STATUS_ATTRIBUTE, None)) is not None:
        return known
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            has_app=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            # (accounts imports no partner code: the organization is read through the user)
            organization_requires=F("membership__organization__mfa_required"),
        )
        .values_list("is_staff", "is_superuser", "has_app", "organization_requires")
        .first()
    )
    if row is None:
        return False, False
    is_staff, is_superuser, has_app, organization_requires = row
    return mfa_status_of(
        is_staff=is_staff,
        is_superuser=is_superuser,
        has_app=has_app,
        organization_requires=organization_requires,
    )


def mfa_status_forget(user) -> None:
    """After a change of the user's devices: `mfa_status` reads them again."""
    with contextlib.suppress(AttributeError):  # (request.user is lazy: delattr reaches the user)
        delattr(user, MFA_STATUS_ATTRIBUTE)


def mfa_required(user) -> bool:
    """Staff always; a partner member when their organization requires it."""
    return mfa_status(user)[1]


def mfa_enabled(user) -> bool:
    """Whether `user` has a confirmed authenticator app."""
    return mfa_status(user)[0]


def authenticator_for(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-pk").first()


def recovery_device_for(user) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def second_factor_step(user) -> str | None:
    """The URL name of the step a signed-in session of `user` must pass before anything else:
    the code (an authenticator app is set up), the setup (none, but required), or None."""
    if not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
        return None
    has_app, required = mfa_status(user)
    if has_app:
        return VERIFY
    if required:
        return SETUP
    return None


# -- next: kept through the steps, safe URLs only ---------------------------------------------


def safe_next(request) -> str:
    """The `next` asked for (posted, else in the query), if it stays on the portal; else ""."""
    value = request.POST.get("next") or request.GET.get("next") or ""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def redirect_to_step(step: str, next_url: str = ""):
    url = reverse(step)
    return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


# -- the second factor, checked ---------------------------------------------------------------


def throttled_message(device) -> str | None:
    """django-otp's throttling, in words: None when the device may check a code now."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    if data and data.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        seconds = max(1, round((data["locked_until"] - timezone.now()).total_seconds()))
        return ngettext(
            "Too many wrong codes. Wait %(count)s second, then try again.",
            "Too many wrong codes. Wait %(count)s seconds, then try again.",
            seconds,
        ) % {"count": seconds}
    return _("This code can't be checked now. Try again in a moment.")


def code_check(device, code: str, *, wrong: str | None = None) -> str | None:
    """Check `code` against `device` (locked: two posts can't both use one code); None when
    it is right, else what to tell the person (`wrong`, or that they must wait). A wrong code
    counts towards the throttling."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        message = throttled_message(device)
        if message:
            return message
        if device.verify_token(code):
            return None
        return wrong or _(
            "That code is not right. Enter the code your app shows now (it changes every 30 "
            "seconds)."
        )


def recovery_code_normalized(value: str) -> str:
    return "".join(value.split()).replace("-", "").lower()


def session_verify(request, device) -> None:
    """The session has passed its second factor with `device`: a new session key, as at
    sign-in (what a session was known as before the second factor is worth nothing after)."""
    otp_login(request, device)
    request.session.cycle_key()


# -- setup, recovery codes, turning off -------------------------------------------------------


def authenticator_pending(user) -> TOTPDevice:
    """The authenticator app being set up (unconfirmed): the same one until it is confirmed,
    so that reloading the setup page shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def recovery_codes_new(user) -> list[str]:
    """RECOVERY_CODE_COUNT new recovery codes for `user`; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": RECOVERY_CODES_NAME, "confirmed": True}
    )
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def authenticator_confirm(*, request, device: TOTPDevice) -> list[str]:
    """`device`'s code was right: it becomes the user's one authenticator app (replacing an
    old one), the session has passed its second factor, and new recovery codes are made (kept
    in the session for the next page to show once)."""
    user = device.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_new(user)
    mfa_status_forget(request.user)
    session_verify(request, device)
    request.session[NEW_RECOVERY_CODES_KEY] = codes
    return codes


@transaction.atomic
def mfa_disable(*, request, user) -> None:
    """Remove every device of `user` (authenticator app, recovery codes)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    mfa_status_forget(request.user)
    request.session.pop(DEVICE_ID_SESSION_KEY, None)


def secret_for_display(device: TOTPDevice) -> str:
    """The secret in base32 (what authenticator apps accept typed), in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The QR code of the device's otpauth:// URL as a data: URI (an <img>, which the
    Content-Security-Policy allows; no style attribute, no outside service)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


# -- the middleware -----------------------------------------------------------------------------


class SecondFactorRequiredMiddleware:
    """After OTPMiddleware and the session timeout: a signed-in session that has not passed the
    second factor it needs reaches only its step (and the pages in OPEN_TO_UNVERIFIED); any
    other page, the admin's included, redirects there, with `next` to come back."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if view_name in OPEN_TO_UNVERIFIED:
            return None
        step = second_factor_step(user)
        if step is None or view_name in STEP_PAGES[step]:
            return None
        next_url = request.get_full_path() if request.method in {"GET", "HEAD"} else ""
        return redirect_to_step(step, next_url)
