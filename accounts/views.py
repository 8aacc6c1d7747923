"""Sign-in (where each kind of account lands), the password pages, the session's status."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import resolve_url
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from .session_timeout import session_extendable, session_seconds_left


def home_url(user) -> str:
    """Where an account lands after sign-in: reviewers (staff) on the admin's index, partner
    users on their dashboard."""
    return resolve_url("admin:index" if user.is_staff else settings.LOGIN_REDIRECT_URL)


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # A safe `next` wins (LoginView.get_redirect_url); else the account's home.
        return home_url(self.request.user)


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
