"""Pages answer only the methods a page uses; the API keeps its own method routing."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import reverse

from rapport.audit.models import AuditEvent
from tests.conftest import People


def test_options_gets_the_allowed_methods_and_no_page(people: People) -> None:
    """The views would render a page for OPTIONS, unchecked for CSRF: it gets the list only."""
    browser = Browser()
    browser.force_login(people.alice)
    answer = browser.options(reverse("client-detail", args=[people.dana.pk]))
    assert answer.status_code == 200
    assert answer["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert answer.content == b""
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "TRACE", "FOO"])
def test_a_page_refuses_other_methods_and_audits_no_change(people: People, method: str) -> None:
    """A PUT or made-up method to a client's page is 405 naming the allowed ones; nothing is
    rendered and no "change" is recorded."""
    browser = Browser(enforce_csrf_checks=False)
    browser.force_login(people.alice)
    page = browser.generic(method, reverse("client-detail", args=[people.dana.pk]))
    assert page.status_code == 405
    assert page["Allow"] == "GET, HEAD, POST, OPTIONS"
    assert not AuditEvent.objects.exists()


def test_pages_still_answer_get_head_and_post(people: People) -> None:
    browser = Browser()
    browser.force_login(people.alice)
    url = reverse("client-detail", args=[people.dana.pk])
    assert browser.get(url).status_code == 200
    assert browser.head(url).status_code == 200


def test_the_api_routes_methods_itself(people: People) -> None:
    """Under /api/ a wrong method is django-ninja's own 405."""
    browser = Browser()
    browser.force_login(people.alice)
    answer = browser.delete(f"/api/clients/{people.dana.pk}/scores")
    assert answer.status_code == 405
    assert answer["Allow"] == "GET"  # ninja's answer for this route, not the pages' list
