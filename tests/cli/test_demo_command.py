"""`rapport demo` sets up the demo clinic whose stories a new user can see."""

from __future__ import annotations

import datetime
import subprocess
import sys

import pytest
from click.testing import CliRunner

from rapport.accounts.models import User
from rapport.care.demo_seed import DEMO_PASSWORD, seed_demo
from rapport.care.models import Client, TherapySession
from rapport.cli import main
from rapport.feedback.models import Response


@pytest.mark.django_db
class TestDemoSeed:
    def test_it_creates_two_therapists_and_about_thirty_clients(self) -> None:
        """The demo has alice and bob, ~30 clients, 6-20 sessions each, every one scored."""
        seed_demo(seed=7, today=datetime.date(2026, 11, 23))
        assert set(User.objects.filter(role="therapist").values_list("username", flat=True)) == {
            "alice",
            "bob",
        }
        assert 25 <= Client.objects.count() <= 35
        for client in Client.objects.all():
            n = TherapySession.objects.filter(episode__client=client).count()
            assert 6 <= n <= 20, client
        assert not Response.objects.filter(total__isnull=True).exists()
        assert User.objects.get(username="alice").check_password(DEMO_PASSWORD)

    def test_it_tells_the_deterioration_and_risk_story(self) -> None:
        """Alice's deteriorating client has a reliable PHQ-9 rise and an endorsed item 9."""
        seed_demo(seed=7, today=datetime.date(2026, 11, 23))
        alice = User.objects.get(username="alice")
        flagged = Response.objects.filter(
            session__episode__client__therapist=alice, instrument="phq9"
        ).exclude(risk_items=[])
        assert flagged.exists()
        client = flagged.first().session.episode.client  # type: ignore[union-attr]
        totals = list(
            Response.objects.filter(session__episode__client=client, instrument="phq9")
            .order_by("session__number")
            .values_list("total", flat=True)
        )
        assert totals[-1] - totals[0] >= 6


class TestCli:
    def test_every_command_has_help_text(self) -> None:
        """Each command and group explains itself in --help."""

        def walk(group, path):  # type: ignore[no-untyped-def]
            for name, command in group.commands.items():
                assert command.help, f"rapport {' '.join([*path, name])} has no help"
                if hasattr(command, "commands"):
                    walk(command, [*path, name])

        walk(main, [])

    def test_it_lists_measures_with_their_licence(self) -> None:
        """`rapport instruments` shows each measure and whether its text is installed."""
        result = CliRunner().invoke(main, ["instruments"])
        assert result.exit_code == 0, result.output
        assert "phq9" in result.output
        assert "srs" in result.output
        assert "text missing" in result.output
        assert "project-authored" in result.output

    def test_demo_sets_up_a_fresh_database_without_serving(self, tmp_path) -> None:  # type: ignore[no-untyped-def]
        """A fresh data folder gets migrated and seeded; the logins are printed."""
        env = {"RAPPORT_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
        run = subprocess.run(
            [sys.executable, "-m", "rapport.cli", "demo", "--no-serve"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        assert "username alice" in run.stdout
        assert DEMO_PASSWORD in run.stdout
        assert (tmp_path / "rapport.sqlite3").exists()
        again = subprocess.run(
            [sys.executable, "-m", "rapport.cli", "demo", "--no-serve"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert "already set up" in again.stdout
