"""The ``rapport`` command: demo server, Django management, API tokens, measures.

A thin shell: it parses arguments and calls Django management commands or the core.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import click

from rapport.model_cli import model


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django

    django.setup()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="rapport")
def main() -> None:
    """Rapport: session feedback, alliance signals and transcript analysis for therapists."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--seed", default=2026, show_default=True, type=int, help="Demo data seed.")
@click.option("--fresh", is_flag=True, help="Delete the demo SQLite database and start over.")
@click.option("--no-serve", is_flag=True, help="Set up and seed, then exit without serving.")
@click.option("--workers", default=2, show_default=True, type=int, help="gunicorn workers.")
def demo(host: str, port: int, seed: int, fresh: bool, no_serve: bool, workers: int) -> None:
    """Run the demo clinic on SQLite: migrate, seed fictional data, print logins, serve."""
    os.environ.setdefault("SITE_URL", f"http://{host}:{port}")
    if fresh:
        from rapport.envvars import env

        if env("DATABASE_URL"):
            raise click.UsageError("--fresh only deletes the embedded SQLite demo database.")
        data_dir = Path(env("RAPPORT_DATA_DIR") or Path(__file__).resolve().parents[2] / "var")
        for suffix in ("", "-wal", "-shm"):
            (data_dir / f"rapport.sqlite3{suffix}").unlink(missing_ok=True)
    _django()
    from django.core.management import call_command

    from rapport.care.demo_seed import DEMO_PASSWORD, demo_exists, seed_demo

    call_command("migrate", interactive=False, verbosity=0)
    if demo_exists():
        click.echo("Demo clinic already set up (use --fresh to rebuild it).")
        logins = [
            ("admin", "Clinic admin"),
            ("sam", "Supervisor"),
            ("alice", "Therapist"),
            ("bob", "Therapist"),
        ]
    else:
        click.echo(f"Creating the demo clinic (seed {seed})…")
        logins = [(login.username, login.role) for login in seed_demo(seed=seed)]
        click.echo("Fitting the clinic's expected-trajectory models…")
        call_command("fit_trajectories", stdout=io.StringIO())
    click.echo("")
    click.secho(f"  Rapport demo clinic: http://{host}:{port}/", bold=True)
    for username, role in logins:
        click.echo(f"  {role:13} username {username:6} password {DEMO_PASSWORD}")
    click.echo("  API docs:     /api/docs   ·   Operators' admin: /admin/ (create a superuser)")
    click.echo("  All people and answers in the demo are fictional.")
    if no_serve:
        return
    click.echo("  Press Ctrl+C to stop.\n")
    # `python -m gunicorn`: works whether or not the venv's bin folder is on PATH.
    os.execv(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "rapport.wsgi",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ],
    )


@main.command("fit-trajectories")
def fit_trajectories() -> None:
    """Refit every clinic's expected-trajectory ("not on track") models; run it nightly."""
    _django()
    from django.core.management import call_command

    call_command("fit_trajectories")


@main.command("rotate-keys")
@click.option("--batch-size", default=500, show_default=True, type=int, help="Rows per batch.")
def rotate_keys(batch_size: int) -> None:
    """Re-encrypt stored comments and notes with the first key in RAPPORT_FIELD_KEYS."""
    _django()
    from django.core.management import call_command

    call_command("rotate_field_keys", batch_size=batch_size)


@main.group()
def keys() -> None:
    """Keys that encrypt free text at rest (RAPPORT_FIELD_KEYS)."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a new random key; put it first in RAPPORT_FIELD_KEYS to start using it."""
    from rapport.crypto import generate_key

    click.echo(generate_key())


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command, e.g. ``rapport manage migrate``."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["rapport manage", *args])


@main.group()
def token() -> None:
    """Personal API tokens for scripts."""


@token.command("create")
@click.argument("username")
@click.option("--name", default="script", show_default=True, help="What the token is for.")
def token_create(username: str, name: str) -> None:
    """Create an API token for USERNAME and print it once."""
    _django()
    from rapport.accounts.models import User
    from rapport.accounts.tokens import issue_token

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise click.ClickException(f"No active staff user called {username!r}.")
    click.echo(issue_token(user, name))


@main.command()
@click.option(
    "--text-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="RAPPORT_INSTRUMENT_TEXT_DIR",
    help="Folder of clinic-supplied licensed item text.",
)
def instruments(text_dir: Path | None) -> None:
    """List the measures Rapport can collect, their licence and whether text is installed."""
    from rapport.core.instruments import default_registry

    for inst in default_registry(text_dir).all():
        text = "text missing" if inst.text_missing else "text ready"
        validated = "" if inst.validated else " [project-authored]"
        click.echo(
            f"{inst.code:18} {inst.name:12} {inst.kind:9} {text:13} {inst.licence.name}{validated}"
        )


@main.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    help="File or existing folder for the backup "
    "[default: ./rapport-backup-<UTC time>.sqlite3 or .pgdump].",
)
def backup(output: Path | None) -> None:
    """Back up the database (SQLite or PostgreSQL) with a manifest; see docs/operations.md."""
    from rapport import backup as ops

    with ops.one_line_errors("backup"):
        _django()
        result = ops.create_backup(output)
    manifest = result.manifest
    click.echo(
        f"Backed up the {manifest.engine} database to {result.path} "
        f"({manifest.size_bytes:,} bytes, {manifest.total_rows:,} rows in "
        f"{len(manifest.row_counts)} tables)."
    )
    click.echo(f"Manifest: {result.manifest_path}")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--recursive", "-r", is_flag=True, help="Also search sub-folders of folders named.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    metavar="NAME=ROLE",
    help="Speaker's role when names are used, e.g. --role Alice=therapist (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "annomi"]),
    default="auto",
    show_default=True,
    help="annomi: read each CSV as an AnnoMI corpus, one conversation per transcript "
    "(files named AnnoMI-*.csv are read so anyway).",
)
@click.option(
    "--jobs",
    "-j",
    "n_jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Processes analysing in parallel (0: one per CPU).",
)
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write every analysis to this file as a JSON array (streamed, item by item).",
)
@click.option(
    "--jsonl",
    "jsonl_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write every analysis to this file as JSON Lines (one per line).",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write one self-contained HTML report with a section per conversation.",
)
@click.option(
    "--html-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write one self-contained HTML report per conversation and an index.html into this "
    "folder (better than --html for big batches: each page stays small).",
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Label utterances with the classifier saved in this folder "
    "[default: the trained default model, if any, for transcripts without annotations].",
)
@click.option("--no-model", is_flag=True, help="Use no classifier (annotations still count).")
def analyze(
    paths: tuple[Path, ...],
    recursive: bool,
    roles: tuple[str, ...],
    fmt: str,
    n_jobs: int,
    json_path: Path | None,
    jsonl_path: Path | None,
    html_path: Path | None,
    html_dir: Path | None,
    model_dir: Path | None,
    no_model: bool,
) -> None:
    """Markers of session transcripts: talk balance, language style matching, MI counts,
    affect and rupture markers for PATHS (files, or folders of text, CSV/TSV, WebVTT, SRT or
    chat JSON files; AnnoMI CSVs give one row per transcript). Prints a summary table; files
    that cannot be read are reported and skipped, and the exit status is then 1."""
    from rapport.analyze_cli import run_analyze_command

    run_analyze_command(
        paths,
        recursive=recursive,
        roles=roles,
        annomi=fmt == "annomi",
        n_jobs=n_jobs,
        json_path=json_path,
        jsonl_path=jsonl_path,
        html_path=html_path,
        html_dir=html_dir,
        model_dir=model_dir,
        no_model=no_model,
    )


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", "-y", is_flag=True, help="Restore without asking for confirmation.")
def restore(path: Path, yes: bool) -> None:
    """Replace the database with a backup, after checking it against its manifest."""
    from rapport import backup as ops

    with ops.one_line_errors("restore"):
        _django()
        plan = ops.plan_restore(path)
    manifest = plan.backup.manifest
    click.echo(
        f"Backup {path}: {manifest.engine}, made {manifest.created_at}, "
        f"{manifest.total_rows:,} rows in {len(manifest.row_counts)} tables; checksum OK."
    )
    click.echo(f"It will replace everything in {plan.target}.")
    if not yes:
        try:
            confirmed = click.confirm("Restore now?", default=False)
        except click.Abort:
            confirmed = False
        if not confirmed:
            raise click.ClickException("restore cancelled; nothing was changed")
    with ops.one_line_errors("restore"):
        result = ops.restore(plan)
    click.echo(f"Restored {path} into {plan.target}.")
    if result.saved_current is not None:
        click.echo(f"The database as it was before is kept in {result.saved_current}.")
    for note in result.notes:
        click.secho(note, fg="yellow")


@main.command("verify-backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def verify_backup(path: Path) -> None:
    """Check a backup against its manifest (checksum, contents, schema) without restoring it."""
    from rapport import backup as ops

    with ops.one_line_errors("verification"):
        _django()
        verified = ops.verify_backup(path)
    manifest = verified.manifest
    click.echo(
        f"{path}: {manifest.engine} backup made {manifest.created_at}, "
        f"{manifest.total_rows:,} rows in {len(manifest.row_counts)} tables; checksum and "
        "contents OK."
    )
    if verified.migrations.status == "older":
        click.echo(
            f"Older schema than this code ({verified.migrations.detail}): "
            "after restoring it, run `rapport manage migrate`."
        )
    elif verified.migrations.status == "newer":
        click.echo(
            f"Newer schema than this code ({verified.migrations.detail}): "
            "restore it with the newer Rapport."
        )


main.add_command(model)

if __name__ == "__main__":
    main()
