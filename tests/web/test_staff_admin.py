"""A clinic admin adds and deactivates therapists."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.test import Client as Browser
from django.urls import reverse

from rapport.accounts.models import User
from tests.conftest import People

STRONG = "a long and unusual passphrase"


def _add_staff(people: People, username: str, password: str = STRONG) -> Any:
    """Ada, a clinic admin, posts the new-staff form for a therapist called Gus Ho."""
    browser = Browser()
    browser.force_login(people.ada)
    fields = {
        "username": username,
        "first_name": "Gus",
        "last_name": "Ho",
        "email": "gus@example.org",
        "role": "therapist",
        "password": password,
    }
    return browser.post(reverse("staff-list"), fields)


class TestStaffAdmin:
    def test_it_adds_a_therapist_with_an_argon2_password(self, people: People, settings) -> None:  # type: ignore[no-untyped-def]
        """The new therapist joins the admin's clinic; the password is hashed with argon2."""
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
        page = _add_staff(people, "gus")
        assert page.status_code == 302
        gus = User.objects.get(username="gus")
        assert gus.clinic == people.riverside
        assert gus.password.startswith("argon2")

    def test_it_refuses_a_weak_password(self, people: People) -> None:
        """Short or common passwords are refused with the validator's message."""
        page = _add_staff(people, "gus", password="password")
        assert page.status_code == 400
        assert "too common" in page.text or "too short" in page.text
        assert not User.objects.filter(username="gus").exists()

    def test_it_refuses_a_username_outside_djangos_rule(self, people: People) -> None:
        """Spaces, "!" and a spreadsheet formula are not usernames (the model's validator)."""
        for username in ("bad name!", '=HYPERLINK("http://evil.example","x")'):
            page = _add_staff(people, username)
            assert page.status_code == 400
            assert "Enter a valid username" in page.text
        assert not User.objects.filter(first_name="Gus").exists()

    def test_it_deactivates_a_therapist_who_then_cannot_log_in(self, people: People) -> None:
        """A deactivated account's login fails."""
        browser = Browser()
        browser.force_login(people.ada)
        browser.post(reverse("staff-toggle", args=[people.bob.pk]))
        people.bob.refresh_from_db()
        assert not people.bob.is_active
        # django-axes checks every sign-in, so authenticate() needs the request it came with.
        assert not Browser().login(
            request=HttpRequest(), username="bob", password="correct horse battery staple"
        )
