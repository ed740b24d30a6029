"""Throttling of repeated failed sign-ins (django-axes), and the page a locked-out person sees.

Failures are counted per username *and* address, whether or not the username exists, so the
lockout page looks the same for every name and an attacker elsewhere cannot lock a therapist out.
The login form, the tablet unlock form and wrong two-factor codes all count.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

USERNAME_LENGTH = 255  # what axes' AccessAttempt.username holds


def attempt_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the username typed, cut to what axes can store. Longer
    than any account's, so the cut changes no count, but uncut every sign-in form (the admin's
    too) failed on PostgreSQL with a 256-character name."""
    source = credentials or getattr(request, "POST", {})
    username = source.get(getattr(settings, "AXES_USERNAME_FORM_FIELD", "username"))
    return None if username is None else str(username)[:USERNAME_LENGTH]


def cool_off() -> timedelta:
    value = settings.AXES_COOLOFF_TIME
    assert isinstance(value, timedelta)
    return value


def minutes_left(request: HttpRequest, credentials: dict[str, Any] | None) -> int:
    """Whole minutes until this username and address may try again (at least 1)."""
    username = get_client_username(request, credentials)
    ip_address = getattr(request, "axes_ip_address", None)
    latest = AccessAttempt.objects.filter(username=username, ip_address=ip_address).aggregate(
        latest=Max("attempt_time")
    )["latest"]
    if latest is None:
        return math.ceil(cool_off().total_seconds() / 60)
    left = latest + cool_off() - timezone.now()
    return max(1, math.ceil(left.total_seconds() / 60))


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: a 429 page that never names or confirms the account."""
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes_left(request, credentials)},
        status=429,
    )


def is_locked_out(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": username})


def record_failure(request: HttpRequest, username: str) -> bool:
    """Count a failed check that did not go through ``authenticate`` (a wrong two-factor code).

    Returns whether this failure locked the username and address out.
    """
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return bool(getattr(request, "axes_locked_out", False))


def clear_failures(username: str) -> int:
    """Lift a lockout from every address (a clinic admin's action, or a new password)."""
    return AxesProxyHandler.reset_attempts(username=username)


def signed_in(request: HttpRequest, username: str) -> None:
    """Forget this address's failures once *both* steps succeeded.

    Not on the password alone (``AXES_RESET_ON_SUCCESS`` is off): a correct password followed
    by wrong codes, again and again, must still end in a lockout.
    """
    AxesProxyHandler.reset_attempts(ip_address=get_client_ip_address(request), username=username)
