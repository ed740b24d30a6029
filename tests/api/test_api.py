"""The JSON API over real HTTP: same permissions as the pages, clear 4xx for bad input."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from rapport.accounts.tokens import issue_token
from rapport.feedback.models import Response
from tests.conftest import People
from tests.factory import phq9

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def alice_api(live_server, people: People) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    token = issue_token(people.alice, "tests")
    with httpx.Client(
        base_url=f"{live_server.url}/api", headers={"Authorization": f"Bearer {token}"}
    ) as client:
        yield client


@pytest.fixture
def anonymous_api(live_server) -> Iterator[httpx.Client]:  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=f"{live_server.url}/api") as client:
        yield client


class TestApi:
    def test_it_publishes_an_openapi_schema(self, anonymous_api: httpx.Client) -> None:
        """The schema is at /api/openapi.json and lists the main routes."""
        schema = anonymous_api.get("/openapi.json").json()
        assert schema["info"]["title"] == "Rapport API"
        for path in [
            "/api/clients",
            "/api/sessions/{session_id}/feedback-requests",
            "/api/feedback/{token}",
        ]:
            assert path in schema["paths"]

    def test_it_needs_a_valid_token(self, anonymous_api: httpx.Client) -> None:
        """No token or a made-up token is a 401."""
        assert anonymous_api.get("/clients").status_code == 401
        bad = anonymous_api.get("/clients", headers={"Authorization": "Bearer rpt_made_up"})
        assert bad.status_code == 401

    def test_it_runs_the_whole_feedback_loop(
        self, people: People, alice_api: httpx.Client, anonymous_api: httpx.Client
    ) -> None:
        """Create a session, request feedback, the client submits by token, scores come back."""
        session = alice_api.post(
            f"/clients/{people.dana.pk}/sessions", json={"date": "2026-10-05", "modality": "video"}
        )
        assert session.status_code == 201, session.text
        session_id = session.json()["id"]
        created = alice_api.post(
            f"/sessions/{session_id}/feedback-requests", json={"purpose": "start"}
        )
        assert created.status_code == 201, created.text
        token = created.json()["token"]
        assert created.json()["instruments"] == ["phq9"]

        form = anonymous_api.get(f"/feedback/{token}").json()
        assert form["instruments"][0]["items"][8]["risk"] is True

        answers = {"phq9": {str(n): 2 for n in range(1, 10)}}
        submitted = anonymous_api.post(f"/feedback/{token}", json={"answers": answers})
        assert submitted.json() == {"status": "received", "totals": {"phq9": 18.0}}
        again = anonymous_api.post(f"/feedback/{token}", json={"answers": answers})
        assert again.json()["status"] == "already_received"
        assert Response.objects.count() == 1

        scores = alice_api.get(f"/clients/{people.dana.pk}/scores").json()
        assert [(s["instrument"], s["total"], s["band"]) for s in scores] == [
            ("phq9", 18.0, "Moderately severe")
        ]

    def test_it_explains_invalid_payloads(
        self, people: People, alice_api: httpx.Client, anonymous_api: httpx.Client
    ) -> None:
        """Wrong types, unknown purposes and out-of-range answers are 4xx with a message."""
        bad_date = alice_api.post(f"/clients/{people.dana.pk}/sessions", json={"date": "soon"})
        assert bad_date.status_code == 422
        assert "date" in bad_date.text
        for slip in ("0202-10-05", "9999-12-31"):
            far = alice_api.post(f"/clients/{people.dana.pk}/sessions", json={"date": slip})
            assert far.status_code == 422, slip
            assert "Enter a date between 1900-01-01 and" in far.text
        assert not people.dana.episodes.get().sessions.exists()
        not_json = alice_api.post(
            f"/clients/{people.dana.pk}/sessions",
            content=b"{nope",
            headers={"Content-Type": "application/json"},
        )
        assert 400 <= not_json.status_code < 500
        session = people.factory.make_session(people.dana)
        bad_purpose = alice_api.post(
            f"/sessions/{session.pk}/feedback-requests", json={"purpose": "lunch"}
        )
        assert bad_purpose.status_code == 422
        token = alice_api.post(
            f"/sessions/{session.pk}/feedback-requests", json={"purpose": "start"}
        ).json()["token"]
        out_of_range = anonymous_api.post(
            f"/feedback/{token}", json={"answers": {"phq9": {"1": 9}}}
        )
        assert out_of_range.status_code == 400
        assert "PHQ-9 item 1" in out_of_range.json()["detail"]
        wrong_measure = anonymous_api.post(
            f"/feedback/{token}", json={"answers": {"gad7": {"1": 1}}}
        )
        assert wrong_measure.status_code == 400
        assert Response.objects.count() == 0

    def test_it_refuses_bad_links(self, anonymous_api: httpx.Client) -> None:
        """A tampered token is a 404 with a plain message."""
        page = anonymous_api.get("/feedback/not-a-real-token")
        assert page.status_code == 404
        assert page.json() == {"detail": "This link is not valid."}

    def test_it_hides_other_therapists_clients(
        self, people: People, alice_api: httpx.Client
    ) -> None:
        """Alice's token cannot read Bob's client Eli."""
        session = people.factory.make_session(people.eli)
        people.factory.make_response(session, "phq9", phq9([1] * 9))
        assert alice_api.get(f"/clients/{people.eli.pk}/scores").status_code == 404
        assert alice_api.get(f"/clients/{people.eli.pk}/sessions").status_code == 404
        assert [c["display_name"] for c in alice_api.get("/clients").json()] == ["Dana R."]


class TestSignalsApi:
    def test_it_returns_the_clients_signals_over_http(
        self, alice_api: httpx.Client, people: People
    ) -> None:
        """An endorsed risk item comes back first, with its prompts, as typed JSON."""
        f = people.factory
        f.make_response(f.make_session(people.dana), "phq9", phq9([2] * 8 + [0]))
        f.make_response(f.make_session(people.dana), "phq9", phq9([3] * 8 + [1]))
        body = alice_api.get(f"/clients/{people.dana.pk}/signals").json()
        assert body["urgency"] == "risk"
        assert body["colour"] == "red"
        kinds = [s["kind"] for s in body["signals"]]
        assert kinds[0] == "risk"
        assert "deterioration" in kinds  # 16 -> 25 is reliable (RC 6)
        assert body["change"] == "deteriorated"
        assert len(body["signals"][0]["prompts"]) == 3

    def test_it_hides_another_therapists_client(
        self, alice_api: httpx.Client, people: People
    ) -> None:
        assert alice_api.get(f"/clients/{people.eli.pk}/signals").status_code == 404


class TestClientRoutesLimits:
    def test_the_feedback_routes_share_the_link_pages_limit(
        self,
        people: People,
        anonymous_api: httpx.Client,
        settings,  # type: ignore[no-untyped-def]
    ) -> None:
        """A burst to /api/feedback/... gets 429 with a message, as the link's pages do."""
        settings.FEEDBACK_LINK_RATE_PER_MINUTE = 3
        statuses = [anonymous_api.get("/feedback/not-a-token").status_code for _ in range(4)]
        assert statuses == [404, 404, 404, 429]
        limited = anonymous_api.post("/feedback/not-a-token", json={"answers": {}})
        assert limited.status_code == 429
        assert "try again in a minute" in limited.json()["detail"]
