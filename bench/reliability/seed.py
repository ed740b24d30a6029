"""Seed a clinic for the reliability benchmarks and pre-issue end-of-session feedback links.

Run by ``load.py`` and ``fault.py`` in a subprocess whose ``DATABASE_URL`` names the benchmark's
own database (never the developer's)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rapport_load \\
        .venv/bin/python -m bench.reliability.seed --clients 200 --sessions 10 --out links.json

Writes ``[{"request_id": …, "path": "/f/<token>/"}, …]``: one end-of-session link (the Rapport
check-in, five 0-10 sliders and a comment) per session, in a shuffled order.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import time
from pathlib import Path

import click


@click.command()
@click.option("--clients", default=200, show_default=True)
@click.option("--sessions", default=10, show_default=True, help="Sessions (and links) per client.")
@click.option("--seed", default=2026, show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def main(clients: int, sessions: int, seed: int, out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
    import django  # noqa: PLC0415 - configure Django only in this subprocess

    django.setup()
    from django.db import transaction  # noqa: PLC0415

    from rapport.accounts.models import Clinic, Role, User  # noqa: PLC0415
    from rapport.care.models import Client, Episode, TherapySession  # noqa: PLC0415
    from rapport.feedback import services  # noqa: PLC0415

    started = time.perf_counter()
    links = []
    with transaction.atomic():
        clinic = Clinic.objects.create(name="Load-test clinic")
        therapist = User.objects.create_user(
            "loadtest", password=None, clinic=clinic, role=Role.THERAPIST
        )
        for c in range(clients):
            client = Client.objects.create(
                clinic=clinic,
                therapist=therapist,
                display_name=f"Client {c:05d}",
                outcome_measure="phq9",
                alliance_measure="checkin",
            )
            episode = Episode.objects.create(client=client, started_on=datetime.date(2026, 1, 5))
            for s in range(1, sessions + 1):
                session = TherapySession.objects.create(
                    episode=episode,
                    number=s,
                    date=datetime.date(2026, 1, 5) + datetime.timedelta(weeks=s - 1),
                )
                link = services.issue_link(session, "end", therapist)
                links.append({"request_id": link.request.pk, "path": link.path})
    random.Random(seed).shuffle(links)  # noqa: S311 - order only
    out.write_text(json.dumps(links), encoding="utf-8")
    click.echo(
        f"Seeded {clients} clients x {sessions} sessions, {len(links)} links "
        f"in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
