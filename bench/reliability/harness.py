"""What the load and fault scripts share: a throw-away PostgreSQL database, a seeded clinic,
gunicorn started and killed by process id, the database-side tally, and the results file.

Everything listens on 127.0.0.1 only. The database is created fresh under its own name (never
the developer's ``test`` database) and dropped afterwards, also when a run fails.
"""

from __future__ import annotations

import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[2]
RESULTS_JSON = REPO / "bench" / "results" / "reliability.json"
RESULTS_MD = REPO / "bench" / "results" / "reliability.md"
PYTHON = sys.executable
ADMIN_URL = os.environ.get("POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
HOST = "127.0.0.1"


def database_url(name: str) -> str:
    """``ADMIN_URL`` with its database name replaced."""
    parts = urlsplit(ADMIN_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _drop(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def fresh_database(name: str) -> Iterator[str]:
    """Create database ``name`` (dropping a leftover one), yield its URL, drop it afterwards."""
    _drop(name)
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(name)
    finally:
        _drop(name)


@dataclass
class App:
    """The environment the app runs with: its own data folder, secret and database."""

    database_url: str
    conn_max_age: int = 0  # DB_CONN_MAX_AGE: the app's default opens a connection per request
    data_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="rapport-rel-")))
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))

    def env(self, database_url: str | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url or self.database_url,
            RAPPORT_ENV="development",
            RAPPORT_DATA_DIR=str(self.data_dir),
            SECRET_KEY=self.secret_key,
            DEBUG="false",
            LOG_LEVEL="WARNING",
            DB_CONN_MAX_AGE=str(self.conn_max_age),
            PYTHONPATH=str(REPO),
            # Every simulated client comes from 127.0.0.1; real clients have their own
            # addresses, so the per-address link limits would only measure this artefact.
            FEEDBACK_LINK_RATE_PER_MINUTE="1000000",
            FEEDBACK_LINK_FAILURES_PER_10_MINUTES="1000000",
        )
        return env

    def migrate(self) -> float:
        started = time.perf_counter()
        rapport = Path(PYTHON).parent / "rapport"
        subprocess.run(  # noqa: S603 - our own CLI
            [str(rapport), "manage", "migrate", "--verbosity", "0"],
            env=self.env(),
            check=True,
            cwd=REPO,
        )
        return time.perf_counter() - started

    def seed(self, clients: int, sessions: int) -> list[dict[str, Any]]:
        out = self.data_dir / "links.json"
        subprocess.run(  # noqa: S603 - our own module
            [
                PYTHON,
                "-m",
                "bench.reliability.seed",
                "--clients",
                str(clients),
                "--sessions",
                str(sessions),
                "--out",
                str(out),
            ],
            env=self.env(),
            check=True,
            cwd=REPO,
        )
        links: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))
        return links

    def logged_server_errors(self) -> int:
        """'Internal Server Error' lines Django logged in any gunicorn log of this run (a 500)."""
        return sum(
            log.read_text(errors="replace").count("Internal Server Error")
            for log in self.data_dir.glob("gunicorn-*.log")
        )

    def cleanup(self) -> None:
        shutil.rmtree(self.data_dir, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


class Gunicorn:
    """One gunicorn master with ``workers`` sync workers, in its own process group."""

    def __init__(self, app: App, port: int, workers: int, database_url: str | None = None):
        self.app = app
        self.port = port
        self.workers = workers
        self.database_url = database_url
        self.process: subprocess.Popen[bytes] | None = None
        self.log = app.data_dir / f"gunicorn-{port}.log"
        self.killed: list[int] = []

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 30) -> float:
        """Start and wait until it answers; returns the seconds that took."""
        started = time.perf_counter()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - gunicorn from our venv
                [
                    PYTHON,
                    "-m",
                    "gunicorn",
                    "rapport.wsgi",
                    "--bind",
                    f"{HOST}:{self.port}",
                    "--workers",
                    str(self.workers),
                    "--graceful-timeout",
                    "5",
                    # gunicorn 27's control socket has one default path per user: leave it to
                    # other servers on this machine (and leave no stale socket after a kill).
                    "--no-control-socket",
                ],
                env=self.app.env(self.database_url),
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start; see {self.log}")
            if self._answers() and len(self.worker_pids()) == self.workers:
                return time.perf_counter() - started
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log}")

    def _answers(self) -> bool:
        """The schema needs no database, so this works with the database down too."""
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as s:
                s.sendall(b"GET /api/openapi.json HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                return s.recv(12).startswith(b"HTTP/1.")
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(c) for c in children]

    def kill(self) -> list[int]:
        """SIGKILL the master and every worker, by process id: no graceful shutdown at all."""
        assert self.process is not None
        pids = [self.process.pid, *self.worker_pids()]
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in pids[1:]):
            time.sleep(0.05)
        self.killed.extend(pids)
        return pids

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.split(")")[-1].split()[0] != "Z"


@dataclass(frozen=True)
class Tally:
    """What the database holds after a run (plain SQL: no Django in the orchestrating process)."""

    responses_per_request: dict[int, int]
    duplicates: list[tuple[int, str, int]]
    completed: set[int]
    total_responses: int


def tally(url: str) -> Tally:
    with psycopg.connect(url) as conn:
        per_request = dict(
            conn.execute(
                "SELECT request_id, count(*) FROM feedback_response "
                "WHERE request_id IS NOT NULL GROUP BY request_id"
            ).fetchall()
        )
        duplicates = conn.execute(
            "SELECT request_id, instrument, count(*) FROM feedback_response "
            "WHERE request_id IS NOT NULL GROUP BY request_id, instrument HAVING count(*) > 1"
        ).fetchall()
        completed = {
            row[0]
            for row in conn.execute(
                "SELECT id FROM feedback_feedbackrequest WHERE completed_at IS NOT NULL"
            )
        }
        total = conn.execute("SELECT count(*) FROM feedback_response").fetchone()
    return Tally(per_request, [tuple(d) for d in duplicates], completed, total[0] if total else 0)


def verify(
    acknowledged: set[int], result: Tally, expect_all: set[int] | None = None
) -> dict[str, Any]:
    """Every acknowledged request stored exactly once, no duplicates, a response per completion."""
    missing = sorted(r for r in acknowledged if result.responses_per_request.get(r, 0) == 0)
    more_than_once = sorted(r for r in acknowledged if result.responses_per_request.get(r, 0) > 1)
    stored_not_acknowledged = sorted(set(result.responses_per_request) - acknowledged)
    completed_without_response = sorted(result.completed - set(result.responses_per_request))
    checks = {
        "acknowledged": len(acknowledged),
        "acknowledged_missing_in_database": len(missing),
        "acknowledged_stored_more_than_once": len(more_than_once),
        "duplicate_response_rows": len(result.duplicates),
        "stored_but_never_acknowledged": len(stored_not_acknowledged),
        "completed_requests_without_response": len(completed_without_response),
        "responses_in_database": result.total_responses,
    }
    ok = not (missing or more_than_once or result.duplicates or completed_without_response)
    if expect_all is not None:
        never = sorted(expect_all - acknowledged)
        checks["links_never_acknowledged"] = len(never)
        ok = ok and not never
    checks["passed"] = ok
    return checks


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latency_summary(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "count": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1) if ms else math.nan,
        "mean_ms": round(sum(ms) / len(ms), 1) if ms else math.nan,
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine_facts(load_before: list[float]) -> dict[str, Any]:
    """Where the numbers come from. The load averages show what else was running: the load
    generator, gunicorn and PostgreSQL share the machine, and so may other people's jobs."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with psycopg.connect(ADMIN_URL) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    versions = {
        name: metadata.version(name)
        for name in ("django", "django-ninja", "gunicorn", "locust", "psycopg", "httpx")
    }
    versions["python"] = platform.python_version()
    versions["postgresql"] = row[0] if row else "?"
    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_gib": memory_gib,
        "versions": versions,
        "note": "client, gunicorn and PostgreSQL share this machine",
        "load_average_1_5_15_min_before": load_before,
        "load_average_1_5_15_min_after": load_average(),
    }


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def command_line() -> str:
    spec = sys.modules["__main__"].__spec__
    module = spec.name if spec is not None else sys.argv[0]
    return " ".join([".venv/bin/python", "-m", module, *sys.argv[1:]])


def save_section(name: str, data: dict[str, Any]) -> None:
    """Store one script's results in the JSON file and re-render the Markdown from all of it."""
    from bench.reliability.report import render  # noqa: PLC0415 - avoid a cycle

    results: dict[str, Any] = {}
    if RESULTS_JSON.exists():
        results = json.loads(RESULTS_JSON.read_text(encoding="utf-8"))
    results[name] = data
    RESULTS_JSON.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    RESULTS_MD.write_text(render(results), encoding="utf-8")
