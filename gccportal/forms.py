"""What the portal's forms share: the one-time key of a submitting form, the phone number
field, a crispy helper for a page's form, and a service's ValidationError shown on a form."""

import re
import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_RE = re.compile(r"^\+?[0-9 ()\-.]{7,25}( ?(x|ext\.?) ?[0-9]{1,6})?$", re.IGNORECASE)

INCOMPLETE_FORM = _(
    "This form was incomplete, so nothing was submitted. Check the answers and submit the "
    "form again."
)


class PhoneField(forms.CharField):
    """A phone number with its area code; the help text says how to write it."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", _("With the area code, for example +1 202 555 0143."))
        super().__init__(**kwargs)

    def clean(self, value) -> str:
        value = super().clean(value)
        if value and not PHONE_RE.match(value):
            raise forms.ValidationError(
                _("Enter a phone number with its area code, for example +1 202 555 0143.")
            )
        return value


def errors_onto_form(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError, shown next to the fields it names (the others, and one
    that names no field, above)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def page_form_helper(
    *, form_id: str, layout: Layout | None = None, submit: str | None = None
) -> FormHelper:
    """The crispy helper of a form that is its page's own <form>, with a Submit button labelled
    `submit` (if given). The server says what to enter instead: no browser bubbles before it."""
    helper = FormHelper()
    helper.form_id = form_id
    helper.attrs = {"novalidate": ""}
    if layout is not None:
        helper.layout = layout
    if submit is not None:
        helper.add_input(Submit("submit", submit))
    return helper


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
