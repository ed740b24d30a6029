"""Faults: gunicorn killed mid-stream, and the database unreachable; no answer is lost.

    .venv/bin/python -m bench.reliability.fault
    .venv/bin/python -m bench.reliability.fault --links 600 --threads 16 --kills 2

Part 1, kill and restart. Same set-up as ``load.py`` (fresh database ``rapport_fault``, seeded
clinic, pre-issued links, gunicorn with 4 workers on 127.0.0.1). A pool of client threads streams
submissions through the page's JSON path. When a set share of the links has been acknowledged,
the gunicorn master and every worker are SIGKILLed by process id (no graceful shutdown; requests
in flight die with them), the server stays down for a moment, then a new gunicorn starts on the
same port. Clients behave like the page script: the answers stay on the device until a reply is
HTTP 200 ``{"status": "received"}`` (acknowledged), and anything else (connection refused or
reset, a 5xx, a 503) is retried with the same answers after a short back-off. Afterwards every
acknowledged link must be stored exactly once and every link must have been acknowledged.

Part 2, database down. gunicorn is started against a PostgreSQL database name that does not exist,
then against a port where nothing listens. A POST to a real feedback link (JSON and plain form),
and a GET of it, must answer a non-500 reply that tells the client to send again (503 with
``{"status": "error", "message": …}`` for the script). The same links are then submitted to the
healthy server and must be stored once: nothing lost. Results go to
``bench/results/reliability.md`` and ``.json`` (section "fault").
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import click
import httpx
import psycopg

from bench.reliability import harness

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
JSON = {"Accept": "application/json"}


def answers_for(request_id: int, csrf: str) -> dict[str, str]:
    values = [(request_id * 5 + i) % 11 for i in range(5)]
    data = {f"checkin-item-{n}": str(v) for n, v in enumerate(values, start=1)}
    data["checkin-text-next_time"] = f"Fault test, link {request_id}."
    data["csrfmiddlewaretoken"] = csrf
    return data


@dataclass
class Stream:
    """Shared by the client threads: what was acknowledged, and every failed attempt."""

    # request id -> when the attempt that was acknowledged was sent (epoch seconds)
    acknowledged: dict[int, float] = field(default_factory=dict)
    attempts: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    gave_up: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, kind: str) -> None:
        with self.lock:
            self.failures[kind] += 1


def _describe(exc: Exception) -> str:
    return type(exc).__name__


def submit_until_acknowledged(
    base_url: str, link: dict[str, Any], stream: Stream, give_up_after: float
) -> None:
    """One client: open the page (retrying while the server is down), then send until acked."""
    request_id, path = link["request_id"], link["path"]
    deadline = time.monotonic() + give_up_after
    backoff = 0.1
    with httpx.Client(base_url=base_url, timeout=10) as client:
        csrf = ""
        while not csrf:
            try:
                page = client.get(path)
                match = CSRF.search(page.text) if page.status_code == 200 else None
                if match:
                    csrf = match.group(1)
                else:
                    stream.fail(f"form HTTP {page.status_code}")
            except httpx.HTTPError as exc:
                stream.fail(f"form {_describe(exc)}")
            if not csrf:
                if time.monotonic() > deadline:
                    stream.gave_up.append(request_id)
                    return
                time.sleep(backoff)
                backoff = min(1.0, backoff * 2)
        backoff = 0.1
        while True:
            with stream.lock:
                stream.attempts[request_id] += 1
            sent = time.time()
            try:
                reply = client.post(path, data=answers_for(request_id, csrf), headers=JSON)
                if reply.status_code == 200 and reply.json() == {"status": "received"}:
                    with stream.lock:
                        stream.acknowledged[request_id] = sent
                    return
                stream.fail(f"submit HTTP {reply.status_code}")
            except (httpx.HTTPError, ValueError) as exc:
                stream.fail(f"submit {_describe(exc)}")
            if time.monotonic() > deadline:
                stream.gave_up.append(request_id)
                return
            time.sleep(backoff)  # the page: "tap Send again in a moment"
            backoff = min(1.0, backoff * 2)


@dataclass
class Kill:
    at_seconds: float
    at_acknowledged: int
    pids: list[int]
    down_seconds: float
    restart_seconds: float


def kill_and_restart(
    *,
    server: harness.Gunicorn,
    stream: Stream,
    thresholds: list[int],
    down: float,
    started: float,
    done: Callable[[], bool],
) -> list[Kill]:
    kills = []
    for threshold in thresholds:
        while len(stream.acknowledged) < threshold and not done():
            time.sleep(0.005)
        if done():
            break
        at = time.perf_counter() - started
        acked = len(stream.acknowledged)
        pids = server.kill()
        time.sleep(down)
        restart = server.start()
        kills.append(Kill(round(at, 2), acked, pids, down, round(restart, 2)))
        click.echo(f"  killed {pids} at {at:.1f} s ({acked} acknowledged); back in {restart:.1f} s")
    return kills


def committed_by_lost_reply(url: str, stream: Stream) -> int:
    """Links stored before the acknowledged attempt was sent: an earlier attempt's commit landed
    but its reply was lost (killed worker), and the retry was answered from the stored row."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT request_id, submitted_at FROM feedback_response WHERE request_id IS NOT NULL"
        ).fetchall()
    stored = {rid: at.timestamp() for rid, at in rows}
    return sum(
        1 for rid, sent in stream.acknowledged.items() if rid in stored and stored[rid] < sent
    )


def probe_database_down(
    app: harness.App, how: str, database_url: str, links: list[dict[str, Any]]
) -> dict[str, Any]:
    """Start gunicorn on a broken database URL and try the feedback form three ways."""
    server = harness.Gunicorn(app, harness.free_port(), 1, database_url=database_url)
    server.start()
    csrf = "k" * 32  # an unmasked token, as Django accepts; the real form page needs the database
    probes: list[dict[str, Any]] = []
    try:
        with httpx.Client(base_url=server.url, timeout=30, cookies={"csrftoken": csrf}) as client:
            for name, method, headers in [
                ("POST, page script (Accept: application/json)", "POST", JSON),
                ("POST, plain form (no JavaScript)", "POST", {}),
                ("GET, opening the link", "GET", {}),
            ]:
                link = links[len(probes) % len(links)]
                started = time.perf_counter()
                if method == "POST":
                    reply = client.post(
                        link["path"], data=answers_for(link["request_id"], csrf), headers=headers
                    )
                else:
                    reply = client.get(link["path"])
                seconds = time.perf_counter() - started
                body: Any = reply.text[:300]
                if reply.headers.get("content-type", "").startswith("application/json"):
                    body = reply.json()
                else:
                    match = re.search(r"<h1>(.*?)</h1>\s*<p>(.*?)</p>", reply.text, re.S)
                    body = " ".join(match.groups()) if match else body
                probes.append(
                    {
                        "request": name,
                        "status": reply.status_code,
                        "retry_after": reply.headers.get("retry-after"),
                        "content_type": reply.headers.get("content-type"),
                        "body": body,
                        "ms": round(seconds * 1000, 1),
                    }
                )
    finally:
        server.stop()
    ok = all(p["status"] == 503 for p in probes) and probes[0]["body"].get("status") == "error"
    return {"how": how, "database_url": database_url, "probes": probes, "passed": ok}


@click.command()
@click.option("--clients", default=60, show_default=True)
@click.option("--sessions", default=10, show_default=True, help="Sessions (one link each).")
@click.option("--threads", default=16, show_default=True, help="Client threads.")
@click.option("--workers", default=4, show_default=True)
@click.option("--kills", default=2, show_default=True, help="How many times to kill gunicorn.")
@click.option("--down-seconds", default=2.0, show_default=True)
@click.option("--give-up-after", default=120.0, show_default=True, help="Seconds per link.")
@click.option("--database", default="rapport_fault", show_default=True)
@click.option("--save/--no-save", default=True, show_default=True)
def main(  # noqa: PLR0917 - click passes each option as an argument
    clients: int,
    sessions: int,
    threads: int,
    workers: int,
    kills: int,
    down_seconds: float,
    give_up_after: float,
    database: str,
    save: bool,
) -> None:
    script_started = time.perf_counter()
    load_before = harness.load_average()
    with harness.fresh_database(database) as url:
        app = harness.App(url)
        try:
            migrate_s = app.migrate()
            started = time.perf_counter()
            links = app.seed(clients, sessions)
            seed_s = time.perf_counter() - started
            click.echo(
                f"Migrated in {migrate_s:.1f} s, seeded {len(links)} links in {seed_s:.1f} s"
            )
            # Part 2 first, on links kept aside: the database unreachable two ways.
            aside, stream_links = links[:3], links[3:]
            down_results = [
                probe_database_down(
                    app,
                    "database name that does not exist",
                    harness.database_url("rapport_nope"),
                    aside,
                ),
                probe_database_down(
                    app,
                    "nothing listening on the database port",
                    "postgres://postgres@127.0.0.1:1/" + database,
                    aside,
                ),
            ]
            for result in down_results:
                click.echo(f"  database down ({result['how']}): {result['probes']}")
            # Part 1: stream, kill, restart, continue.
            server = harness.Gunicorn(app, harness.free_port(), workers)
            server.start()
            stream = Stream()
            thresholds = [len(stream_links) * (k + 1) // (kills + 2) for k in range(kills)]
            pool = ThreadPoolExecutor(max_workers=threads)
            stream_started = time.perf_counter()
            futures = [
                pool.submit(submit_until_acknowledged, server.url, link, stream, give_up_after)
                for link in stream_links
            ]

            def finished() -> bool:
                return all(f.done() for f in futures)

            try:
                kill_log = kill_and_restart(
                    server=server,
                    stream=stream,
                    thresholds=thresholds,
                    down=down_seconds,
                    started=stream_started,
                    done=finished,
                )
                for future in futures:
                    future.result()
                stream_elapsed = time.perf_counter() - stream_started
                # The links the clients could not send while the database was down: sent now.
                for link in aside:
                    submit_until_acknowledged(server.url, link, stream, give_up_after)
            finally:
                pool.shutdown()
                server.stop()
            all_links = {link["request_id"] for link in links}
            checks = harness.verify(set(stream.acknowledged), harness.tally(url), all_links)
            lost_replies = committed_by_lost_reply(url, stream)
            server_errors = app.logged_server_errors()
        finally:
            app.cleanup()
    retried = {rid: n for rid, n in stream.attempts.items() if n > 1}
    result = {
        "generated": harness.now(),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": harness.command_line(),
        "config": {
            "clients": clients,
            "sessions_per_client": sessions,
            "links": len(links),
            "client_threads": threads,
            "gunicorn_workers": workers,
            "kills": kills,
            "kill_at_acknowledged": thresholds,
            "down_seconds": down_seconds,
            "retry_backoff": "0.1 s doubling to 1 s",
        },
        "stream": {
            "elapsed_seconds": round(stream_elapsed, 2),
            "links_streamed": len(stream_links),
            "acknowledged": len(set(stream.acknowledged) & {x["request_id"] for x in stream_links}),
            "database_down_links_acknowledged_after": len(
                set(stream.acknowledged) & {x["request_id"] for x in aside}
            ),
            "gave_up": len(stream.gave_up),
            "post_attempts": sum(stream.attempts.values()),
            "links_needing_retries": len(retried),
            "max_attempts_for_one_link": max(stream.attempts.values(), default=0),
            "retried_links_already_stored_by_an_unacknowledged_attempt": lost_replies,
            "failed_attempts_by_kind": dict(stream.failures),
            "server_errors_logged": server_errors,
            "kills": [k.__dict__ for k in kill_log],
        },
        "database_checks": checks,
        "database_down": down_results,
        "timings_seconds": {
            "migrate": round(migrate_s, 1),
            "seed": round(seed_s, 1),
            "script_total": round(time.perf_counter() - script_started, 1),
        },
        "machine": harness.machine_facts(load_before),
    }
    passed = checks["passed"] and all(d["passed"] for d in down_results)
    result["passed"] = passed
    click.echo(
        f"{len(stream.acknowledged)}/{len(links)} links acknowledged, "
        f"{sum(stream.failures.values())} failed attempts {dict(stream.failures)}; "
        f"database checks {'PASS' if checks['passed'] else 'FAIL'}: {checks}"
    )
    if save:
        harness.save_section("fault", result)
    if not passed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
