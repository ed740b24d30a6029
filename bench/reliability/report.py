"""Render ``bench/results/reliability.json`` (sections load, fault, fuzz) as Markdown."""

from __future__ import annotations

import json
from typing import Any


def _machine(m: dict[str, Any]) -> str:
    v = m["versions"]
    busy = ""
    if m["load_average_1_5_15_min_before"][0] > m["cpus"]:
        busy = (
            " Other jobs were running on the machine during the run (a load average above the "
            "CPU count), so throughput and latency here are pessimistic."
        )
    return (
        f"Machine: {m['platform']}, {m['cpu']}, {m['cpus']} CPUs, {m['memory_gib']} GiB "
        f"({m['note']}); load average (1/5/15 min) "
        f"{'/'.join(map(str, m['load_average_1_5_15_min_before']))} before the run, "
        f"{'/'.join(map(str, m['load_average_1_5_15_min_after']))} after. "
        f"Versions: Python {v['python']}, Django {v['django']}, django-ninja "
        f"{v['django-ninja']}, gunicorn {v['gunicorn']}, locust {v['locust']}, psycopg "
        f"{v['psycopg']}, httpx {v['httpx']}, PostgreSQL {v['postgresql']}.{busy}"
    )


def _timings(t: dict[str, float]) -> str:
    order = ("migrate", "seed", "gunicorn_start", "script_total")
    return "Timings: " + ", ".join(f"{k} {t[k]} s" for k in order if k in t) + "."


def _kinds(counts: dict[str, int]) -> str:
    return f" ({', '.join(f'{k}: {v}' for k, v in sorted(counts.items()))})" if counts else ""


def _checks(c: dict[str, Any]) -> list[str]:
    rows = [
        ("Acknowledged links (HTTP 200 `received`)", c["acknowledged"]),
        ("... missing from the database", c["acknowledged_missing_in_database"]),
        ("... stored more than once", c["acknowledged_stored_more_than_once"]),
        ("Duplicate response rows (same link and measure)", c["duplicate_response_rows"]),
        ("Completed links without a response", c["completed_requests_without_response"]),
        ("Stored but never acknowledged (reply lost)", c["stored_but_never_acknowledged"]),
        ("Responses in the database", c["responses_in_database"]),
    ]
    if "links_never_acknowledged" in c:
        rows.append(("Links never acknowledged", c["links_never_acknowledged"]))
    lines = ["| Database check | Value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    lines.append(f"| **Result** | **{'PASS' if c['passed'] else 'FAIL'}** |")
    return lines


def _load(r: dict[str, Any]) -> list[str]:
    c, o = r["config"], r["outcome"]
    s, f, b = o["submit_latency"], o["form_latency"], o["baseline_one_client"]
    repeats = ", ".join(f"{k}: {v}" for k, v in sorted(o["repeat_submissions"].items()))
    return [
        "## Load: end-of-session check-ins through the page's JSON path",
        "",
        f"Generated {r['generated']} by `{r['command']}`.",
        "",
        f"{c['users']} locust users (no think time: each sends its next link as soon as the last "
        f"is answered) for {c['seconds']:g} s against gunicorn with {c['gunicorn_workers']} "
        f"{c['gunicorn_worker_class']} workers and PostgreSQL (a fresh database, "
        f"`DB_CONN_MAX_AGE={c['db_conn_max_age']}`"
        f"{', the default: a new connection per request' if c['db_conn_max_age'] == 0 else ''}"
        f"). {c['links_issued']} "
        f"end-of-session links were pre-issued ({c['clients']} clients x "
        f"{c['sessions_per_client']} sessions). Each user GETs a link's form, then POSTs the "
        "check-in (five sliders and a comment) as form data with `Accept: application/json`, "
        f"as the page script does. Every {c['double_tap_every']}th link is sent again straight "
        f"after its reply (a double tap) and every {c['repeat_later_every']}th again later by "
        "another user (a retry after a lost reply). With no think time the users queue for the "
        "workers, so latency under load is mostly waiting (about users / requests per second); "
        "the one-client baseline, run first, shows the time a request itself takes.",
        "",
        "| Measure | Value |",
        "|---|---|",
        f"| Links acknowledged | {o['links_acknowledged']} of {o['links_submitted']} sent, in "
        f"{o['elapsed_seconds']} s |",
        f"| Throughput | **{o['throughput_links_per_second']} links/s** "
        f"({o['throughput_posts_per_second']} acknowledged POSTs/s incl. repeats) |",
        f"| Submit latency p50 / p95 / p99 (max) | **{s['p50_ms']} / {s['p95_ms']} / "
        f"{s['p99_ms']} ms** ({s['max_ms']} ms) over {s['count']} POSTs |",
        f"| Form page latency p50 / p95 / p99 | {f['p50_ms']} / {f['p95_ms']} / {f['p99_ms']} ms "
        f"over {f['count']} GETs |",
        f"| Repeat submissions | {repeats}; acknowledged {o['repeat_acknowledged']} |",
        f"| Errors | {o['submission_errors']} on submit{_kinds(o['submission_errors_by_kind'])}, "
        f"{o['form_errors']} on the form page{_kinds(o['form_errors_by_kind'])} |",
        f"| 500s logged by the server | {o['server_errors_logged']} |",
        f"| Pre-issued links not reached in the time | {o['links_not_reached']} |",
        f"| Baseline: one client alone, {b['links']} links one after another | submit p50 / p95 "
        f"{b['submit_latency']['p50_ms']} / {b['submit_latency']['p95_ms']} ms, form page p50 "
        f"{b['form_latency']['p50_ms']} ms |",
        "",
        *_checks(r["database_checks"]),
        "",
        f"The acknowledged links include the {b['links']} baseline links. At the end no new link "
        "is started and every request in flight is finished, so every reply is read.",
        "",
        _timings(r["timings_seconds"]),
        "",
        _machine(r["machine"]),
        "",
    ]


def _fault(r: dict[str, Any]) -> list[str]:
    c, st = r["config"], r["stream"]
    thresholds = " and then ".join(map(str, c["kill_at_acknowledged"]))
    lines = [
        "## Fault: gunicorn SIGKILLed mid-stream, and the database unreachable",
        "",
        f"Generated {r['generated']} by `{r['command']}`.",
        "",
        "### Kill and restart",
        "",
        f"{c['links']} links; {c['client_threads']} client threads stream them through the JSON "
        f"path. gunicorn ({c['gunicorn_workers']} workers) is SIGKILLed (master and workers, by "
        f"pid) {c['kills']} times, once at least {thresholds} links have been acknowledged, "
        f"left down {c['down_seconds']:g} s, and restarted on the same port. Clients keep the "
        "answers until a reply is HTTP 200 `received` and retry anything else "
        f"({c['retry_backoff']}), as the page script does.",
        "",
        "| Kill | At | Acknowledged by then | PIDs killed | Restart took |",
        "|---|---|---|---|---|",
    ]
    for n, k in enumerate(st["kills"], start=1):
        lines.append(
            f"| {n} | {k['at_seconds']} s | {k['at_acknowledged']} | "
            f"{', '.join(map(str, k['pids']))} | {k['restart_seconds']} s (+{k['down_seconds']:g}"
            " s down) |"
        )
    failures = ", ".join(f"{k}: {v}" for k, v in sorted(st["failed_attempts_by_kind"].items()))
    lines += [
        "",
        "| Measure | Value |",
        "|---|---|",
        f"| Links streamed / acknowledged / gave up | {st['links_streamed']} / "
        f"{st['acknowledged']} / {st['gave_up']} in {st['elapsed_seconds']} s (plus "
        f"{st['database_down_links_acknowledged_after']} database-down links sent afterwards) |",
        f"| POST attempts | {st['post_attempts']} ({st['links_needing_retries']} links needed a "
        f"retry; at most {st['max_attempts_for_one_link']} attempts for one link) |",
        "| Retried links already stored by an attempt whose reply was lost | "
        f"{st['retried_links_already_stored_by_an_unacknowledged_attempt']} |",
        f"| Failed attempts, by kind | {failures or 'none'} |",
        f"| 500s logged by the servers (all runs, database-down included) | "
        f"{st['server_errors_logged']} |",
        "",
        *_checks(r["database_checks"]),
        "",
        "The three links used in the database-down probes below are included: after the probes "
        "they were sent to the healthy server and stored once.",
        "",
        "### Database unreachable",
        "",
        "gunicorn (1 worker) started with a broken `DATABASE_URL`; requests to a real link:",
        "",
        "| Database | Request | Status | Retry-After | Reply | Time |",
        "|---|---|---|---|---|---|",
    ]
    for d in r["database_down"]:
        for p in d["probes"]:
            body = json.dumps(p["body"]) if isinstance(p["body"], dict) else p["body"]
            body = " ".join(str(body).split()).replace("|", "\\|")
            lines.append(
                f"| {d['how']} | {p['request']} | {p['status']} | {p['retry_after']} | {body} | "
                f"{p['ms']} ms |"
            )
    verdict = "PASS" if r["passed"] else "FAIL"
    lines += [
        "",
        f"**Result: {verdict}** (every link stored exactly once; every database-down request "
        "answered 503 with a retry message, none a 500).",
        "",
        _timings(r["timings_seconds"]),
        "",
        _machine(r["machine"]),
        "",
    ]
    return lines


def _fuzz(r: dict[str, Any]) -> list[str]:
    lines = [
        "## API fuzzing against the OpenAPI schema",
        "",
        f"Generated {r['generated']} by `{r['command']}`: schemathesis, "
        f"{r['examples_per_mode']} examples per operation and generation mode (valid and "
        "invalid inputs), checks: no server error, status code and response body as the schema "
        f"declares. {r['requests']} requests in {r['seconds']} s; **{r['server_errors']} 5xx**; "
        f"pytest: {r['pytest']} ({'PASS' if r['passed'] else 'FAIL'}).",
        "",
        "| Operation | Replies by status |",
        "|---|---|",
    ]
    for operation, statuses in r["operations"].items():
        counts = ", ".join(f"{status}: {n}" for status, n in statuses.items())
        lines.append(f"| `{operation}` | {counts} |")
    return [*lines, ""]


def render(results: dict[str, Any]) -> str:
    lines = [
        "# Reliability under load and faults",
        "",
        "Written by `bench/reliability/load.py` and `bench/reliability/fault.py` (see "
        "`bench/reliability/README.md`). A submission is *acknowledged* when the server "
        'answered HTTP 200 `{"status": "received"}`: the moment the page script forgets the '
        "answers it kept on the device. Every acknowledged link must be in the database "
        "exactly once (counted by feedback request id).",
        "",
    ]
    if "load" in results:
        lines += _load(results["load"])
    if "fault" in results:
        lines += _fault(results["fault"])
    if "fuzz" in results:
        lines += _fuzz(results["fuzz"])
    return "\n".join(lines).rstrip() + "\n"
