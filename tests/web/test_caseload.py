"""The caseload lists each client with last session, latest scores and a status colour."""

from __future__ import annotations

from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import People
from tests.factory import checkin, phq9


class TestCaseload:
    def _page(self, people: People) -> str:
        browser = Browser()
        browser.force_login(people.alice)
        return browser.get(reverse("caseload")).text

    def test_it_shows_latest_scores_and_last_session(self, people: People) -> None:
        """The newest session's PHQ-9 and check-in totals appear, not older ones."""
        f = people.factory
        s1 = f.make_session(people.dana)
        f.make_response(s1, "phq9", phq9([2] * 9))
        s2 = f.make_session(people.dana)
        f.make_response(s2, "phq9", phq9([1, 1, 1, 1, 1, 0, 0, 0, 0]))
        f.make_response(s2, "checkin", checkin(9, 9, 10, 9, 10))
        page = self._page(people)
        assert "<strong>5</strong>" in page
        assert "<strong>18</strong>" not in page
        assert "<strong>9.4</strong>" in page
        assert s2.date.strftime("%Y-%m-%d") in page

    def test_it_uses_the_same_number_of_queries_for_any_caseload(self, people: People) -> None:
        """Adding clients does not add queries (no N+1 on the therapist's home page)."""
        browser = Browser()
        browser.force_login(people.alice)

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert browser.get(reverse("caseload")).status_code == 200
            return len(ctx.captured_queries)

        f = people.factory
        s = f.make_session(people.dana)
        f.make_response(s, "phq9", phq9([1] * 9))
        small = count()
        for i in range(8):
            client = f.make_client(people.alice, display_name=f"Client {i}")
            session = f.make_session(client)
            f.make_response(session, "phq9", phq9([i % 4] * 9))
            f.make_response(session, "checkin", checkin(8, 8, 8, 8, 8))
        assert count() == small
