"""Run the schema fuzzer with more examples and record what every operation answered.

``tests/reliability/test_api_fuzz.py`` runs in CI with a few examples per operation; this runs
the same test with ``--examples`` per generation mode (valid and invalid inputs), logs every
reply, and writes the counts per operation and status to the reliability results::

    .venv/bin/python -m bench.reliability.fuzz --examples 100
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import click

from bench.reliability.harness import REPO, command_line, save_section


@click.command()
@click.option("--examples", default=100, show_default=True, help="Examples per mode.")
def main(examples: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "statuses.txt"
        env = {
            **os.environ,
            "RAPPORT_FUZZ_EXAMPLES": str(examples),
            "RAPPORT_FUZZ_STATUS_LOG": str(log),
        }
        started = time.perf_counter()
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/reliability/test_api_fuzz.py",
            ],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    by_operation: dict[str, Counter[str]] = {}
    for line in lines:
        method, path, status = line.rsplit(" ", 2)
        by_operation.setdefault(f"{method.upper()} {path}", Counter())[status] += 1
    server_errors = sum(n for c in by_operation.values() for s, n in c.items() if s >= "500")
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-300:]
    save_section(
        "fuzz",
        {
            "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": command_line(),
            "examples_per_mode": examples,
            "requests": len(lines),
            "operations": {op: dict(sorted(c.items())) for op, c in sorted(by_operation.items())},
            "server_errors": server_errors,
            "pytest": summary,
            "passed": run.returncode == 0,
            "seconds": round(seconds, 1),
        },
    )
    click.echo(f"{len(lines)} requests, {server_errors} 5xx; pytest: {summary}")
    sys.exit(run.returncode)


if __name__ == "__main__":
    main()
