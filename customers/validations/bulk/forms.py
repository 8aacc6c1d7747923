"""The upload form, and a CSV row checked by the customer validation form's own rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gccportal.forms import page_form_helper

from ..forms import CustomerValidationForm


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        error_messages={
            "required": _("Choose the CSV file to upload."),
            "empty": _(
                "This file is empty. Start from the template: its first row names the columns."
            ),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, help_text: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = help_text
        self.helper = page_form_helper(form_id="bulk-upload-form", submit=_("Upload and check"))
        self.helper.form_action = ""


class BulkRowForm(CustomerValidationForm):
    """One row: the single request form with the same rules, without its one-time key (a
    row's is derived from its content), its documents (none in bulk) and the eligibility
    pre-check's answers (a row is submitted without a check): none is a column."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["idempotency_key"]
        del self.fields["documents"]
        del self.fields["eligibility_answers"]
