"""The Add customer form, and what the app's forms share: the domain check."""

import re

from crispy_forms.bootstrap import StrictButton
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse, reverse_lazy
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gccportal.exceptions import ActionNotAllowed
from gccportal.forms import IdempotentForm, PhoneField, errors_onto_form, page_form_helper
from partners.models import Organization
from partners.qualifications import GOVERNMENT_COMMUNITY_CLOUD, GOVERNMENT_COMMUNITY_CLOUD_LABEL

from .codes.models import GccValidation
from .codes.selectors import gcc_validation_list_available
from .domains import domain_unavailable_message
from .models import CustomerQualification
from .selectors import customer_domain_taken, gcc_block_reason
from .services import NO_QUALIFICATION

# Labels of letters, digits and inner hyphens, at least two of them, the last one not numeric.
DOMAIN_RE = re.compile(
    r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)
ZIP_RE = re.compile(r"^(\d{5})(?:-?(\d{4}))?$")

# The 50 states, DC and the inhabited territories: GCC serves them all.
US_STATES = [
    ("AL", "Alabama"),
    ("AK", "Alaska"),
    ("AS", "American Samoa"),
    ("AZ", "Arizona"),
    ("AR", "Arkansas"),
    ("CA", "California"),
    ("CO", "Colorado"),
    ("CT", "Connecticut"),
    ("DE", "Delaware"),
    ("DC", "District of Columbia"),
    ("FL", "Florida"),
    ("GA", "Georgia"),
    ("GU", "Guam"),
    ("HI", "Hawaii"),
    ("ID", "Idaho"),
    ("IL", "Illinois"),
    ("IN", "Indiana"),
    ("IA", "Iowa"),
    ("KS", "Kansas"),
    ("KY", "Kentucky"),
    ("LA", "Louisiana"),
    ("ME", "Maine"),
    ("MD", "Maryland"),
    ("MA", "Massachusetts"),
    ("MI", "Michigan"),
    ("MN", "Minnesota"),
    ("MS", "Mississippi"),
    ("MO", "Missouri"),
    ("MT", "Montana"),
    ("NE", "Nebraska"),
    ("NV", "Nevada"),
    ("NH", "New Hampshire"),
    ("NJ", "New Jersey"),
    ("NM", "New Mexico"),
    ("NY", "New York"),
    ("NC", "North Carolina"),
    ("ND", "North Dakota"),
    ("MP", "Northern Mariana Islands"),
    ("OH", "Ohio"),
    ("OK", "Oklahoma"),
    ("OR", "Oregon"),
    ("PA", "Pennsylvania"),
    ("PR", "Puerto Rico"),
    ("RI", "Rhode Island"),
    ("SC", "South Carolina"),
    ("SD", "South Dakota"),
    ("TN", "Tennessee"),
    ("TX", "Texas"),
    ("VI", "U.S. Virgin Islands"),
    ("UT", "Utah"),
    ("VT", "Vermont"),
    ("VA", "Virginia"),
    ("WA", "Washington"),
    ("WV", "West Virginia"),
    ("WI", "Wisconsin"),
    ("WY", "Wyoming"),
]

QUALIFICATION_CHOICES = [
    (NO_QUALIFICATION, _("None")),
    (CustomerQualification.Qualification.EDUCATION, _("Education")),
    (CustomerQualification.Qualification.NONPROFIT, _("Nonprofit")),
    (GOVERNMENT_COMMUNITY_CLOUD, GOVERNMENT_COMMUNITY_CLOUD_LABEL),
]


def domain_unavailable_with_way_forward(domain: str) -> str:
    """The taken domain's message, with the link to the way forward (safe HTML)."""
    return format_html(
        '{} <a href="{}">{}</a>',
        domain_unavailable_message(domain),
        reverse("customers:invitation_list"),
        _("Request a reseller relationship"),
    )


def clean_domain(value: str) -> str:
    value = value.strip().lower()
    if not DOMAIN_RE.match(value):
        raise forms.ValidationError(
            _(
                "Enter a domain name such as contoso.gov: letters, digits and hyphens, with at "
                "least one dot, and no http://, @, slash or space."
            )
        )
    return value


class QualificationSelect(forms.RadioSelect):
    """Radio buttons whose GCC option is disabled (with the reason) when GCC isn't allowed."""

    def __init__(self, *args, gcc_block_reason: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gcc_block_reason = gcc_block_reason

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value == GOVERNMENT_COMMUNITY_CLOUD:
            option["is_gcc"] = True
            option["attrs"]["data-gcc-option"] = True
            if self.gcc_block_reason:
                option["attrs"]["disabled"] = True
                option["attrs"]["aria-describedby"] = "gcc-block-reason"
        return option


class GccValidationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: GccValidation) -> str:
        return ngettext(
            "%(name)s — %(count)s create left",
            "%(name)s — %(count)s creates left",
            obj.remaining_creates,
        ) % {"name": obj.organization_name, "count": obj.remaining_creates}


class CustomerForm(IdempotentForm):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    primary_domain = forms.CharField(
        label=_("Primary domain"),
        max_length=253,
        # Rendered with |safe by the crispy template; the text and the URL are ours.
        help_text=format_lazy(
            '{} <a href="{}">{}</a>',
            _(
                "The customer's own domain name, for example contoso.gov. Already working with "
                "Microsoft?"
            ),
            reverse_lazy("customers:invitation_list"),
            _("Send it a reseller relationship request."),
        ),
    )
    address_line1 = forms.CharField(label=_("Address line 1"), max_length=200)
    address_line2 = forms.CharField(
        label=_("Address line 2 (optional)"), max_length=200, required=False
    )
    city = forms.CharField(label=_("City"), max_length=100)
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("Choose…")), *US_STATES],
        error_messages={"required": _("Choose the state or territory.")},
    )
    postal_code = forms.CharField(
        label=_("ZIP code"),
        max_length=10,
        help_text=_("5 digits, or 9 digits (ZIP+4)."),
    )
    contact_first_name = forms.CharField(label=_("First name"), max_length=50)
    contact_last_name = forms.CharField(label=_("Last name"), max_length=50)
    contact_email = forms.EmailField(label=_("Email"))
    contact_phone = PhoneField(label=_("Phone"))
    special_qualification = forms.ChoiceField(
        label=_("Special qualifications"),
        choices=QUALIFICATION_CHOICES,
        initial=NO_QUALIFICATION,
        help_text=_(
            "Once the customer is created, its special qualification can't be changed or removed."
        ),
    )
    gcc_validation = GccValidationChoiceField(
        label=_("GCC validation code"),
        queryset=GccValidation.objects.none(),
        required=False,
        empty_label=_("Choose a validation code"),
        help_text=_(
            "The approved validation codes for your customers: organization name and the "
            "number of customers each may still create."
        ),
        error_messages={
            "invalid_choice": _(
                "This validation code is not available to your organization. Choose one of the "
                "codes in the menu."
            )
        },
    )

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.gcc_block_reason = gcc_block_reason(organization=organization)
        self.fields["special_qualification"].widget = QualificationSelect(
            choices=QUALIFICATION_CHOICES, gcc_block_reason=self.gcc_block_reason
        )
        if self.gcc_block_reason:
            # No codes to choose from; a GCC choice posted anyway is refused by the service.
            del self.fields["gcc_validation"]
        else:
            self.fields["gcc_validation"].queryset = gcc_validation_list_available(
                organization=organization
            )
        # Checked as it is typed (customers.js), with the words of Submit.
        self.fields["primary_domain"].widget.attrs["data-domain-check"] = reverse(
            "customers:customer_domain_check"
        )
        self.helper = page_form_helper(form_id="customer-form")
        # Add customer, from whichever page shows the form (the steps of Next: Subscriptions
        # show it too, to correct an answer).
        self.helper.form_action = reverse("customers:customer_create")
        qualification_fields = [
            Field(
                "special_qualification",
                template="customers/includes/qualification_field.html",
            )
        ]
        if not self.gcc_block_reason:
            qualification_fields.append(
                Field("gcc_validation", template="customers/includes/gcc_code_field.html")
            )
        self.helper.layout = Layout(
            "idempotency_key",
            Fieldset(_("Company"), "company_name", "primary_domain"),
            Fieldset(
                _("Address"),
                "address_line1",
                "address_line2",
                Div(
                    Div("city", css_class="col-md-5"),
                    Div("state", css_class="col-md-4"),
                    Div("postal_code", css_class="col-md-3"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Contact person"),
                Div(
                    Div("contact_first_name", css_class="col-md-6"),
                    Div("contact_last_name", css_class="col-md-6"),
                    css_class="row",
                ),
                Div(
                    Div("contact_email", css_class="col-md-6"),
                    Div("contact_phone", css_class="col-md-6"),
                    css_class="row",
                ),
            ),
            # The radios' own <fieldset> and legend head this section.
            Div(*qualification_fields, css_id="special-qualifications"),
        )
        buttons = [Submit("submit", _("Add customer"))]
        if not self.gcc_block_reason and self.fields["gcc_validation"].queryset.exists():
            # A GCC customer and its first order, created together on the last step: the
            # order pages' (customers.js shows the button while GCC is chosen).
            buttons.append(
                StrictButton(
                    _("Next: Subscriptions"),
                    type="submit",
                    formaction=reverse("orders:new_customer_subscriptions"),
                    css_class="btn-outline-primary",
                    css_id="next-subscriptions",
                    data_gcc_next="",
                )
            )
        self.helper.layout.append(Div(*buttons, css_class="d-flex flex-wrap gap-2"))
        self.helper.layout.append(
            # Carried order lines (coming back from the subscriptions step), if any.
            HTML(
                "{% for name, value in carried_values %}"
                '<input type="hidden" name="{{ name }}" value="{{ value }}">{% endfor %}'
            )
        )

    def add_service_error(self, exc: ValidationError | ActionNotAllowed) -> None:
        """A service's refusal next to what it is about: a ValidationError next to the fields
        it names; an ActionNotAllowed (a code no longer usable, GCC not allowed) next to the
        code menu, or, without one (GCC can't be chosen), next to the qualifications."""
        if isinstance(exc, ValidationError):
            errors_onto_form(self, exc)
        else:
            field = "gcc_validation" if "gcc_validation" in self.fields else "special_qualification"
            self.add_error(field, exc.message)

    @staticmethod
    def check_domain(value: str) -> str:
        """The primary domain as stored, or a ValidationError: a malformed domain, or one
        already in the portal. Checked as it is typed, on Next and on Submit, not only when
        the service creates the customer (which checks again)."""
        domain = clean_domain(value)
        if customer_domain_taken(domain=domain):
            raise forms.ValidationError(domain_unavailable_with_way_forward(domain))
        return domain

    def clean_primary_domain(self) -> str:
        return self.check_domain(self.cleaned_data["primary_domain"])

    def clean_postal_code(self) -> str:
        match = ZIP_RE.match(self.cleaned_data["postal_code"].strip())
        if not match:
            raise forms.ValidationError(
                _("Enter a ZIP code of 5 digits, or 9 digits (ZIP+4), for example 20500-0003.")
            )
        first, plus_four = match.groups()
        return f"{first}-{plus_four}" if plus_four else first

    def clean(self) -> dict:
        cleaned = super().clean()
        if "gcc_validation" not in self.fields:
            return cleaned
        if cleaned.get("special_qualification") == GOVERNMENT_COMMUNITY_CLOUD:
            if cleaned.get("gcc_validation") is None and "gcc_validation" not in self.errors:
                self.add_error(
                    "gcc_validation",
                    _(
                        "Choose the GCC validation code for this customer. No code yet? Submit "
                        "a customer validation request first."
                    ),
                )
        else:
            # A code left selected before switching away from GCC is simply ignored.
            self.errors.pop("gcc_validation", None)
            cleaned["gcc_validation"] = None
        return cleaned
