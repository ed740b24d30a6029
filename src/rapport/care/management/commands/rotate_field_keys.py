from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from rapport.fields import DecryptionError, encrypted_fields, rotate_column


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value (comments, notes) with the first key in "
        "RAPPORT_FIELD_KEYS, in batches. Values already under that key are left alone, so it "
        "is safe to run again. Afterwards the other keys can be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows per transaction (default 500)."
        )
        parser.add_argument("--database", default="default", help="Database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more")
        connection = connections[options["database"]]
        total_changed = total_current = 0
        for model, field in encrypted_fields():
            try:
                changed, current = rotate_column(connection, model, field.name, batch_size)
            except DecryptionError as exc:
                raise CommandError(str(exc)) from exc
            total_changed += changed
            total_current += current
            self.stdout.write(
                f"{model._meta.label}.{field.name}: {changed} re-encrypted, "
                f"{current} already under the current key or empty"
            )
        self.stdout.write(
            f"Done: {total_changed} re-encrypted, {total_current} already current or empty."
        )
