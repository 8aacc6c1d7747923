"""The forms of customer validation requests: the partner's request, and the customer
contact's answer (public page); both with supporting documents."""

from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.html import escape
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from customers.forms import clean_domain
from customers.selectors import transacting_partner_for
from gccportal.forms import IdempotentForm, PhoneField, page_form_helper
from partners.forms import (
    ValidationRequestForm,
    commercial_tenant_id_field,
    commercial_tenant_id_help_text,
    info_response_field,
)
from partners.models import Organization

from . import eligibility
from .eligibility import EligibilityTokenInvalid, eligibility_mismatches, eligibility_token_read
from .models import CustomerValidationRequest
from .selectors import customer_validation_tenant_id_problem
from .uploads import document_check


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (empty when none were chosen)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None) -> list:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


def documents_field() -> MultipleFileField:
    return MultipleFileField(label=_("Documents (optional)"), required=False)


def _documents_help_text(audience) -> str:
    return gettext(
        "PDF, PNG or JPEG files, at most %(count)s, each up to %(size)s. %(audience)s"
    ) % {
        "count": settings.CUSTOMER_DOCUMENT_MAX_FILES,
        "size": filesizeformat(settings.CUSTOMER_DOCUMENT_MAX_BYTES),
        "audience": audience,
    }


def documents_help_text(*, audience) -> str:
    """Set per form instance (the limits are settings), and lazy: written in the language
    active when the page is rendered, which a public page sets after building its form."""
    return lazy(_documents_help_text, str)(audience)


def clean_documents(files: list) -> list:
    """Each file checked by its content; every problem reported, next to the field."""
    limit = settings.CUSTOMER_DOCUMENT_MAX_FILES
    if len(files) > limit:
        raise forms.ValidationError(
            ngettext(
                "Attach at most %(limit)s document; you chose %(count)s.",
                "Attach at most %(limit)s documents; you chose %(count)s.",
                limit,
            )
            % {"limit": limit, "count": len(files)}
        )
    problems = []
    for upload in files:
        try:
            document_check(upload)
        except ValidationError as exc:
            problems.extend(exc.messages)
    if problems:
        raise forms.ValidationError(problems)
    return files


class CustomerValidationForm(ValidationRequestForm):
    tenant_id_problem = staticmethod(customer_validation_tenant_id_problem)

    organization_legal_name = forms.CharField(
        label=_("Organization legal name"),
        max_length=200,
        help_text=_("The customer's full legal name, as on its official documents."),
    )
    organization_type = forms.ChoiceField(
        label=_("Organization type"),
        choices=CustomerValidationRequest.OrganizationType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of organization the customer is.")},
    )
    regulated_data = forms.MultipleChoiceField(
        label=_("Regulated government data it handles"),
        choices=CustomerValidationRequest.RegulatedData.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only for a private organization: choose every kind that applies."),
    )
    government_domain = forms.CharField(
        label=_("Government domain"),
        max_length=253,
        help_text=_(
            "The domain the organization uses for government work, for example springfield.gov."
        ),
    )
    contact_name = forms.CharField(label=_("Customer contact name"), max_length=100)
    contact_email = forms.EmailField(
        label=_("Customer contact email"),
        help_text=_(
            "An address at the government domain. If the review team needs more information, "
            "it writes there with a link to answer."
        ),
    )
    contact_phone = PhoneField(label=_("Customer contact phone"))
    commercial_tenant_id = commercial_tenant_id_field(
        label=_("Transacting partner's commercial tenant ID"),
        help_text=_(
            "Enter the commercial (global) tenant ID of the transacting partner: the Microsoft "
            "ID shown on its organization profile. It is filled in for you."
        ),
    )
    documents = documents_field()
    # The eligibility pre-check's answers, signed (eligibility.py): kept by a form shown
    # again with errors, stored with the request. Empty when the check was skipped.
    eligibility_answers = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].help_text = documents_help_text(
            audience=_("Only your organization and the GCC review team can see them.")
        )
        transacting = self.transacting_partner
        if transacting.pk != self.organization.pk:
            self.fields["commercial_tenant_id"].help_text = commercial_tenant_id_help_text(
                gettext(
                    "Enter the commercial tenant ID of %(provider)s, your indirect provider: "
                    "its Microsoft ID, not your own organization's. It is filled in for you."
                )
                % {"provider": escape(transacting.legal_name)}
            )
        carries_check = bool(self["eligibility_answers"].value())
        if carries_check:
            # The way to submit without the check (the customer is not the one checked),
            # keeping everything else typed. Only on this form, not a request field: a bulk
            # file's columns are the class's fields.
            self.fields["eligibility_remove"] = forms.BooleanField(
                label=_("Remove the eligibility check: submit the request without its answers"),
                required=False,
            )
        self.helper = page_form_helper(
            form_id="customer-validation-form",
            layout=Layout(
                "idempotency_key",
                "eligibility_answers",
                Fieldset(
                    _("Customer organization"),
                    "organization_legal_name",
                    "organization_type",
                    Div("regulated_data", css_id="regulated-data-group"),
                    "government_domain",
                ),
                Fieldset(_("Customer contact"), "contact_name", "contact_email", "contact_phone"),
                Fieldset(_("Transacting partner"), "commercial_tenant_id"),
                Fieldset(_("Supporting documents"), "documents"),
                *(
                    [Div("eligibility_remove", css_id="eligibility-remove")]
                    if carries_check
                    else []
                ),
            ),
            submit=_("Submit request"),
        )

    def clean_government_domain(self) -> str:
        return clean_domain(self.cleaned_data["government_domain"])

    def clean_documents(self) -> list:
        return clean_documents(self.cleaned_data["documents"])

    def clean_eligibility_answers(self) -> dict:
        token = self.cleaned_data["eligibility_answers"]
        if not token or self._check_removed():
            return {}
        try:
            return eligibility_token_read(token, organization_id=self.organization.pk)
        except EligibilityTokenInvalid:
            # Refused, not ignored: the partner is told before anything is submitted, and
            # the form shown again carries no answers (its next submit has no check).
            self.data = self.data.copy()
            self.data[self.add_prefix("eligibility_answers")] = ""
            self.add_error(None, ELIGIBILITY_UNREADABLE)
            return {}

    def _check_removed(self) -> bool:
        # Read from the posted data: the box is cleaned after the answers (added last).
        return "eligibility_remove" in self.fields and bool(self["eligibility_remove"].data)

    def clean(self) -> dict:
        cleaned = super().clean()
        private = (
            cleaned.get("organization_type")
            == CustomerValidationRequest.OrganizationType.PRIVATE_REGULATED
        )
        if not private:
            # Boxes ticked before switching to a government type are ignored.
            self.errors.pop("regulated_data", None)
            cleaned["regulated_data"] = []
        elif not cleaned.get("regulated_data") and "regulated_data" not in self.errors:
            self.add_error(
                "regulated_data",
                _("Say which regulated government data the organization handles."),
            )
        # The choice is spent on the answers (cleaned to none): not a request field.
        cleaned.pop("eligibility_remove", None)
        answers = cleaned.get("eligibility_answers")
        if answers:
            mismatches = eligibility_mismatches(
                answers,
                government_domain=cleaned.get("government_domain"),
                organization_type=cleaned.get("organization_type"),
                regulated_data=None
                if self.has_error("regulated_data")
                else cleaned["regulated_data"],
            )
            for name, message in mismatches.items():
                self.add_error(name, message)
        return cleaned

    @property
    def transacting_partner(self) -> Organization:
        return transacting_partner_for(organization=self.organization)


ELIGIBILITY_UNREADABLE = _(
    "The answers of the eligibility check could not be read (changed, or older than seven "
    "days), so nothing was submitted. Submit the request again without them, or check the "
    "eligibility again."
)


class EligibilityForm(forms.Form):
    """The eligibility pre-check's questions (eligibility.py holds the rules). The last
    three are for a private organization only: ignored for any other kind."""

    organization_legal_name = forms.CharField(
        label=_("Customer's legal name"),
        max_length=200,
        help_text=_("As on its official documents. It starts the request for you."),
        error_messages={"required": _("Enter the customer's legal name.")},
    )
    government_domain = forms.CharField(
        label=_("Customer's domain"),
        max_length=253,
        help_text=_("The domain it uses for its work, for example springfield.gov."),
        error_messages={"required": _("Enter the domain the customer uses, such as contoso.gov.")},
    )
    customer_kind = forms.ChoiceField(
        label=_("Kind of organization"),
        choices=eligibility.CUSTOMER_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of organization the customer is.")},
    )
    regulated_data = forms.MultipleChoiceField(
        label=_("Regulated government data it handles"),
        choices=eligibility.REGULATED_DATA_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose every kind that applies, or None of these."),
    )
    location = forms.ChoiceField(
        label=_("Where the organization is"),
        choices=eligibility.LOCATIONS,
        widget=forms.RadioSelect,
        required=False,
    )
    agreement = forms.ChoiceField(
        label=_("Contract or agreement with a US government agency"),
        help_text=_(
            "Does a contract, subcontract or agreement with a US government agency require the "
            "customer to protect this data?"
        ),
        choices=eligibility.AGREEMENTS,
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = page_form_helper(
            form_id="eligibility-form",
            layout=Layout(
                Fieldset(
                    _("The customer"),
                    "organization_legal_name",
                    "government_domain",
                    "customer_kind",
                ),
                Div(
                    Fieldset(
                        _("Only for a private organization"),
                        "regulated_data",
                        "location",
                        "agreement",
                    ),
                    css_id="private-questions",
                ),
            ),
            submit=_("See the result"),
        )

    def clean_government_domain(self) -> str:
        return clean_domain(self.cleaned_data["government_domain"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("customer_kind") != eligibility.PRIVATE:
            # Answers given before switching to another kind are ignored.
            for name in ("regulated_data", "location", "agreement"):
                self.errors.pop(name, None)
                cleaned[name] = [] if name == "regulated_data" else ""
            return cleaned
        data = cleaned.get("regulated_data")
        if "regulated_data" not in self.errors:
            if not data:
                self.add_error(
                    "regulated_data",
                    _("Say which regulated government data it handles, or choose None of these."),
                )
            elif eligibility.NO_REGULATED_DATA in data and len(data) > 1:
                self.add_error(
                    "regulated_data",
                    _("Choose the kinds of data it handles, or None of these: not both."),
                )
        if not cleaned.get("location") and "location" not in self.errors:
            self.add_error("location", _("Say where the organization is."))
        if not cleaned.get("agreement") and "agreement" not in self.errors:
            self.add_error(
                "agreement",
                _("Say whether a contract or agreement with a US government agency covers it."),
            )
        return cleaned


class CustomerAnswerForm(IdempotentForm):
    response = info_response_field(rows=6)
    documents = documents_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].help_text = documents_help_text(
            audience=_("Only the partner and the GCC review team can see them.")
        )
        self.helper = page_form_helper(form_id="customer-answer-form", submit=_("Submit"))

    def clean_documents(self) -> list:
        return clean_documents(self.cleaned_data["documents"])
