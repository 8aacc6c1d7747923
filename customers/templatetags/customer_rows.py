"""The Customers list's and the customer validation requests list's rows, each rendered once
(gccportal/row_cache.py): at 20 rows the rows were about half of a list's template time."""

from django import template

from gccportal.row_cache import cached_rows

register = template.Library()

VALIDATION_ROW = "customers/includes/validation_row.html"
CUSTOMER_ROW = "customers/includes/customer_row.html"


def validation_row_shows(item) -> tuple:
    """Every value a row of the requests list shows (its link is made of the ID)."""
    return (
        item.pk,
        item.organization_legal_name,
        item.submitted_at,
        str(item.submitted_by),
        item.status,
        item.due_at,
    )


@register.simple_tag
def validation_request_rows(items) -> str:
    return cached_rows(VALIDATION_ROW, items, validation_row_shows)


def customer_row_shows(item) -> tuple:
    """Every value a row of the Customers list shows: its link (the ID), name, indirect
    reseller and domain, and each special qualification with its vetting status."""
    return (
        item.pk,
        item.company_name,
        getattr(item, "indirect_reseller_name", None),
        item.primary_domain,
        tuple(
            (qualification.qualification, qualification.vetting_status)
            for qualification in item.qualifications.all()
        ),
    )


@register.simple_tag
def customer_rows(items) -> str:
    return cached_rows(CUSTOMER_ROW, items, customer_row_shows)
