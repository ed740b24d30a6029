"""Rate limits on the client's feedback links, counted from the audit trail.

Every request to a link is already in the audit trail with its address and result, so counting
recent rows there gives a limit shared by every app server process, with nothing else to run.
Two limits: a generous one on all link requests from one address (a clinic's tablets share an
address), and a strict one on refused tokens, which is what guessing looks like. An IPv6
visitor is counted by their /64 network (:func:`rapport.client_address.rate_limit_key`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from rapport.audit.models import AuditEvent
from rapport.client_address import client_network

# The link's pages and the API's route for client apps, by the url names the audit trail
# records (django-ninja names a path by its first operation, so a POST there is
# "get_feedback_form" too).
LINK_ROUTES = ("feedback-form", "feedback-thanks", "get_feedback_form")
GUESS_WINDOW = timedelta(minutes=10)

View = Callable[..., HttpResponse]


def _too_many(network: str | None) -> bool:
    if not network:
        return False
    now = timezone.now()
    recent = AuditEvent.objects.filter(network=network, route__in=LINK_ROUTES)
    per_minute = recent.filter(at__gte=now - timedelta(minutes=1)).count()
    if per_minute >= settings.FEEDBACK_LINK_RATE_PER_MINUTE:
        return True
    refused = recent.filter(at__gte=now - GUESS_WINDOW, status__in=(404, 410)).count()
    return refused >= settings.FEEDBACK_LINK_FAILURES_PER_10_MINUTES


def over_limit(request: HttpRequest) -> bool:
    """Whether the visitor's network has sent too many link requests just now."""
    try:
        return _too_many(client_network(request))
    except DatabaseError:
        return False  # the database is down: the view itself answers "try again"


def rate_limited(view: View) -> View:
    """Answer 429 with a calm page when an address sends too many link requests."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if over_limit(request):
            response = render(request, "feedback/too_many.html", status=429)
            response["Retry-After"] = "60"
            return response
        return view(request, *args, **kwargs)

    return wrapper
