"""Consent gates what needs it; a client's data can be exported whole and anonymised on request."""

from __future__ import annotations

import datetime
import json

import pytest
from django.test import Client as Browser
from django.urls import reverse

from rapport.audit.models import AuditEvent
from rapport.consent.models import ConsentRecord, Erasure, Method, Purpose
from rapport.consent.services import ConsentMissing, record_consent, require_consent
from rapport.core.plans import RaisedBy
from rapport.feedback import services
from rapport.feedback.models import FeedbackRequest, Response
from rapport.plans.models import PlanVersion
from rapport.plans.services import save_version
from tests.conftest import People
from tests.factory import checkin, phq9


def _alice(people: People) -> Browser:
    browser = Browser()
    browser.force_login(people.alice)
    return browser


class TestConsent:
    def test_it_records_decisions_as_history_and_shows_the_latest(self, people: People) -> None:
        browser = _alice(people)
        url = reverse("client-consent", args=[people.dana.pk])
        browser.post(url, {"purpose": "research", "granted": "yes", "method": "written"})
        browser.post(url, {"purpose": "research", "granted": "no", "method": "verbal"})
        assert ConsentRecord.objects.count() == 2  # a withdrawal adds, never overwrites
        page = browser.get(url).text
        assert "refused or withdrawn" in page
        with pytest.raises(ConsentMissing, match="withdrawn on"):
            require_consent(people.dana, Purpose.RESEARCH)

    def test_it_refuses_transcript_analysis_without_a_grant(self, people: People) -> None:
        with pytest.raises(ConsentMissing, match="has not consented"):
            require_consent(people.dana, Purpose.TRANSCRIPTS)
        record_consent(people.dana, Purpose.TRANSCRIPTS, True, Method.WRITTEN, people.alice)
        require_consent(people.dana, Purpose.TRANSCRIPTS)  # no error

    def test_it_stops_feedback_links_once_the_client_withdraws(self, people: People) -> None:
        session = people.factory.make_session(people.dana)
        services.issue_link(session, "end", people.alice)  # never asked: the routine goes on
        record_consent(people.dana, Purpose.FEEDBACK, False, Method.VERBAL, people.alice)
        page = _alice(people).post(
            reverse("session-issue-link", args=[session.pk, "end"]), follow=True
        )
        assert "withdrew consent to session feedback" in page.text
        assert FeedbackRequest.objects.count() == 1

    def test_it_refuses_an_invalid_decision(self, people: People) -> None:
        page = _alice(people).post(
            reverse("client-consent", args=[people.dana.pk]), {"purpose": "everything"}
        )
        assert page.status_code == 400
        assert not ConsentRecord.objects.exists()


class TestClientRights:
    def _history(self, people: People) -> None:
        f = people.factory
        session = f.make_session(people.dana)
        f.make_response(session, "phq9", phq9([1] * 9))
        f.make_response(
            session, "checkin", checkin(9, 9, 9, 9, 9), {"next_time": "Talk about my sister"}
        )
        save_version(
            people.dana,
            lambda s: s.add_problem(
                "Arguments with my sister", RaisedBy.CLIENT, datetime.date(2026, 9, 1)
            ),
            people.alice,
        )
        record_consent(people.dana, Purpose.RESEARCH, True, Method.WRITTEN, people.alice)

    def test_it_exports_everything_as_json_and_as_a_page(self, people: People) -> None:
        self._history(people)
        browser = _alice(people)
        download = browser.get(reverse("client-export", args=[people.dana.pk]) + "?format=json")
        assert download["Content-Disposition"].startswith("attachment")
        data = json.loads(download.content)
        assert data["client"]["display_name"] == "Dana R."
        responses = data["episodes"][0]["sessions"][0]["responses"]
        assert {r["measure"] for r in responses} == {"phq9", "checkin"}
        assert any(r["comments"] == {"next_time": "Talk about my sister"} for r in responses)
        assert data["plan_versions"][0]["plan"]["problems"][0]["title"] == (
            "Arguments with my sister"
        )
        assert data["consent"][0]["purpose"] == "research"
        page = browser.get(reverse("client-export", args=[people.dana.pk])).text
        assert "Talk about my sister" in page
        assert (
            AuditEvent.objects.filter(route="client-export", client_id=people.dana.pk).count() == 2
        )

    def test_it_anonymises_on_request_and_keeps_scores_and_audit(self, people: People) -> None:
        self._history(people)
        browser = _alice(people)
        url = reverse("client-anonymise", args=[people.dana.pk])
        wrong = browser.post(url, {"confirm": "dana"}, follow=True)
        assert "Nothing was erased" in wrong.text
        assert not Erasure.objects.exists()
        browser.post(url, {"confirm": "Dana R."})
        people.dana.refresh_from_db()
        assert people.dana.display_name == f"Erased client {people.dana.pk}"
        assert all(r.comments == {} for r in Response.objects.all())
        assert sorted(Response.objects.values_list("total", flat=True)) == [9.0, 9.0]
        snapshot = PlanVersion.objects.get().snapshot
        assert "sister" not in json.dumps(snapshot)
        assert Erasure.objects.get().client_id == people.dana.pk
        assert AuditEvent.objects.filter(route="client-anonymise", status=302).count() == 2
