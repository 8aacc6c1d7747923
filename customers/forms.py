import re

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from partners.forms import IdempotentForm, clean_phone
from partners.models import Organization

from .models import CustomerQualification, CustomerValidationRequest, GccValidation
from .selectors import (
    customer_validation_tenant_id_problem,
    gcc_block_reason,
    gcc_validation_list_available,
    transacting_partner_for,
)
from .services import NO_QUALIFICATION
from .uploads import document_check

GCC = CustomerQualification.Qualification.GOVERNMENT_COMMUNITY_CLOUD

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
    (GCC, _("Government Community Cloud (GCC)")),
]

TENANT_ID_WARNING = format_lazy(
    '<strong class="text-warning-emphasis">{}</strong> {}',
    _("Do not use an Azure GCC tenant ID."),
    _(
        "Enter the commercial (global) tenant ID of the transacting partner: the Microsoft ID "
        "shown on its organization profile. It is filled in for you."
    ),
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


# -- supporting documents --------------------------------------------------------------------


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


def documents_help_text(*, audience: str) -> str:
    """Set per form instance: the limits are settings, the language is the request's."""
    return gettext(
        "PDF, PNG or JPEG files, at most %(count)s, each up to %(size)s. %(audience)s"
    ) % {
        "count": settings.CUSTOMER_DOCUMENT_MAX_FILES,
        "size": filesizeformat(settings.CUSTOMER_DOCUMENT_MAX_BYTES),
        "audience": audience,
    }


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


# -- Add customer ---------------------------------------------------------------------------


class QualificationSelect(forms.RadioSelect):
    """Radio buttons whose GCC option is disabled (with the reason) when GCC isn't allowed."""

    def __init__(self, *args, gcc_block_reason: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.gcc_block_reason = gcc_block_reason

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value == GCC:
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
        help_text=_("The customer's own domain name, for example contoso.gov."),
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
    contact_phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        help_text=_("With the area code, for example +1 202 555 0143."),
    )
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
        self.helper = FormHelper()
        self.helper.form_id = "customer-form"
        # The server says what to enter instead; no browser bubbles before it.
        self.helper.attrs = {"novalidate": ""}
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
            # A GCC customer and its first order, created together on the last step
            # (customers.js shows it while GCC is chosen).
            buttons.append(
                StrictButton(
                    _("Next: Subscriptions"),
                    type="submit",
                    name="next_step",
                    value="subscriptions",
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

    def clean_primary_domain(self) -> str:
        return clean_domain(self.cleaned_data["primary_domain"])

    def clean_postal_code(self) -> str:
        match = ZIP_RE.match(self.cleaned_data["postal_code"].strip())
        if not match:
            raise forms.ValidationError(
                _("Enter a ZIP code of 5 digits, or 9 digits (ZIP+4), for example 20500-0003.")
            )
        first, plus_four = match.groups()
        return f"{first}-{plus_four}" if plus_four else first

    def clean_contact_phone(self) -> str:
        return clean_phone(self.cleaned_data["contact_phone"])

    def clean(self) -> dict:
        cleaned = super().clean()
        if "gcc_validation" not in self.fields:
            return cleaned
        if cleaned.get("special_qualification") == GCC:
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


# -- customer validation request ---------------------------------------------------------


class CustomerValidationForm(IdempotentForm):
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
            "If the review team needs more information, it writes to this address with a link "
            "to answer."
        ),
    )
    contact_phone = forms.CharField(
        label=_("Customer contact phone"),
        max_length=30,
        help_text=_("With the area code, for example +1 202 555 0143."),
    )
    commercial_tenant_id = forms.CharField(
        label=_("Transacting partner's commercial tenant ID"),
        max_length=64,
        # Rendered with |safe by the crispy template; the text is ours, never user input.
        help_text=TENANT_ID_WARNING,
    )
    documents = documents_field()

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["documents"].help_text = documents_help_text(
            audience=gettext("Only your organization and the GCC review team can see them.")
        )
        self.helper = FormHelper()
        self.helper.form_id = "customer-validation-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "idempotency_key",
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
        )
        self.helper.add_input(Submit("submit", _("Submit request")))

    def clean_government_domain(self) -> str:
        return clean_domain(self.cleaned_data["government_domain"])

    def clean_contact_phone(self) -> str:
        return clean_phone(self.cleaned_data["contact_phone"])

    def clean_commercial_tenant_id(self) -> str:
        value = self.cleaned_data["commercial_tenant_id"].strip()
        problem = customer_validation_tenant_id_problem(organization=self.organization, value=value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_documents(self) -> list:
        return clean_documents(self.cleaned_data["documents"])

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
        return cleaned

    @property
    def transacting_partner(self) -> Organization:
        return transacting_partner_for(organization=self.organization)


# -- the customer contact's answer (public page) -----------------------------------------


class CustomerAnswerForm(IdempotentForm):
    response = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Enter the information the reviewer asked for.")},
    )
    documents = documents_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["documents"].help_text = documents_help_text(
            audience=gettext("Only the partner and the GCC review team can see them.")
        )
        self.helper = FormHelper()
        self.helper.form_id = "customer-answer-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", _("Submit")))

    def clean_documents(self) -> list:
        return clean_documents(self.cleaned_data["documents"])


# -- reseller-relationship requests --------------------------------------------------------


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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
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
        self.helper = FormHelper()
        self.helper.form_id = "invitation-accept-form"
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            Fieldset(_("Your organization"), "company_name", "primary_domain"),
            Fieldset(_("You"), "accepted_by_name", "accepted_by_email"),
        )
        self.helper.add_input(Submit("submit", _("Continue")))

    def clean_primary_domain(self) -> str:
        return clean_domain(self.cleaned_data["primary_domain"])
