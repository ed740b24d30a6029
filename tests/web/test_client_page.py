"""The client page: charts with cutoffs, item-level answers, comments, both views of alliance."""

from __future__ import annotations

import json
import re

from django.test import Client as Browser
from django.urls import reverse

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
