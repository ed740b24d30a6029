"""A therapist gets a 404 for another therapist's client on every page and API route."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import URLPattern, get_resolver, reverse

from rapport.analysis.models import PendingTranscript, TranscriptAnalysis
from rapport.analysis.services import (
    Labelling,
    hold_pending,
    parse_upload,
    read_upload,
    store_analysis,
)
from rapport.api.routes import api
from rapport.consent.models import ConsentRecord, Erasure, Method, Purpose
from rapport.consent.services import record_consent
from rapport.feedback.models import FeedbackRequest, Response
from rapport.plans.models import PlanVersion
from rapport.signals.models import RiskAcknowledgement
from tests.conftest import People
from tests.factory import phq9

# Every route naming a client or session: (method, URL name or API path, extra URL kwargs).
RECORD_ROUTES: list[tuple[str, str, dict[str, str]]] = [
    ("get", "client-detail", {}),
    ("get", "client-measures", {}),
    ("post", "client-measures", {}),
    ("get", "session-new", {}),
    ("post", "session-new", {}),
    ("get", "session-detail", {}),
    ("post", "session-issue-link", {"purpose": "start"}),
    ("post", "session-tablet", {"purpose": "end"}),
    ("post", "session-rate", {}),
    ("get", "session-transcript", {}),
    ("post", "session-transcript", {}),
    ("post", "session-transcript-roles", {}),
    ("get", "session-transcript-analysis", {}),
    ("post", "risk-acknowledge", {}),
    ("get", "plan", {}),
    ("get", "client-consent", {}),
    ("post", "client-consent", {}),
    ("get", "client-export", {}),
    ("post", "client-anonymise", {}),
    ("post", "plan-edit", {"action": "add-problem"}),
    ("get", "plan-versions", {}),
    ("get", "plan-print", {}),
    ("get", "/api/clients/{client_id}", {}),
    ("get", "/api/clients/{client_id}/sessions", {}),
    ("post", "/api/clients/{client_id}/sessions", {}),
    ("get", "/api/clients/{client_id}/scores", {}),
    ("get", "/api/clients/{client_id}/signals", {}),
    ("post", "/api/sessions/{session_id}/feedback-requests", {}),
]


def _bobs_routes(people: People) -> list[tuple[str, str]]:
    """Every record route, pointed at Bob's client Eli and one of his sessions."""
    session = people.factory.make_session(people.eli)
    # Item 9 endorsed, so acknowledging the risk would change something if it were allowed.
    risky = people.factory.make_response(session, "phq9", phq9([0] * 8 + [1]))
    # Eli agreed to transcript analysis and Bob analysed one (and has one awaiting roles), so
    # refusals below are about ownership, not a missing record or consent.
    record_consent(people.eli, Purpose.TRANSCRIPTS, True, Method.WRITTEN, people.bob)
    upload = read_upload(b"T: How was the week?\nC: Quieter than the last one.\n", "s.txt")
    analysis = store_analysis(
        session, people.bob, upload, parse_upload(upload), Labelling(None, None)
    )
    hold_pending(session, people.bob, read_upload(b"Bob: Hi\nEli: Hello\n", "named.txt"))
    ids = {
        "client_id": people.eli.pk,
        "session_id": session.pk,
        "response_id": risky.pk,
        "analysis_id": analysis.pk,
    }
    urls = []
    for method, route, extra in RECORD_ROUTES:
        if route.startswith("/api/"):
            urls.append((method, route.format(**ids)))
        else:
            wanted = {k: v for k, v in ids.items() if f"<int:{k}>" in _page_routes()[route]}
            urls.append((method, reverse(route, kwargs={**wanted, **extra})))
    return urls


def _page_routes() -> dict[str, str]:
    return {
        str(p.name): str(p.pattern)
        for p in get_resolver().url_patterns
        if isinstance(p, URLPattern)
    }


def covered_record_routes() -> set[str]:
    """RECORD_ROUTES in the form the route guards compare: URL names and "method /api/path"."""
    return {
        f"{method} {route}" if route.startswith("/api/") else route
        for method, route, _ in RECORD_ROUTES
    }


def _record_routes() -> set[str]:
    """Page URL names and "method /api/path" for every route taking a client or session id."""
    routes = {
        name
        for name, pattern in _page_routes().items()
        if "client_id" in pattern or "session_id" in pattern
    }
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "{client_id}" in path or "{session_id}" in path:
            routes.update(f"{method} {path}" for method in operations)
    return routes


class TestOwnership:
    def test_it_covers_every_route_that_names_a_record(self) -> None:
        """A new page or API route with a client/session id must join RECORD_ROUTES."""
        covered = covered_record_routes()
        assert _record_routes() <= covered, _record_routes() - covered

    @pytest.mark.parametrize("who", ["alice", "charlie", "ada"])
    def test_it_hides_bobs_client_from_everyone_else(self, people: People, who: str) -> None:
        """Alice (colleague), Charlie (other clinic) and Ada (admin) get 404; nothing changes."""
        browser = Browser()
        browser.force_login(getattr(people, who))
        for method, url in _bobs_routes(people):
            body = {
                "date": "2026-10-01",
                "modality": "video",
                "purpose": "start",
                "outcome_measure": "gad7",
                "alliance_measure": "checkin",
                "note": "Called the client.",
                "problem-title": "Sleep",
                "granted": "yes",
                "method": "verbal",
                "confirm": "Eli K.",
                "problem-raised_by": "client",
            }
            if method == "post" and url.startswith("/api/"):
                page = browser.post(url, body, content_type="application/json")
            else:
                page = getattr(browser, method)(url, body if method == "post" else None)
            assert page.status_code == 404, (who, method, url, page.status_code)
        assert FeedbackRequest.objects.count() == 0
        assert Response.objects.count() == 1  # only the one made above
        assert not RiskAcknowledgement.objects.exists()
        assert not PlanVersion.objects.exists()
        assert ConsentRecord.objects.count() == 1  # only the one made above
        assert TranscriptAnalysis.objects.count() == 1
        assert PendingTranscript.objects.count() == 1
        assert not Erasure.objects.exists()
        assert people.eli.current_episode.sessions.count() == 1  # type: ignore[union-attr]
        people.eli.refresh_from_db()
        assert people.eli.outcome_measure == "phq9"

    def test_it_shows_bob_his_own_client(self, people: People) -> None:
        """The same routes work for Bob, so the 404s above are about ownership."""
        browser = Browser()
        browser.force_login(people.bob)
        for method, url in _bobs_routes(people):
            if method == "get":
                assert browser.get(url).status_code == 200, url

    def test_it_lists_only_the_therapists_own_caseload(self, people: People) -> None:
        """Alice's caseload and API list show Dana, never Eli."""
        browser = Browser()
        browser.force_login(people.alice)
        page = browser.get(reverse("caseload"))
        assert "Dana R." in page.text
        assert "Eli K." not in page.text
        names = [c["display_name"] for c in browser.get("/api/clients").json()]
        assert names == ["Dana R."]

    def test_it_sends_anonymous_visitors_to_log_in(self, people: People) -> None:
        """Pages redirect to the login page; the API answers 401."""
        browser = Browser()
        page = browser.get(reverse("client-detail", args=[people.dana.pk]))
        assert page.status_code == 302
        assert page.url.startswith(reverse("login"))
        assert browser.get("/api/clients").status_code == 401

    def test_it_keeps_staff_management_for_clinic_admins(self, people: People) -> None:
        """Alice cannot open the staff page; Ada can, and sees only her own clinic's staff."""
        alice = Browser()
        alice.force_login(people.alice)
        assert alice.get(reverse("staff-list")).status_code == 403
        ada = Browser()
        ada.force_login(people.ada)
        page = ada.get(reverse("staff-list"))
        assert page.status_code == 200
        assert "alice" in page.text
        assert "charlie" not in page.text
        other = ada.post(reverse("staff-toggle", args=[people.charlie.pk]))
        assert other.status_code == 404
