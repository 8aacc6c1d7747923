"""The client's IP address, the one way the portal reads it (rate limits, sign-in lockout).

`X-Forwarded-For` is written by whoever sends the request, so it is believed only when the
request comes from a proxy listed in `TRUSTED_PROXY_IPS` (addresses or networks). Then the
header is read from the right, each trusted proxy's entry skipped, and the first address that
is not a trusted proxy is the client: entries further left were written by the client itself
and prove nothing. With no trusted proxy (the default) the header is ignored: REMOTE_ADDR.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def trusted_proxy_networks() -> tuple[Network, ...]:
    """`TRUSTED_PROXY_IPS` as networks (a bare address is a network of one)."""
    return _networks(tuple(getattr(settings, "TRUSTED_PROXY_IPS", ()) or ()))


def _address(value: str) -> Address | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket (::ffff:192.0.2.1) is that IPv4 client.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_ip(request) -> str:
    """The address of the client that made `request` (see the module docstring)."""
    remote_raw = request.META.get("REMOTE_ADDR", "")
    remote = _address(remote_raw)
    if remote is None:
        return remote_raw
    networks = trusted_proxy_networks()
    if not networks or not _trusted(remote, networks):
        return str(remote)
    client = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Not an address: nothing left of it can be trusted; the last proxy we believed
            # is the nearest thing to the client we know.
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
