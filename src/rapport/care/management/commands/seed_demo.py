from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from rapport.care.demo_seed import demo_exists, seed_demo


class Command(BaseCommand):
    help = (
        "Create the fictional demo clinic (2 therapists, ~30 clients with 6-20 sessions each), "
        "reproducibly from a seed. Refuses if the demo clinic already exists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_exists():
            raise CommandError("The demo clinic already exists; start from an empty database.")
        for login in seed_demo(seed=options["seed"]):
            self.stdout.write(f"{login.role:14} {login.username:8} password {login.password}")
