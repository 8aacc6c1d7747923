"""Rate limits of the public pages whose POST sends email (no account: anyone with a link).

Each such view is decorated with `email_post_rate_limited(scope)`. Every POST counts, valid or
not, before the view runs (an atomic increment in the shared cache, so parallel requests
cannot slip past the limit), against two separate limits:

- per link: the view's `token` URL argument (or, for the password reset, the address posted),
  `PUBLIC_EMAIL_RATE_PER_LINK` (default 5/h);
- per client IP (`gccportal.client_ip`, IPv6 by /64), `PUBLIC_EMAIL_RATE_PER_IP` (20/h).

Over either limit the POST is answered with 429 and a page saying when to try again; nothing
is read, saved or sent. The counts live in the default cache (Redis in production and tests;
files in `var/` in the embedded default, shared by its processes). Windows are fixed (django-
ratelimit's, with a per-key offset), so "try again in N minutes" is the end of the window.
"""

import logging
import math
import re
from functools import wraps

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_setting(name: str) -> str:
    """The rate in setting `name` ("5/h", "20/15m"), refused clearly when it is malformed."""
    rate = str(getattr(settings, name)).strip()
    match = _RATE.match(rate)
    if not match or int(match[1]) < 1 or match[2] == "0":
        raise ImproperlyConfigured(
            f'{name} must be a count per period such as "5/h" or "20/15m", not {rate!r}.'
        )
    return rate


def _link_key(group: str, request) -> str:
    return request.resolver_match.kwargs.get("token", "") if request.resolver_match else ""


def _posted_address_key(field: str):
    """The key of the email address posted in `field`, however it is written."""

    def key(group: str, request) -> str:
        return request.POST.get(field, "").strip().lower()

    return key


def _limits(scope: str, *, address_field: str | None = None) -> list[tuple[str, object, str]]:
    """(group, key, rate) of each limit of `scope`; "ip" is gccportal.client_ip.client_ip
    (RATELIMIT_IP_META_KEY), masked to /64 for IPv6 by django-ratelimit. The first limit is
    per link (the URL's token) or, for a page without one, per address posted in
    `address_field` (where the email goes)."""
    subject = _posted_address_key(address_field) if address_field else _link_key
    return [
        (f"public-email:{scope}:link", subject, rate_setting("PUBLIC_EMAIL_RATE_PER_LINK")),
        (f"public-email:{scope}:ip", "ip", rate_setting("PUBLIC_EMAIL_RATE_PER_IP")),
    ]


def seconds_until_allowed(request, *, scope: str, address_field: str | None = None) -> int | None:
    """Count this request against every limit of `scope`; the seconds until it may be made
    again when it is over any of them, else None.

    A cache that fails is logged and lets the request through: these limits guard against
    abuse, and an outage of the cache must not lock customers out of their links.
    """
    waits = []
    for group, key, rate in _limits(scope, address_field=address_field):
        try:
            usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
        except Exception:
            logger.warning("Rate limit %s not counted: the cache failed", group, exc_info=True)
            continue
        if usage and usage["should_limit"]:
            # The window's last second still belongs to it: allowed again one second later.
            waits.append(max(usage["time_left"], 0) + 1)
    return max(waits) if waits else None


def rate_limited_response(request, *, wait_seconds: int):
    """429: how long to wait, in minutes, and the way back to the page."""
    minutes = max(1, math.ceil(wait_seconds / 60))
    response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(wait_seconds)
    return response


def email_post_rate_limited(scope: str, *, address_field: str | None = None):
    """Decorate a public view whose POST sends email: its URL carries the link's `token`, or
    (`address_field`) the form posts the address the email goes to (the password reset)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                wait = seconds_until_allowed(request, scope=scope, address_field=address_field)
                if wait is not None:
                    return rate_limited_response(request, wait_seconds=wait)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
