"""The visitor's address behind reverse proxies: lockout, link limits and the audit trail
count the forwarded visitor, and nobody reaching the app directly can choose their address."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.test import RequestFactory
from django.urls import reverse
from pytest_django.fixtures import Settings

from rapport.audit.models import AuditEvent
from rapport.client_address import client_ip, rate_limit_key
from rapport.feedback import services
from tests.conftest import People
from tests.factory import PASSWORD

PROXY = "10.0.0.2"
WRONG = "not the password"


def _ip(settings: Settings, proxies: int, forwarded: str | None) -> str | None:
    settings.TRUSTED_PROXIES = proxies
    extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_ip(RequestFactory().get("/", REMOTE_ADDR=PROXY, **extra))


class TestClientIp:
    @pytest.mark.parametrize(
        ("proxies", "forwarded", "expected"),
        [
            (0, "203.0.113.9", PROXY),  # no trusted proxy: the header is anybody's
            (1, "203.0.113.9", "203.0.113.9"),  # nginx appended the visitor
            (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged entry on the left is skipped
            (2, "6.6.6.6, 203.0.113.9, 10.0.0.7", "203.0.113.9"),  # two proxies in a chain
            (2, "203.0.113.9", PROXY),  # fewer entries than proxies: not through the chain
            (1, None, PROXY),  # no header at all
            (1, "not-an-address", PROXY),
            (1, " 2001:db8::1 ", "2001:db8::1"),
        ],
    )
    def test_it_takes_the_entry_the_trusted_proxies_wrote(
        self,
        settings: Settings,
        proxies: int,
        forwarded: str | None,
        expected: str,
    ) -> None:
        """The N-th X-Forwarded-For entry from the right with N trusted proxies, else the
        connection's own address."""
        assert _ip(settings, proxies, forwarded) == expected


class TestRateLimitKey:
    @pytest.mark.parametrize(
        ("ip", "expected"),
        [
            ("203.0.113.9", "203.0.113.9"),
            ("2001:db8:1:2:a:b:c:d", "2001:db8:1:2::"),  # the /64 the address lies in
            ("2001:db8:1:2::1", "2001:db8:1:2::"),
            ("2001:db8:1:3::1", "2001:db8:1:3::"),  # the next /64 is another network
            ("::ffff:203.0.113.9", "203.0.113.9"),  # IPv4 written IPv6-mapped
            (" 2001:DB8::1 ", "2001:db8::"),
            ("", None),
            (None, None),
            ("not-an-address", None),
        ],
    )
    def test_ipv6_visitors_count_by_their_64(self, ip: str | None, expected: str | None) -> None:
        """An ISP gives each site a /64, and its devices rotate addresses inside it."""
        assert rate_limit_key(ip) == expected


def _via_proxy(visitor: str) -> Browser:
    return Browser(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"6.6.6.6, {visitor}")


def _log_in(browser: Browser, username: str, password: str) -> int:
    page = browser.post(reverse("login"), {"username": username, "password": password})
    return int(page.status_code)


class TestBehindAProxy:
    def test_lockout_counts_the_forwarded_visitor(self, people: People, settings: Settings) -> None:
        """Behind one proxy, a guesser's lockout does not lock out Alice, who reaches the app
        through the same proxy from another address."""
        settings.TRUSTED_PROXIES = 1
        guesser = _via_proxy("203.0.113.9")
        for _ in range(5):
            _log_in(guesser, "alice", WRONG)
        assert _log_in(guesser, "alice", PASSWORD) == 429
        assert _log_in(_via_proxy("198.51.100.7"), "alice", PASSWORD) == 302

    def test_without_trusted_proxies_a_forged_header_does_not_escape_lockout(
        self, people: People, settings: Settings
    ) -> None:
        """Reached directly, a guesser who writes a new X-Forwarded-For each time is still one
        address and is locked out."""
        settings.TRUSTED_PROXIES = 0
        for n in range(5):
            forged = Browser(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
            _log_in(forged, "alice", WRONG)
        again = Browser(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.99")
        assert _log_in(again, "alice", PASSWORD) == 429

    def test_feedback_link_limits_and_the_audit_trail_see_the_visitor(
        self, people: People, settings: Settings
    ) -> None:
        """One client's burst of link requests through the proxy is limited; another client
        behind the same proxy still gets the form, and the audit trail names each visitor."""
        settings.TRUSTED_PROXIES = 1
        settings.FEEDBACK_LINK_RATE_PER_MINUTE = 3
        link = services.issue_link(people.factory.make_session(people.dana), "end", people.alice)
        busy = _via_proxy("203.0.113.9")
        assert [busy.get(link.path).status_code for _ in range(4)] == [200, 200, 200, 429]
        assert _via_proxy("198.51.100.7").get(link.path).status_code == 200
        seen = set(AuditEvent.objects.filter(route="feedback-form").values_list("ip", flat=True))
        assert seen == {"203.0.113.9", "198.51.100.7"}


class TestIpv6Networks:
    def test_a_guesser_rotating_addresses_in_one_64_is_locked_out(self, people: People) -> None:
        """Each attempt from a fresh address of the same /64 counts against one lockout, while
        Alice, at home on another /64, still signs in."""
        for n in range(5):
            _log_in(Browser(REMOTE_ADDR=f"2001:db8:bad:1::{n + 1:x}"), "alice", WRONG)
        assert _log_in(Browser(REMOTE_ADDR="2001:db8:bad:1::99"), "alice", PASSWORD) == 429
        assert _log_in(Browser(REMOTE_ADDR="2001:db8:a11:ce::1"), "alice", PASSWORD) == 302

    def test_feedback_link_limits_count_the_64_and_the_trail_keeps_the_address(
        self, people: People, settings: Settings
    ) -> None:
        """A burst of link requests from rotating addresses of one /64 is limited; a client on
        another network gets the form; the audit trail records every full address."""
        settings.FEEDBACK_LINK_RATE_PER_MINUTE = 3
        link = services.issue_link(people.factory.make_session(people.dana), "end", people.alice)
        statuses = [
            Browser(REMOTE_ADDR=f"2001:db8:bad:1::{n + 1:x}").get(link.path).status_code
            for n in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        assert Browser(REMOTE_ADDR="2001:db8:a11:ce::1").get(link.path).status_code == 200
        rows = AuditEvent.objects.filter(route="feedback-form").values_list("ip", "network")
        assert set(rows) == {
            *((f"2001:db8:bad:1::{n + 1:x}", "2001:db8:bad:1::") for n in range(4)),
            ("2001:db8:a11:ce::1", "2001:db8:a11:ce::"),
        }
