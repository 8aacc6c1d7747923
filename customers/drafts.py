"""Add customer's answers kept while the partner asks for the customer's validation code.

"What's this? → Submit a new request" (and the no-code note's link) posts the Add customer
form here instead of leaving it: the answers typed so far (and the order lines carried from
Next: Subscriptions, if any) are kept in the session, the customer validation request starts
from them (legal name, domain, contact), and Add customer shows them again when the partner
comes back. Kept in the session, never in a URL: they name a contact person.
"""

from django.contrib.sessions.backends.base import SessionBase
from django.http import QueryDict

SESSION_KEY = "customers:add_customer_draft"
# Order lines carried from Next: Subscriptions travel with the answers.
LINE_PREFIXES = ("quantity_", "name_")
MAX_VALUE_LENGTH = 300


def add_customer_draft_save(session: SessionBase, data: QueryDict, *, field_names) -> dict:
    """Keep the posted answers of `field_names` (and carried order lines), as typed."""
    draft = {
        name: value[:MAX_VALUE_LENGTH]
        for name, value in data.items()
        if value and (name in field_names or name.startswith(LINE_PREFIXES))
    }
    session[SESSION_KEY] = draft
    return draft


def add_customer_draft(session: SessionBase) -> dict:
    """The kept answers ({} when there are none), kept."""
    return dict(session.get(SESSION_KEY) or {})


def add_customer_draft_take(session: SessionBase) -> dict:
    """The kept answers, no longer kept: Add customer shows them once, in its form."""
    return dict(session.pop(SESSION_KEY, None) or {})


def add_customer_draft_discard(session: SessionBase) -> None:
    session.pop(SESSION_KEY, None)


def draft_lines(draft: dict) -> list[tuple[str, str]]:
    """(name, value) of the carried order lines of a draft."""
    return [(name, value) for name, value in draft.items() if name.startswith(LINE_PREFIXES)]


def draft_answers(draft: dict) -> dict:
    """The Add customer answers of a draft, without the carried lines."""
    return {name: value for name, value in draft.items() if not name.startswith(LINE_PREFIXES)}


def validation_initial_from_draft(draft: dict) -> dict:
    """A customer validation request's first answers, from Add customer's: the company's
    name as its legal name, its domain, its contact person."""
    contact_name = " ".join(
        part for part in (draft.get("contact_first_name"), draft.get("contact_last_name")) if part
    )
    initial = {
        "organization_legal_name": draft.get("company_name"),
        "government_domain": draft.get("primary_domain"),
        "contact_name": contact_name,
        "contact_email": draft.get("contact_email"),
        "contact_phone": draft.get("contact_phone"),
    }
    return {name: value for name, value in initial.items() if value}
