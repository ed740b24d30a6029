"""A therapist chooses each client's outcome and alliance measures."""

from __future__ import annotations

import re

from django.test import Client as Browser
from django.urls import reverse

from rapport.feedback import services
from rapport.web.views.errors import server_error
from tests.conftest import People
from tests.factory import phq9


class TestClientMeasures:
    def test_it_changes_what_new_links_ask(self, people: People) -> None:
        """After switching Dana to GAD-7, a start-of-session link asks GAD-7."""
        browser = Browser()
        browser.force_login(people.alice)
        page = browser.post(
            reverse("client-measures", args=[people.dana.pk]),
            {"outcome_measure": "gad7", "alliance_measure": "checkin"},
        )
        assert page.status_code == 302
        people.dana.refresh_from_db()
        link = services.issue_link(people.factory.make_session(people.dana), "start", people.alice)
        assert link.request.instruments == ["gad7"]

    def test_it_keeps_earlier_answers_on_their_own_measure(self, people: People) -> None:
        """PHQ-9 answers given before the switch still show with PHQ-9 scoring."""
        session = people.factory.make_session(people.dana)
        people.factory.make_response(session, "phq9", phq9([2] * 8 + [0]))
        people.dana.outcome_measure = "gad7"
        people.dana.save()
        browser = Browser()
        browser.force_login(people.alice)
        page = browser.get(reverse("session-detail", args=[session.pk]))
        assert ">16</strong>" in page.text
        assert "PHQ-9" in page.text

    def test_it_refuses_an_unknown_or_wrong_kind_of_measure(self, people: People) -> None:
        """An alliance measure cannot be the outcome measure; the form says so."""
        browser = Browser()
        browser.force_login(people.alice)
        page = browser.post(
            reverse("client-measures", args=[people.dana.pk]),
            {"outcome_measure": "srs", "alliance_measure": "nonsense"},
        )
        assert page.status_code == 400
        assert "Select a valid choice" in page.text
        people.dana.refresh_from_db()
        assert people.dana.outcome_measure == "phq9"

    def test_it_shows_a_plain_page_on_server_errors(self, rf) -> None:  # type: ignore[no-untyped-def]
        """The 500 page needs no database and shows no traceback."""
        page = server_error(rf.get("/"))
        assert page.status_code == 500
        assert b"Something went wrong on our side" in page.content
        assert b"Traceback" not in page.content


class TestDateFields:
    def test_it_prefills_dates_in_the_iso_form_date_inputs_accept(self, people: People) -> None:
        """A type=date input drops a 23/11/2026 value, which blocks the form from submitting."""
        browser = Browser()
        browser.force_login(people.alice)
        for url in [reverse("session-new", args=[people.dana.pk]), reverse("client-new")]:
            page = browser.get(url).text
            assert re.search(r'type="date"[^>]*value="\d{4}-\d{2}-\d{2}"', page), url

    def test_it_refuses_a_date_it_would_have_to_guess(self, people: People) -> None:
        """01/02/2026 is 1 February or 2 January depending on the reader; a year 0202 or 9999 is
        a slip. Each gets the form back with a message, and nothing is created."""
        browser = Browser()
        browser.force_login(people.alice)
        sessions = people.dana.episodes.get().sessions.count()
        for typed, message in [
            ("01/02/2026", "Enter the date as YYYY-MM-DD"),
            ("0202-03-01", "Enter a date between 1900-01-01 and"),
            ("9999-12-31", "Enter a date between 1900-01-01 and"),
        ]:
            page = browser.post(
                reverse("session-new", args=[people.dana.pk]),
                {"date": typed, "modality": "video"},
            )
            assert page.status_code in (200, 400), typed
            assert message in page.text, typed
        assert people.dana.episodes.get().sessions.count() == sessions
        page = browser.post(
            reverse("session-new", args=[people.dana.pk]),
            {"date": "2026-03-01", "modality": "video"},
        )
        assert page.status_code == 302
        assert people.dana.episodes.get().sessions.count() == sessions + 1
