"""The customer contact's answer link: signed, expiring, single use (no account needed)."""

import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse

from customers.links import LinkInvalid, signed_payload_read

SALT = "customers.info-request-link"


def info_link_nonce_new() -> str:
    return secrets.token_urlsafe(24)


def info_link_path(*, request_id: int, nonce: str) -> str:
    token = signing.dumps({"r": request_id, "n": nonce}, salt=SALT, compress=True)
    return reverse("customers:info_answer", args=[token])


def info_link_read(token: str) -> tuple[int, str]:
    """(request id, nonce) of an authentic, unexpired token."""
    payload = signed_payload_read(
        token, salt=SALT, max_age=settings.CUSTOMER_INFO_LINK_MAX_AGE_SECONDS
    )
    try:
        return int(payload["r"]), str(payload["n"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid from exc
