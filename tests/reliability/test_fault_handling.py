"""The feedback form while the database is unavailable: a 503 that says "send again", not a 500.

The fault script (``bench/reliability/fault.py``) kills real gunicorn processes and points one at
a database that does not exist; these tests check the same path in-process, fast enough for CI:
the database connection or the submit raises ``OperationalError``, the client is told to retry,
nothing is stored, and the retry is stored exactly once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.test import Client as Browser

from rapport.feedback import services, views
from rapport.feedback.models import FeedbackRequest, Response
from tests.conftest import People

JSON = {"Accept": "application/json"}
ANSWERS = {f"checkin-item-{n}": "8" for n in range(1, 6)} | {"checkin-text-next_time": "ok"}


@pytest.fixture
def link(people: People) -> services.IssuedLink:
    session = people.factory.make_session(people.dana)
    return services.issue_link(session, "end", people.alice)


@contextmanager
def database_down() -> Iterator[None]:
    """Every query fails as if PostgreSQL refused the connection (wrong port, server stopped)."""
    refused = OperationalError('connection to server at "127.0.0.1", port 1 failed: refused')
    with mock.patch.object(connection, "ensure_connection", side_effect=refused):
        yield


def _stored() -> tuple[int, int]:
    return Response.objects.count(), FeedbackRequest.objects.filter(
        completed_at__isnull=False
    ).count()


def _assert_retry_json(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(views.RETRY_AFTER_SECONDS)
    assert response.json() == {"status": "error", "message": views.UNAVAILABLE_MESSAGE}
    assert "Send again" in response.json()["message"]


class TestDatabaseUnavailable:
    def test_the_page_script_is_told_to_retry_and_the_retry_is_stored_once(
        self, link: services.IssuedLink
    ) -> None:
        browser = Browser(headers=JSON)
        with database_down():
            refused = browser.post(link.path, ANSWERS)
        _assert_retry_json(refused)
        assert _stored() == (0, 0)
        retry = browser.post(link.path, ANSWERS)
        assert retry.json() == {"status": "received"}
        assert _stored() == (1, 1)

    def test_a_form_post_without_javascript_gets_a_friendly_503_page(
        self, link: services.IssuedLink
    ) -> None:
        with database_down():
            page = Browser().post(link.path, ANSWERS)
        assert page.status_code == 503
        assert "try again" in page.content.decode()
        assert "Traceback" not in page.content.decode()
        assert _stored() == (0, 0)

    def test_opening_the_link_while_the_database_is_down_is_a_503(
        self, link: services.IssuedLink
    ) -> None:
        with database_down():
            page = Browser().get(link.path)
        assert page.status_code == 503

    @pytest.mark.parametrize(
        "error",
        [OperationalError("server closed the connection unexpectedly"), InterfaceError("closed")],
    )
    def test_a_connection_lost_during_the_submit_stores_nothing(
        self, link: services.IssuedLink, error: Exception
    ) -> None:
        with mock.patch.object(services, "submit", side_effect=error):
            refused = Browser(headers=JSON).post(link.path, ANSWERS)
        _assert_retry_json(refused)
        assert _stored() == (0, 0)
        assert FeedbackRequest.objects.get().completed_at is None

    def test_a_reply_lost_after_the_commit_is_not_duplicated_by_the_retry(
        self, link: services.IssuedLink
    ) -> None:
        """The answers were committed but the connection dropped before the reply: the client
        retries and hears "received"; the database holds one response."""
        real_submit = services.submit

        def commit_then_drop(*args: Any, **kwargs: Any) -> Any:
            real_submit(*args, **kwargs)
            raise OperationalError("server closed the connection unexpectedly")

        browser = Browser(headers=JSON)
        with mock.patch.object(services, "submit", side_effect=commit_then_drop):
            _assert_retry_json(browser.post(link.path, ANSWERS))
        assert browser.post(link.path, ANSWERS).json() == {"status": "received"}
        assert _stored() == (1, 1)

    def test_a_bad_value_is_still_a_400_not_a_retry(self, link: services.IssuedLink) -> None:
        """Only an unreachable database asks for a retry; invalid answers say what is wrong."""
        response = Browser(headers=JSON).post(link.path, {**ANSWERS, "checkin-item-1": "11"})
        assert response.status_code == 400
        assert response.json()["status"] == "error"


def test_the_page_script_keeps_answers_until_a_200() -> None:
    """feedback-form.js clears its saved answers only on an OK reply and offers to send again."""
    script = (settings.PACKAGE_DIR / "static" / "rapport" / "feedback-form.js").read_text()
    ok_branch = script.index("if (response.ok)")
    assert script.index("s.removeItem(key)") > ok_branch
    assert script.count("removeItem") == 1
    assert 'throw new Error("HTTP " + response.status)' in script
    assert "Your answers are kept on this device" in script
