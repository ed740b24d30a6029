"""A client answers on a phone; the therapist then sees the new score on the client page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from rapport.feedback import services
from rapport.feedback.models import Response
from tests.conftest import People
from tests.factory import PASSWORD, phq9

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your caseload")).to_be_visible()


class TestClientFeedbackFlow:
    def test_it_collects_feedback_on_a_phone_and_shows_it_to_the_therapist(
        self, people: People, live_server: Any, phone: Any, desk: Any, console_errors: list[str]
    ) -> None:
        """Open the link at 360 px, answer by touch and keyboard, send; Alice sees 7.6."""
        first = people.factory.make_session(people.dana)
        people.factory.make_response(first, "phq9", phq9([1] * 9))
        session = people.factory.make_session(people.dana)
        link = services.issue_link(session, "end", people.alice)

        phone.goto(live_server.url + link.path)
        expect(phone.get_by_text("How was today's session?")).to_be_visible()
        # Nothing is wider than the phone's screen.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        sliders = phone.locator("input[type=range]")
        assert sliders.count() == 5
        for index, value in enumerate(["8", "7", "8", "7", "8"]):
            sliders.nth(index).fill(value)
        phone.get_by_label("What would make our next session better?").fill("Talk about work")
        phone.get_by_role("button", name="Send my answers").click()
        expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
        assert Response.objects.get(session=session).total == 7.6

        _log_in(desk, live_server, "alice")
        desk.get_by_role("link", name="Dana R.").click()
        row = desk.locator("#session-2")
        expect(row).to_contain_text("7.6")
        expect(row).to_contain_text("Talk about work")
        # The chart library loaded from the app and drew both charts.
        assert desk.evaluate("typeof window.Chart") == "function"
        expect(desk.locator("#alliance-chart")).to_be_visible()
        desk.get_by_role("link", name="S2").click()
        desk.get_by_role("button", name="Create a secure link").first.click()
        expect(desk.locator(".qr svg")).to_be_visible()
        # The therapist adds the next session through the form, with its pre-filled date.
        desk.get_by_role("link", name="Dana R.").click()
        desk.get_by_role("link", name="Add a session").click()
        desk.get_by_role("button", name="Add session").click()
        expect(desk.get_by_role("heading", name="Session 3")).to_be_visible()
        assert console_errors == []  # no CSP violations, no script errors

    def test_it_warns_about_unanswered_questions_before_sending(
        self, people: People, live_server: Any, phone: Any
    ) -> None:
        """Sending with an untouched slider first asks; a second tap sends it as skipped."""
        session = people.factory.make_session(people.dana)
        link = services.issue_link(session, "end", people.alice)
        phone.goto(live_server.url + link.path)
        sliders = phone.locator("input[type=range]")
        for index in range(4):
            sliders.nth(index).fill("9")
        phone.get_by_role("button", name="Send my answers").click()
        expect(phone.get_by_role("alert")).to_contain_text("1 question is not answered yet")
        assert Response.objects.count() == 0
        phone.get_by_role("button", name="Send my answers").click()
        expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
        assert Response.objects.get().answers == {"1": 9.0, "2": 9.0, "3": 9.0, "4": 9.0}
