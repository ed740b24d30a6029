"""The urgent risk banner, added to every staff page about one client.

A context processor rather than per-view code so a new client page cannot forget it: the
banner stays on every page of that client until a clinician acknowledges the risk item.
"""

from __future__ import annotations

from django.http import HttpRequest

from rapport.accounts.models import User
from rapport.care.models import Client, TherapySession
from rapport.signals.models import NOTE_LENGTH
from rapport.signals.reading import unacknowledged_risks

# Staff pages about one client (never the client's own form or the tablet lock screen).
CLIENT_PAGES = frozenset(
    {
        "client-detail",
        "client-measures",
        "session-new",
        "session-detail",
        "session-issue-link",
        "session-rate",
        "plan",
        "plan-versions",
        "client-consent",
        "risk-acknowledge",  # a refused note shows the client's page again
    }
)


def _client_of_page(request: HttpRequest, user: User) -> Client | None:
    match = request.resolver_match
    if match is None or match.url_name not in CLIENT_PAGES:
        return None
    if "client_id" in match.kwargs:
        return Client.objects.visible_to(user).filter(pk=match.kwargs["client_id"]).first()
    session = (
        TherapySession.objects.visible_to(user)
        .select_related("episode__client")
        .filter(pk=match.kwargs.get("session_id"))
        .first()
    )
    return session.episode.client if session else None


def risk_banner(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    client = _client_of_page(request, user)
    if client is None:
        return {}
    return {
        "risk_client": client,
        "risk_alerts": unacknowledged_risks(client),
        "risk_note_length": NOTE_LENGTH,  # the text box holds what acknowledge_risk accepts
    }
