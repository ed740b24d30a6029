"""The collaborative plan: built and versioned by the therapist, agreed and rated by the client."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client as Browser
from django.urls import reverse

from rapport.feedback import services
from rapport.plans.models import GoalRating, PlanFeedback, PlanVersion
from tests.conftest import People
from tests.factory import checkin

GAS_LEVELS = {
    "gas_minus_2": "Stays in bed most days",
    "gas_minus_1": "Up by 11 on weekdays",
    "gas_0": "Up by 9 on weekdays",
    "gas_plus_1": "Up by 9 every day",
    "gas_plus_2": "Up by 8 every day",
}


def _alice(people: People) -> Browser:
    browser = Browser()
    browser.force_login(people.alice)
    return browser


def _edit(browser: Browser, people: People, action: str, **data: str) -> object:
    """Post one edit; form fields are prefixed like the page's forms (problem-…, goal-…)."""
    prefix = {"add-problem": "problem-", "add-goal": "goal-"}.get(action, "")
    fields = {f"{prefix}{name}": value for name, value in data.items()}
    return browser.post(reverse("plan-edit", args=[people.dana.pk, action]), fields, follow=True)


def _add_goal(browser: Browser, people: People, **fields: str) -> Any:
    """Post the add-goal form, not following its redirect: a PHQ-9 goal "below 10" unless
    ``fields`` say otherwise."""
    goal = {"problem": "p1", "title": "x", "kind": "measure", "measure": "phq9",
            "comparison": "below", "value": "10", "weight": "1"} | fields  # fmt: skip
    return browser.post(
        reverse("plan-edit", args=[people.dana.pk, "add-goal"]),
        {f"goal-{name}": value for name, value in goal.items()},
    )


def _build(people: People) -> Browser:
    """Two problems and two goals: one on the PHQ-9, one on a GAS ladder."""
    browser = _alice(people)
    _edit(browser, people, "add-problem", title="Low mood most days", raised_by="client")
    _edit(browser, people, "add-problem", title="Can't get up in the morning", raised_by="both")
    _edit(
        browser,
        people,
        "add-goal",
        problem="p1",
        title="Feel less low",
        kind="measure",
        measure="phq9",
        comparison="below",
        value="10",
        weight="1",
    )
    _edit(
        browser,
        people,
        "add-goal",
        problem="p2",
        title="A morning routine",
        kind="gas",
        weight="2",
        **GAS_LEVELS,
    )
    return browser


class TestTherapistEditsThePlan:
    def test_it_stores_every_edit_as_a_new_version(self, people: People) -> None:
        browser = _build(people)
        assert list(PlanVersion.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
        page = browser.get(reverse("plan", args=[people.dana.pk])).text
        assert "Low mood most days" in page
        assert "PHQ-9 below 10" in page
        assert "Up by 9 on weekdays" in page
        # Problems in priority order; move the second up with the keyboard-usable button.
        _edit(browser, people, "move-up", key="p2")
        page = browser.get(reverse("plan", args=[people.dana.pk])).text
        listed = page.split('class="plan-list"')[1]
        assert listed.index("Can&#x27;t get up") < listed.index("Low mood most days")
        assert PlanVersion.objects.count() == 5

    def test_it_edits_a_problem_and_a_goal_in_place(self, people: People) -> None:
        browser = _build(people)
        _edit(browser, people, "rename-problem", key="p1", title="Feeling flat")
        _edit(
            browser,
            people,
            "edit-goal",
            key="g1",
            title="Feel lighter",
            target_date="2027-01-31",
            weight="2",
        )
        for typed in ("soon", "20270131", "2027-W05-7", "31/01/2027"):  # YYYY-MM-DD only
            bad = _edit(browser, people, "edit-goal", key="g1", title="x", target_date=typed)
            assert "Enter the date as YYYY-MM-DD" in bad.text, typed  # type: ignore[attr-defined]
        for slip in ("0202-01-31", "9999-12-31"):  # a mistyped year, in the editor's date box
            bad = _edit(browser, people, "edit-goal", key="g1", title="x", target_date=slip)
            assert "Enter a date between 1900-01-01 and" in bad.text  # type: ignore[attr-defined]
        # The add form's weight range holds in the inline editor too (1e-200 once made every
        # GAS score divide by zero, and the page with the editor failed).
        for action in ("rename-problem", "edit-goal"):
            bad = _edit(browser, people, action, key="p1" if "problem" in action else "g1",
                        title="Feel\x00better")  # fmt: skip
            assert "control character" in bad.text  # type: ignore[attr-defined]
        # What pasting brings along is no control character: a non-breaking space, a joiner.
        _edit(browser, people, "rename-problem", key="p1", title="Feeling\u00a0flat \u200d")
        for weight in ("0.0001", "100", "0", "-1"):
            bad = _edit(browser, people, "edit-goal", key="g2", title="x", weight=weight)
            assert "The weight must be from 0.1 to 10" in bad.text  # type: ignore[attr-defined]
        # Only plain decimals: float() read "1_0" as 10 and "٣" as 3, both in range.
        for weight in ("1e-200", "nan", "1_0", "\u0663", "1e1"):
            bad = _edit(browser, people, "edit-goal", key="g2", title="x", weight=weight)
            assert "The weight must be a number" in bad.text  # type: ignore[attr-defined]
        page = browser.get(reverse("plan", args=[people.dana.pk])).text
        assert "Feeling\u00a0flat" in page
        assert "Feel lighter" in page
        assert "by 31 Jan 2027" in page
        assert PlanVersion.objects.count() == 7  # 4 to build, 3 edits; no refused edit counts

    def test_it_compares_two_versions_side_by_side(self, people: People) -> None:
        browser = _build(people)
        _edit(browser, people, "retire-problem", key="p1")
        page = browser.get(reverse("plan-versions", args=[people.dana.pk]) + "?a=2&b=5").text
        assert "What changed from v2 to v5" in page
        assert re.search(r"Added goal</strong> “Feel less low”", page)
        assert "state: active → retired" in page

    def test_it_refuses_bad_input_with_a_message_and_no_new_version(self, people: People) -> None:
        browser = _build(people)
        empty = browser.post(
            reverse("plan-edit", args=[people.dana.pk, "add-problem"]), {"problem-title": " "}
        )
        assert empty.status_code == 400
        no_levels = browser.post(
            reverse("plan-edit", args=[people.dana.pk, "add-goal"]),
            {
                "goal-problem": "p1",
                "goal-title": "x",
                "goal-kind": "gas",
                "goal-weight": "1",
                "goal-gas_0": "ok",
            },
        )
        assert no_levels.status_code == 400
        assert "Describe all five levels" in no_levels.text
        # float() read the first three as 10, 3 and 10; the add form takes plain decimals only.
        # The locale read 31/01/2027 as a date, and a year typed 9999 was kept.
        for field, value, message in [
            ("value", "1_0", "Enter a number."),
            ("value", "\u0663", "Enter a number."),
            ("weight", "1e1", "Enter a number."),
            ("target_date", "31/01/2027", "Enter the date as YYYY-MM-DD"),
            ("target_date", "9999-01-31", "Enter a date between 1900-01-01 and"),
        ]:
            odd = _add_goal(browser, people, **{field: value})
            assert odd.status_code == 400, (field, value)
            assert message in odd.text, (field, value)
        missing = _edit(browser, people, "move-up", key="p99")
        assert missing.status_code == 200  # type: ignore[attr-defined]
        assert "p99" in missing.text  # type: ignore[attr-defined]
        unknown = browser.post(reverse("plan-edit", args=[people.dana.pk, "delete-everything"]))
        assert unknown.status_code == 404
        assert PlanVersion.objects.count() == 4

    def test_it_refuses_a_target_outside_the_measures_totals(self, people: People) -> None:
        """PHQ-9 totals run 0-27 and GAD-7's 0-21: a target of 99 or -5 was saved before."""
        browser = _build(people)

        def add(measure: str, comparison: str, value: str) -> Any:
            return _add_goal(
                browser, people, title="Feel less anxious", measure=measure,
                comparison=comparison, value=value,
            )  # fmt: skip

        for measure, comparison, value in [
            ("phq9", "below", "99"),
            ("phq9", "at_least", "-5"),
            ("phq9", "at_most", "27.5"),
            ("gad7", "below", "25"),
        ]:
            page = add(measure, comparison, value)
            assert page.status_code == 400, (measure, value)
            assert f"totals run from 0–{21 if measure == 'gad7' else 27}" in page.text
            assert f"so {value} cannot be a target" in page.text
        # A target that no total, or every total, meets would measure nothing.
        for measure, comparison, value, problem in [
            ("phq9", "below", "0", "so “below 0” can never be met"),
            ("phq9", "at_most", "27", "so every total is “at most 27”"),
        ]:
            page = add(measure, comparison, value)
            assert page.status_code == 400, (measure, comparison, value)
            assert problem in page.text
        assert PlanVersion.objects.count() == 4
        # The ends of the range are targets some totals meet and others do not.
        assert add("phq9", "below", "27").status_code == 302
        assert add("gad7", "above", "0").status_code == 302
        assert PlanVersion.objects.count() == 6

    def test_it_reminds_to_review_and_records_the_review(self, people: People) -> None:
        browser = _build(people)
        for _ in range(6):
            people.factory.make_session(people.dana)
        page = browser.get(reverse("plan", args=[people.dana.pk])).text
        assert "data-review-due" in page
        _edit(browser, people, "reviewed")
        version = PlanVersion.objects.order_by("-number").first()
        assert version is not None
        assert version.reviewed
        assert version.reviewed_at_session == 6
        assert "Reviewed with the client at session 6" in version.summary
        assert "data-review-due" not in browser.get(reverse("plan", args=[people.dana.pk])).text

    def test_it_takes_the_review_interval_from_settings(
        self, people: People, settings: object
    ) -> None:
        settings.PLAN_REVIEW_SESSIONS = 2  # type: ignore[attr-defined]
        browser = _build(people)
        people.factory.make_session(people.dana)
        assert "data-review-due" not in browser.get(reverse("plan", args=[people.dana.pk])).text
        people.factory.make_session(people.dana)
        page = browser.get(reverse("plan", args=[people.dana.pk])).text
        assert "for 2 sessions or more" in page

    def test_it_prints_a_one_page_summary(self, people: People) -> None:
        browser = _build(people)
        page = browser.get(reverse("plan-print", args=[people.dana.pk])).text
        assert "Our plan: Dana R." in page
        assert "Feel less low" in page
        assert "@media print" not in page  # the print rules live in the stylesheet


class TestClientTakesPart:
    def _end_link(self, people: People) -> services.IssuedLink:
        session = people.factory.make_session(people.dana)
        return services.issue_link(session, "end", people.alice)

    def test_it_shows_the_plan_and_stores_ratings_and_agreement(self, people: People) -> None:
        browser = _build(people)
        link = self._end_link(people)
        form = Browser().get(link.path).text
        assert "Your plan" in form
        assert "A morning routine" in form
        assert "Up by 8 every day" in form
        post = {f"checkin-item-{n}": "9" for n in range(1, 6)}
        post |= {"goal-g1": "4", "goal-g2": "0", "plan-agree": "yes", "plan-comment": "Add sleep"}
        assert Browser().post(link.path, post).status_code == 302
        ratings = dict(GoalRating.objects.values_list("goal_key", "value"))
        assert ratings == {"g1": 4.0, "g2": 0.0}
        feedback = PlanFeedback.objects.get()
        assert feedback.agreed is True
        assert feedback.comment == "Add sleep"
        page = browser.get(reverse("plan", args=[people.dana.pk])).text
        assert "Agreed" in page
        assert "Add sleep" in page
        assert "Achieved" in page  # the GAS goal is at its expected level (0)
        assert "GAS T-score): 50.0" in page  # the only rated GAS goal sits at 0

    def test_it_refuses_an_out_of_range_rating_and_keeps_nothing(self, people: People) -> None:
        _build(people)
        link = self._end_link(people)
        post = {f"checkin-item-{n}": "9" for n in range(1, 6)} | {"goal-g1": "11"}
        page = Browser().post(link.path, post)
        assert page.status_code == 400
        assert "outside 0–10" in page.text
        assert not GoalRating.objects.exists()
        assert link.request.responses.count() == 0

    def test_it_refuses_a_rating_that_is_not_a_plain_number(self, people: People) -> None:
        """float() read "1_0" as 10 and "٣" as 3, so these were stored as ratings."""
        _build(people)
        link = self._end_link(people)
        for value in ("1_0", "\u0663", "1e1", "nan"):
            post = {f"checkin-item-{n}": "9" for n in range(1, 6)} | {"goal-g1": value}
            page = Browser().post(link.path, post)
            assert page.status_code == 400
            assert "is not a number" in page.text
        assert not GoalRating.objects.exists()
        assert link.request.responses.count() == 0
        post = {f"checkin-item-{n}": "9" for n in range(1, 6)} | {
            "goal-g1": " 4.5 ",
            "goal-g2": "-1",
        }
        assert Browser().post(link.path, post).status_code == 302
        assert dict(GoalRating.objects.values_list("goal_key", "value")) == {"g1": 4.5, "g2": -1}

    def test_it_shows_no_plan_at_the_start_of_a_session(self, people: People) -> None:
        _build(people)
        session = people.factory.make_session(people.dana)
        people.factory.make_response(session, "checkin", checkin(9, 9, 9, 9, 9))
        link = services.issue_link(session, "start", people.alice)
        assert "Your plan" not in Browser().get(link.path).text

    def test_it_never_shows_the_therapists_notes(self, people: People) -> None:
        _build(people)
        session = people.factory.make_session(people.dana)
        people.factory.make_response(
            session,
            "checkin_therapist",
            checkin(8, 8, 8, 8, 8),
            {"note": "Private formulation: shame"},
            respondent="therapist",
        )
        link = services.issue_link(session, "end", people.alice)
        page = Browser().get(link.path).text
        assert "Your plan" in page
        assert "Private formulation" not in page

    def test_it_never_shows_another_clients_plan(self, people: People) -> None:
        _build(people)  # Dana's plan
        session = people.factory.make_session(people.eli)
        link = services.issue_link(session, "end", people.bob)
        assert "Low mood most days" not in Browser().get(link.path).text
