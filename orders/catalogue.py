"""The offer catalogue the portal starts with: the GCC offers and a few commercial ones.

Offer IDs are this portal's catalogue IDs (Partner Center's offerId values come from its own
catalogue and are not SKU part numbers). Prices are indicative list prices in USD. Loaded by
a data migration; reviewers manage the catalogue in the admin afterwards.
"""

from decimal import Decimal

CATALOGUE = [
    # offer_id, name, family, sku, price, cycle, min, max, requires_gcc
    (
        "gcc-o365-g1",
        "Office 365 G1 GCC",
        "office365",
        "STANDARDPACK_GOV",
        "8.00",
        "monthly",
        1,
        10000,
        True,
    ),
    (
        "gcc-o365-g3",
        "Office 365 G3 GCC",
        "office365",
        "ENTERPRISEPACK_GOV",
        "20.00",
        "monthly",
        1,
        10000,
        True,
    ),
    (
        "gcc-o365-g5",
        "Office 365 G5 GCC",
        "office365",
        "ENTERPRISEPREMIUM_GOV",
        "35.00",
        "monthly",
        1,
        10000,
        True,
    ),
    (
        "gcc-m365-g3",
        "Microsoft 365 G3 GCC",
        "microsoft365",
        "M365_G3_GOV",
        "32.00",
        "monthly",
        1,
        10000,
        True,
    ),
    (
        "gcc-m365-g5",
        "Microsoft 365 G5 GCC",
        "microsoft365",
        "M365_G5_GCC",
        "57.00",
        "monthly",
        1,
        10000,
        True,
    ),
    (
        "gcc-ems-e3",
        "Enterprise Mobility + Security E3 GCC",
        "ems",
        "EMS_GOV",
        "8.70",
        "monthly",
        1,
        10000,
        True,
    ),
    (
        "gcc-ems-e5",
        "Enterprise Mobility + Security E5 GCC",
        "ems",
        "EMSPREMIUM_GOV",
        "14.80",
        "monthly",
        1,
        10000,
        True,
    ),
    (
        "gcc-powerbi-pro",
        "Power BI Pro GCC",
        "powerbi",
        "POWERBI_PRO_GOV",
        "10.00",
        "monthly",
        1,
        10000,
        True,
    ),
    (
        "gcc-d365-sales",
        "Dynamics 365 Sales Enterprise GCC",
        "dynamics365",
        "",
        "95.00",
        "annual",
        1,
        5000,
        True,
    ),
    (
        "gcc-d365-service",
        "Dynamics 365 Customer Service Enterprise GCC",
        "dynamics365",
        "",
        "95.00",
        "annual",
        1,
        5000,
        True,
    ),
    (
        "com-m365-basic",
        "Microsoft 365 Business Basic",
        "microsoft365",
        "O365_BUSINESS_ESSENTIALS",
        "6.00",
        "monthly",
        1,
        300,
        False,
    ),
    (
        "com-m365-standard",
        "Microsoft 365 Business Standard",
        "microsoft365",
        "O365_BUSINESS_PREMIUM",
        "12.50",
        "monthly",
        1,
        300,
        False,
    ),
    (
        "com-o365-e3",
        "Office 365 E3",
        "office365",
        "ENTERPRISEPACK",
        "23.00",
        "monthly",
        1,
        10000,
        False,
    ),
]


def catalogue_load(offer_model) -> int:
    """Create or refresh the catalogue offers with `offer_model` (historical or real)."""
    for offer_id, name, family, sku, price, cycle, low, high, gcc in CATALOGUE:
        offer_model.objects.update_or_create(
            offer_id=offer_id,
            defaults={
                "name": name,
                "family": family,
                "sku_part_number": sku,
                "unit_price": Decimal(price),
                "billing_cycle": cycle,
                "min_quantity": low,
                "max_quantity": high,
                "requires_gcc": gcc,
            },
        )
    return len(CATALOGUE)
