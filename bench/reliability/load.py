"""Load: many clients submit the end-of-session check-in at once; nothing acknowledged is lost.

    .venv/bin/python -m bench.reliability.load                       # 50 users, 30 s
    .venv/bin/python -m bench.reliability.load --users 50 --seconds 30 --clients 100 --sessions 20

Creates a fresh PostgreSQL database (``rapport_load``), migrates it, seeds a clinic and pre-issues
one end-of-session link per session, starts gunicorn (4 sync workers) on a free 127.0.0.1 port
and runs locust headless through its Python API. Each simulated client does what the page does:
GET the link's form, then POST the answers as form data with ``Accept: application/json`` (the
page script's fetch). Every link is submitted once; some are submitted twice, straight away by
the same client (a double tap) or later by another (a retry after a lost reply), to exercise
idempotency.

A submission is **acknowledged** when the reply is HTTP 200 with ``{"status": "received"}``: the
moment the page script deletes the answers it kept on the device. Afterwards the database is
read with plain SQL: every acknowledged link must have exactly one stored response, and no link
may have two. Throughput, latency percentiles and errors go to ``bench/results/reliability.md``
and ``.json`` (section "load").
"""

from __future__ import annotations

# Locust monkey-patches the standard library with gevent on import: it must come first.
from locust import FastHttpUser, constant, events, task  # isort: skip
from locust.env import Environment  # isort: skip

import re
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, ClassVar

import click
import gevent
import httpx

from bench.reliability import harness

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
BASELINE_LINKS = 50
FORM_NAME = "GET /f/[token]/"
SUBMIT_NAME = "POST /f/[token]/ (Accept: application/json)"


def answers_for(request_id: int, csrf: str) -> dict[str, str]:
    """The same answers every time for a link, as a retried page would send them."""
    values = [(request_id * 7 + i * 3) % 11 for i in range(5)]
    data = {f"checkin-item-{n}": str(v) for n, v in enumerate(values, start=1)}
    data["checkin-text-next_time"] = f"Load test, link {request_id}: more time on goals."
    data["csrfmiddlewaretoken"] = csrf
    return data


@dataclass
class Submission:
    request_id: int
    kind: str  # first | double_tap | later_repeat
    status: int
    acknowledged: bool
    seconds: float
    error: str = ""


@dataclass
class Plan:
    """The links still to submit, and everything the clients saw."""

    links: deque[dict[str, Any]]
    paths: dict[int, str]
    double_tap_every: int
    repeat_later_every: int
    repeats: deque[int] = field(default_factory=deque)
    submissions: list[Submission] = field(default_factory=list)
    form_seconds: list[float] = field(default_factory=list)
    form_errors: Counter[str] = field(default_factory=Counter)
    issued: int = 0
    in_flight: int = 0
    closed: bool = False


class CheckinClient(FastHttpUser):
    """One client's phone: opens a link, sends the check-in, sometimes sends it again."""

    plan: ClassVar[Plan]
    wait_time = constant(0)

    def on_start(self) -> None:
        self.csrf = ""

    def _post(self, request_id: int, path: str, kind: str) -> None:
        started = time.perf_counter()
        status, acknowledged, error = 0, False, ""
        with self.client.post(
            path,
            data=answers_for(request_id, self.csrf),
            headers={"Accept": "application/json"},
            name=SUBMIT_NAME,
            catch_response=True,
        ) as reply:
            status = reply.status_code
            try:
                acknowledged = status == 200 and reply.json() == {"status": "received"}
            except ValueError:
                acknowledged = False
            if acknowledged:
                reply.success()
            else:
                error = f"HTTP {status}" if status else (str(reply.error) or "no reply")[:80]
                reply.failure(error)
        self.plan.submissions.append(
            Submission(request_id, kind, status, acknowledged, time.perf_counter() - started, error)
        )

    @task
    def submit(self) -> None:
        plan = self.plan
        if plan.closed:  # time is up: finish nothing new, so every reply sent is read
            gevent.sleep(0.05)
            return
        plan.in_flight += 1
        try:
            self._next_link()
        finally:
            plan.in_flight -= 1

    def _next_link(self) -> None:
        plan = self.plan
        if self.csrf and (len(plan.repeats) >= 5 or (plan.repeats and not plan.links)):
            # Another phone sends a link again a while after it was acknowledged.
            request_id = plan.repeats.popleft()
            self._post(request_id, plan.paths[request_id], "later_repeat")
            return
        if not plan.links:
            gevent.sleep(0.05)
            return
        link = plan.links.popleft()
        plan.issued += 1
        ordinal = plan.issued  # other users move the shared counter while this one waits
        request_id, path = link["request_id"], link["path"]
        started = time.perf_counter()
        with self.client.get(path, name=FORM_NAME, catch_response=True) as page:
            plan.form_seconds.append(time.perf_counter() - started)
            match = CSRF.search(page.text or "") if page.status_code == 200 else None
            if match is None:
                plan.form_errors[f"HTTP {page.status_code}"] += 1
                page.failure(f"HTTP {page.status_code}")
                return
            self.csrf = match.group(1)
        self._post(request_id, path, "first")
        if ordinal % plan.double_tap_every == 0:
            self._post(request_id, path, "double_tap")
        elif ordinal % plan.repeat_later_every == 0:
            plan.repeats.append(request_id)


def run_locust(base_url: str, plan: Plan, users: int, seconds: float, spawn_rate: float) -> float:
    """Run headless for ``seconds`` (or until the links run out), then let the users finish the
    link in hand so every reply is read; return the elapsed seconds, the drain included."""
    CheckinClient.plan = plan
    CheckinClient.host = base_url
    env = Environment(user_classes=[CheckinClient], events=events, host=base_url)
    runner = env.create_local_runner()
    started = time.perf_counter()
    runner.start(users, spawn_rate=spawn_rate)

    def stop_when_done() -> None:
        while time.perf_counter() - started < seconds:
            if not plan.links and not plan.repeats:
                break
            gevent.sleep(0.1)
        plan.closed = True
        drain_until = time.perf_counter() + 30
        while plan.in_flight and time.perf_counter() < drain_until:
            gevent.sleep(0.01)
        runner.quit()

    gevent.spawn(stop_when_done).join()
    runner.greenlet.join()
    return time.perf_counter() - started


def baseline(base_url: str, links: list[dict[str, Any]]) -> tuple[dict[str, Any], set[int]]:
    """One client alone, one link after another: the latency without queueing."""
    form, submit, acknowledged = [], [], set()
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for link in links:
            started = time.perf_counter()
            page = client.get(link["path"])
            form.append(time.perf_counter() - started)
            match = CSRF.search(page.text)
            if match is None:
                continue
            started = time.perf_counter()
            reply = client.post(
                link["path"],
                data=answers_for(link["request_id"], match.group(1)),
                headers={"Accept": "application/json"},
            )
            submit.append(time.perf_counter() - started)
            if reply.status_code == 200 and reply.json() == {"status": "received"}:
                acknowledged.add(link["request_id"])
    result = {
        "links": len(links),
        "acknowledged": len(acknowledged),
        "submit_latency": harness.latency_summary(submit),
        "form_latency": harness.latency_summary(form),
    }
    return result, acknowledged


def summarise(plan: Plan, elapsed: float) -> dict[str, Any]:
    subs = plan.submissions
    first = [s for s in subs if s.kind == "first"]
    repeats = [s for s in subs if s.kind != "first"]
    errors = Counter(s.error for s in subs if not s.acknowledged)
    acknowledged_first = [s for s in first if s.acknowledged]
    return {
        "elapsed_seconds": round(elapsed, 2),
        "links_submitted": len(first),
        "links_acknowledged": len(acknowledged_first),
        "repeat_submissions": dict(Counter(s.kind for s in repeats)),
        "repeat_acknowledged": sum(s.acknowledged for s in repeats),
        "submissions_total": len(subs),
        "submission_errors": sum(errors.values()),
        "submission_errors_by_kind": dict(errors),
        "form_errors": sum(plan.form_errors.values()),
        "form_errors_by_kind": dict(plan.form_errors),
        "throughput_links_per_second": round(len(acknowledged_first) / elapsed, 1),
        "throughput_posts_per_second": round(sum(s.acknowledged for s in subs) / elapsed, 1),
        "submit_latency": harness.latency_summary([s.seconds for s in subs]),
        "form_latency": harness.latency_summary(plan.form_seconds),
    }


@click.command()
@click.option("--users", default=50, show_default=True)
@click.option("--seconds", default=30.0, show_default=True)
@click.option("--spawn-rate", default=25.0, show_default=True, help="Users started per second.")
@click.option("--clients", default=100, show_default=True)
@click.option("--sessions", default=20, show_default=True, help="Sessions (one link each).")
@click.option("--workers", default=4, show_default=True)
@click.option("--double-tap-every", default=10, show_default=True)
@click.option("--repeat-later-every", default=7, show_default=True)
@click.option("--conn-max-age", default=0, show_default=True, help="DB_CONN_MAX_AGE for gunicorn.")
@click.option("--database", default="rapport_load", show_default=True)
@click.option("--save/--no-save", default=True, show_default=True)
def main(  # noqa: PLR0917 - click passes each option as an argument
    users: int,
    seconds: float,
    spawn_rate: float,
    clients: int,
    sessions: int,
    workers: int,
    double_tap_every: int,
    repeat_later_every: int,
    conn_max_age: int,
    database: str,
    save: bool,
) -> None:
    script_started = time.perf_counter()
    load_before = harness.load_average()
    with harness.fresh_database(database) as url:
        app = harness.App(url, conn_max_age=conn_max_age)
        try:
            migrate_s = app.migrate()
            started = time.perf_counter()
            links = app.seed(clients, sessions)
            seed_s = time.perf_counter() - started
            click.echo(
                f"Migrated in {migrate_s:.1f} s, seeded {len(links)} links in {seed_s:.1f} s"
            )
            server = harness.Gunicorn(app, harness.free_port(), workers)
            start_s = server.start()
            click.echo(f"gunicorn ({workers} workers) answering at {server.url} in {start_s:.1f} s")
            baseline_result, baseline_acked = baseline(server.url, links[:BASELINE_LINKS])
            paths = {link["request_id"]: link["path"] for link in links}
            plan = Plan(deque(links[BASELINE_LINKS:]), paths, double_tap_every, repeat_later_every)
            try:
                elapsed = run_locust(server.url, plan, users, seconds, spawn_rate)
            finally:
                server.stop()
            acknowledged = {s.request_id for s in plan.submissions if s.acknowledged}
            acknowledged |= baseline_acked
            server_errors = app.logged_server_errors()
            checks = harness.verify(acknowledged, harness.tally(url))
        finally:
            app.cleanup()
    outcome = summarise(plan, elapsed)
    outcome["links_not_reached"] = len(plan.links)
    outcome["baseline_one_client"] = baseline_result
    outcome["server_errors_logged"] = server_errors
    result = {
        "generated": harness.now(),
        "command": harness.command_line(),
        "config": {
            "users": users,
            "seconds": seconds,
            "spawn_rate": spawn_rate,
            "think_time_seconds": 0,
            "clients": clients,
            "sessions_per_client": sessions,
            "links_issued": len(links),
            "gunicorn_workers": workers,
            "gunicorn_worker_class": "sync",
            "db_conn_max_age": conn_max_age,
            "double_tap_every": double_tap_every,
            "repeat_later_every": repeat_later_every,
        },
        "outcome": outcome,
        "database_checks": checks,
        "timings_seconds": {
            "migrate": round(migrate_s, 1),
            "seed": round(seed_s, 1),
            "gunicorn_start": round(start_s, 1),
            "script_total": round(time.perf_counter() - script_started, 1),
        },
        "machine": harness.machine_facts(load_before),
    }
    click.echo(
        f"{outcome['links_acknowledged']} links acknowledged in {outcome['elapsed_seconds']} s "
        f"({outcome['throughput_links_per_second']}/s), submit p50/p95/p99 "
        f"{outcome['submit_latency']['p50_ms']}/{outcome['submit_latency']['p95_ms']}/"
        f"{outcome['submit_latency']['p99_ms']} ms, errors {outcome['submission_errors']}; "
        f"database checks {'PASS' if checks['passed'] else 'FAIL'}: {checks}"
    )
    if save:
        harness.save_section("load", result)
    if not checks["passed"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
