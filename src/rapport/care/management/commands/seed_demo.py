from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.care.demo_seed import demo_exists, seed_demo


class Command(BaseCommand):
    help = (
        "Create the fictional demo clinic (an admin, a supervisor, 2 therapists, 30 current "
        "clients and 135 past ones with closed episodes), reproducibly from a seed, then fit "
        "its expected-trajectory models. Refuses if the demo clinic already exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_exists():
            raise CommandError("The demo clinic already exists; start from an empty database.")
        for login in seed_demo(seed=options["seed"]):
            self.stdout.write(f"{login.role:14} {login.username:8} password {login.password}")
        call_command("fit_trajectories", stdout=self.stdout)
