"""A client answers through a signed, expiring, single-use link, with no password."""

from __future__ import annotations

import time_machine
from django.test import Client as Browser
from django.urls import reverse

from rapport.feedback import services
from rapport.feedback.models import FeedbackRequest, Response
from tests.conftest import People


def _phq9_post(values: list[int], **extra: str) -> dict[str, str]:
    data = {f"phq9-item-{n}": str(v) for n, v in enumerate(values, start=1)}
    data.update(extra)
    return data


class TestFeedbackLinks:
    def _link(self, people: People, purpose: str = "start") -> services.IssuedLink:
        session = people.factory.make_session(people.dana)
        return services.issue_link(session, purpose, people.alice)

    def test_it_shows_the_outcome_form_without_a_login(self, people: People) -> None:
        """The link opens the client's configured outcome measure to anyone holding it."""
        link = self._link(people)
        page = Browser().get(link.path)
        assert page.status_code == 200
        assert "Little interest or pleasure in doing things" in page.text
        assert "alice" not in page.text.lower()  # no staff details leak to the client

    def test_it_stores_item_answers_and_scores(self, people: People) -> None:
        """Submitting stores every item answer and the scored total, then thanks the client."""
        link = self._link(people)
        page = Browser().post(link.path, _phq9_post([1, 2, 1, 2, 1, 0, 1, 0, 0]))
        assert page.status_code == 302
        assert page.url == reverse("feedback-thanks", args=[link.token])
        response = Response.objects.get()
        assert response.answers == {str(n): v for n, v in enumerate([1, 2, 1, 2, 1, 0, 1, 0, 0], 1)}
        assert response.total == 8
        assert response.band == "Mild"
        assert response.session == link.request.session

    def test_it_never_duplicates_a_double_submit(self, people: People) -> None:
        """A double tap or a retry after a lost reply stores one response and still says thanks."""
        link = self._link(people)
        browser = Browser()
        first = browser.post(link.path, _phq9_post([0] * 9))
        second = browser.post(link.path, _phq9_post([3] * 9))
        assert first.status_code == second.status_code == 302
        assert Response.objects.count() == 1
        assert Response.objects.get().total == 0

    def test_it_answers_json_to_the_page_script(self, people: People) -> None:
        """The form's script gets a JSON acknowledgement, and the same on a retry."""
        link = self._link(people)
        browser = Browser(headers={"Accept": "application/json"})
        first = browser.post(link.path, _phq9_post([1] * 9))
        retry = browser.post(link.path, _phq9_post([1] * 9))
        assert first.json() == {"status": "received"}
        assert retry.json() == {"status": "received"}
        assert Response.objects.count() == 1

    def test_it_refuses_out_of_range_answers_and_keeps_the_others(self, people: People) -> None:
        """A tampered value gets a clear message; what was entered stays on the page."""
        link = self._link(people)
        page = Browser().post(link.path, _phq9_post([1, 1, 1, 1, 1, 1, 1, 1, 7]))
        assert page.status_code == 400
        assert "PHQ-9" in page.text
        assert "9" in page.text
        assert 'value="1" checked' in page.text
        assert Response.objects.count() == 0
        assert FeedbackRequest.objects.get().completed_at is None

    def test_it_refuses_text_where_a_number_belongs(self, people: People) -> None:
        """A non-number answer is a 400 naming the question, never a 500."""
        link = self._link(people)
        page = Browser().post(link.path, _phq9_post([1] * 8, **{"phq9-item-9": "lots"}))
        assert page.status_code == 400
        assert "question 9" in page.text

    def test_it_shows_a_friendly_page_for_a_tampered_link(self, people: People) -> None:
        """Changing one character of the token breaks the signature: 404, and nothing revealed."""
        link = self._link(people)
        tampered = link.token[:-1] + ("A" if link.token[-1] != "A" else "B")
        page = Browser().get(reverse("feedback-form", args=[tampered]))
        assert page.status_code == 404
        assert "doesn't work" in page.text

    def test_it_shows_a_friendly_page_for_an_expired_link(self, people: People) -> None:
        """After FEEDBACK_LINK_HOURS the link is refused with a kind explanation (410)."""
        link = self._link(people)
        with time_machine.travel(link.request.expires_at, tick=False):
            page = Browser().get(link.path)
        assert page.status_code == 410
        assert "expired" in page.text

    def test_it_refuses_a_used_link(self, people: People) -> None:
        """A link works once; opening it again says the answers arrived."""
        link = self._link(people)
        Browser().post(link.path, _phq9_post([0] * 9))
        page = Browser().get(link.path)
        assert page.status_code == 410
        assert "already been used" in page.text

    def test_it_asks_the_alliance_measure_at_the_end(self, people: People) -> None:
        """An end-of-session link asks the check-in and stores its free-text comment."""
        link = self._link(people, purpose="end")
        data = {f"checkin-item-{n}": "8" for n in range(1, 6)}
        data["checkin-text-next_time"] = "More time on my sleep <script>alert(1)</script>"
        Browser().post(link.path, data)
        response = Response.objects.get()
        assert response.instrument == "checkin"
        assert response.total == 8.0
        assert response.comments == {"next_time": "More time on my sleep <script>alert(1)</script>"}

    def test_it_accepts_skipped_sliders_as_missing(self, people: People) -> None:
        """An untouched slider is sent as nothing and stored as skipped, never as zero."""
        link = self._link(people, purpose="end")
        Browser().post(link.path, {"checkin-item-1": "9", "checkin-item-5": "9"})
        response = Response.objects.get()
        assert response.answers == {"1": 9.0, "5": 9.0}
        assert "3" not in response.answers
