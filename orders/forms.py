"""The order form: one row per offer (a quantity, empty when not ordered, and a friendly name).

The same field names travel from the Add subscriptions page to the review page (as hidden
fields) and back, so one form parses all three posts. Field names follow the service's error
keys (`quantity_<offer ID>`), so its messages land next to the right row.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import OrderLine
from .selectors import offers_by_family


def quantity_field(offer_id: str) -> str:
    return f"quantity_{offer_id}"


def name_field(offer_id: str) -> str:
    return f"name_{offer_id}"


class OrderLinesForm(forms.Form):
    """Parses a row for every active offer (`offers`), shown or not: whatever is posted
    reaches the service, which refuses what may not be ordered (e.g. a GCC offer for a non-GCC
    customer). Rendered as rows: every offer, or those passed to `show()`."""

    def __init__(self, *args, offers, **kwargs):
        super().__init__(*args, **kwargs)
        self.offers = list(offers)
        self.shown = self.offers
        for offer in self.offers:
            self.fields[quantity_field(offer.offer_id)] = forms.IntegerField(
                label=_("Quantity of %(offer)s") % {"offer": offer.name},
                required=False,
                widget=forms.NumberInput(
                    attrs={
                        "min": offer.min_quantity,
                        "max": offer.max_quantity,
                        "class": "form-control form-control-sm",
                        "inputmode": "numeric",
                    }
                ),
            )
            self.fields[name_field(offer.offer_id)] = forms.CharField(
                label=_("Friendly name for %(offer)s") % {"offer": offer.name},
                required=False,
                max_length=100,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def show(self, offers) -> None:
        """Render only these offers' rows (those the customer may have), and those with an
        error (a refused line: its message next to it, where its quantity can be cleared)."""
        shown_ids = {offer.offer_id for offer in offers}
        errors = self.errors if self.is_bound else {}
        self.shown = [
            offer
            for offer in self.offers
            if offer.offer_id in shown_ids
            or quantity_field(offer.offer_id) in errors
            or name_field(offer.offer_id) in errors
        ]

    def _row(self, offer) -> tuple:
        """(offer, quantity bound field, friendly name bound field)."""
        return offer, self[quantity_field(offer.offer_id)], self[name_field(offer.offer_id)]

    def rows(self):
        """The row of each shown offer (see `_row`)."""
        return [self._row(offer) for offer in self.shown]

    def groups(self) -> list[tuple[str, list]]:
        """The shown rows grouped by product family: (family label, rows)."""
        return [
            (label, [self._row(offer) for offer in offers])
            for label, offers in offers_by_family(self.shown)
        ]

    def lines(self) -> list[OrderLine]:
        """The ordered lines, in catalogue order (call after is_valid())."""
        return [
            OrderLine(
                offer_id=offer.offer_id,
                quantity=self.cleaned_data[quantity_field(offer.offer_id)],
                friendly_name=self.cleaned_data[name_field(offer.offer_id)].strip(),
            )
            for offer in self.offers
            if self.cleaned_data.get(quantity_field(offer.offer_id)) is not None
        ]

    def hidden_values(self) -> list[tuple[str, str]]:
        """The posted values worth carrying to the next page, as (name, value)."""
        values = []
        for line in self.lines():
            values.append((quantity_field(line.offer_id), str(line.quantity)))
            if line.friendly_name:
                values.append((name_field(line.offer_id), line.friendly_name))
        return values

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service's messages next to the rows they name; the others above the table."""
        for key, errors in exc.message_dict.items():
            for error in errors:
                self.add_error(key if key in self.fields else None, error)


class OrderSubmitForm(OrderLinesForm):
    idempotency_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": gettext_lazy("The order form is incomplete.")},
    )
