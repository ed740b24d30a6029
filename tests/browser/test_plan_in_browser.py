"""In a real browser: the therapist revises the plan, the client agrees and rates a goal."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from rapport.feedback import services
from rapport.plans.models import GoalRating, PlanFeedback, PlanVersion
from tests.browser.test_client_feedback_flow import _log_in
from tests.conftest import People

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class TestPlanInTheBrowser:
    def test_the_client_agrees_and_rates_and_the_therapist_sees_it(
        self, people: People, live_server: Any, desk: Any, phone: Any, console_errors: list[str]
    ) -> None:
        f = people.factory
        f.make_session(people.dana)

        # Alice writes the plan: a problem, then a goal benchmarked on the PHQ-9.
        _log_in(desk, live_server, "alice")
        desk.goto(f"{live_server.url}/clients/{people.dana.pk}/plan/")
        desk.get_by_role("textbox", name="Problem").fill("I can't switch off at night")
        desk.get_by_role("button", name="Add problem").click()
        expect(desk.get_by_text("Plan saved as a new version.")).to_be_visible()
        desk.get_by_role("textbox", name="Goal", exact=True).fill("Sleep through most nights")
        desk.get_by_label("Target value").fill("10")
        desk.get_by_role("button", name="Add goal").click()
        expect(desk.locator("[data-goal=g1]")).to_contain_text("PHQ-9 below 10")
        assert PlanVersion.objects.count() == 2

        # Dana opens the end-of-session link on her phone, agrees, rates the goal, sends.
        session = f.make_session(people.dana)
        link = services.issue_link(session, "end", people.alice)
        phone.goto(live_server.url + link.path)
        expect(phone.get_by_role("heading", name="Your plan")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        for slider in phone.locator(".measure[data-measure=checkin] input[type=range]").all():
            slider.focus()
            slider.press("ArrowRight")
        goal = phone.locator("#goal-g1")
        goal.focus()
        for _ in range(6):
            goal.press("ArrowRight")
        phone.get_by_label("Yes, I agree").check()
        phone.get_by_label("Anything you would change in the plan?").fill("Add my exams too")
        phone.get_by_role("button", name="Send my answers").click()
        expect(phone.get_by_text("Thank you")).to_be_visible()
        assert GoalRating.objects.get().value == 6
        assert PlanFeedback.objects.get().agreed is True

        # Alice sees the agreement, the comment and the rating on the plan.
        desk.goto(f"{live_server.url}/clients/{people.dana.pk}/plan/")
        expect(desk.locator("[data-client-feedback]")).to_contain_text("Agreed")
        expect(desk.locator("[data-client-feedback]")).to_contain_text("Add my exams too")
        expect(desk.locator("[data-goal=g1]")).to_contain_text("6")
        points = desk.evaluate(
            """() => Chart.getChart(document.getElementById("goal-chart-g1"))
                .data.datasets[0].data"""
        )
        assert points == [None, 6]
        assert console_errors == []
