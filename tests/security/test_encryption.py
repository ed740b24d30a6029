"""Free text is encrypted at rest: a database dump alone shows no client's words.

Comments on measures, the client's comment on their plan and clinicians' notes on risk items
are stored as Fernet tokens; the ORM and the pages read them back. Keys rotate with
``rotate_field_keys``; a missing key is a clear error, never ciphertext on a page.
"""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import sys
from datetime import date
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.test import Client as Browser
from django.urls import reverse

from rapport.core.plans import RaisedBy
from rapport.crypto import derive_development_key, field_encryption_keys
from rapport.envvars import ConfigError
from rapport.feedback.models import Response
from rapport.fields import DecryptionError, EncryptedJSONField, EncryptedTextField
from rapport.plans.models import PlanFeedback, PlanVersion
from rapport.plans.services import save_version
from rapport.signals.models import RiskAcknowledgement
from tests.conftest import People
from tests.factory import checkin

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
KEY_C = Fernet.generate_key().decode()

CLIENT_SAID = "My sister must not know about the overdose"
PLAN_COMMENT = "Please leave my marriage out of the plan"
RISK_NOTE = "Phoned Dana at 18:05; safety plan agreed with her partner present"
PLAN_PROBLEM = "Panic on the bus since the assault"


def _stored(model: type[models.Model], field: str) -> list[str | None]:
    """What the database holds in ``field``'s column: what a dump would show."""
    quote = connection.ops.quote_name
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)}"  # noqa: S608
        )
        return [row[0] for row in cursor.fetchall()]


def _make_records(people: People) -> dict[str, Any]:
    """One of each: a client's comment and therapist's note, a plan comment, a risk note."""
    f = people.factory
    session = f.make_session(people.dana)
    said = f.make_response(session, "checkin", checkin(6, 6, 5, 7, 6), {"next_time": CLIENT_SAID})
    f.make_response(
        session,
        "checkin_therapist",
        checkin(8, 8, 8, 8, 8),
        {"note": "Client tearful when talking about her sister"},
        respondent="therapist",
    )
    version = save_version(
        people.dana,
        lambda snapshot: snapshot.add_problem(PLAN_PROBLEM, RaisedBy.CLIENT, date(2026, 11, 2)),
        people.alice,
    )
    feedback = PlanFeedback.objects.create(version=version, agreed=False, comment=PLAN_COMMENT)
    ack = RiskAcknowledgement.objects.create(
        response=said, acknowledged_by=people.alice, note=RISK_NOTE
    )
    return {"response": said, "version": version, "feedback": feedback, "ack": ack}


def _alice(people: People) -> Browser:
    browser = Browser()
    browser.force_login(people.alice)
    return browser


class TestAtRest:
    def test_a_dump_shows_no_comment_or_note(self, people: People) -> None:
        """Raw SQL on each table finds tokens only; none holds a word the client wrote."""
        _make_records(people)
        columns = [
            (Response, "comments"),
            (PlanFeedback, "comment"),
            (RiskAcknowledgement, "note"),
            (PlanVersion, "snapshot"),
            (PlanVersion, "summary"),
        ]
        for model, field in columns:
            stored = _stored(model, field)
            assert stored, (model, field)
            for value in stored:
                assert value is not None
                assert value.startswith("gAAAAA"), (model, field, value)  # a Fernet token
                for words in (CLIENT_SAID, PLAN_COMMENT, RISK_NOTE, PLAN_PROBLEM, "sister"):
                    assert words not in value

    def test_the_orm_reads_the_words_back(self, people: People) -> None:
        made = _make_records(people)
        assert Response.objects.get(pk=made["response"].pk).comments == {"next_time": CLIENT_SAID}
        assert PlanFeedback.objects.get().comment == PLAN_COMMENT
        assert RiskAcknowledgement.objects.get().note == RISK_NOTE
        version = PlanVersion.objects.get()
        assert version.snapshot == made["version"].snapshot
        assert PLAN_PROBLEM in version.summary
        # values() and values_list() decrypt too.
        notes = list(Response.objects.order_by("pk").values_list("comments", flat=True))
        assert notes == [
            {"next_time": CLIENT_SAID},
            {"note": "Client tearful when talking about her sister"},
        ]

    def test_the_pages_show_the_words(self, people: People) -> None:
        """The client page (comments), the plan page and the client's data export (notes)."""
        _make_records(people)
        browser = _alice(people)
        client_page = browser.get(reverse("client-detail", args=[people.dana.pk])).text
        assert CLIENT_SAID in client_page
        assert "Client tearful when talking about her sister" in client_page
        plan_page = browser.get(reverse("plan", args=[people.dana.pk])).text
        assert PLAN_COMMENT in plan_page
        export = browser.get(reverse("client-export", args=[people.dana.pk])).text
        assert RISK_NOTE in export

    def test_empty_values_stay_sensible(self, people: People) -> None:
        """No comment reads back as {} (stored encrypted); an empty plan comment as ""."""
        session = people.factory.make_session(people.dana)
        response = people.factory.make_response(session, "checkin", checkin(9, 9, 9, 9, 9))
        response.refresh_from_db()
        assert response.comments == {}
        assert _stored(Response, "comments")[0].startswith("gAAAAA")  # type: ignore[union-attr]
        version = save_version(
            people.dana,
            lambda snapshot: snapshot.add_problem(PLAN_PROBLEM, RaisedBy.CLIENT, date(2026, 11, 2)),
            people.alice,
        )
        feedback = PlanFeedback.objects.create(version=version, agreed=True)
        feedback.refresh_from_db()
        assert feedback.comment == ""
        assert _stored(PlanFeedback, "comment") == [""]

    def test_unicode_and_long_text_round_trip(self, people: People) -> None:
        text = "Ça va — 😊 " + "x" * 1990
        session = people.factory.make_session(people.dana)
        response = people.factory.make_response(
            session, "checkin", checkin(9, 9, 9, 9, 9), {"next_time": text}
        )
        response.refresh_from_db()
        assert response.comments == {"next_time": text}

    def test_searching_encrypted_text_in_sql_is_refused(self, people: People) -> None:
        """Tokens cannot be compared, so a lookup fails loudly rather than matching nothing."""
        _make_records(people)
        with pytest.raises(FieldError, match=r"feedback\.Response\.comments is encrypted"):
            list(Response.objects.exclude(comments={}))
        with pytest.raises(FieldError, match=r"clinical_signals\.RiskAcknowledgement\.note"):
            list(RiskAcknowledgement.objects.filter(note__icontains="phoned"))
        with pytest.raises(FieldError, match="encrypted"):
            list(Response.objects.filter(comments__next_time="x"))
        assert PlanFeedback.objects.filter(comment__isnull=False).count() == 1

    def test_bulk_writes_and_updates_are_encrypted(self, people: People) -> None:
        made = _make_records(people)
        Response.objects.filter(pk=made["response"].pk).update(comments={"next_time": "Updated"})
        response = Response.objects.get(pk=made["response"].pk)
        assert response.comments == {"next_time": "Updated"}
        response.comments = {"next_time": "Bulk"}
        Response.objects.bulk_update([response], ["comments"])
        assert Response.objects.get(pk=response.pk).comments == {"next_time": "Bulk"}
        assert not any(
            "Bulk" in (v or "") or "Updated" in (v or "") for v in _stored(Response, "comments")
        )

    def test_the_fields_refuse_to_be_unique_or_indexed(self) -> None:
        for field in (EncryptedTextField(unique=True), EncryptedJSONField(db_index=True)):
            field.set_attributes_from_name("secret")
            assert "rapport.E001" in [error.id for error in field.check()]


class TestKeys:
    def test_a_value_no_key_opens_is_a_clear_error(self, people: People, settings: Any) -> None:
        """Never ciphertext and never a blank: the error names the model and the field."""
        settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
        _make_records(people)
        settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
        with pytest.raises(DecryptionError, match=r"feedback\.Response\.comments.*RAPPORT_FIELD"):
            Response.objects.first()
        with pytest.raises(DecryptionError, match=r"plans\.PlanFeedback\.comment"):
            PlanFeedback.objects.first()
        with pytest.raises(DecryptionError, match=r"clinical_signals\.RiskAcknowledgement\.note"):
            RiskAcknowledgement.objects.first()
        with pytest.raises(DecryptionError, match=r"plans\.PlanVersion\.snapshot"):
            PlanVersion.objects.first()

    def test_rotation_moves_every_value_to_the_new_key(self, people: People, settings: Any) -> None:
        """Store under A; with keys "B,A" rotate; then B alone reads everything."""
        settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
        made = _make_records(people)
        before = {
            field: _stored(model, field)
            for model, field in ((Response, "comments"), (RiskAcknowledgement, "note"))
        }

        settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
        out = io.StringIO()
        call_command("rotate_field_keys", batch_size=1, stdout=out)
        assert "feedback.Response.comments: 2 re-encrypted" in out.getvalue()
        assert "plans.PlanFeedback.comment: 1 re-encrypted" in out.getvalue()
        assert "clinical_signals.RiskAcknowledgement.note: 1 re-encrypted" in out.getvalue()
        assert "plans.PlanVersion.snapshot: 1 re-encrypted" in out.getvalue()
        assert "plans.PlanVersion.summary: 1 re-encrypted" in out.getvalue()
        assert _stored(Response, "comments") != before["comments"]

        settings.FIELD_ENCRYPTION_KEYS = [KEY_B]
        assert Response.objects.get(pk=made["response"].pk).comments == {"next_time": CLIENT_SAID}
        assert PlanFeedback.objects.get().comment == PLAN_COMMENT
        assert RiskAcknowledgement.objects.get().note == RISK_NOTE
        version = PlanVersion.objects.get()
        assert version.snapshot == made["version"].snapshot
        assert PLAN_PROBLEM in version.summary

        # Idempotent: a second run finds nothing left to do.
        again = io.StringIO()
        call_command("rotate_field_keys", stdout=again)
        assert "Done: 0 re-encrypted, 6 already current or empty." in again.getvalue()

    def test_rotation_stops_on_a_value_no_key_opens(self, people: People, settings: Any) -> None:
        settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
        _make_records(people)
        settings.FIELD_ENCRYPTION_KEYS = [KEY_C, KEY_B]
        before = _stored(Response, "comments")
        with pytest.raises(CommandError, match=r"feedback\.Response\.comments.*cannot be decry"):
            call_command("rotate_field_keys", stdout=io.StringIO())
        assert _stored(Response, "comments") == before  # nothing half-done

    def test_development_key_is_derived_from_the_secret_key(self) -> None:
        assert field_encryption_keys(None, "s3cret", production=False) == [
            derive_development_key("s3cret")
        ]
        assert derive_development_key("s3cret") == derive_development_key("s3cret")
        assert derive_development_key("s3cret") != derive_development_key("other")
        Fernet(derive_development_key("s3cret"))  # a valid key
        assert field_encryption_keys(f" {KEY_A} , {KEY_B} ", "s", production=True) == [
            KEY_A,
            KEY_B,
        ]

    def test_a_malformed_key_is_refused_everywhere(self) -> None:
        with pytest.raises(ConfigError, match="key 2 of 2"):
            field_encryption_keys(f"{KEY_A},not-a-key", "s", production=False)
        with pytest.raises(ConfigError, match="must be set in production"):
            field_encryption_keys("", "s", production=True)


def _production_env(**overrides: str) -> dict[str, str]:
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in {"RAPPORT_FIELD_KEYS", "RAPPORT_FIELD_KEYS_FILE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return {
        **inherited,
        "RAPPORT_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "rapport.example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
        **overrides,
    }


def _import_settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import rapport.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class TestProductionSettings:
    def test_a_missing_key_stops_start_up(self) -> None:
        run = _import_settings(_production_env())
        assert run.returncode != 0
        assert "ConfigError" in run.stderr
        assert "RAPPORT_FIELD_KEYS (or RAPPORT_FIELD_KEYS_FILE) must be set" in run.stderr

    def test_a_malformed_key_stops_start_up_without_echoing_it(self) -> None:
        bad = "this-is-not-a-fernet-key"
        run = _import_settings(_production_env(RAPPORT_FIELD_KEYS=f"{KEY_A},{bad}"))
        assert run.returncode != 0
        assert "ConfigError" in run.stderr
        assert "key 2 of 2 is not a Fernet key" in run.stderr
        assert bad not in run.stderr

    def test_valid_keys_start(self) -> None:
        assert (
            _import_settings(_production_env(RAPPORT_FIELD_KEYS=f"{KEY_A},{KEY_B}")).returncode == 0
        )


# The data migrations: rows stored before encryption existed are encrypted, nothing is lost.
BEFORE = [
    ("feedback", "0001_initial"),
    ("plans", "0001_initial"),
    ("clinical_signals", "0001_initial"),
]


def _migrate(targets: list[tuple[str, str]] | None = None) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
class TestDataMigrations:
    def test_migrating_encrypts_existing_plaintext_and_back(self, factory: Any) -> None:
        people = People(factory)
        made = _make_records(people)
        quote = connection.ops.quote_name
        try:
            _migrate(BEFORE)
            # Going back decrypted everything in place: plaintext columns, as before issue 6.
            assert any(CLIENT_SAID in (v or "") for v in _stored(Response, "comments"))
            assert _stored(PlanFeedback, "comment") == [PLAN_COMMENT]
            assert _stored(RiskAcknowledgement, "note") == [RISK_NOTE]
            assert PLAN_PROBLEM in str(_stored(PlanVersion, "snapshot"))
            assert PLAN_PROBLEM in str(_stored(PlanVersion, "summary"))
            # A row written by the old code, in plaintext.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {quote(PlanFeedback._meta.db_table)} SET {quote('comment')} = %s",  # noqa: S608
                    ["Written before encryption"],
                )
        finally:
            _migrate()
        for model, field in (
            (Response, "comments"),
            (PlanFeedback, "comment"),
            (RiskAcknowledgement, "note"),
            (PlanVersion, "snapshot"),
            (PlanVersion, "summary"),
        ):
            assert all(v and v.startswith("gAAAAA") for v in _stored(model, field)), field
        assert Response.objects.get(pk=made["response"].pk).comments == {"next_time": CLIENT_SAID}
        assert PlanFeedback.objects.get().comment == "Written before encryption"
        assert RiskAcknowledgement.objects.get().note == RISK_NOTE
        version = PlanVersion.objects.get()
        assert version.snapshot == made["version"].snapshot
        assert PLAN_PROBLEM in version.summary
