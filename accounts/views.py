"""Sign-in (where each kind of account lands), two-step verification, the password pages, the
session's status."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from gccportal.ratelimits import email_post_rate_limited

from . import mfa
from .forms import (
    AuthenticatorCodeForm,
    PasswordChangeForm,
    PasswordResetForm,
    RecoveryCodeForm,
    SetPasswordForm,
    SignInForm,
)
from .session_timeout import session_extendable, session_seconds_left


def home_url(user) -> str:
    """Where an account lands after sign-in: reviewers (staff) on the admin's index, partner
    users on their dashboard."""
    return resolve_url("admin:index" if user.is_staff else settings.LOGIN_REDIRECT_URL)


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # A safe `next` wins (LoginView.get_redirect_url); else the account's home.
        return home_url(self.request.user)

    def form_valid(self, form):
        # The password was right: signed in, but a second factor set up (or required) comes
        # first, with the page asked for kept as `next`.
        response = super().form_valid(form)
        step = mfa.second_factor_step(self.request.user)
        if step:
            return mfa.redirect_to_step(step, response.url)
        return response


# Anyone may post it and it sends an email: limited per address asked for and per client IP.
@method_decorator(email_post_rate_limited("password-reset", address_field="email"), name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    # Not Django's name: the admin's own password change page keeps the admin's template.
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_complete.html"


@never_cache
@require_http_methods(["GET", "POST"])
def session_status(request):
    """The seconds left before the session ends. A POST ("Stay signed in") is activity (the
    middleware records it); a GET is not. 401 once signed out."""
    if not request.user.is_authenticated:
        return JsonResponse({"seconds_left": 0, "extendable": False}, status=401)
    return JsonResponse(
        {
            "seconds_left": session_seconds_left(request.session),
            "extendable": session_extendable(request.session),
        }
    )


# -- two-step verification (accounts/mfa.py) -------------------------------------------------


def _continue_to(request) -> str:
    return mfa.safe_next(request) or home_url(request.user)


def _step_page(request, template: str, context: dict, *, status: int = 200):
    # The main navigation waits until the second factor is passed (it would lead back here).
    return render(
        request,
        template,
        {"next": mfa.safe_next(request), "second_factor_pending": True, **context},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """After the password: the code from the authenticator app."""
    if request.user.is_verified():
        return redirect(_continue_to(request))
    device = mfa.authenticator_for(request.user)
    if device is None:
        # No app to ask a code of: its setup if required, else nothing to verify.
        step = mfa.second_factor_step(request.user)
        if step:
            return mfa.redirect_to_step(step, mfa.safe_next(request))
        return redirect(_continue_to(request))
    form_options = {"submit": _("Verify"), "form_id": "mfa-verify-form"}
    if request.method == "POST":
        form = AuthenticatorCodeForm(request.POST, **form_options)
        if form.is_valid():
            problem = mfa.code_check(device, form.cleaned_data["code"])
            if problem is None:
                mfa.session_verify(request, device)
                return redirect(_continue_to(request))
            form.add_error("code", problem)
        return _step_page(request, "accounts/mfa_verify.html", {"form": form}, status=400)
    form = AuthenticatorCodeForm(**form_options)
    return _step_page(request, "accounts/mfa_verify.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_recovery(request):
    """A lost phone: one of the recovery codes instead (each works once)."""
    if request.user.is_verified():
        return redirect(_continue_to(request))
    device = mfa.recovery_device_for(request.user)
    if request.method == "POST":
        form = RecoveryCodeForm(request.POST)
        if form.is_valid():
            code = mfa.recovery_code_normalized(form.cleaned_data["code"])
            wrong = _("That recovery code is not right, or was already used.")
            problem = mfa.code_check(device, code, wrong=wrong) if device else wrong
            if problem is None:
                mfa.session_verify(request, device)
                left = mfa.recovery_codes_left(request.user)
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code; it no longer works. You have "
                        "%(count)s recovery code left. If you lost your phone, set up your "
                        "authenticator app again now.",
                        "You signed in with a recovery code; it no longer works. You have "
                        "%(count)s recovery codes left. If you lost your phone, set up your "
                        "authenticator app again now.",
                        left,
                    )
                    % {"count": left},
                )
                return mfa.redirect_to_step("accounts:mfa_settings", mfa.safe_next(request))
            form.add_error("code", problem)
        return _step_page(request, "accounts/mfa_recovery.html", {"form": form}, status=400)
    return _step_page(request, "accounts/mfa_recovery.html", {"form": RecoveryCodeForm()})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    """Set up an authenticator app: its QR code (or the secret to type), then a code from it.
    Also how a verified user replaces a lost or changed phone."""
    user = request.user
    if not user.is_verified() and mfa.authenticator_for(user) is not None:
        # An app is set up: its code first (replacing it needs a session past it).
        return mfa.redirect_to_step(mfa.VERIFY, mfa.safe_next(request))
    device = mfa.authenticator_pending(user)
    form_options = {"submit": _("Turn on two-step verification"), "form_id": "mfa-setup-form"}
    status = 200
    if request.method == "POST":
        form = AuthenticatorCodeForm(request.POST, **form_options)
        if form.is_valid():
            problem = mfa.code_check(device, form.cleaned_data["code"])
            if problem is None:
                mfa.authenticator_confirm(request=request, device=device)
                return mfa.redirect_to_step("accounts:mfa_recovery_codes", mfa.safe_next(request))
            form.add_error("code", problem)
        status = 400
    else:
        form = AuthenticatorCodeForm(**form_options)
    context = {
        "form": form,
        "qr_code": mfa.qr_code_data_uri(device),
        "secret": mfa.secret_for_display(device),
        "required": mfa.mfa_required(user),
        "replacing": user.is_verified(),
    }
    if user.is_verified():
        return render(
            request,
            "accounts/mfa_setup.html",
            {"next": mfa.safe_next(request), **context},
            status=status,
        )
    return _step_page(request, "accounts/mfa_setup.html", context, status=status)


@never_cache
@login_required
def mfa_recovery_codes(request):
    """The new recovery codes, shown once."""
    codes = request.session.pop(mfa.NEW_RECOVERY_CODES_KEY, None)
    if not codes:
        return redirect("accounts:mfa_settings")
    return render(
        request,
        "accounts/mfa_recovery_codes.html",
        {"codes": codes, "continue_url": _continue_to(request)},
    )


@never_cache
@login_required
def mfa_settings(request):
    """Two-step verification: on or off, the recovery codes left, a new phone, new codes."""
    has_app, required = mfa.mfa_status(request.user)
    return render(
        request,
        "accounts/mfa_settings.html",
        {
            "enabled": has_app,
            "required": required,
            "codes_left": mfa.recovery_codes_left(request.user) if has_app else 0,
            "next": mfa.safe_next(request),
            "disable_form": AuthenticatorCodeForm(
                submit=_("Turn off two-step verification"), form_id="mfa-disable-form"
            ),
        },
    )


@never_cache
@login_required
@require_POST
def mfa_recovery_codes_regenerate(request):
    if not request.user.is_verified():
        return redirect("accounts:mfa_settings")
    request.session[mfa.NEW_RECOVERY_CODES_KEY] = mfa.recovery_codes_new(request.user)
    return redirect("accounts:mfa_recovery_codes")


@never_cache
@login_required
@require_POST
def mfa_turn_off(request):
    """Turn two-step verification off, with a current code; not where it is required."""
    user = request.user
    has_app, required = mfa.mfa_status(user)
    if required:
        messages.error(
            request,
            _("Two-step verification is required for your account: it can't be turned off."),
        )
        return redirect("accounts:mfa_settings")
    device = mfa.authenticator_for(user)
    if device is None or not user.is_verified():
        return redirect("accounts:mfa_settings")
    form = AuthenticatorCodeForm(
        request.POST, submit=_("Turn off two-step verification"), form_id="mfa-disable-form"
    )
    if form.is_valid():
        problem = mfa.code_check(device, form.cleaned_data["code"])
        if problem is None:
            mfa.mfa_disable(request=request, user=user)
            messages.success(request, _("Two-step verification is off."))
            return redirect("accounts:mfa_settings")
        form.add_error("code", problem)
    return render(
        request,
        "accounts/mfa_settings.html",
        {
            "enabled": has_app,
            "required": required,
            "codes_left": mfa.recovery_codes_left(user),
            "disable_form": form,
        },
        status=400,
    )
