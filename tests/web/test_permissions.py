"""A therapist gets a 404 for another therapist's client on every page and API route."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import reverse

from rapport.feedback.models import FeedbackRequest, Response
from tests.conftest import People
from tests.factory import checkin


def _bobs_routes(people: People) -> list[tuple[str, str]]:
    """Every route that names a client or session, pointed at Bob's client Eli."""
    session = people.factory.make_session(people.eli)
    people.factory.make_response(session, "checkin", checkin(9, 9, 9, 9, 9))
    c, s = people.eli.pk, session.pk
    return [
        ("get", reverse("client-detail", args=[c])),
        ("get", reverse("client-measures", args=[c])),
        ("post", reverse("client-measures", args=[c])),
        ("get", reverse("session-new", args=[c])),
        ("post", reverse("session-new", args=[c])),
        ("get", reverse("session-detail", args=[s])),
        ("post", reverse("session-issue-link", args=[s, "start"])),
        ("post", reverse("session-tablet", args=[s, "end"])),
        ("post", reverse("session-rate", args=[s])),
        ("get", f"/api/clients/{c}"),
        ("get", f"/api/clients/{c}/sessions"),
        ("post", f"/api/clients/{c}/sessions"),
        ("get", f"/api/clients/{c}/scores"),
        ("post", f"/api/sessions/{s}/feedback-requests"),
    ]


class TestOwnership:
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
            }
            if method == "post" and url.startswith("/api/"):
                page = browser.post(url, body, content_type="application/json")
            else:
                page = getattr(browser, method)(url, body if method == "post" else None)
            assert page.status_code == 404, (who, method, url, page.status_code)
        assert FeedbackRequest.objects.count() == 0
        assert Response.objects.count() == 1  # only the one made above
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
