"""What the customers app's signed links share: their two errors, and reading a token that
expires.

The links themselves: `customers.validations.links` (the customer contact's answer link) and
`customers.invitations.links` (the personalized invitation link and its confirmation link).
"""

from typing import Any

from django.core import signing


class LinkInvalid(Exception):
    """Forged, tampered with, or not a link of ours."""


class LinkExpired(Exception):
    """Authentic but older than its allowed age."""


def signed_payload_read(token: str, *, salt: str, max_age: int) -> Any:
    """The payload of an authentic token signed at most `max_age` seconds ago."""
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
