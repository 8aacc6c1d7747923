from django import forms
from django.utils.translation import gettext_lazy as _

from gccportal.forms import page_form_helper

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
