import re
import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import Organization, PartnerValidationRequest
from .selectors import tenant_id_problem

PHONE_RE = re.compile(r"^\+?[0-9 ()\-.]{7,25}( ?(x|ext\.?) ?[0-9]{1,6})?$", re.IGNORECASE)


def clean_phone(value: str) -> str:
    value = value.strip()
    if not PHONE_RE.match(value):
        raise forms.ValidationError(
            _("Enter a phone number with its area code, for example +1 202 555 0143.")
        )
    return value


INCOMPLETE_FORM = _(
    "This form was incomplete, so nothing was submitted. Check the answers and submit the "
    "form again."
)


class IdempotentForm(forms.Form):
    """A submitting form with a one-time key, sent back as a hidden field. The service finds
    what the first post of a key created: a re-post (a retry after a timeout, a dropped
    connection, a double click) never creates a second request nor sends its emails again."""

    idempotency_key = forms.UUIDField(
        # Callable: a fresh key each time the form is shown; a bound form keeps the posted
        # one, so a form shown again with errors and then corrected is still one request.
        initial=uuid.uuid4,
        widget=forms.HiddenInput,
        error_messages={"required": INCOMPLETE_FORM, "invalid": INCOMPLETE_FORM},
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.has_error("idempotency_key"):
            # A missing or garbled key matches nothing: the page shown again carries a fresh
            # one, or its next submit would be refused the same way.
            self.data = self.data.copy()
            self.data[self.add_prefix("idempotency_key")] = str(uuid.uuid4())
        return cleaned

    def posted_key(self) -> uuid.UUID | None:
        """The posted key if well formed, whatever the other answers (None when unbound)."""
        if not self.is_bound:
            return None
        self.is_valid()
        return self.cleaned_data.get("idempotency_key")


class PartnerValidationForm(IdempotentForm):
    commercial_tenant_id = forms.CharField(
        label=_("Commercial tenant ID (Microsoft ID)"),
        max_length=64,
        # Rendered with |safe by the crispy template; the text is ours, never user input.
        help_text=format_lazy(
            '<strong class="text-warning-emphasis">{}</strong> {}',
            _("Do not use an Azure GCC tenant ID."),
            _(
                "Enter your organization's commercial (global) tenant ID: the Microsoft ID "
                "shown on your organization profile. It is filled in for you."
            ),
        ),
    )
    contact_name = forms.CharField(
        label=_("Contact name"),
        max_length=100,
        help_text=_("The person the GCC review team contacts if anything is unclear."),
    )
    contact_email = forms.EmailField(
        label=_("Contact email"),
        help_text=_("The decision and any questions go to your account; this is for follow-up."),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=30,
        help_text=_("With the area code, for example +1 202 555 0143."),
    )
    government_segments = forms.MultipleChoiceField(
        label=_("Government customers you serve"),
        choices=PartnerValidationRequest.GovernmentSegment.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "GCC is for US government entities and organizations that handle regulated "
            "government data. Reviewers check that you serve them."
        ),
        error_messages={"required": _("Choose at least one kind of government customer.")},
    )
    contract_vehicles = forms.CharField(
        label=_("How you contract with them"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Direct contracts, GSA Schedule, SEWP, state cooperative contracts… Reviewers use "
            "this to confirm your eligibility."
        ),
    )
    attested = forms.BooleanField(
        label=_("I confirm that this information is accurate. This request is legally binding."),
        error_messages={"required": _("Confirm that the information is accurate.")},
    )

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.helper = FormHelper()
        self.helper.form_id = "partner-validation-form"
        # The server says what to enter instead; no browser bubbles before it.
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "idempotency_key",
            Fieldset(_("Your organization's tenant"), "commercial_tenant_id"),
            Fieldset(_("Contact"), "contact_name", "contact_email", "contact_phone"),
            Fieldset(_("Eligibility"), "government_segments", "contract_vehicles", "attested"),
        )
        self.helper.add_input(Submit("submit", _("Submit request")))

    def clean_commercial_tenant_id(self) -> str:
        value = self.cleaned_data["commercial_tenant_id"].strip()
        problem = tenant_id_problem(organization=self.organization, value=value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_contact_phone(self) -> str:
        return clean_phone(self.cleaned_data["contact_phone"])


class InfoResponseForm(IdempotentForm):
    response = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Enter the information the reviewer asked for.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
