"""The docs cannot drift from the CLI: every command has help text and is shown in the docs.

After sqlite-utils' ``tests/test_docs.py``: a new command fails here until someone documents it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from rapport.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    """Override the project-wide autouse fixture: nothing here needs Django."""


def _commands(group: click.Group, prefix: str = "rapport") -> Iterator[tuple[str, click.Command]]:
    for name, command in sorted(group.commands.items()):
        path = f"{prefix} {name}"
        yield path, command
        if isinstance(command, click.Group):
            yield from _commands(command, path)


COMMANDS = list(_commands(main))
DOCS = "\n".join(
    p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted(ROOT.glob("docs/*.md"))]
)


def test_it_finds_the_commands() -> None:
    """The walk sees nested groups (e.g. ``rapport keys generate``), so the checks are real."""
    names = {path for path, _ in COMMANDS}
    assert {"rapport demo", "rapport analyze", "rapport keys generate"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_has_help_text(path: str, command: click.Command) -> None:
    """``rapport … --help`` explains every command."""
    assert (command.help or "").strip(), f"{path} has no help text"


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS])
def test_every_command_is_in_the_docs(path: str) -> None:
    """README.md or docs/*.md shows every command by its full name."""
    assert path in DOCS, f"{path} appears in neither README.md nor docs/"
