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
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

__all__ = ["client_ip"]


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
