"""`rapport backup` / `rapport restore`: a round trip puts back every row, damage is refused.

The demo clinic is seeded into real databases (a SQLite file, a throwaway PostgreSQL database),
backed up, changed, restored and compared table by table with the state at backup time. The
CLI runs in subprocesses for the end-to-end cases; the refusals run in-process through click's
runner against a SQLite file, which is much faster.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from click.testing import CliRunner
from psycopg import sql

from rapport import backup as ops
from rapport.cli import main
from rapport.core.digests import file_sha256

ADMIN_URL = os.environ.get(
    "RAPPORT_TEST_POSTGRES_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
RAPPORT = Path(sys.executable).with_name("rapport")
CLI = [str(RAPPORT)] if RAPPORT.exists() else [sys.executable, "-m", "rapport.cli"]
# Migrate and seed the demo clinic (fast password hashing: four users, not the point here).
SET_UP = """
import datetime, django
django.setup()
from django.conf import settings
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from rapport.care.demo_seed import seed_demo
seed_demo(seed=7, today=datetime.date(2026, 11, 23))
"""
# Changes after the backup, the same SQL on both engines: delete, update and insert rows.
CHANGES = [
    "DELETE FROM plans_goalrating WHERE id % 3 = 0",
    "UPDATE accounts_user SET first_name = 'Changed'",
    "UPDATE care_client SET display_name = 'Renamed' WHERE id % 2 = 0",
    "INSERT INTO auth_group (name) VALUES ('made after the backup')",
]
Snapshot = dict[str, list[Any]]


def _env(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The test run's environment without its database or Rapport settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "RAPPORT_", "SECRET_KEY"))
    }
    env["RAPPORT_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "rapport.settings"
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - the test's own interpreter and CLI
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=180, check=False
    )


def _set_up(env: dict[str, str], cwd: Path) -> None:
    done = _run([sys.executable, "-c", SET_UP], env, cwd)
    assert done.returncode == 0, done.stderr


def _sorted_rows(rows: list[Any]) -> list[Any]:
    return sorted((tuple(row) for row in rows), key=repr)


def _sqlite_snapshot(path: Path) -> Snapshot:
    """Every row of every table (SQLite's own sqlite_sequence included)."""
    with closing(sqlite3.connect(path)) as conn:
        tables = [
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        return {t: _sorted_rows(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}  # noqa: S608


def _pg_snapshot(url: str) -> Snapshot:
    """Every row of every table, and where each sequence stands."""
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        snapshot = {
            table: _sorted_rows(
                conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))).fetchall()
            )
            for table in tables
        }
        snapshot["<sequences>"] = _sorted_rows(
            conn.execute("SELECT sequencename, last_value FROM pg_sequences").fetchall()
        )
        return snapshot


def _change_sqlite(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        for statement in CHANGES:
            conn.execute(statement)


def _copy_sqlite(source: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(dest)) as dst:
        src.backup(dst)


def _only_backup(folder: Path, suffix: str) -> Path:
    found = sorted(folder.glob(f"rapport-backup-*{suffix}"))
    assert len(found) == 1, found
    return found[0]


def _one_line_error(output: str) -> str:
    """The CLI's refusal: exactly one line, no traceback."""
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, output
    return lines[0]


# --- SQLite ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo clinic in a SQLite file, migrated and seeded once for this module."""
    folder = tmp_path_factory.mktemp("seeded")
    _set_up(_env(folder), folder)
    return folder / "rapport.sqlite3"


@pytest.fixture
def sqlite_db(seeded_sqlite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the seeded clinic, which the in-process commands back up and restore."""
    db = tmp_path / "var" / "rapport.sqlite3"
    _copy_sqlite(seeded_sqlite, db)
    settings = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(db)}
    monkeypatch.setattr(ops, "_database", lambda: (ops.SQLITE, settings))
    monkeypatch.chdir(tmp_path)
    return db


def _invoke(*args: str, answer: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), input=answer)


def _backup_in_process(folder: Path) -> Path:
    result = _invoke("backup", "--output", str(folder))
    assert result.exit_code == 0, result.output
    return _only_backup(folder, ".sqlite3")


def test_sqlite_round_trip_through_the_cli(seeded_sqlite: Path, tmp_path: Path) -> None:
    """`rapport backup`, changes, `rapport restore --yes`: every table is as it was."""
    data_dir = tmp_path / "var"
    db = data_dir / "rapport.sqlite3"
    _copy_sqlite(seeded_sqlite, db)
    env = _env(data_dir)
    before = _sqlite_snapshot(db)

    done = _run([*CLI, "backup"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    backup = _only_backup(tmp_path, ".sqlite3")
    manifest = json.loads(ops.manifest_path(backup).read_text())
    assert manifest["engine"] == "sqlite"
    assert manifest["format_version"] == ops.FORMAT_VERSION
    assert manifest["created_at"].endswith("Z")
    assert manifest["sha256"] == file_sha256(backup)
    assert manifest["migrations"] == ops.code_migration_state()[0]
    assert manifest["row_counts"] == {
        table: len(rows) for table, rows in before.items() if not table.startswith("sqlite_")
    }
    assert manifest["row_counts"]["feedback_response"] > 1000
    assert oct(backup.stat().st_mode & 0o777) == oct(0o600)

    _change_sqlite(db)
    changed = _sqlite_snapshot(db)
    assert changed != before

    done = _run([*CLI, "restore", str(backup), "--yes"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Restored" in done.stdout
    assert _sqlite_snapshot(db) == before
    # The database as it was just before the restore is kept, and can itself be restored.
    kept = data_dir / "rapport.sqlite3.before-restore"
    assert _sqlite_snapshot(kept) == changed
    assert ops.manifest_path(kept).is_file()


def test_a_restore_can_be_undone_from_the_copy_kept_before_it(sqlite_db: Path) -> None:
    backup = _backup_in_process(sqlite_db.parent.parent)
    _change_sqlite(sqlite_db)
    changed = _sqlite_snapshot(sqlite_db)
    assert _invoke("restore", str(backup), "--yes").exit_code == 0
    kept = sqlite_db.with_name("rapport.sqlite3.before-restore")

    undo = _invoke("restore", str(kept), "--yes")

    assert undo.exit_code == 0, undo.output
    assert _sqlite_snapshot(sqlite_db) == changed


def test_a_corrupted_backup_is_refused_by_its_checksum(sqlite_db: Path) -> None:
    backup = _backup_in_process(sqlite_db.parent.parent)
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    backup.write_bytes(bytes(data))
    _change_sqlite(sqlite_db)
    changed = _sqlite_snapshot(sqlite_db)

    result = _invoke("restore", str(backup), "--yes")

    assert result.exit_code == 1
    assert "checksum mismatch" in _one_line_error(result.output)
    assert _sqlite_snapshot(sqlite_db) == changed
    verify = _invoke("verify-backup", str(backup))
    assert verify.exit_code == 1
    assert "checksum mismatch" in _one_line_error(verify.output)


def test_restore_asks_first_and_changes_nothing_if_told_no(sqlite_db: Path) -> None:
    backup = _backup_in_process(sqlite_db.parent.parent)
    _change_sqlite(sqlite_db)
    changed = _sqlite_snapshot(sqlite_db)

    result = _invoke("restore", str(backup), answer="n\n")

    assert result.exit_code == 1
    assert "Restore now?" in result.output
    assert "cancelled" in _one_line_error(result.output)
    assert _sqlite_snapshot(sqlite_db) == changed
    assert not sqlite_db.with_name("rapport.sqlite3.before-restore").exists()


def test_a_backup_from_a_newer_schema_is_refused(sqlite_db: Path) -> None:
    backup = _backup_in_process(sqlite_db.parent.parent)
    manifest_file = ops.manifest_path(backup)
    manifest = json.loads(manifest_file.read_text())
    manifest["migrations"]["care"] = "9999_from_the_future"
    manifest_file.write_text(json.dumps(manifest))

    result = _invoke("restore", str(backup), "--yes")

    assert result.exit_code == 1
    error = _one_line_error(result.output)
    assert "newer version of Rapport" in error
    assert "care 9999_from_the_future" in error


def test_an_older_backup_is_restored_with_advice_to_migrate(sqlite_db: Path) -> None:
    """A backup from before an app's migrations existed restores; then `migrate` is due."""
    backup = _backup_in_process(sqlite_db.parent.parent)
    manifest_file = ops.manifest_path(backup)
    manifest = json.loads(manifest_file.read_text())
    del manifest["migrations"]["audit"]
    manifest_file.write_text(json.dumps(manifest))

    result = _invoke("restore", str(backup), "--yes")

    assert result.exit_code == 0, result.output
    assert "run `rapport manage migrate`" in result.output


def test_the_backup_is_consistent_while_another_connection_is_writing(sqlite_db: Path) -> None:
    """WAL mode: the backup runs during an open write transaction and holds only committed rows."""
    with closing(sqlite3.connect(sqlite_db, isolation_level=None)) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE accounts_user SET first_name = 'Uncommitted'")
        backup = _backup_in_process(sqlite_db.parent.parent)
        writer.execute("COMMIT")
    with closing(sqlite3.connect(backup)) as conn:
        names = {row[0] for row in conn.execute("SELECT first_name FROM accounts_user")}
    assert "Uncommitted" not in names
    assert _invoke("verify-backup", str(backup)).exit_code == 0


def test_a_damaged_database_is_replaced_by_the_backup(sqlite_db: Path) -> None:
    """Disaster recovery: the live file is garbage; the restore still puts everything back."""
    backup = _backup_in_process(sqlite_db.parent.parent)
    before = _sqlite_snapshot(sqlite_db)
    sqlite_db.write_bytes(b"this is not a database" * 1000)

    result = _invoke("restore", str(backup), "--yes")

    assert result.exit_code == 0, result.output
    assert _sqlite_snapshot(sqlite_db) == before
    assert sqlite_db.with_name("rapport.sqlite3.before-restore").read_bytes().startswith(b"this")


def test_restore_refuses_a_missing_database_or_another_engine(
    sqlite_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = _backup_in_process(sqlite_db.parent.parent)
    sqlite_db.unlink()
    missing = _invoke("restore", str(backup), "--yes")
    assert missing.exit_code == 1
    assert "does not exist" in _one_line_error(missing.output)

    postgres = {"ENGINE": "django.db.backends.postgresql", "NAME": "rapport"}
    monkeypatch.setattr(ops, "_database", lambda: (ops.POSTGRESQL, postgres))
    other = _invoke("restore", str(backup), "--yes")
    assert other.exit_code == 1
    assert "is a sqlite backup but the configured database is postgresql" in _one_line_error(
        other.output
    )


# --- Pure parts -----------------------------------------------------------------------------


def test_migration_states_compare_as_same_older_or_newer() -> None:
    known = {("care", "0001_initial"), ("care", "0002_more"), ("plans", "0001_initial")}
    code = {"care": "0002_more", "plans": "0001_initial"}
    compare = ops.compare_migrations
    assert compare({"care": "0002_more", "plans": "0001_initial"}, code, known).status == "same"
    assert compare({"care": "0001_initial", "plans": "0001_initial"}, code, known).status == "older"
    assert compare({"care": "0002_more"}, code, known).status == "older"  # plans added since
    newer = compare({"care": "0003_later", "plans": "0001_initial"}, code, known)
    assert newer.status == "newer"
    assert "care 0003_later" in newer.detail
    assert compare({"gone": "0001_initial"} | code, code, known).status == "newer"


def test_the_postgres_password_never_reaches_the_command_line() -> None:
    db = {
        "NAME": "rapport",
        "USER": "clinic",
        "PASSWORD": "s3cret-password",
        "HOST": "db.internal",
        "PORT": 5433,
        "OPTIONS": {"sslmode": "require"},
    }
    args, env = ops.pg_connection(db)
    assert not any("s3cret" in arg for arg in args)
    assert env["PGPASSWORD"] == "s3cret-password"
    assert env["PGSSLMODE"] == "require"
    assert {"--host=db.internal", "--port=5433", "--username=clinic", "--dbname=rapport"} <= set(
        args
    )
    assert "--no-password" in args


def test_pg_restore_errors_and_missing_tools_are_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("pg_restore") is None:
        pytest.skip("pg_restore is not installed")
    dump = tmp_path / "rapport-backup-20260101T000000Z.pgdump"
    dump.write_bytes(b"not a dump")
    manifest = ops.Manifest(
        engine=ops.POSTGRESQL,
        created_at="2026-01-01T00:00:00Z",
        sha256=file_sha256(dump),
        size_bytes=dump.stat().st_size,
        backup_file=dump.name,
        migrations={},
        row_counts={},
    )
    ops.manifest_path(dump).write_text(manifest.to_json())

    result = _invoke("verify-backup", str(dump))
    assert result.exit_code == 1
    error = _one_line_error(result.output)
    assert "pg_restore --list failed" in error
    assert "pg_restore:" in error  # its own stderr, shown

    monkeypatch.setenv("RAPPORT_PG_BINDIR", str(tmp_path / "nowhere"))
    missing = _invoke("verify-backup", str(dump))
    assert missing.exit_code == 1
    assert "pg_restore not found in RAPPORT_PG_BINDIR" in _one_line_error(missing.output)


# --- PostgreSQL -----------------------------------------------------------------------------


@pytest.fixture
def throwaway_postgres() -> Iterator[str]:
    """A new, empty database on the local server, dropped afterwards."""
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())
        pytest.skip(
            f"PostgreSQL is not reachable at {ADMIN_URL} ({reason}); "
            "set RAPPORT_TEST_POSTGRES_ADMIN_URL to a server where databases can be created"
        )
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        admin.close()
        pytest.skip("pg_dump/pg_restore are not installed (Debian: apt install postgresql-client)")
    name = f"rapport_backup_test_{os.getpid()}_{secrets.token_hex(3)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_postgres_round_trip_through_the_cli(throwaway_postgres: str, tmp_path: Path) -> None:
    """pg_dump, changes, pg_restore: every table and sequence is as it was at backup time."""
    env = _env(tmp_path / "var", throwaway_postgres)
    _set_up(env, tmp_path)
    before = _pg_snapshot(throwaway_postgres)
    assert len(before["feedback_response"]) > 1000

    done = _run([*CLI, "backup"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    backup = _only_backup(tmp_path, ".pgdump")
    manifest = ops.Manifest.read(ops.manifest_path(backup))
    assert manifest.engine == "postgresql"
    assert manifest.sha256 == file_sha256(backup)
    assert manifest.row_counts == {
        table: len(rows) for table, rows in before.items() if not table.startswith("<")
    }
    assert manifest.migrations == ops.code_migration_state()[0]

    with psycopg.connect(throwaway_postgres) as conn:
        for statement in CHANGES:
            conn.execute(statement)
    assert _pg_snapshot(throwaway_postgres) != before

    done = _run([*CLI, "restore", str(backup), "--yes"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    assert _pg_snapshot(throwaway_postgres) == before
    kept = sorted(tmp_path.glob("rapport-before-restore-*.pgdump"))
    assert len(kept) == 1
    assert ops.manifest_path(kept[0]).is_file()
