"""In a real browser: a therapist turns on two-factor sign-in, then signs in with a code."""

from __future__ import annotations

from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.test_client_feedback_flow import _log_in
from tests.conftest import People
from tests.factory import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


class TestTwoFactorInTheBrowser:
    def test_set_up_then_sign_in_with_a_code(
        self, people: People, live_server: Any, desk: Any, console_errors: list[str]
    ) -> None:
        _log_in(desk, live_server, "alice")
        desk.get_by_role("link", name="Two-factor").click()
        # The QR code is inline SVG: it shows under the self-only Content-Security-Policy.
        expect(desk.locator(".qr svg")).to_be_visible()
        device = TOTPDevice.objects.get(user=people.alice, confirmed=False)
        desk.get_by_label("Six-digit code").fill(_code(device))
        desk.get_by_role("button", name="Turn on two-factor sign-in").click()
        expect(desk.get_by_text("Two-factor sign-in is on")).to_be_visible()

        desk.get_by_role("button", name="Log out").click()
        # A code is accepted once; let the same 30-second step's code count again rather
        # than wait for the next one.
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        desk.get_by_label("Username").fill("alice")
        desk.get_by_label("Password").fill(PASSWORD)
        desk.get_by_role("button", name="Log in").click()
        expect(desk.get_by_role("heading", name="Enter your code")).to_be_visible()
        desk.get_by_label("Six-digit code").fill(_code(device))
        desk.get_by_role("button", name="Continue").click()
        expect(desk.get_by_role("heading", name="Your caseload")).to_be_visible()
        assert console_errors == []
