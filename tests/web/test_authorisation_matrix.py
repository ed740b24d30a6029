"""The authorisation matrix: every page and API route x every role x own/other record.

Record routes (those naming a client, session or response) come from ``RECORD_ROUTES`` in
``test_permissions``: only the client's own therapist may use them. Every other route is listed
below with the status each role must get. A route missing from both lists fails
``test_it_covers_every_route``, so a new page cannot ship without a decision about who may use it.
"""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import URLPattern, get_resolver, reverse

from rapport.api.routes import api
from rapport.feedback import services
from tests.conftest import People
from tests.web.test_permissions import _bobs_routes, covered_record_routes

ROLES = ("anonymous", "therapist", "supervisor", "admin")
LOGIN = 302  # pages send anonymous visitors to the login form
API_LOGIN = 401

# Expectations shared by several routes, by role.
EVERYONE = {"anonymous": 200, "therapist": 200, "supervisor": 200, "admin": 200}
STAFF = {"anonymous": LOGIN, "therapist": 200, "supervisor": 200, "admin": 200}
API_STAFF = {"anonymous": API_LOGIN, "therapist": 200, "supervisor": 200, "admin": 200}
ADMIN_PAGE = {"anonymous": LOGIN, "therapist": 403, "supervisor": 403, "admin": 200}
ADMIN_ACTION = {"anonymous": LOGIN, "therapist": 403, "supervisor": 403, "admin": 302}

# route: (method, {role: expected status}); "{token}" routes get a valid feedback link.
OTHER_ROUTES: dict[str, tuple[str, dict[str, int]]] = {
    "caseload": ("get", STAFF),
    "client-new": ("get", STAFF),
    "login": ("get", EVERYONE),
    "logout": ("post", {"anonymous": 302, "therapist": 302, "supervisor": 302, "admin": 302}),
    "tablet-unlock": (
        "get",
        {"anonymous": LOGIN, "therapist": 302, "supervisor": 302, "admin": 302},
    ),
    "staff-list": ("get", ADMIN_PAGE),
    "staff-toggle": ("post", ADMIN_ACTION),
    "supervision": (
        "get",
        {"anonymous": LOGIN, "therapist": 403, "supervisor": 200, "admin": 200},
    ),
    # Sign-in security (issue 6): two-factor, lockouts, password reset.
    "two-factor-verify": (
        "get",  # without an authenticator app there is no code to ask for: on to the caseload
        {"anonymous": LOGIN, "therapist": 302, "supervisor": 302, "admin": 302},
    ),
    "two-factor-setup": ("get", STAFF),
    "clinic-two-factor": ("post", ADMIN_ACTION),
    "staff-unlock": ("post", ADMIN_ACTION),
    "staff-two-factor-reset": ("post", ADMIN_ACTION),
    "password_reset": ("get", EVERYONE),
    "password_reset_done": ("get", EVERYONE),
    "password_reset_confirm": ("get", EVERYONE),  # a made-up link: "this link does not work"
    "password_reset_complete": ("get", EVERYONE),
    "audit-log": ("get", ADMIN_PAGE),
    "audit-export": ("get", ADMIN_PAGE),
    # A feedback link works for whoever holds it, signed in or not: it is the client's key.
    "feedback-form": ("get", EVERYONE),
    "feedback-thanks": ("get", EVERYONE),
    "get /api/instruments": ("get", API_STAFF),
    "get /api/clients": ("get", API_STAFF),
    "get /api/feedback/{token}": ("get", EVERYONE),
    # An empty body is refused by the schema (422) before anything is stored.
    "post /api/feedback/{token}": (
        "post",
        {"anonymous": 422, "therapist": 422, "supervisor": 422, "admin": 422},
    ),
}


def _all_routes() -> set[str]:
    names = {
        str(p.name) for p in get_resolver().url_patterns if isinstance(p, URLPattern) and p.name
    }
    for path, operations in api.get_openapi_schema()["paths"].items():
        names.update(f"{method} {path}" for method in operations)
    return names


def _browser(people: People, role: str) -> Browser:
    browser = Browser()
    user = {"therapist": people.alice, "supervisor": people.sam, "admin": people.ada}.get(role)
    if user is not None:
        browser.force_login(user)
    return browser


@pytest.fixture
def sam(people: People) -> People:
    people.sam = people.factory.make_user("sam", people.riverside, role="supervisor")  # type: ignore[attr-defined]
    return people


class TestAuthorisationMatrix:
    def test_it_covers_every_route(self) -> None:
        """Every page and API operation has a row here or in RECORD_ROUTES."""
        covered = set(OTHER_ROUTES) | covered_record_routes()
        assert _all_routes() <= covered, _all_routes() - covered

    @pytest.mark.parametrize("role", ROLES)
    def test_each_role_gets_what_the_matrix_says(self, sam: People, role: str) -> None:
        people = sam
        link = services.issue_link(people.factory.make_session(people.dana), "end", people.alice)
        browser = _browser(people, role)
        # Logging out ends the session, so it goes last.
        for route, (method, expected) in sorted(
            OTHER_ROUTES.items(), key=lambda item: item[0] == "logout"
        ):
            if route.startswith(("get ", "post ")):
                url = route.split(" ", 1)[1].replace("{token}", link.token)
                kwargs = {"content_type": "application/json", "data": "{}"}
                page = getattr(browser, method)(url, **(kwargs if method == "post" else {}))
            else:
                kwargs_for = {
                    "staff-toggle": {"user_id": people.bob.pk},
                    "staff-unlock": {"user_id": people.bob.pk},
                    "staff-two-factor-reset": {"user_id": people.bob.pk},
                    "password_reset_confirm": {"uidb64": "MA", "token": "made-up"},
                    "feedback-form": {"token": link.token},
                    "feedback-thanks": {"token": link.token},
                }
                page = getattr(browser, method)(reverse(route, kwargs=kwargs_for.get(route)))
            assert page.status_code == expected[role], (role, route, page.status_code)

    @pytest.mark.parametrize("role", ["anonymous", "supervisor"])
    def test_record_routes_are_closed_to_everyone_but_the_owner(
        self, sam: People, role: str
    ) -> None:
        """The supervisor gets 404 like any colleague; anonymous visitors are sent to log in."""
        people = sam
        browser = _browser(people, role)
        for method, url in _bobs_routes(people):
            api_call = url.startswith("/api/")
            if method == "post" and api_call:
                body = {"date": "2026-10-01", "modality": "video", "purpose": "start"}
                page = browser.post(url, body, content_type="application/json")
            else:
                page = getattr(browser, method)(url)
            if role == "anonymous":
                assert page.status_code == (API_LOGIN if api_call else LOGIN), (method, url)
            else:
                assert page.status_code == 404, (method, url, page.status_code)
