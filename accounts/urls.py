"""Sign-in, sign-out, password reset and change, the session's status (no namespace: Django's
auth views reverse their own names, e.g. `password_reset_done`); two-step verification
(namespace `accounts`)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

two_step_patterns = [
    path("", views.mfa_settings, name="mfa_settings"),
    path("code/", views.mfa_verify, name="mfa_verify"),
    path("recovery/", views.mfa_recovery, name="mfa_recovery"),
    path("setup/", views.mfa_setup, name="mfa_setup"),
    path("recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path(
        "recovery-codes/new/",
        views.mfa_recovery_codes_regenerate,
        name="mfa_recovery_codes_regenerate",
    ),
    path("turn-off/", views.mfa_turn_off, name="mfa_turn_off"),
]

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("session/", views.session_status, name="session_status"),
    path("two-step/", include((two_step_patterns, "accounts"))),
]
