"""The links of a reseller-relationship invitation: the personalized link the partner sends,
and the confirmation link mailed to the person accepting it."""

import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse

from customers.links import LinkInvalid, signed_payload_read

INVITATION_SALT = "customers.reseller-invitation"


def invitation_nonce_new() -> str:
    return secrets.token_urlsafe(32)


def invitation_url(*, invitation_id: int, nonce: str) -> str:
    """The personalized link of a reseller-relationship request (absolute: it goes in an email).

    Not time-stamped: the invitation's own expires_at, set when it is sent, decides expiry.
    """
    # A plain Signer, not signing.dumps: dumps time-stamps the token, so the same invitation
    # would get a different link every second and Done would never find it in the draft.
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "customers:invitation_accept",
        args=[invitation_token(invitation_id=invitation_id, nonce=nonce)],
    )


def invitation_token(*, invitation_id: int, nonce: str) -> str:
    return signing.Signer(salt=INVITATION_SALT).sign_object(
        {"i": invitation_id, "n": nonce}, compress=True
    )


def invitation_read(token: str) -> tuple[int, str]:
    """(invitation id, nonce) of an authentic token; LinkInvalid otherwise."""
    try:
        payload = signing.Signer(salt=INVITATION_SALT).unsign_object(token)
        return int(payload["i"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid from exc


ACCEPTANCE_SALT = "customers.reseller-invitation-acceptance"


def acceptance_confirmation_path(*, invitation_id: int, nonce: str, answers: dict) -> str:
    """The link, mailed to the accepting person, that proves they read that mailbox."""
    token = signing.dumps(
        {"i": invitation_id, "n": nonce, "a": answers}, salt=ACCEPTANCE_SALT, compress=True
    )
    return reverse("customers:invitation_confirm", args=[token])


def acceptance_confirmation_read(token: str) -> tuple[int, str, dict]:
    """(invitation id, nonce, answers) of an authentic, unexpired confirmation token."""
    payload = signed_payload_read(
        token, salt=ACCEPTANCE_SALT, max_age=settings.INVITATION_CONFIRMATION_MAX_AGE_SECONDS
    )
    try:
        return int(payload["i"]), str(payload["n"]), dict(payload["a"])
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid from exc
