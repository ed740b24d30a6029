"""Feedback links are rate-limited per address; guessing tokens is stopped quickly."""

from __future__ import annotations

from django.test import Client as Browser

from rapport.feedback import services
from tests.conftest import People


class TestLinkRateLimits:
    def test_it_stops_an_address_that_guesses_tokens(
        self, people: People, settings: object
    ) -> None:
        settings.FEEDBACK_LINK_FAILURES_PER_10_MINUTES = 3  # type: ignore[attr-defined]
        guesser = Browser(REMOTE_ADDR="203.0.113.9")
        statuses = [guesser.get(f"/f/guess-{n}/").status_code for n in range(5)]
        assert statuses == [404, 404, 404, 429, 429]
        # A real link from the same address is refused too while the limit holds...
        link = services.issue_link(people.factory.make_session(people.dana), "end", people.alice)
        assert guesser.get(link.path).status_code == 429
        # ... but another address is unaffected.
        assert Browser(REMOTE_ADDR="198.51.100.7").get(link.path).status_code == 200

    def test_it_limits_all_requests_per_minute(self, people: People, settings: object) -> None:
        settings.FEEDBACK_LINK_RATE_PER_MINUTE = 4  # type: ignore[attr-defined]
        link = services.issue_link(people.factory.make_session(people.dana), "end", people.alice)
        tablet = Browser(REMOTE_ADDR="192.0.2.1")
        statuses = [tablet.get(link.path).status_code for _ in range(6)]
        assert statuses == [200, 200, 200, 200, 429, 429]
        page = tablet.get(link.path)
        assert page["Retry-After"] == "60"
        assert "Please wait a moment" in page.text
