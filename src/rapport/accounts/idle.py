"""Automatic sign-out after ``SESSION_IDLE_MINUTES`` without activity.

Each staff request stamps the time in the server-side session; a request arriving after the idle
limit (or after ``SESSION_COOKIE_AGE``, the longest any sign-in lasts) signs the session out first
and leaves a note so the login page can say why.

In tablet mode the device is in the client's hands: their requests (the feedback form) do not
count as the therapist's activity, so a device left locked signs the therapist out on the same
clock. Signing out clears the lock with the rest of the session; the client's link keeps working,
since feedback links need no login, and every staff page then asks for the password again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from rapport.feedback.tablet import SESSION_KEY as TABLET_LOCK_KEY

LAST_ACTIVITY_KEY = "rapport_last_activity"
SIGNED_IN_AT_KEY = "rapport_signed_in_at"
# Left in the fresh (anonymous) session after an automatic sign-out: "idle" or "expired".
SIGNED_OUT_KEY = "rapport_signed_out"
STAMP_EVERY_SECONDS = 60


def _now() -> int:
    return int(time.time())


@receiver(user_logged_in, dispatch_uid="rapport-idle-stamp")
def _stamp_login(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is None:
        return
    now = _now()
    session[SIGNED_IN_AT_KEY] = now
    session[LAST_ACTIVITY_KEY] = now
    session.pop(SIGNED_OUT_KEY, None)


def expiry_reason(session: Any, now: int) -> str | None:
    last = session.get(LAST_ACTIVITY_KEY)
    started = session.get(SIGNED_IN_AT_KEY)
    if last is None or started is None:
        return None  # a session from before this check existed: start its clock now
    if now - int(last) >= settings.SESSION_IDLE_MINUTES * 60:
        return "idle"
    if now - int(started) >= settings.SESSION_COOKIE_AGE:
        return "expired"
    return None


class SessionIdleMiddleware:
    """Sign out a staff session that has been idle too long. After AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            session = request.session
            now = _now()
            reason = expiry_reason(session, now)
            if reason is not None:
                logout(request)
                request.session[SIGNED_OUT_KEY] = reason
                if request.headers.get("HX-Request"):
                    # A fragment request would swap the login page into part of the page.
                    return HttpResponseClientRedirect(reverse("login"))
            else:
                session.setdefault(SIGNED_IN_AT_KEY, now)
                session.setdefault(LAST_ACTIVITY_KEY, now)
                # The client's requests on a locked tablet are not the therapist's activity.
                # Stamp at most once a minute: a session write on every request would cost a
                # query each time for a precision nobody needs.
                stale = now - int(session[LAST_ACTIVITY_KEY]) >= STAMP_EVERY_SECONDS
                if not session.get(TABLET_LOCK_KEY) and stale:
                    session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


def signed_out_message(reason: str | None) -> str:
    if reason == "idle":
        minutes = settings.SESSION_IDLE_MINUTES
        return f"You were signed out after {minutes} minutes without activity."
    if reason == "expired":
        hours = round(settings.SESSION_COOKIE_AGE / 3600, 1)
        return f"You were signed out: a sign-in lasts at most {hours:g} hours."
    return ""
