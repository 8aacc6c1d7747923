"""Who controls a domain: the mailbox rule every proof by email follows.

A mailbox proves control of exactly its own domain. `it@mail.springfield.gov` says nothing
about `springfield.gov` (a subdomain may be run by someone else: a hosting provider, a
department, an attacker's own registration under a shared suffix), so a mailbox at a
subdomain never proves the parent domain, nor the reverse.

And one primary domain per customer in the whole portal: what a partner is told when the
domain it types is already there.
"""

from django.utils.translation import gettext as _


def email_domain(email: str) -> str:
    """The domain of an email address, in lower case ("" when there is none)."""
    local, at, host = email.strip().rpartition("@")
    return host.lower() if at and local else ""


def email_is_at_domain(email: str, domain: str) -> bool:
    """True when `email` is an address of exactly `domain` (case-insensitive)."""
    domain = domain.strip().lower()
    return bool(domain) and email_domain(email) == domain


def domain_unavailable_message(domain: str) -> str:
    """Why a customer can't be created with `domain`, already in the portal: the same words
    whoever's customer it is (this partner's or another's), never saying it exists, and the
    way in for an organization that already works with Microsoft: a reseller relationship
    request, which it accepts from a mailbox at its domain. Add customer says it as the domain
    is typed, on Next and on Submit."""
    return _(
        "A new customer can't be created with %(domain)s. If the organization already works "
        "with Microsoft, send it a reseller relationship request instead."
    ) % {"domain": domain}
