"""`rapport demo` sets up the demo clinic whose stories a new user can see."""

from __future__ import annotations

import datetime
import subprocess
import sys
from collections import Counter

import pytest
from click.testing import CliRunner
from django.db.models import Max

from rapport.accounts.models import User
from rapport.care.demo_seed import DEMO_PASSWORD, seed_demo
from rapport.care.models import Client, Episode, TherapySession
from rapport.cli import main
from rapport.feedback.models import Response


@pytest.mark.django_db
class TestDemoSeed:
    def test_it_creates_two_therapists_thirty_current_and_135_past_clients(self) -> None:
        """alice and bob, 30 clients in therapy, 135 closed episodes; 6-20 sessions, all scored."""
        today = datetime.date(2026, 11, 23)
        seed_demo(seed=7, today=today)
        assert set(User.objects.filter(role="therapist").values_list("username", flat=True)) == {
            "alice",
            "bob",
        }
        assert Client.objects.count() == 165
        assert Episode.objects.count() == 165  # one episode each
        assert Episode.objects.filter(ended_on__isnull=True).count() == 30
        closed = Episode.objects.filter(ended_on__isnull=False)
        by_measure = Counter(closed.values_list("client__outcome_measure", flat=True))
        assert by_measure == {"phq9": 45, "gad7": 45, "core10": 45}
        for client in Client.objects.all():
            n = TherapySession.objects.filter(episode__client=client).count()
            assert 6 <= n <= 20, client
        for episode in closed.annotate(last=Max("sessions__date")):
            assert episode.last <= episode.ended_on < today, episode  # type: ignore[attr-defined]
        assert not Response.objects.filter(total__isnull=True).exists()
        assert Response.objects.count() == 3 * TherapySession.objects.count()
        assert not Response.objects.filter(session__episode__in=closed).exclude(risk_items=[])
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
