"""Who controls a domain: the mailbox rule every proof by email follows.

A mailbox proves control of exactly its own domain. `it@mail.springfield.gov` says nothing
about `springfield.gov` (a subdomain may be run by someone else: a hosting provider, a
department, an attacker's own registration under a shared suffix), so a mailbox at a
subdomain never proves the parent domain, nor the reverse.
"""


def email_domain(email: str) -> str:
    """The domain of an email address, in lower case ("" when there is none)."""
    local, at, host = email.strip().rpartition("@")
    return host.lower() if at and local else ""


def email_is_at_domain(email: str, domain: str) -> bool:
    """True when `email` is an address of exactly `domain` (case-insensitive)."""
    domain = domain.strip().lower()
    return bool(domain) and email_domain(email) == domain
