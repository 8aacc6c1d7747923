"""The forms of reseller-relationship invitations: the partner's email, and the customer's
acceptance (public page)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import gettext_lazy as _

from customers.forms import clean_domain
from gccportal.forms import page_form_helper


class InvitationEmailForm(forms.Form):
    """The draft email, as the partner edited it. The service checks that the link is kept."""

    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        error_messages={"required": _("Enter a subject for the email.")},
    )
    body = forms.CharField(
        label=_("Message"),
        # The service's length is unbounded; a sane cap for a hand-written email.
        max_length=10000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}),
        error_messages={
            "required": _("Enter the message, with the personalized link in it."),
        },
    )

    def __init__(self, *args, language: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The email is written in the invitation's language, which may not be the page's:
        # marked as such for screen readers and spell checkers.
        for name in ("subject", "body"):
            self.fields[name].widget.attrs["lang"] = language
        self.helper = FormHelper()
        # The page's own <form> holds the fields and the Done, mail-app and copy buttons.
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_body(self) -> str:
        # Browsers send CRLF from a textarea; keep the text as the service renders it.
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        if not body:
            raise forms.ValidationError(self.fields["body"].error_messages["required"])
        return body


class InvitationAcceptForm(forms.Form):
    """The customer confirms which organization accepts, and who does."""

    company_name = forms.CharField(
        label=_("Organization name"),
        max_length=200,
        error_messages={"required": _("Enter your organization's name.")},
    )
    primary_domain = forms.CharField(
        label=_("Primary domain"),
        max_length=253,
        help_text=_("Your organization's own domain name, for example contoso.gov."),
        error_messages={"required": _("Enter your organization's primary domain.")},
    )
    accepted_by_name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        error_messages={"required": _("Enter your first and last name.")},
    )
    accepted_by_email = forms.EmailField(
        label=_("Your email"),
        help_text=_(
            "Your work email address at your organization's domain, for example "
            "it.admin@contoso.gov: the confirmation link is sent there."
        ),
        error_messages={
            "required": _("Enter your work email address."),
            "invalid": _("Enter an email address such as it.admin@contoso.gov."),
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = page_form_helper(
            form_id="invitation-accept-form",
            layout=Layout(
                Fieldset(_("Your organization"), "company_name", "primary_domain"),
                Fieldset(_("You"), "accepted_by_name", "accepted_by_email"),
            ),
            submit=_("Continue"),
        )

    def clean_primary_domain(self) -> str:
        return clean_domain(self.cleaned_data["primary_domain"])
