"""Signals where therapists and supervisors work: triage, risk banner, client page, supervision."""

from __future__ import annotations

import re

from django.test import Client as Browser
from django.urls import reverse

from rapport.care.models import Client, Episode
from rapport.signals.models import RiskAcknowledgement
from tests.conftest import People
from tests.factory import checkin, phq9

# PHQ-9 item patterns (item 9 always 0 unless a test endorses it) and their totals.
PHQ9_18 = [2, 2, 2, 2, 2, 2, 3, 3, 0]
PHQ9_10 = [2, 1, 1, 1, 1, 1, 2, 1, 0]
PHQ9_4 = [1, 1, 1, 1, 0, 0, 0, 0, 0]
PHQ9_26 = [3, 3, 3, 3, 3, 3, 3, 3, 2]  # item 9 endorsed


def _checkin_at(mean: float) -> tuple[int, ...]:
    """Five whole-number sliders whose mean is ``mean`` (the check-in's steps are 1)."""
    total = round(mean * 5)
    base, extra = divmod(total, 5)
    return (base + 1,) * extra + (base,) * (5 - extra)


def _course(
    people: People, client: Client, weeks: list[tuple[list[int], float | tuple[int, ...]]]
) -> None:
    """One session per (PHQ-9 items, check-in mean or the five check-in answers) pair."""
    for items, level in weeks:
        session = people.factory.make_session(client)
        people.factory.make_response(session, "phq9", phq9(items))
        answers = level if isinstance(level, tuple) else _checkin_at(level)
        people.factory.make_response(session, "checkin", checkin(*answers))


def _browser(user: object) -> Browser:
    browser = Browser()
    browser.force_login(user)  # type: ignore[arg-type]
    return browser


def _caseload_order(page: str) -> list[str]:
    return re.findall(r'data-urgency="(\w+)"', page)


class TestTriage:
    def test_it_orders_clients_by_urgency_with_reasons(self, people: People) -> None:
        """Risk, rupture, red, amber, green, grey; each row says why in words."""
        f = people.factory
        risk = f.make_client(people.alice, display_name="Zed Risk")
        _course(people, risk, [(PHQ9_18, 9.5), (PHQ9_26, 9.5)])
        rupture = f.make_client(people.alice, display_name="Yan Rupture")
        _course(people, rupture, [(PHQ9_18, 9.5), (PHQ9_18, 9.4), (PHQ9_18, 9.6), (PHQ9_18, 6.0)])
        worse = f.make_client(people.alice, display_name="Xia Worse")
        _course(people, worse, [(PHQ9_10, 9.5), (PHQ9_18, 9.5)])
        improving = f.make_client(people.alice, display_name="Wil Better")
        _course(people, improving, [(PHQ9_18, 9.5), (PHQ9_4, 9.6)])
        # Dana has one session only: too few scores to judge progress.
        _course(people, people.dana, [(PHQ9_10, 9.5)])

        page = _browser(people.alice).get(reverse("caseload")).text
        assert _caseload_order(page) == ["risk", "rupture", "red", "green", "grey"]
        names = re.findall(r'<a href="/clients/\d+/">([^<]+)</a>', page)
        assert names == ["Zed Risk", "Yan Rupture", "Xia Worse", "Wil Better", "Dana R."]
        assert "Check-in fell from 9.6 to 6.0 at session 4" in page
        assert "reliable deterioration of 8" in page
        assert "needs at least two scores" in page

    def test_it_shows_a_persistently_low_alliance_as_red_not_a_rupture(
        self, people: People
    ) -> None:
        _course(people, people.dana, [(PHQ9_18, 6.0), (PHQ9_18, 6.2), (PHQ9_18, 6.1)])
        page = _browser(people.alice).get(reverse("caseload")).text
        assert _caseload_order(page) == ["red"]
        assert "below its cutoff of 9.0 for 3 sessions in a row" in page

    def test_it_leaves_discharged_clients_off_the_caseload(self, people: People) -> None:
        Episode.objects.filter(client=people.dana).update(ended_on="2026-11-01")
        page = _browser(people.alice).get(reverse("caseload")).text
        assert "Dana R." not in page


class TestRiskFlag:
    def _endorse(self, people: People) -> int:
        session = people.factory.make_session(people.dana)
        return people.factory.make_response(session, "phq9", phq9(PHQ9_26)).pk

    def test_it_shows_the_banner_on_every_page_of_the_client(self, people: People) -> None:
        self._endorse(people)
        session = people.dana.current_episode.sessions.get()  # type: ignore[union-attr]
        browser = _browser(people.alice)
        pages = [
            reverse("client-detail", args=[people.dana.pk]),
            reverse("client-measures", args=[people.dana.pk]),
            reverse("session-new", args=[people.dana.pk]),
            reverse("session-detail", args=[session.pk]),
        ]
        for url in pages:
            page = browser.get(url).text
            assert "Urgent: risk item endorsed by Dana R." in page, url
        # Not on other clients' pages, and never on the client-facing feedback form.
        assert "Urgent" not in browser.get(reverse("caseload")).text.split("<table")[0]

    def test_it_keeps_the_flag_until_acknowledged_and_records_who_and_what(
        self, people: People
    ) -> None:
        response_id = self._endorse(people)
        browser = _browser(people.alice)
        url = reverse("risk-acknowledge", args=[people.dana.pk, response_id])

        empty = browser.post(url, {"note": "   "}, follow=True)
        assert "Say briefly what you did" in empty.text
        huge = browser.post(url, {"note": "Called her. " + "x" * 1990})
        assert huge.status_code == 400
        assert "Keep the note to 2,000 characters (it has 2,002)" in huge.text
        # The refused note is in its box again, to shorten rather than retype; the box itself
        # holds as much as the server takes.
        assert re.search(r"<textarea[^>]*autofocus[^>]*>Called her\. x{1990}</textarea>", huge.text)
        assert re.search(r'<textarea[^>]*name="note"[^>]*maxlength="2000"', huge.text)
        # The text box counts a line break as one character; the browser sends two (CRLF):
        # 2,001 characters as sent, 1,334 as typed.
        lines = browser.post(url, {"note": "x\r\n" * 667}, follow=True)
        assert "Keep the note" not in lines.text
        assert RiskAcknowledgement.objects.get().note == ("x\n" * 667).strip()
        RiskAcknowledgement.objects.all().delete()  # the rest of the story starts unacknowledged
        assert not RiskAcknowledgement.objects.exists()
        assert _caseload_order(browser.get(reverse("caseload")).text) == ["risk"]

        done = browser.post(url, {"note": "Phoned the same day; safety plan agreed."}, follow=True)
        assert "Risk acknowledged and recorded." in done.text
        assert "Urgent: risk item" not in done.text
        ack = RiskAcknowledgement.objects.get()
        assert ack.acknowledged_by == people.alice
        assert ack.note == "Phoned the same day; safety plan agreed."
        assert _caseload_order(browser.get(reverse("caseload")).text) != ["risk"]

        again = browser.post(url, {"note": "double click"})
        assert again.status_code == 302
        assert RiskAcknowledgement.objects.count() == 1


class TestClientPage:
    def test_it_shows_change_prompts_and_rupture_markers(self, people: People) -> None:
        _course(
            people,
            people.dana,
            [(PHQ9_18, 9.2), (PHQ9_18, 9.4), (PHQ9_10, 9.4), (PHQ9_10, (5, 6, 7, 7, 6))],
        )
        page = _browser(people.alice).get(reverse("client-detail", args=[people.dana.pk])).text
        assert "Before the next session" in page
        assert 'data-kind="rupture"' in page
        assert "What would help you feel more understood here?" in page  # low "heard" item
        # 18 -> 10 is a reliable improvement (RC 6) but not below the cutoff of 10: improved.
        assert 'data-change="improved"' in page
        assert '"markers": [null, null, null, "rupture"]' in page

    def test_it_says_why_there_is_no_expected_course(self, people: People) -> None:
        _course(people, people.dana, [(PHQ9_18, 9.5), (PHQ9_10, 9.5)])
        page = _browser(people.alice).get(reverse("client-detail", args=[people.dana.pk])).text
        assert "no expected-trajectory model has been fitted" in page


class TestSupervision:
    def test_it_shows_aggregates_without_client_names(self, people: People) -> None:
        supervisor = people.factory.make_user("sam", people.riverside, role="supervisor")
        _course(people, people.dana, [(PHQ9_18, 9.5), (PHQ9_26, 9.5)])
        _course(people, people.eli, [(PHQ9_18, 6.0), (PHQ9_18, 6.2)])
        page = _browser(supervisor).get(reverse("supervision")).text
        assert "Dana R." not in page
        assert "Eli K." not in page
        alice_row = page.split('data-therapist="alice"')[1].split("</tr>")[0]
        assert 'data-urgency="risk">1<' in alice_row
        bob_row = page.split('data-therapist="bob"')[1].split("</tr>")[0]
        assert 'data-urgency="red">1<' in bob_row
        assert "Check-in 6.2" in bob_row

    def test_it_counts_closed_episodes_with_reliable_improvement(self, people: People) -> None:
        _course(people, people.dana, [(PHQ9_18, 9.5), (PHQ9_4, 9.5)])
        Episode.objects.filter(client=people.dana).update(ended_on="2026-11-01")
        page = _browser(people.ada).get(reverse("supervision")).text
        alice_row = page.split('data-therapist="alice"')[1].split("</tr>")[0]
        assert 'data-closed="1/1"' in alice_row

    def test_it_is_closed_to_therapists(self, people: People) -> None:
        assert _browser(people.alice).get(reverse("supervision")).status_code == 403
