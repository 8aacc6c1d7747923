from collections.abc import Callable

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gccportal.forms import IdempotentForm, PhoneField, page_form_helper

from . import selectors
from .models import Organization, PartnerValidationRequest


def commercial_tenant_id_help_text(help_text: str) -> str:
    """The help text of a commercial tenant ID, led by the warning against an Azure GCC tenant
    ID. Rendered with |safe by the crispy template: `help_text` is ours, any name in it
    escaped by the caller."""
    return format_lazy(
        '<strong class="text-warning-emphasis">{}</strong> {}',
        _("Do not use an Azure GCC tenant ID."),
        help_text,
    )


def commercial_tenant_id_field(*, label: str, help_text: str) -> forms.CharField:
    """A commercial (global) tenant ID, its help text led by the warning against an Azure GCC
    tenant ID."""
    return forms.CharField(
        label=label,
        max_length=64,
        help_text=commercial_tenant_id_help_text(help_text),
    )


def info_response_field(*, rows: int) -> forms.CharField:
    """The answer to a reviewer's request for more information (either kind of request)."""
    return forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": _("Enter the information the reviewer asked for.")},
    )


class ValidationRequestForm(IdempotentForm):
    """What the forms of both kinds of GCC validation request (a partner's own, a customer's)
    share: the submitting organization, and a `commercial_tenant_id` field checked by the
    kind's selector, `tenant_id_problem`."""

    tenant_id_problem: Callable[..., str | None]

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_commercial_tenant_id(self) -> str:
        value = self.cleaned_data["commercial_tenant_id"].strip()
        problem = self.tenant_id_problem(organization=self.organization, value=value)
        if problem:
            raise forms.ValidationError(problem)
        return value


class PartnerValidationForm(ValidationRequestForm):
    tenant_id_problem = staticmethod(selectors.tenant_id_problem)

    commercial_tenant_id = commercial_tenant_id_field(
        label=_("Commercial tenant ID (Microsoft ID)"),
        help_text=_(
            "Enter your organization's commercial (global) tenant ID: the Microsoft ID "
            "shown on your organization profile. It is filled in for you."
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
    contact_phone = PhoneField(label=_("Contact phone"))
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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = page_form_helper(
            form_id="partner-validation-form",
            layout=Layout(
                "idempotency_key",
                Fieldset(_("Your organization's tenant"), "commercial_tenant_id"),
                Fieldset(_("Contact"), "contact_name", "contact_email", "contact_phone"),
                Fieldset(_("Eligibility"), "government_segments", "contract_vehicles", "attested"),
            ),
            submit=_("Submit request"),
        )


class InfoResponseForm(IdempotentForm):
    response = info_response_field(rows=5)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class MfaRequirementForm(forms.Form):
    """The Admin agent's choice: every member signs in with two-step verification."""

    mfa_required = forms.BooleanField(
        label=_("Require two-step verification for every member of the organization"),
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = page_form_helper(form_id="mfa-requirement-form", submit=_("Save"))
        self.helper.form_tag = False
