"""The client page: charts with cutoffs, item-level answers, comments, both views of alliance."""

from __future__ import annotations

import json
import re

from django.test import Client as Browser
from django.urls import reverse

from rapport.feedback.models import Response
from tests.conftest import People
from tests.factory import checkin, phq9


class TestClientPage:
    def _setup(self, people: People) -> Browser:
        f = people.factory
        s1 = f.make_session(people.dana)
        f.make_response(s1, "phq9", phq9([2, 2, 2, 2, 2, 2, 2, 1, 0]))
        f.make_response(s1, "checkin", checkin(6, 6, 5, 7, 6), {"next_time": "Slow down a bit"})
        f.make_response(s1, "checkin_therapist", checkin(8, 8, 8, 8, 8), respondent="therapist")
        s2 = f.make_session(people.dana)
        f.make_response(s2, "phq9", phq9([1, 1, 1, 1, 1, 1, 1, 0, 0]))
        browser = Browser()
        browser.force_login(people.alice)
        return browser

    def test_it_embeds_chart_data_with_cutoffs(self, people: People) -> None:
        """The chart JSON carries both sessions' totals and each measure's cutoff."""
        page = self._setup(people).get(reverse("client-detail", args=[people.dana.pk])).text
        raw = re.search(
            r'<script id="chart-data" type="application/json">(.*?)</script>', page, re.S
        )
        assert raw is not None
        data = json.loads(raw.group(1))
        assert data["labels"] == ["S1", "S2"]
        assert data["outcome"]["values"] == [15.0, 7.0]
        assert data["outcome"]["measure"]["cutoff"] == 10
        assert data["alliance"]["values"] == [6.0, None]
        assert data["alliance"]["therapist_values"] == [8.0, None]
        assert data["alliance"]["measure"]["cutoff"] == 9.0

    def test_it_shows_item_answers_and_comments(self, people: People) -> None:
        """Each item's answer and the client's comment are on the page, escaped."""
        page = self._setup(people).get(reverse("client-detail", args=[people.dana.pk])).text
        assert "Slow down a bit" in page
        assert "Several days" in page  # PHQ-9 answer label for 1
        assert "Felt heard" in page or "Heard" in page

    def test_it_loads_scripts_and_styles_from_the_app_itself(self, people: People) -> None:
        """Every script and stylesheet comes from /static/ and is really served there."""
        browser = self._setup(people)
        page = browser.get(reverse("client-detail", args=[people.dana.pk]))
        assets = re.findall(r'<script[^>]+src="([^"]+)"', page.text)
        assets += re.findall(r'<link[^>]+href="([^"]+)"', page.text)
        assert len(assets) >= 4
        assert all(src.startswith("/static/") for src in assets)
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        for src in assets:
            assert browser.get(src).status_code == 200, src


class TestTherapistRating:
    def test_a_double_click_stores_one_rating_and_a_revision_another(self, people: People) -> None:
        """The same rating posted twice in a row is kept once; a changed one is a revision,
        stored beside the first and shown in its place."""
        session = people.factory.make_session(people.dana)
        browser = Browser()
        browser.force_login(people.alice)
        url = reverse("session-rate", args=[session.pk])
        form = {f"checkin_therapist-item-{n}": "7" for n in range(1, 6)}
        for _ in range(2):
            assert browser.post(url, form).status_code == 302
        ratings = Response.objects.filter(session=session, instrument="checkin_therapist")
        assert ratings.count() == 1
        browser.post(url, form | {"checkin_therapist-item-1": "4"})
        assert ratings.count() == 2
        page = browser.get(reverse("session-detail", args=[session.pk])).text
        assert "Your rating of the session is saved." in page
        assert ratings.order_by("-submitted_at").first().answers["1"] == 4  # type: ignore[union-attr]
