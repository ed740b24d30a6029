"""A clinic admin adds and deactivates therapists."""

from __future__ import annotations

from django.http import HttpRequest
from django.test import Client as Browser
from django.urls import reverse

from rapport.accounts.models import User
from tests.conftest import People


class TestStaffAdmin:
    def test_it_adds_a_therapist_with_an_argon2_password(self, people: People, settings) -> None:  # type: ignore[no-untyped-def]
        """The new therapist joins the admin's clinic; the password is hashed with argon2."""
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
        browser = Browser()
        browser.force_login(people.ada)
        page = browser.post(
            reverse("staff-list"),
            {
                "username": "frankie",
                "first_name": "Frankie",
                "last_name": "Lee",
                "email": "frankie@example.org",
                "role": "therapist",
                "password": "a long and unusual passphrase",
            },
        )
        assert page.status_code == 302
        frankie = User.objects.get(username="frankie")
        assert frankie.clinic == people.riverside
        assert frankie.password.startswith("argon2")

    def test_it_refuses_a_weak_password(self, people: People) -> None:
        """Short or common passwords are refused with the validator's message."""
        browser = Browser()
        browser.force_login(people.ada)
        page = browser.post(
            reverse("staff-list"),
            {
                "username": "gus",
                "first_name": "Gus",
                "last_name": "Ho",
                "email": "gus@example.org",
                "role": "therapist",
                "password": "password",
            },
        )
        assert page.status_code == 400
        assert "too common" in page.text or "too short" in page.text
        assert not User.objects.filter(username="gus").exists()

    def test_it_refuses_a_username_outside_djangos_rule(self, people: People) -> None:
        """Spaces, "!" and a spreadsheet formula are not usernames (the model's validator)."""
        browser = Browser()
        browser.force_login(people.ada)
        for username in ("bad name!", '=HYPERLINK("http://evil.example","x")'):
            page = browser.post(
                reverse("staff-list"),
                {
                    "username": username,
                    "first_name": "Gus",
                    "last_name": "Ho",
                    "email": "gus@example.org",
                    "role": "therapist",
                    "password": "a long and unusual passphrase",
                },
            )
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
