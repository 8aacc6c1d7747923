from django import forms
from django.utils.translation import gettext_lazy as _

from gccportal.forms import page_form_helper
from webhooks.events import EventType

from .models import ApiClient


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The tool that will use it, e.g. “Billing sync”."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=ApiClient.Scope.choices,
        initial=ApiClient.Scope.READ,
        widget=forms.RadioSelect,
        help_text=_(
            "Read: what a Helpdesk agent sees. Read and write: what a Sales agent does too "
            "(customers, qualifications, orders)."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = page_form_helper(form_id="api-client-form", submit=_("Create client"))


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Endpoint URL"),
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}),
        help_text=_(
            "An HTTPS URL of your own that answers 2xx to a POST. Redirects are not followed."
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("Optional: what receives the events, e.g. “Billing sync, production”."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one of the events offered.")},
    )

    def __init__(self, *args, submit=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = page_form_helper(
            form_id="webhook-endpoint-form", submit=submit or _("Add endpoint")
        )
