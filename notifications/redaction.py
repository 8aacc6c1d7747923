"""Single-use link tokens, hidden from whoever reads stored emails (the outbox admin).

The outbox keeps each email's text as sent, since a failed email is sent again as it was;
people see it only through `links_redacted`, which replaces every single-use token with a
marker, so a reviewer or a lead sees that a link was sent, never a link that works.

What counts as a token, whatever the email:

- in a link to one of the portal's pages whose URL takes a `token` (the convention of every
  public link page: the customer contact's answer link, the invitation link and its
  confirmation link), that argument;
- anywhere, a value signed by `django.core.signing` (payload, optional timestamp and a
  SHA-256 signature of 43 characters): a link written some other way still carries one.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

LINK_HIDDEN = _("[single-use link hidden]")

# A URL (any host: PORTAL_BASE_URL may have changed since) or a path at the start of a word.
_LINK = re.compile(r"https?://[^\s<>\"']+|(?<![\w/.:-])/[^\s<>\"']+")
# django.core.signing's output: base64url pieces joined by ":", the last one the signature.
_SIGNED = re.compile(r"[\w.-]*(?::[\w-]+)*:[\w-]{43}(?![\w-])")
# Punctuation that ends a sentence around a link, not part of it.
_TRAILING = ".,;:!?)]}>'\""


@dataclass(frozen=True)
class Redacted:
    text: str
    hidden: int  # how many tokens were hidden


def marker() -> str:
    """The marker in the active language."""
    return str(LINK_HIDDEN)


def _link_token(path: str) -> str | None:
    """The `token` argument of the portal page `path` leads to, if it takes one."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    token = match.kwargs.get("token")
    return token or None


def _redact_link(link: str) -> tuple[str, int]:
    core = link.rstrip(_TRAILING)
    tail = link[len(core) :]
    token = _link_token(urlsplit(core).path or "/")
    if token is None:
        return link, 0
    if token in core:
        return core.replace(token, marker()) + tail, 1
    # The token is written differently in the link (escaped): the whole link goes.
    return marker() + tail, 1


def links_redacted(text: str) -> Redacted:
    """`text` with every single-use link token replaced by a marker (see the docstring)."""
    hidden = 0

    def link(match: re.Match) -> str:
        nonlocal hidden
        replaced, count = _redact_link(match[0])
        hidden += count
        return replaced

    def signed(match: re.Match) -> str:
        nonlocal hidden
        hidden += 1
        return marker()

    text = _LINK.sub(link, text or "")
    text = _SIGNED.sub(signed, text)
    return Redacted(text=text, hidden=hidden)
