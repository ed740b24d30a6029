"""Record every request that touches client data, whoever made it and whatever the outcome.

One middleware rather than a call in each view, so a new page or API route that names a client,
a session or a feedback link is audited without anyone remembering to add it. Refused attempts
(a 404 for another therapist's client) are recorded too: they are what an audit is for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from rapport.accounts.models import User
from rapport.audit.models import ACTOR_LENGTH, AuditEvent
from rapport.care.models import TherapySession
from rapport.client_address import client_ip, rate_limit_key
from rapport.feedback.services import request_for_token

logger = logging.getLogger(__name__)

# Pages that show many clients' data at once (no single client id in the URL).
LIST_ROUTES = frozenset({"caseload", "supervision", "list_clients", "audit-log", "audit-export"})
RECORD_KWARGS = ("client_id", "session_id", "token")
ADMIN_CHROME = frozenset({"login", "logout", "jsi18n", "password_change", "password_change_done"})
# Routes whose `token` is not a feedback link's: a password-reset link shows no client data.
NOT_CLIENT_DATA = frozenset({"password_reset_confirm"})


MAX_ID = 2**31 - 1  # the largest value AuditEvent.client_id holds on every database


def record_id(value: object) -> int | None:
    """``value`` as a record number that AuditEvent.client_id can hold, else None (also for
    text too long for int())."""
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 0 <= number <= MAX_ID else None


def _client_of(kwargs: dict[str, object]) -> tuple[int | None, int | None, str | None]:
    """(client id, clinic id, feedback request id) named by the URL, as far as they exist.

    The clinic is only looked up for a feedback link, the one caller without a staff user
    whose clinic could be used instead.
    """
    request_id: str | None = None
    clinic_id: int | None = None
    client_id = record_id(kwargs["client_id"]) if "client_id" in kwargs else None
    if client_id is None and "session_id" in kwargs:
        session_id = record_id(kwargs["session_id"])
        client_id = (
            TherapySession.objects.filter(pk=session_id)
            .values_list("episode__client_id", flat=True)
            .first()
        )
    if client_id is None and "token" in kwargs:
        feedback_request = request_for_token(str(kwargs["token"]))
        if feedback_request is not None:
            request_id = str(feedback_request.pk)
            client = feedback_request.session.episode.client
            client_id, clinic_id = client.pk, client.clinic_id
    return client_id, clinic_id, request_id


def _record(request: HttpRequest, response: HttpResponse) -> None:
    match = request.resolver_match
    if match is None:
        return
    route = match.url_name or ""
    if route in NOT_CLIENT_DATA:
        return
    # Operators browsing Django's admin see client data too (read-only): audit all of it.
    in_admin = match.namespace == "admin" and route not in ADMIN_CHROME
    names_record = any(key in match.kwargs for key in RECORD_KWARGS)
    if not names_record and route not in LIST_ROUTES and not in_admin:
        return
    user = getattr(request, "user", None)
    staff = user if isinstance(user, User) and user.is_authenticated else None
    if staff is None and "token" not in match.kwargs:
        return  # an anonymous visitor sent to the login page has seen nothing
    client_id, clinic_id, request_id = _client_of(match.kwargs)
    path = request.path
    if "token" in match.kwargs:  # a link's token is a credential: never store it
        path = path.replace(str(match.kwargs["token"]), f"[request {request_id or '?'}]")
    ip = client_ip(request)
    AuditEvent.objects.create(
        clinic_id=staff.clinic_id if staff is not None else clinic_id,
        user=staff,
        actor=staff.username[:ACTOR_LENGTH] if staff is not None else "client link",
        action=(
            "list"
            if route in LIST_ROUTES or (in_admin and route.endswith(("_changelist", "index")))
            else "view"
            if request.method in ("GET", "HEAD")
            else "change"
        ),
        route=(f"admin:{route}" if in_admin else route)[:80],
        method=(request.method or "")[:8],
        # PostgreSQL text cannot hold NUL; an event must not be lost for a crafted path.
        path=path.replace("\x00", "\ufffd")[:300],
        status=response.status_code,
        client_id=client_id,
        ip=ip,
        network=rate_limit_key(ip),
    )


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        try:
            _record(request, response)
        except DatabaseError:  # the response already happened; say loudly that it went unaudited
            logger.exception("Could not write the audit event for %s", request.path)
        return response
