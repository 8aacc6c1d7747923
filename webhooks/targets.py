"""Where a webhook may be sent, and the one HTTP call that sends it.

Only to the URL an Admin agent registered: no redirects are followed. In production
(`WEBHOOKS_ALLOW_PRIVATE_TARGETS` off) a URL must be HTTPS and every address its host resolves
to must be public: loopback, private, link-local (the cloud metadata service), shared,
reserved and multicast addresses are refused, when the endpoint is registered and again at
every call. The call connects to the address checked, not to a second lookup's answer, so a
name that resolves to a public address once and to a private one the next time (DNS
rebinding) gets nowhere; TLS still checks the certificate against the registered host name.
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

from .problems import problem, problem_text

RESPONSE_EXCERPT_BYTES = 500


class TargetRefused(Exception):
    """The URL may not be called: `problem` (webhooks.problems) says why."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class Response:
    status_code: int
    excerpt: str
    duration_ms: int


def _allow_private() -> bool:
    return settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS


def _address_refused(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def url_problem(url: str) -> str | None:
    """What is wrong with `url` as a webhook endpoint, before any lookup, in the active
    language; None if nothing."""
    code = url_problem_code(url)
    return problem_text(problem(code)) if code else None


def url_problem_code(url: str) -> str | None:
    """The code (webhooks.problems) of what is wrong with `url`, or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "invalid_url"
    schemes = ("https", "http") if _allow_private() else ("https",)
    if parts.scheme not in schemes:
        return "https_required"
    if not parts.hostname:
        return "invalid_url"
    if parts.username or parts.password:
        return "credentials_in_url"
    if port == 0:
        return "invalid_url"
    if not _allow_private():
        try:
            literal = ipaddress.ip_address(parts.hostname)
        except ValueError:
            literal = None
        if literal is not None and _address_refused(literal):
            return "private_url"
        if parts.hostname.rstrip(".").lower().endswith((".local", ".internal", ".localhost")) or (
            parts.hostname.lower() == "localhost"
        ):
            return "private_url"
    return None


def _resolve(host: str, port: int) -> list[str]:
    """The host's addresses, all of them public unless private targets are allowed."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(problem("unresolvable", exc.args[-1] if exc.args else exc)) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not _allow_private() and any(
        _address_refused(ipaddress.ip_address(address.split("%")[0])) for address in addresses
    ):
        raise TargetRefused(problem("private_address"))
    return addresses


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Response:
    """POST `body` to `url` once, connected to an address checked above; the answer's status
    and the start of its body. Raises TargetRefused, or urllib3's errors for the network."""
    code = url_problem_code(url)
    if code:
        raise TargetRefused(problem(code))
    parts = urlsplit(url)
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _resolve(host, port)[0]
    timeout = urllib3.Timeout(
        connect=settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS,
        read=settings.WEBHOOK_READ_TIMEOUT_SECONDS,
    )
    options = {"timeout": timeout, "retries": False, "maxsize": 1}
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            **options,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, **options)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    name = f"[{host}]" if ":" in host else host  # an IPv6 literal, bracketed again
    host_header = name if parts.port is None else f"{name}:{port}"
    started = time.monotonic()
    with pool:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
        )
        try:
            excerpt = response.read(RESPONSE_EXCERPT_BYTES, decode_content=True)
        finally:
            response.release_conn()
    return Response(
        status_code=response.status,
        excerpt=excerpt.decode(errors="replace"),
        duration_ms=int((time.monotonic() - started) * 1000),
    )
