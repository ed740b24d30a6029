"""In a real browser: the therapist uploads a captioned session, says who is who, reads the report.

The WebVTT file is project-written and fictional; its speakers are names, so Rapport must ask.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from rapport.analysis import services
from rapport.analysis.models import PendingTranscript, TranscriptAnalysis
from rapport.consent.models import Method, Purpose
from rapport.consent.services import record_consent
from tests.browser.test_client_feedback_flow import _log_in
from tests.conftest import People
from tests.factory import checkin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VTT = """WEBVTT

00:00:02.000 --> 00:00:06.000
<v Sam Okafor>Where would you like to start today?

00:00:07.000 --> 00:00:13.000
<v Robin Hale>With work, I think. I lie awake going over what I did not finish.

00:00:14.000 --> 00:00:18.000
<v Sam Okafor>The unfinished things follow you to bed.

00:00:19.000 --> 00:00:26.000
<v Robin Hale>Every night. And then I am too tired to do them the next day, so it piles up.

00:00:27.000 --> 00:00:31.000
<v Sam Okafor>What would a better evening look like?

00:00:32.000 --> 00:00:40.000
<v Robin Hale>Writing a list before I leave, maybe, so it is on paper and not in my head.
"""


@pytest.fixture(autouse=True)
def _no_trained_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model trained on this machine must not change what the page says."""
    monkeypatch.setattr(services, "default_labelling", lambda: services.Labelling(None, None))


class TestTranscriptUploadInTheBrowser:
    def test_the_therapist_maps_speakers_and_sees_the_report_beside_the_ratings(
        self,
        people: People,
        live_server: Any,
        desk: Any,
        console_errors: list[str],
        tmp_path: Path,
    ) -> None:
        session = people.factory.make_session(people.dana)
        people.factory.make_response(session, "checkin", checkin(8, 7, 9, 8, 6))
        record_consent(people.dana, Purpose.TRANSCRIPTS, True, Method.WRITTEN, people.alice)
        captions = tmp_path / "session-2.vtt"
        captions.write_text(VTT, encoding="utf-8")

        _log_in(desk, live_server, "alice")
        desk.goto(f"{live_server.url}/sessions/{session.pk}/")
        expect(desk.get_by_role("heading", name="Transcript analysis")).to_be_visible()
        desk.get_by_role("link", name="Upload a transcript").click()
        expect(desk.get_by_text("What is kept:")).to_be_visible()
        desk.get_by_label("Transcript file").set_input_files(str(captions))
        desk.get_by_role("button", name="Upload and analyse").click()

        # The speakers are names: Rapport asks who is who.
        expect(desk.get_by_role("heading", name="Who is speaking?")).to_be_visible()
        assert PendingTranscript.objects.count() == 1
        desk.get_by_label("Sam Okafor").select_option("therapist")
        desk.get_by_label("Robin Hale").select_option("client")
        desk.get_by_role("button", name="Analyse").click()

        # Back on the session page: the report, with its talk balance, beside the ratings.
        expect(desk.get_by_text("The transcript was analysed")).to_be_visible()
        analysis = TranscriptAnalysis.objects.get()
        assert not PendingTranscript.objects.exists()
        by_role = analysis.report["talk_balance"]["by_role"]
        section = desk.locator("#transcript-analysis")
        expect(section).to_contain_text("session-2.vtt")
        balance = section.locator("table").first
        for role in ("therapist", "client"):
            expect(balance).to_contain_text(str(by_role[role]["words"]))
        scores = desk.locator("section[aria-labelledby=scores-heading]")
        expect(scores).to_contain_text("(client)")
        score_box, report_box = scores.bounding_box(), section.bounding_box()
        assert score_box["x"] + score_box["width"] <= report_box["x"]  # side by side at 1280 px
        assert abs(score_box["y"] - report_box["y"]) < 40
        # Charts are drawn from the embedded data by the static script (no inline script).
        # (waited for: the scripts at the end of the page may still be loading)
        desk.wait_for_function(
            "() => Array.from(document.querySelectorAll('#transcript-analysis canvas'))"
            ".filter((c) => window.Chart && Chart.getChart(c)).length >= 1"
        )
        assert console_errors == []
