"""The password forms: Django's, with the portal's crispy layout and the outbox."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from gccportal.forms import page_form_helper

from .services import password_reset_email_enqueue


class SignInForm(auth_forms.AuthenticationForm):
    """Django's sign-in form, its wrong-password message true to the portal: email addresses
    are matched without regard to case, passwords are not. The second step (accounts/mfa.py)
    follows a valid password, as with Django's form."""

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _(
            "Enter a correct email address and password; the password is case-sensitive."
        ),
    }


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Asks for the account's email. The view answers the same whether or not an account
    has that address (no user enumeration); only an existing, active account with a usable
    password gets the link."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Email address")
        self.helper = page_form_helper(form_id="password-reset-form", submit=_("Send the link"))

    def save(self, *, token_generator=None, **kwargs) -> None:
        # Django's save() sends mail itself, with a link built from the request's Host; the
        # portal's email goes through the outbox, its link built from PORTAL_BASE_URL.
        extra = {"token_generator": token_generator} if token_generator else {}
        for user in self.get_users(self.cleaned_data["email"]):
            password_reset_email_enqueue(user=user, **extra)


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = page_form_helper(form_id="set-password-form", submit=_("Set my password"))


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = page_form_helper(
            form_id="password-change-form", submit=_("Change my password")
        )


# -- two-step verification (accounts/mfa.py) -------------------------------------------------


class AuthenticatorCodeForm(forms.Form):
    """The 6-digit code an authenticator app shows."""

    code = forms.CharField(
        label=_("6-digit code"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("Enter the 6-digit code from your authenticator app.")},
    )

    def __init__(self, *args, submit: str, form_id: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = page_form_helper(form_id=form_id, submit=submit)
        self.helper.form_tag = False

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows."))
        return code


class RecoveryCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Recovery code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter one of your recovery codes.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = page_form_helper(form_id="mfa-recovery-form", submit=_("Sign in"))
        self.helper.form_tag = False
