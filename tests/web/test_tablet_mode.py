"""In-room tablet mode hands the therapist's device to the client and locks back."""

from __future__ import annotations

from django.test import Client as Browser
from django.urls import reverse

from tests.conftest import People
from tests.factory import PASSWORD


class TestTabletMode:
    def _locked_browser(self, people: People) -> tuple[Browser, str]:
        session = people.factory.make_session(people.dana)
        browser = Browser()
        browser.force_login(people.alice)
        page = browser.post(reverse("session-tablet", args=[session.pk, "end"]))
        assert page.status_code == 302
        return browser, page.url

    def test_it_opens_the_client_form_on_the_therapists_device(self, people: People) -> None:
        """Handing over goes straight to the client's form."""
        browser, form_url = self._locked_browser(people)
        page = browser.get(form_url)
        assert page.status_code == 200
        assert "How was today's session?" in page.text

    def test_it_keeps_the_client_out_of_staff_pages(self, people: People) -> None:
        """While locked, the caseload and client pages redirect to the unlock page."""
        browser, _ = self._locked_browser(people)
        for url in [
            reverse("caseload"),
            reverse("client-detail", args=[people.dana.pk]),
            "/api/clients",
        ]:
            page = browser.get(url)
            assert page.status_code == 302, url
            assert page.url == reverse("tablet-unlock")

    def test_it_unlocks_only_with_the_therapists_password(self, people: People) -> None:
        """A wrong password keeps the lock; the right one returns to the session page."""
        browser, _ = self._locked_browser(people)
        wrong = browser.post(reverse("tablet-unlock"), {"password": "guess"})
        assert wrong.status_code == 400
        assert browser.get(reverse("caseload")).status_code == 302
        right = browser.post(reverse("tablet-unlock"), {"password": PASSWORD})
        assert right.status_code == 302
        assert browser.get(reverse("caseload")).status_code == 200

    def test_it_tells_the_client_to_hand_the_device_back(self, people: People) -> None:
        """After submitting, the thank-you page asks for the device to be returned."""
        browser, form_url = self._locked_browser(people)
        data = {f"checkin-item-{n}": "9" for n in range(1, 6)}
        thanks = browser.post(form_url, data, follow=True)
        assert "hand the device back" in thanks.text
