"""In a real browser: the risk banner, its acknowledgement, and the signal charts."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from rapport.signals.models import RiskAcknowledgement
from tests.browser.test_client_feedback_flow import _log_in
from tests.conftest import People
from tests.factory import checkin, phq9

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class TestSignalsInTheBrowser:
    def test_it_flags_risk_until_acknowledged_and_marks_the_rupture(
        self, people: People, live_server: Any, desk: Any, console_errors: list[str]
    ) -> None:
        f = people.factory
        for items, alliance in [
            ([2, 2, 2, 2, 2, 2, 2, 2, 0], (10, 9, 9, 9, 10)),
            ([2, 2, 2, 2, 2, 2, 2, 2, 0], (9, 10, 9, 10, 9)),
            ([2, 2, 2, 2, 2, 2, 2, 2, 0], (10, 9, 10, 9, 9)),
            ([3, 3, 3, 3, 3, 3, 2, 2, 1], (5, 6, 7, 7, 6)),  # item 9 and a rupture
        ]:
            session = f.make_session(people.dana)
            f.make_response(session, "phq9", phq9(items))
            f.make_response(session, "checkin", checkin(*alliance))

        _log_in(desk, live_server, "alice")
        first_row = desk.locator("table.caseload tbody tr").first
        expect(first_row).to_contain_text("Risk")
        expect(first_row).to_contain_text("Dana R.")
        first_row.get_by_role("link", name="Dana R.").click()

        banner = desk.get_by_role("alert")
        expect(banner).to_contain_text("Urgent: risk item endorsed by Dana R.")
        card = desk.locator("section.next-session")
        expect(card).to_contain_text("Before the next session")
        expect(card.locator('[data-kind="rupture"]')).to_contain_text("fell from 9.4 to 6.2")
        # Chart.js drew both charts, with the rupture marker dataset on the alliance chart. The
        # click's navigation may still be loading the scripts at the end of the page: wait.
        desk.wait_for_function(
            '() => window.Chart && Chart.getChart(document.getElementById("alliance-chart"))'
        )
        rupture_points = desk.evaluate(
            """() => {
                const chart = Chart.getChart(document.getElementById("alliance-chart"));
                const set = chart.data.datasets.find((d) => d.label === "Rupture");
                return set ? set.data : null;
            }"""
        )
        assert rupture_points == [None, None, None, 6.2]

        banner.get_by_label("What did you do?").fill("Phoned Dana the same day; safety plan.")
        banner.get_by_role("button", name="Acknowledge").click()
        expect(desk.get_by_text("Risk acknowledged and recorded.")).to_be_visible()
        expect(desk.get_by_role("alert")).to_have_count(0)
        assert RiskAcknowledgement.objects.get().acknowledged_by == people.alice
        assert console_errors == []
