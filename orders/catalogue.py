"""The offer catalogue the portal starts with (`catalogue.csv`): the GCC offers and a few
commercial ones, one offer a row, the columns named as the Offer model's fields.

Offer IDs are this portal's catalogue IDs (Partner Center's offerId values come from its own
catalogue and are not SKU part numbers). Prices are indicative list prices in USD. Loaded by
a data migration; reviewers manage the catalogue in the admin afterwards.
"""

import csv
from decimal import Decimal
from pathlib import Path

CATALOGUE_FILE = Path(__file__).with_name("catalogue.csv")


def _offer(row: dict[str, str]) -> dict:
    return {
        **row,
        "unit_price": Decimal(row["unit_price"]),
        "min_quantity": int(row["min_quantity"]),
        "max_quantity": int(row["max_quantity"]),
        "requires_gcc": {"yes": True, "no": False}[row["requires_gcc"]],
    }


with CATALOGUE_FILE.open(newline="", encoding="utf-8") as _file:
    # Each offer's field values, by field name.
    CATALOGUE: list[dict] = [_offer(row) for row in csv.DictReader(_file)]


def catalogue_load(offer_model) -> int:
    """Create or refresh the catalogue offers with `offer_model` (historical or real)."""
    for offer in CATALOGUE:
        fields = dict(offer)
        offer_model.objects.update_or_create(offer_id=fields.pop("offer_id"), defaults=fields)
    return len(CATALOGUE)
