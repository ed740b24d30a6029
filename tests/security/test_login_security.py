"""Staff sign-in security (issue 6): lockout, two-factor, idle sign-out, password reset, strength.

The clock is frozen and moved with time_machine, so lockout windows, idle limits, reset-link
expiry and two-factor codes are exact; codes are computed from the device key with
``django_otp.oath.totp``, as the staff member's app would.
"""

from __future__ import annotations

import base64
import datetime
import re
from collections.abc import Iterator

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client as Browser
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rapport.accounts import reset_limits
from rapport.accounts.models import ResetRequest, User
from tests.conftest import People
from tests.factory import PASSWORD

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
WRONG = "not the password"
NEW_PASSWORD = "a fresh and unusual passphrase"


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _log_in(browser: Browser, username: str, password: str = PASSWORD) -> object:
    return browser.post(reverse("login"), {"username": username, "password": password})


def _signed_in_as(browser: Browser) -> int | None:
    user_id = browser.session.get("_auth_user_id")
    return int(user_id) if user_id is not None else None


def _code(device: TOTPDevice) -> str:
    """What the staff member's authenticator app shows now."""
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{value:0{device.digits}d}"


def _wrong_code(device: TOTPDevice) -> str:
    return f"{(int(_code(device)) + 500_000) % 1_000_000:06d}"


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _set_up_two_factor(browser: Browser, user: User) -> TOTPDevice:
    """Go through the set-up page as the staff member would; returns the confirmed device."""
    assert browser.get(reverse("two-factor-setup")).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = browser.post(reverse("two-factor-setup"), {"code": _code(device)})
    assert page.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


class TestLockout:
    def test_it_locks_out_after_the_failure_limit(self, people: People, clock: object) -> None:
        """Four wrong passwords say "didn't match"; the fifth locks out, right password or not."""
        browser = Browser()
        for _ in range(4):
            page = _log_in(browser, "alice", WRONG)
            assert page.status_code == 200
            assert "didn't match" in page.text
        locked = _log_in(browser, "alice", WRONG)
        assert locked.status_code == 429
        assert "Too many attempts" in locked.text
        assert "Try again in 30 minutes" in locked.text
        assert "ask your clinic admin" in locked.text
        right = _log_in(browser, "alice", PASSWORD)
        assert right.status_code == 429
        assert _signed_in_as(browser) is None

    def test_a_username_longer_than_any_account_gets_the_usual_answer(self, people: People) -> None:
        """256 characters or more: the wrong-password page, not a 500 (axes could not store
        the name on PostgreSQL), counted under the first 255; the admin's sign-in too."""
        for length in (150, 256, 10_000):
            page = _log_in(Browser(), "u" * length, WRONG)
            assert page.status_code == 200
            assert "didn't match" in page.text
        admin = Browser().post("/admin/login/", {"username": "v" * 300, "password": WRONG})
        assert admin.status_code == 200
        stored = sorted(AccessAttempt.objects.values_list("username", "failures_since_start"))
        assert stored == [("u" * 150, 1), ("u" * 255, 2), ("v" * 255, 1)]

    def test_an_unknown_username_gets_the_same_answers(self, people: People, clock: object) -> None:
        """Nothing tells a made-up name from a real one: same pages, same lockout."""
        known, unknown = Browser(), Browser()
        for _ in range(4):
            a = _log_in(known, "alice", WRONG)
            b = _log_in(unknown, "nobody-here", WRONG)
            assert a.status_code == b.status_code == 200
            assert _without_csrf(a.text) == _without_csrf(b.text)
        a = _log_in(known, "alice", WRONG)
        b = _log_in(unknown, "nobody-here", WRONG)
        assert a.status_code == b.status_code == 429
        assert a.text == b.text
        assert "alice" not in a.text

    def test_it_unlocks_after_the_lockout_time(
        self, people: People, clock: time_machine.Traveller
    ) -> None:
        """Tries during the lockout do not extend it; after 30 minutes the password works."""
        browser = Browser()
        for _ in range(5):
            _log_in(browser, "alice", WRONG)
        clock.shift(datetime.timedelta(minutes=29))
        still = _log_in(browser, "alice", PASSWORD)
        assert still.status_code == 429
        assert "Try again in 1 minute" in still.text
        clock.shift(datetime.timedelta(minutes=1, seconds=1))
        page = _log_in(browser, "alice", PASSWORD)
        assert page.status_code == 302
        assert _signed_in_as(browser) == people.alice.pk

    def test_it_counts_per_username_and_address(self, people: People, clock: object) -> None:
        """Someone guessing from elsewhere cannot lock Alice out of her own computer."""
        attacker = Browser(REMOTE_ADDR="203.0.113.9")
        for _ in range(5):
            _log_in(attacker, "alice", WRONG)
        assert _log_in(attacker, "alice", PASSWORD).status_code == 429
        assert _log_in(Browser(), "alice", PASSWORD).status_code == 302
        assert _log_in(attacker, "bob", PASSWORD).status_code == 302

    def test_limit_and_time_come_from_settings(
        self, people: People, clock: object, settings: pytest.FixtureRequest
    ) -> None:
        settings.AXES_FAILURE_LIMIT = 2  # type: ignore[attr-defined]
        settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=10)  # type: ignore[attr-defined]
        browser = Browser()
        assert _log_in(browser, "alice", WRONG).status_code == 200
        locked = _log_in(browser, "alice", WRONG)
        assert locked.status_code == 429
        assert "Try again in 10 minutes" in locked.text

    def test_a_clinic_admin_can_lift_a_lockout(self, people: People, clock: object) -> None:
        browser = Browser()
        for _ in range(5):
            _log_in(browser, "alice", WRONG)
        admin = Browser()
        admin.force_login(people.ada)
        staff_page = admin.get(reverse("staff-list"))
        assert "Locked out" in staff_page.text
        assert admin.post(reverse("staff-unlock", args=[people.alice.pk])).status_code == 302
        assert _log_in(browser, "alice", PASSWORD).status_code == 302

    def test_failed_tablet_unlocks_count(self, people: People, clock: object) -> None:
        """The client holding the device cannot guess the therapist's password for ever."""
        session = people.factory.make_session(people.dana)
        browser = Browser()
        browser.force_login(people.alice)
        browser.post(reverse("session-tablet", args=[session.pk, "end"]))
        for _ in range(4):
            assert browser.post(reverse("tablet-unlock"), {"password": WRONG}).status_code == 400
        locked = browser.post(reverse("tablet-unlock"), {"password": WRONG})
        assert locked.status_code == 429
        assert "Too many attempts" in locked.text
        # Even the right password is refused now, and the device stays in client mode.
        assert browser.post(reverse("tablet-unlock"), {"password": PASSWORD}).status_code == 429
        assert browser.get(reverse("caseload")).url == reverse("tablet-unlock")
        # The same count guards the login form from this address.
        assert _log_in(Browser(), "alice", PASSWORD).status_code == 429

    def test_a_successful_sign_in_forgets_earlier_failures(
        self, people: People, clock: object
    ) -> None:
        browser = Browser()
        for _ in range(4):
            _log_in(browser, "alice", WRONG)
        assert _log_in(browser, "alice", PASSWORD).status_code == 302
        browser.post(reverse("logout"))
        for _ in range(4):
            assert _log_in(browser, "alice", WRONG).status_code == 200


class TestTwoFactorSetUp:
    def test_it_shows_a_qr_code_and_the_key_and_needs_a_code_to_turn_on(
        self, people: People, clock: time_machine.Traveller
    ) -> None:
        browser = Browser()
        browser.force_login(people.alice)
        page = browser.get(reverse("two-factor-setup"))
        assert page.status_code == 200
        device = TOTPDevice.objects.get(user=people.alice)
        assert not device.confirmed
        # An inline SVG: nothing is fetched from anywhere (the CSP allows only this site).
        assert '<svg width="' in page.text
        assert "<img" not in page.text
        assert "otpauth://totp/Rapport%3Aalice?secret=" in page.text
        shown = re.search(r"<code data-secret>([A-Z2-7 ]+)</code>", page.text)
        assert shown is not None
        assert base64.b32decode(shown.group(1).replace(" ", "")) == device.bin_key
        # Reloading keeps the same key, so a half-done set-up is not broken by a refresh.
        browser.get(reverse("two-factor-setup"))
        assert TOTPDevice.objects.filter(user=people.alice).count() == 1

        wrong = browser.post(reverse("two-factor-setup"), {"code": _wrong_code(device)})
        assert wrong.status_code == 400
        assert "That code is not right" in wrong.text
        device.refresh_from_db()
        assert not device.confirmed

        clock.shift(datetime.timedelta(seconds=5))  # django-otp waits a second after a miss
        right = browser.post(reverse("two-factor-setup"), {"code": _code(device)})
        assert right.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        on = browser.get(reverse("two-factor-setup"))
        assert "<strong>On.</strong>" in on.text
        assert "Two-factor sign-in is on" in on.text

    def test_removing_it_needs_a_current_code(
        self, people: People, clock: time_machine.Traveller
    ) -> None:
        browser = Browser()
        browser.force_login(people.alice)
        device = _set_up_two_factor(browser, people.alice)
        clock.shift(datetime.timedelta(seconds=30))
        assert browser.post(reverse("two-factor-setup"), {"code": "12345x"}).status_code == 400
        assert TOTPDevice.objects.filter(user=people.alice, confirmed=True).exists()
        page = browser.post(reverse("two-factor-setup"), {"code": _code(device)})
        assert page.status_code == 302
        assert not TOTPDevice.objects.filter(user=people.alice).exists()
        assert browser.get(reverse("caseload")).status_code == 200


class TestTwoFactorSignIn:
    def _alice_with_app(self, people: People) -> TOTPDevice:
        browser = Browser()
        browser.force_login(people.alice)
        return _set_up_two_factor(browser, people.alice)

    def test_signing_in_is_two_steps(self, people: People, clock: time_machine.Traveller) -> None:
        device = self._alice_with_app(people)
        clock.shift(datetime.timedelta(minutes=1))
        browser = Browser()
        first = _log_in(browser, "alice")
        assert first.status_code == 302
        assert first.url == reverse("two-factor-verify") + "?next=%2F"
        # Half signed in: every page but the code page (and logging out) waits.
        for url in [reverse("caseload"), reverse("client-detail", args=[people.dana.pk])]:
            page = browser.get(url)
            assert page.status_code == 302
            assert page.url.startswith(reverse("two-factor-verify") + "?next=")
        assert browser.get("/api/clients").status_code == 401
        assert browser.get(reverse("two-factor-setup")).status_code == 302

        form = browser.get(first.url)
        assert form.status_code == 200
        assert 'autocomplete="one-time-code"' in form.text
        wrong = browser.post(first.url, {"code": _wrong_code(device)})
        assert wrong.status_code == 400
        assert browser.get(reverse("caseload")).status_code == 302

        clock.shift(datetime.timedelta(seconds=5))
        right = browser.post(first.url, {"code": _code(device)})
        assert right.status_code == 302
        assert right.url == "/"
        assert browser.get(reverse("caseload")).status_code == 200

    def test_a_code_works_only_once(self, people: People, clock: time_machine.Traveller) -> None:
        device = self._alice_with_app(people)
        clock.shift(datetime.timedelta(minutes=1))
        code = _code(device)
        first, second = Browser(), Browser()
        _log_in(first, "alice")
        _log_in(second, "alice")
        assert first.post(reverse("two-factor-verify"), {"code": code}).status_code == 302
        assert second.post(reverse("two-factor-verify"), {"code": code}).status_code == 400
        clock.shift(datetime.timedelta(seconds=30))
        assert second.post(reverse("two-factor-verify"), {"code": _code(device)}).status_code == 302

    def test_wrong_codes_count_towards_the_lockout(
        self, people: People, clock: time_machine.Traveller
    ) -> None:
        """Knowing the password is not enough to guess codes: the fifth miss locks out."""
        device = self._alice_with_app(people)
        browser = Browser()
        clock.shift(datetime.timedelta(minutes=1))
        _log_in(browser, "alice")
        for _ in range(4):
            page = browser.post(reverse("two-factor-verify"), {"code": _wrong_code(device)})
            assert page.status_code == 400
            clock.shift(datetime.timedelta(seconds=20))  # past django-otp's own back-off
        locked = browser.post(reverse("two-factor-verify"), {"code": _wrong_code(device)})
        assert locked.status_code == 429
        assert "Too many attempts" in locked.text
        assert _signed_in_as(browser) is None
        assert _log_in(browser, "alice").status_code == 429

    def test_without_an_app_signing_in_is_one_step(self, people: People) -> None:
        browser = Browser()
        page = _log_in(browser, "alice")
        assert page.url == "/"
        assert browser.get(reverse("caseload")).status_code == 200

    def test_a_clinic_admin_can_reset_a_lost_app(
        self, people: People, clock: time_machine.Traveller
    ) -> None:
        self._alice_with_app(people)
        admin = Browser()
        admin.force_login(people.ada)
        assert "Reset two-factor" in admin.get(reverse("staff-list")).text
        admin.post(reverse("staff-two-factor-reset", args=[people.alice.pk]))
        assert not TOTPDevice.objects.filter(user=people.alice).exists()
        assert _log_in(Browser(), "alice").url == "/"


class TestClinicRequiresTwoFactor:
    @pytest.fixture
    def admin(self, people: People) -> Browser:
        """Ada, signed in with her own authenticator app."""
        browser = Browser()
        browser.force_login(people.ada)
        _set_up_two_factor(browser, people.ada)
        return browser

    def _require(self, people: People, admin: Browser, on: bool = True) -> None:
        page = admin.post(reverse("clinic-two-factor"), {"require": "on"} if on else {})
        assert page.status_code == 302
        people.riverside.refresh_from_db()
        assert people.riverside.require_two_factor is on

    def test_the_admin_sets_up_their_own_app_first(self, people: People) -> None:
        admin = Browser()
        admin.force_login(people.ada)
        page = admin.post(reverse("clinic-two-factor"), {"require": "on"}, follow=True)
        assert "Set up two-factor sign-in for your own account first" in page.text
        people.riverside.refresh_from_db()
        assert not people.riverside.require_two_factor

    def test_only_the_clinic_admin_can_require_it(self, people: People) -> None:
        browser = Browser()
        browser.force_login(people.alice)
        assert browser.post(reverse("clinic-two-factor"), {"require": "on"}).status_code == 403
        people.riverside.refresh_from_db()
        assert not people.riverside.require_two_factor

    def test_staff_without_an_app_must_set_one_up_first(
        self, people: People, admin: Browser, clock: time_machine.Traveller
    ) -> None:
        self._require(people, admin)
        browser = Browser()
        first = _log_in(browser, "alice")
        assert first.url == reverse("two-factor-setup") + "?next=%2F"
        for url in [
            reverse("caseload"),
            reverse("client-detail", args=[people.dana.pk]),
            reverse("two-factor-verify"),
        ]:
            page = browser.get(url)
            assert page.status_code == 302, url
            assert page.url.startswith(reverse("two-factor-setup"))
        assert browser.get("/api/clients").status_code == 401
        setup = browser.get(first.url)
        assert "Your clinic requires two-factor sign-in" in setup.text
        device = TOTPDevice.objects.get(user=people.alice, confirmed=False)
        done = browser.post(first.url, {"code": _code(device), "next": "/"})
        assert done.status_code == 302
        assert done.url == "/"
        assert browser.get(reverse("caseload")).status_code == 200

        # Next time: password, then code.
        clock.shift(datetime.timedelta(minutes=1))
        again = Browser()
        assert _log_in(again, "alice").url.startswith(reverse("two-factor-verify"))

    def test_it_applies_to_sessions_already_signed_in(self, people: People, admin: Browser) -> None:
        browser = Browser()
        browser.force_login(people.alice)
        assert browser.get(reverse("caseload")).status_code == 200
        self._require(people, admin)
        assert browser.get(reverse("caseload")).url.startswith(reverse("two-factor-setup"))
        self._require(people, admin, on=False)
        assert browser.get(reverse("caseload")).status_code == 200

    def test_other_clinics_are_not_affected(self, people: People, admin: Browser) -> None:
        self._require(people, admin)
        assert _log_in(Browser(), "charlie").url == "/"


class TestIdleSignOut:
    def test_it_signs_out_after_the_idle_time(
        self, people: People, clock: time_machine.Traveller
    ) -> None:
        browser = Browser()
        browser.force_login(people.alice)
        for _ in range(3):  # activity keeps the session going, well past 30 minutes in all
            clock.shift(datetime.timedelta(minutes=29))
            assert browser.get(reverse("caseload")).status_code == 200
        clock.shift(datetime.timedelta(minutes=30))
        page = browser.get(reverse("caseload"))
        assert page.status_code == 302
        assert page.url.startswith(reverse("login"))
        assert _signed_in_as(browser) is None
        login = browser.get(page.url)
        assert "You were signed out after 30 minutes without activity." in login.text
        # Said once, not on every later visit to the login page.
        assert "without activity" not in browser.get(reverse("login")).text

    def test_the_idle_time_is_configurable(
        self, people: People, clock: time_machine.Traveller, settings: pytest.FixtureRequest
    ) -> None:
        settings.SESSION_IDLE_MINUTES = 5  # type: ignore[attr-defined]
        browser = Browser()
        browser.force_login(people.alice)
        clock.shift(datetime.timedelta(minutes=5))
        page = browser.get(reverse("caseload"), follow=True)
        assert "You were signed out after 5 minutes without activity." in page.text

    def test_a_sign_in_has_a_longest_life_however_active(
        self, people: People, clock: time_machine.Traveller, settings: pytest.FixtureRequest
    ) -> None:
        settings.SESSION_COOKIE_AGE = 60 * 60  # type: ignore[attr-defined]
        browser = Browser()
        browser.force_login(people.alice)
        for _ in range(2):
            clock.shift(datetime.timedelta(minutes=25))
            assert browser.get(reverse("caseload")).status_code == 200
        clock.shift(datetime.timedelta(minutes=10))
        page = browser.get(reverse("caseload"), follow=True)
        assert "a sign-in lasts at most 1 hours" in page.text

    def test_a_device_left_in_tablet_mode_signs_the_therapist_out(
        self, people: People, clock: time_machine.Traveller
    ) -> None:
        """The client's form keeps working, but their use does not keep the therapist in."""
        session = people.factory.make_session(people.dana)
        browser = Browser()
        browser.force_login(people.alice)
        form_url = browser.post(reverse("session-tablet", args=[session.pk, "end"])).url
        for _ in range(4):
            clock.shift(datetime.timedelta(minutes=10))
            assert browser.get(form_url).status_code == 200
        assert _signed_in_as(browser) is None
        page = browser.get(reverse("caseload"))
        assert page.url.startswith(reverse("login"))
        unlock = browser.post(reverse("tablet-unlock"), {"password": PASSWORD})
        assert unlock.status_code == 302
        assert browser.get(reverse("caseload")).url.startswith(reverse("login"))

    def test_an_htmx_request_is_sent_to_the_login_page_whole(
        self, people: People, clock: time_machine.Traveller
    ) -> None:
        session = people.factory.make_session(people.dana)
        browser = Browser()
        browser.force_login(people.alice)
        clock.shift(datetime.timedelta(minutes=31))
        page = browser.post(
            reverse("session-issue-link", args=[session.pk, "end"]), headers={"HX-Request": "true"}
        )
        assert page.headers["HX-Redirect"] == reverse("login")


class TestPasswordReset:
    @pytest.fixture(autouse=True)
    def _email(self, people: People) -> None:
        people.alice.email = "alice@example.org"
        people.alice.save(update_fields=["email"])

    def _ask(self, email: str) -> tuple[object, str]:
        browser = Browser()
        sent = browser.post(reverse("password_reset"), {"email": email})
        done = browser.get(sent.url)
        return sent, done.text

    def test_the_login_page_offers_it(self) -> None:
        page = Browser().get(reverse("login"))
        assert f'href="{reverse("password_reset")}"' in page.text
        assert "Forgot your password?" in page.text

    def test_the_answer_is_the_same_whether_or_not_the_address_is_known(self) -> None:
        known, known_page = self._ask("alice@example.org")
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["alice@example.org"]
        unknown, unknown_page = self._ask("nobody@example.org")
        assert len(mail.outbox) == 1  # nothing sent for an unknown address
        assert known.status_code == unknown.status_code == 302  # type: ignore[attr-defined]
        assert known.url == unknown.url  # type: ignore[attr-defined]
        assert known.content == unknown.content  # type: ignore[attr-defined]
        assert known_page == unknown_page
        assert "If an account uses that address, we have sent a link" in known_page

    def test_a_deactivated_account_gets_no_email(self, people: People) -> None:
        people.alice.is_active = False
        people.alice.save(update_fields=["is_active"])
        self._ask("alice@example.org")
        assert mail.outbox == []

    def _link(self) -> str:
        match = re.search(r"http://\S+/password-reset/\S+/", mail.outbox[-1].body)
        assert match is not None
        return match.group(0).split("8000", 1)[1]

    def test_the_link_sets_a_password_that_passes_the_validators(
        self, people: People, clock: object
    ) -> None:
        self._ask("alice@example.org")
        assert "within 60 minutes" in mail.outbox[0].body
        browser = Browser()
        form_url = browser.get(self._link()).url
        assert form_url.endswith("/set-password/")
        weak = browser.post(
            form_url, {"new_password1": "alice12345", "new_password2": "alice12345"}
        )
        assert weak.status_code == 200
        assert "too short" in weak.text
        done = browser.post(
            form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert done.status_code == 302
        assert _log_in(Browser(), "alice", NEW_PASSWORD).status_code == 302
        assert _log_in(Browser(), "alice", PASSWORD).status_code == 200
        # A link works once.
        assert "This link does not work" in Browser().get(self._link(), follow=True).text

    def test_the_link_expires(self, clock: time_machine.Traveller) -> None:
        self._ask("alice@example.org")
        clock.shift(datetime.timedelta(minutes=61))
        page = Browser().get(self._link(), follow=True)
        assert "This link does not work" in page.text

    def test_a_new_password_lifts_a_lockout(self, people: People, clock: object) -> None:
        browser = Browser()
        for _ in range(5):
            _log_in(browser, "alice", WRONG)
        self._ask("alice@example.org")
        reset = Browser()
        form_url = reset.get(self._link()).url
        reset.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert _log_in(browser, "alice", NEW_PASSWORD).status_code == 302

    def test_it_does_not_skip_two_factor(
        self, people: People, clock: time_machine.Traveller
    ) -> None:
        browser = Browser()
        browser.force_login(people.alice)
        _set_up_two_factor(browser, people.alice)
        self._ask("alice@example.org")
        reset = Browser()
        form_url = reset.get(self._link()).url
        reset.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        assert _signed_in_as(reset) is None
        assert _log_in(reset, "alice", NEW_PASSWORD).url.startswith(reverse("two-factor-verify"))


class TestPasswordResetLimits:
    """Links go out at most 3 times an hour per address and 10 per network address; over a
    limit the form answers as always and sends nothing."""

    @pytest.fixture(autouse=True)
    def _email(self, people: People) -> None:
        people.alice.email = "alice@example.org"
        people.alice.save(update_fields=["email"])

    def _ask(self, email: str, ip_address: str = "203.0.113.7") -> tuple[str, str]:
        browser = Browser(REMOTE_ADDR=ip_address)
        sent = browser.post(reverse("password_reset"), {"email": email})
        return sent.url, browser.get(sent.url).text

    def test_one_address_gets_three_links_an_hour(self, clock: time_machine.Traveller) -> None:
        answers = [self._ask("alice@example.org") for _ in range(3)]
        assert len(mail.outbox) == 3
        over = self._ask(" Alice@Example.org ", ip_address="198.51.100.9")
        assert len(mail.outbox) == 3  # nothing more, from any network address, any spelling
        assert over == answers[0]  # the same page: the limit reveals nothing
        clock.shift(datetime.timedelta(minutes=61))
        self._ask("alice@example.org")
        assert len(mail.outbox) == 4

    def test_one_network_address_gets_ten_tries_an_hour(self) -> None:
        for n in range(10):
            self._ask(f"guess{n}@example.org")
        assert mail.outbox == []  # unknown addresses: none sent, each counted
        self._ask("alice@example.org")
        assert mail.outbox == []
        self._ask("alice@example.org", ip_address="198.51.100.9")
        assert [m.to for m in mail.outbox] == [["alice@example.org"]]

    def test_an_ipv6_network_counts_as_one_network_address(self) -> None:
        """Fresh addresses from one /64 share the ten tries (and the table keeps the /64);
        another /64 is another network."""
        for n in range(10):
            self._ask(f"guess{n}@example.org", ip_address=f"2001:db8:bad:1::{n + 1:x}")
        self._ask("alice@example.org", ip_address="2001:db8:bad:1:ffff::1")
        assert mail.outbox == []
        assert set(ResetRequest.objects.values_list("ip_address", flat=True)) == {
            "2001:db8:bad:1::"
        }
        self._ask("alice@example.org", ip_address="2001:db8:bad:2::1")
        assert [m.to for m in mail.outbox] == [["alice@example.org"]]

    def test_the_table_holds_no_email_address(self) -> None:
        self._ask("alice@example.org")
        stored = list(ResetRequest.objects.values_list("address_digest", "ip_address"))
        assert stored == [(reset_limits.address_digest("alice@example.org"), "203.0.113.7")]
        assert "alice" not in str(stored)


# The reason each password is refused, as the validator words it.
WEAK = {
    "too short": "tiny-pass",
    "too common": "1qaz2wsx3edc",
    "entirely numeric": "902834719283",
    "too similar": "riverside.therapist1",
}
SIMILAR_USERNAME = "riverside.therapist"


class TestPasswordStrength:
    """Minimum 12, common, numeric, similarity: on every path a password is set."""

    @pytest.mark.parametrize(("reason", "password"), WEAK.items())
    def test_the_validators_refuse_weak_passwords(self, reason: str, password: str) -> None:
        with pytest.raises(ValidationError, match=reason):
            validate_password(password, User(username=SIMILAR_USERNAME))

    @pytest.mark.parametrize(("reason", "password"), WEAK.items())
    def test_they_apply_to_a_password_reset(
        self, people: People, reason: str, password: str
    ) -> None:
        user = people.factory.make_user(SIMILAR_USERNAME, people.riverside)
        form = SetPasswordForm(user, {"new_password1": password, "new_password2": password})
        assert not form.is_valid()
        assert reason in str(form.errors["new_password2"])

    @pytest.mark.parametrize(("reason", "password"), WEAK.items())
    def test_they_apply_to_staff_added_by_a_clinic_admin(
        self, people: People, reason: str, password: str
    ) -> None:
        admin = Browser()
        admin.force_login(people.ada)
        data = {
            "username": SIMILAR_USERNAME,
            "first_name": "Frankie",
            "last_name": "Lee",
            "email": "frankie@example.org",
            "role": "therapist",
            "password": password,
        }
        page = admin.post(reverse("staff-list"), data)
        assert page.status_code == 400
        assert reason in page.text
        assert not User.objects.filter(username=SIMILAR_USERNAME).exists()

    @pytest.mark.parametrize(("reason", "password"), WEAK.items())
    def test_they_apply_to_accounts_added_in_the_operators_admin(
        self, db: None, reason: str, password: str
    ) -> None:
        root = User.objects.create_superuser("root", "root@example.org", NEW_PASSWORD)
        browser = Browser()
        browser.force_login(root)
        data = {
            "username": SIMILAR_USERNAME,
            "password1": password,
            "password2": password,
            "usable_password": "true",
        }
        page = browser.post(reverse("admin:accounts_user_add"), data)
        assert page.status_code == 200
        assert reason in page.text
        assert not User.objects.filter(username=SIMILAR_USERNAME).exists()

    def test_a_long_unusual_passphrase_passes(self, people: People) -> None:
        validate_password(NEW_PASSWORD, people.alice)
