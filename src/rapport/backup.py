"""Back up and restore Rapport's database, SQLite or PostgreSQL, checked against a manifest.

SQLite: an online copy through SQLite's backup API (consistent while the app is running in WAL
mode), turned into a single self-contained file and checked with ``PRAGMA integrity_check``.
PostgreSQL: ``pg_dump --format=custom`` of a snapshot, restored with ``pg_restore --clean
--if-exists --no-owner --single-transaction``.

Beside each backup ``<file>.manifest.json`` records the format version, engine, creation time
(UTC), the latest applied migration per app, row counts per table and the file's SHA-256.
A restore checks all of it before touching the database. See ``docs/operations.md``.

The CLI imports this module before Django is set up: settings are only read inside functions.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import click
import psycopg
from django.conf import settings  # type: ignore[import-untyped]
from django.db import connection, connections  # type: ignore[import-untyped]
from django.db.migrations.loader import MigrationLoader  # type: ignore[import-untyped]
from psycopg import sql

from rapport.core.digests import file_sha256
from rapport.envvars import env

FORMAT = "rapport-backup"
FORMAT_VERSION = 1
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
EXTENSIONS = {SQLITE: ".sqlite3", POSTGRESQL: ".pgdump"}
MANIFEST_SUFFIX = ".manifest.json"
BEFORE_RESTORE_SUFFIX = ".before-restore"
# libpq settings that may sit in DATABASES OPTIONS (from ``?sslmode=...`` in DATABASE_URL).
_LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}
_STDERR_LIMIT = 1500


class BackupError(Exception):
    """A backup, verification or restore was refused or failed; the message is one line."""


class DamagedDatabaseError(BackupError):
    """An SQLite file that SQLite cannot read, or that fails its integrity check."""


class _Cursor(Protocol):
    def execute(self, query: str, /) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchone(self) -> Any: ...


# --- Manifest -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    sha256: str
    size_bytes: int
    backup_file: str
    migrations: dict[str, str]
    row_counts: dict[str, int]
    rapport_version: str = ""
    database: str = ""
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "format_version": self.format_version,
            "engine": self.engine,
            "created_at": self.created_at,
            "rapport_version": self.rapport_version,
            "database": self.database,
            "backup_file": self.backup_file,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "migrations": dict(sorted(self.migrations.items())),
            "row_counts": dict(sorted(self.row_counts.items())),
        }
        return json.dumps(data, indent=2) + "\n"

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """Load and validate ``path``; refuse anything that is not a manifest this code reads."""
        if not path.is_file():
            raise BackupError(
                f"no manifest {path} beside the backup: keep the backup and its "
                f"{MANIFEST_SUFFIX} file together"
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise BackupError(f"manifest {path} cannot be read: {_one_line(exc)}") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError(f"{path} is not a Rapport backup manifest")
        version = data.get("format_version")
        if not isinstance(version, int) or version < 1:
            raise BackupError(f"manifest {path} has no valid format_version")
        if version > FORMAT_VERSION:
            raise BackupError(
                f"manifest {path} is format {version}, newer than this Rapport reads "
                f"({FORMAT_VERSION}): upgrade Rapport, then restore"
            )
        try:
            manifest = cls(
                engine=str(data["engine"]),
                created_at=str(data["created_at"]),
                sha256=str(data["sha256"]),
                size_bytes=int(data["size_bytes"]),
                backup_file=str(data["backup_file"]),
                migrations={str(k): str(v) for k, v in dict(data["migrations"]).items()},
                row_counts={str(k): int(v) for k, v in dict(data["row_counts"]).items()},
                rapport_version=str(data.get("rapport_version", "")),
                database=str(data.get("database", "")),
                format_version=version,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise BackupError(f"manifest {path} is incomplete or malformed: {exc!r}") from exc
        if manifest.engine not in EXTENSIONS:
            raise BackupError(f"manifest {path} names an unknown engine {manifest.engine!r}")
        return manifest

    @property
    def total_rows(self) -> int:
        return sum(self.row_counts.values())


def manifest_path(backup: Path) -> Path:
    """The manifest that belongs to ``backup``: ``<backup file name>.manifest.json``."""
    return backup.with_name(backup.name + MANIFEST_SUFFIX)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def default_backup_name(engine: str, when: dt.datetime, prefix: str = "rapport-backup") -> str:
    """``rapport-backup-20261123T021500Z.sqlite3`` (or ``.pgdump``)."""
    return f"{prefix}-{when.strftime('%Y%m%dT%H%M%SZ')}{EXTENSIONS[engine]}"


def _rapport_version() -> str:
    try:
        return metadata.version("rapport")
    except metadata.PackageNotFoundError:
        return ""


# --- Migration state ------------------------------------------------------------------------


def latest_per_app(applied: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The latest migration name per app (Django's names sort by their number prefix)."""
    latest: dict[str, str] = {}
    for app, name in applied:
        if app not in latest or name > latest[app]:
            latest[app] = name
    return latest


def code_migration_state() -> tuple[dict[str, str], set[tuple[str, str]]]:
    """The latest migration per app in this code, and every migration name it knows."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known: set[tuple[str, str]] = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update((app, name) for app, name in migration.replaces)
    return latest_per_app(loader.disk_migrations), known


@dataclass(frozen=True)
class MigrationCheck:
    """How a backup's schema compares with this code's: "same", "older" or "newer"."""

    status: str
    detail: str = ""


def compare_migrations(
    backup: Mapping[str, str], code_latest: Mapping[str, str], known: set[tuple[str, str]]
) -> MigrationCheck:
    unknown = sorted((app, name) for app, name in backup.items() if (app, name) not in known)
    if unknown:
        names = ", ".join(f"{app} {name}" for app, name in unknown)
        return MigrationCheck(
            "newer", f"the backup's schema has migrations this code lacks: {names}"
        )
    behind = sorted(app for app, name in code_latest.items() if backup.get(app) != name)
    if behind:
        return MigrationCheck("older", f"newer migrations exist for: {', '.join(behind)}")
    return MigrationCheck("same")


# --- Reading a database's state -------------------------------------------------------------


def _quote(name: str) -> str:
    """An SQL identifier, quoted the same way for SQLite and PostgreSQL."""
    return '"' + name.replace('"', '""') + '"'


def _database_state(cursor: _Cursor, tables: list[str]) -> tuple[dict[str, str], dict[str, int]]:
    """Latest applied migration per app and the row count of every table."""
    counts: dict[str, int] = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - catalog names
        counts[table] = int(cursor.fetchone()[0])
    migrations: dict[str, str] = {}
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = latest_per_app((str(app), str(name)) for app, name in cursor.fetchall())
    return migrations, counts


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\'"
    ).fetchall()
    return [str(row[0]) for row in rows]


def _sqlite_state(path: Path, *, read_only: bool = False) -> tuple[dict[str, str], dict[str, int]]:
    """Migrations and row counts; ``read_only`` for backup files, which must not change."""
    target = f"{path.resolve().as_uri()}?mode=ro" if read_only else str(path)
    with contextlib.closing(sqlite3.connect(target, uri=read_only)) as conn:
        return _database_state(conn.cursor(), _sqlite_tables(conn))


_PG_TABLES = (
    "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = ANY(current_schemas(false))"
)


def _pg_state(cursor: _Cursor) -> tuple[dict[str, str], dict[str, int]]:
    cursor.execute(_PG_TABLES)
    return _database_state(cursor, [str(row[0]) for row in cursor.fetchall()])


def _count_mismatches(expected: Mapping[str, int], actual: Mapping[str, int]) -> list[str]:
    return [
        f"{table} {actual.get(table, 'missing')} (expected {count})"
        for table, count in sorted(expected.items())
        if actual.get(table) != count
    ]


# --- Settings -------------------------------------------------------------------------------


def _database() -> tuple[str, dict[str, Any]]:
    """The engine ("sqlite" or "postgresql") and settings of Django's default database."""
    db: dict[str, Any] = dict(settings.DATABASES["default"])
    engine = str(db.get("ENGINE", ""))
    if engine == "django.db.backends.sqlite3":
        return SQLITE, db
    if engine == "django.db.backends.postgresql":
        return POSTGRESQL, db
    raise BackupError(f"backups support SQLite and PostgreSQL, not {engine or 'no engine'}")


def _sqlite_path(db: Mapping[str, Any]) -> Path:
    name = str(db.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"the SQLite database {name!r} is not a file that can be backed up")
    return Path(name)


# --- Files ----------------------------------------------------------------------------------


def _resolve_output(output: Path | None, engine: str, when: dt.datetime) -> Path:
    name = default_backup_name(engine, when)
    if output is None:
        target = Path.cwd() / name
    elif output.is_dir():
        target = output / name
    else:
        target = output
    if not target.parent.is_dir():
        raise BackupError(f"folder {target.parent} does not exist")
    if target.exists() or manifest_path(target).exists():
        raise BackupError(f"{target} (or its manifest) already exists; choose another --output")
    return target


def _private_file(path: Path) -> None:
    """Create ``path`` empty and readable by its owner only: backups hold clinical records."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _write_text_private(path: Path, text: str) -> None:
    _private_file(path)
    path.write_text(text, encoding="utf-8")


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_online_copy(source: Path, dest: Path) -> None:
    """Copy the live database ``source`` into a new single-file database ``dest``."""
    _private_file(dest)
    with (
        contextlib.closing(sqlite3.connect(source, timeout=30)) as src,
        contextlib.closing(sqlite3.connect(dest)) as dst,
    ):
        src.backup(dst)  # one step: a consistent snapshot, even with writers in WAL mode
        # The copy inherits WAL mode; a backup should be one file with no -wal/-shm beside it.
        dst.execute("PRAGMA journal_mode=DELETE")


def _sqlite_integrity(path: Path) -> None:
    try:
        with contextlib.closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as c:
            result = [str(row[0]) for row in c.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        raise DamagedDatabaseError(
            f"{path} is not a readable SQLite database: {_one_line(exc)}"
        ) from exc
    if result != ["ok"]:
        raise DamagedDatabaseError(f"integrity check of {path} failed: {'; '.join(result[:3])}")


def _sqlite_backup(db: Mapping[str, Any], partial: Path) -> tuple[dict[str, str], dict[str, int]]:
    source = _sqlite_path(db)
    if not source.is_file():
        raise BackupError(f"database file {source} does not exist")
    try:
        _sqlite_online_copy(source, partial)
    except sqlite3.Error as exc:
        error = DamagedDatabaseError if _sqlite_damaged(exc) else BackupError
        raise error(f"could not copy {source}: {_one_line(exc)}") from exc
    _sqlite_integrity(partial)
    return _sqlite_state(partial, read_only=True)


def _sqlite_damaged(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") in {"SQLITE_NOTADB", "SQLITE_CORRUPT"}


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    bindir = env("RAPPORT_PG_BINDIR")
    if bindir:
        candidate = Path(bindir) / name
        if not os.access(candidate, os.X_OK):
            raise BackupError(f"{name} not found in RAPPORT_PG_BINDIR={bindir}")
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client tools (Debian: apt install "
            "postgresql-client), matching or newer than the server, or set RAPPORT_PG_BINDIR"
        )
    return found


def pg_connection(db: Mapping[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Command-line options and environment for pg_dump/pg_restore from Django's settings.

    The password travels in ``PGPASSWORD``, never on the command line where ``ps`` shows it.
    """
    args = ["--no-password"]  # never wait for a password prompt (cron has no terminal)
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    if db.get("NAME"):
        args.append(f"--dbname={db['NAME']}")
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for option, variable in _LIBPQ_ENV.items():
        value = (db.get("OPTIONS") or {}).get(option)
        if value is not None:
            env[variable] = str(value)
    return args, env


def _run_tool(argv: list[str], env: Mapping[str, str], what: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - fixed tools, arguments from settings
            argv, env=dict(env), capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise BackupError(f"{what} could not be run: {_one_line(exc)}") from exc
    if done.returncode != 0:
        stderr = _one_line(done.stderr) or "no error output"
        if len(stderr) > _STDERR_LIMIT:
            stderr = stderr[:_STDERR_LIMIT] + " …"
        raise BackupError(f"{what} failed (exit {done.returncode}): {stderr}")
    return done.stdout


def _pg_raw_connection() -> Any:
    """A new psycopg connection with Django's settings, outside Django's connection handling."""
    try:
        return connection.get_new_connection(connection.get_connection_params())
    except Exception as exc:
        raise BackupError(f"cannot connect to PostgreSQL: {_one_line(exc)}") from exc


def _pg_backup(db: Mapping[str, Any], partial: Path) -> tuple[dict[str, str], dict[str, int]]:
    pg_dump = _pg_tool("pg_dump")
    args, env = pg_connection(db)
    _private_file(partial)
    raw = _pg_raw_connection()
    try:
        raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        raw.read_only = True
        with raw.cursor() as cursor:
            # Export this transaction's snapshot: pg_dump dumps exactly what is counted here.
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
            state = _pg_state(cursor)
            _run_tool(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}", *args],
                env,
                "pg_dump",
            )
        raw.rollback()
    finally:
        raw.close()
    pg_restore = _pg_tool("pg_restore")
    _run_tool([pg_restore, "--list", str(partial)], env, "pg_restore --list (checking the dump)")
    return state


# --- Backup ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest_path: Path
    manifest: Manifest


def create_backup(
    output: Path | None = None, *, overwrite_path: Path | None = None
) -> BackupResult:
    """Back up the configured database to ``output`` (a file or folder) and write its manifest.

    ``overwrite_path`` (internal: the copy kept before a restore) is written even if present.
    """
    engine, db = _database()
    when = utc_now()
    target = overwrite_path or _resolve_output(output, engine, when)
    partial = target.with_name(target.name + ".partial")
    try:
        if engine == SQLITE:
            migrations, counts = _sqlite_backup(db, partial)
            label = _sqlite_path(db).name
        else:
            migrations, counts = _pg_backup(db, partial)
            label = str(db.get("NAME") or "")
        manifest = Manifest(
            engine=engine,
            created_at=when.isoformat().replace("+00:00", "Z"),
            sha256=file_sha256(partial),
            size_bytes=partial.stat().st_size,
            backup_file=target.name,
            migrations=migrations,
            row_counts=counts,
            rapport_version=_rapport_version(),
            database=label,
        )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    _write_text_private(manifest_path(target), manifest.to_json())
    return BackupResult(target, manifest_path(target), manifest)


# --- Verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Verified:
    """A backup whose manifest, checksum and contents have been checked."""

    path: Path
    manifest: Manifest
    migrations: MigrationCheck


def _check_file(path: Path) -> Manifest:
    if not path.is_file():
        raise BackupError(f"backup file {path} does not exist")
    manifest = Manifest.read(manifest_path(path))
    if file_sha256(path) != manifest.sha256:
        raise BackupError(
            f"checksum mismatch: {path} is not the file its manifest describes "
            "(damaged or changed since the backup); refusing it"
        )
    return manifest


def verify_backup(path: Path) -> Verified:
    """Check a backup without a database: manifest, SHA-256, readability and schema version."""
    manifest = _check_file(path)
    if manifest.engine == SQLITE:
        _sqlite_integrity(path)
        _, counts = _sqlite_state(path, read_only=True)
        mismatches = _count_mismatches(manifest.row_counts, counts)
        if mismatches:
            raise BackupError(f"row counts differ from the manifest: {', '.join(mismatches)}")
    else:
        _run_tool([_pg_tool("pg_restore"), "--list", str(path)], os.environ, "pg_restore --list")
    code_latest, known = code_migration_state()
    return Verified(path, manifest, compare_migrations(manifest.migrations, code_latest, known))


# --- Restore --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestorePlan:
    """A verified backup and the database it would replace; nothing has been changed yet."""

    backup: Verified
    engine: str
    target: str
    target_path: Path | None = None

    @property
    def older(self) -> bool:
        return self.backup.migrations.status == "older"


@dataclass
class RestoreResult:
    plan: RestorePlan
    saved_current: Path | None = None
    notes: list[str] = field(default_factory=list)


def plan_restore(path: Path) -> RestorePlan:
    """Check everything a restore needs; raise :class:`BackupError` with the reason if not."""
    engine, db = _database()
    verified = verify_backup(path)
    manifest = verified.manifest
    if manifest.engine != engine:
        raise BackupError(
            f"{path} is a {manifest.engine} backup but the configured database is {engine}"
        )
    if verified.migrations.status == "newer":
        raise BackupError(
            f"{path} was made by a newer version of Rapport ({verified.migrations.detail}): "
            "upgrade Rapport, then restore"
        )
    if engine == SQLITE:
        target = _sqlite_path(db)
        if not target.is_file():
            raise BackupError(
                f"database file {target} does not exist: check RAPPORT_DATA_DIR, or create it "
                "with `rapport manage migrate` and restore again"
            )
        if not os.access(target, os.W_OK) or not os.access(target.parent, os.W_OK):
            raise BackupError(f"{target} or its folder is not writable by this user")
        return RestorePlan(verified, engine, str(target), target)
    _pg_tool("pg_restore")
    _pg_tool("pg_dump")
    _pg_raw_connection().close()
    where = f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432}"
    return RestorePlan(verified, engine, f"PostgreSQL database {db.get('NAME')!r} on {where}")


def restore(plan: RestorePlan) -> RestoreResult:
    """Replace the configured database with the planned backup, keeping the current one."""
    if plan.engine == SQLITE:
        result = _sqlite_restore(plan)
        assert plan.target_path is not None
        _, counts = _sqlite_state(plan.target_path)
    else:
        result = _pg_restore(plan)
        raw = _pg_raw_connection()
        try:
            with raw.cursor() as cursor:
                _, counts = _pg_state(cursor)
        finally:
            raw.close()
    mismatches = _count_mismatches(plan.backup.manifest.row_counts, counts)
    if mismatches:
        raise BackupError(
            "restored, but row counts differ from the manifest (was Rapport writing during the "
            f"restore?): {', '.join(mismatches[:10])}"
        )
    if plan.older:
        result.notes.append(
            f"The backup predates this version of Rapport ({plan.backup.migrations.detail}): "
            "run `rapport manage migrate` now."
        )
    return result


def _sqlite_restore(plan: RestorePlan) -> RestoreResult:
    target = plan.target_path
    assert target is not None
    result = RestoreResult(plan)
    staged = target.with_name(target.name + ".restoring")
    _private_file(staged)
    try:
        shutil.copyfile(plan.backup.path, staged)
        if file_sha256(staged) != plan.backup.manifest.sha256:
            raise BackupError(f"{plan.backup.path} changed while it was being restored")
        _sqlite_integrity(staged)
        result.saved_current = _keep_current_sqlite(target, result.notes)
        try:
            with (
                contextlib.closing(sqlite3.connect(staged)) as src,
                contextlib.closing(sqlite3.connect(target, timeout=30)) as dst,
            ):
                # Through SQLite, not over the file: open connections and the WAL stay coherent.
                src.backup(dst)
        except sqlite3.Error as exc:
            if not _sqlite_damaged(exc):
                raise BackupError(f"could not write {target}: {_one_line(exc)}") from exc
            # The current file is not a usable database: replace it outright.
            for suffix in ("-wal", "-shm"):
                target.with_name(target.name + suffix).unlink(missing_ok=True)
            os.replace(staged, target)
            result.notes.append(f"{target} was damaged ({_one_line(exc)}); the file was replaced.")
    finally:
        staged.unlink(missing_ok=True)
    return result


def _keep_current_sqlite(target: Path, notes: list[str]) -> Path:
    """Save the database about to be replaced as ``<name>.before-restore``, with a manifest."""
    kept = target.with_name(target.name + BEFORE_RESTORE_SUFFIX)
    try:
        return create_backup(overwrite_path=kept).path
    except DamagedDatabaseError as exc:
        # A damaged database cannot be copied through SQLite: keep its bytes as they are.
        manifest_path(kept).unlink(missing_ok=True)
        _private_file(kept)
        shutil.copyfile(target, kept)
        notes.append(
            f"The current database could not be backed up normally ({_one_line(exc)}); "
            f"its raw file was kept as {kept} (no manifest)."
        )
        return kept


def _pg_restore(plan: RestorePlan) -> RestoreResult:
    result = RestoreResult(plan)
    kept = Path.cwd() / default_backup_name(POSTGRESQL, utc_now(), "rapport-before-restore")
    result.saved_current = create_backup(kept).path
    connections.close_all()  # hold no locks that pg_restore's DROP TABLE would wait on
    if plan.older:
        _pg_drop_tables_missing_from(plan.backup.manifest, result.notes)
    _, db = _database()
    args, env = pg_connection(db)
    try:
        _run_tool(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(plan.backup.path),
            ],
            env,
            "pg_restore",
        )
    except BackupError as exc:
        raise BackupError(
            f"{exc} (rolled back as one transaction; the database as it was before is also "
            f"saved in {result.saved_current})"
        ) from exc
    return result


def _pg_drop_tables_missing_from(manifest: Manifest, notes: list[str]) -> None:
    """Drop Rapport's tables that an older backup lacks, so ``migrate`` can create them again.

    Without this ``pg_restore --clean`` leaves newer tables (and their foreign keys) in place.
    Only tables of this code's Django models are touched, never other tables in the database.
    """
    with connection.cursor() as cursor:
        django_tables = set(connection.introspection.django_table_names(include_views=False))
        existing = set(connection.introspection.table_names(cursor))
    extra = sorted((existing & (django_tables | {"django_migrations"})) - set(manifest.row_counts))
    if not extra:
        return
    raw = _pg_raw_connection()
    try:
        with raw.cursor() as cursor:
            for table in extra:
                cursor.execute(sql.SQL("DROP TABLE {} CASCADE").format(sql.Identifier(table)))
        raw.commit()
    finally:
        raw.close()
    notes.append(f"Dropped tables newer than the backup: {', '.join(extra)}.")


# --- CLI support ----------------------------------------------------------------------------


@contextlib.contextmanager
def one_line_errors(action: str) -> Iterator[None]:
    """Turn any failure into a one-line ``click`` error (exit code 1), never a traceback."""
    try:
        yield
    except click.ClickException:
        raise
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    except Exception as exc:
        raise click.ClickException(
            f"{action} failed: {type(exc).__name__}: {_one_line(exc)}"
        ) from exc
