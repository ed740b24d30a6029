"""The visitor's network address, for the audit trail and every rate limit.

Behind a reverse proxy the connection's ``REMOTE_ADDR`` is the proxy's address, so every
visitor would share one sign-in counter, one feedback-link limit and one address in the audit
trail. A proxy that appends the address it was connected from to ``X-Forwarded-For`` (nginx's
``$proxy_add_x_forwarded_for``, Caddy, Traefik, HAProxy's ``option forwardfor``) makes that
header end with the visitor's address; with ``TRUSTED_PROXIES`` = N such proxies in a chain,
the visitor is the N-th entry from the right. Entries further left were written by whoever sent
the request and are never trusted (a client can send any ``X-Forwarded-For`` it likes).

With no trusted proxies (the default) the header is ignored: an app server reached directly
must not let a visitor choose the address its rate limits count.

Rate limits count an IPv6 visitor by their /64 network, not their full address: an ISP hands
each home or phone a /64 (or more) and every device picks fresh addresses inside it, so one
guesser could otherwise rotate through 2**64 addresses, each with a fresh counter (RFC 6177 on
end-site assignments; RFC 8981 on temporary addresses). The audit trail keeps the full address.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

__all__ = ["IPV6_RATE_LIMIT_PREFIX", "client_ip", "client_network", "rate_limit_key"]

IPV6_RATE_LIMIT_PREFIX = 64  # the smallest network an ISP assigns to one site


def _valid(candidate: str) -> str | None:
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address: ``REMOTE_ADDR``, or with ``TRUSTED_PROXIES`` = N > 0 the N-th
    ``X-Forwarded-For`` entry from the right. A missing, short or malformed header falls back
    to ``REMOTE_ADDR`` (the nearest proxy), so such requests share one counter rather than
    choosing their own; None only when there is no address at all."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies: int = settings.TRUSTED_PROXIES
    if proxies == 0:
        return remote
    entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(entries) < proxies:
        return remote
    return _valid(entries[-proxies]) or remote


def rate_limit_key(ip: str | None) -> str | None:
    """The address a rate limit counts for ``ip``: an IPv4 address itself (also when written
    IPv4-mapped, ``::ffff:203.0.113.9``), an IPv6 address's /64 as that network's first
    address (``2001:db8:1:2::``, still a valid address for address columns); None for
    nothing or something that is not an address."""
    if not ip:
        return None
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        network = ipaddress.IPv6Network((address, IPV6_RATE_LIMIT_PREFIX), strict=False)
        return str(network.network_address)
    return str(address)


def client_network(request: HttpRequest) -> str | None:
    """:func:`rate_limit_key` of the visitor's :func:`client_ip`: what sign-in lockout,
    password-reset and feedback-link limits count."""
    return rate_limit_key(client_ip(request))
