"""The demo clinic's stories raise the right signals once its trajectory models are fitted."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as Browser
from django.urls import reverse

from rapport.accounts.models import Clinic, User
from rapport.analysis.models import TranscriptAnalysis
from rapport.care.demo_seed import seed_demo
from rapport.care.models import Client
from rapport.consent.models import ConsentRecord
from rapport.consent.models import Purpose as ConsentPurpose
from rapport.core.alliance import RuptureState
from rapport.core.signals import ClientSignals, SignalKind, Urgency
from rapport.core.trajectory import Progress
from rapport.signals.models import TrajectoryFit
from rapport.signals.reading import signals_for_clients
from rapport.signals.services import fit_clinic_trajectories


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Seed and fit once for the module (about 2,000 sessions), rolled back at the end.

    Each test's own transaction nests inside this one as a savepoint, so nothing leaks into
    the rest of the suite.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(seed=2026, today=datetime.date(2026, 11, 23))
        fit_clinic_trajectories(Clinic.objects.get())
        yield
        transaction.set_rollback(True)


def _signals(name: str) -> ClientSignals:
    client = Client.objects.get(display_name=name)
    return signals_for_clients([client], client.clinic_id)[client.pk].signals


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDemoStories:
    def test_it_fits_an_expected_course_for_each_demo_outcome_measure(self) -> None:
        fitted = set(
            TrajectoryFit.objects.filter(parameters__isnull=False).values_list(
                "instrument", flat=True
            )
        )
        assert {"phq9", "gad7", "core10"} <= fitted
        assert TrajectoryFit.objects.get(instrument="ors").parameters is None  # no ORS history

    def test_it_puts_marcus_at_the_top_for_risk_and_deterioration(self) -> None:
        signals = _signals("Marcus J.")
        assert signals.urgency is Urgency.RISK
        kinds = [s.kind for s in signals.signals]
        assert kinds[0] is SignalKind.RISK
        assert SignalKind.DETERIORATION in kinds

    def test_it_shows_priyas_rupture_at_session_7_repaired(self) -> None:
        signals = _signals("Priya S.")
        assert signals.alliance is not None
        ruptures = signals.alliance.ruptures
        assert [r.session for r in ruptures] == [7]
        assert ruptures[0].state is RuptureState.REPAIRED
        assert SignalKind.RUPTURE not in [s.kind for s in signals.signals]  # repaired: closed

    def test_it_ranks_hannahs_fresh_rupture_as_awaiting_repair(self) -> None:
        signals = _signals("Hannah B.")
        assert signals.urgency is Urgency.RUPTURE
        assert signals.alliance is not None
        assert signals.alliance.ruptures[-1].state is RuptureState.OPEN
        assert "awaiting repair" in signals.reason
        # Alice rated that session as usual: the gap between the two views is flagged too.
        assert SignalKind.RATER_GAP in [s.kind for s in signals.signals]

    def test_it_reads_daniels_low_start_as_persistently_low_not_a_rupture(self) -> None:
        signals = _signals("Daniel K.")
        assert signals.alliance is not None
        assert signals.alliance.ruptures == ()
        assert signals.alliance.low_runs
        assert signals.alliance.low_runs[0].first_session == 1
        assert signals.alliance.persistently_low is None  # his alliance has since recovered

    def test_it_leaves_maya_unflagged_and_on_course(self) -> None:
        signals = _signals("Maya L.")
        assert signals.signals == ()
        assert signals.urgency is Urgency.GREEN
        assert signals.progress is not None
        assert signals.progress.progress in (Progress.ON_TRACK, Progress.BELOW_EXPECTED)

    def test_it_orders_alices_caseload_by_urgency_and_draws_the_band(self) -> None:
        browser = Browser()
        browser.force_login(User.objects.get(username="alice"))
        page = browser.get(reverse("caseload")).text
        assert page.index("Marcus J.") < page.index("Hannah B.") < page.index("Priya S.")
        priya = Client.objects.get(display_name="Priya S.")
        detail = browser.get(reverse("client-detail", args=[priya.pk])).text
        assert "Rupture at session 7" in detail
        assert "repaired at session" in detail
        assert '"expected": [null, ' in detail  # the band starts at session 2

    def test_it_gives_the_supervisor_aggregates(self) -> None:
        browser = Browser()
        browser.force_login(User.objects.get(username="sam"))
        page = browser.get(reverse("supervision")).text
        assert "Marcus J." not in page
        assert 'data-therapist="alice"' in page
        assert "No closed episodes yet" not in page  # the demo's past clients count


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDemoConsent:
    def test_every_client_agreed_to_feedback_and_some_to_research(self) -> None:
        clients = Client.objects.count()
        feedback = ConsentRecord.objects.filter(purpose=ConsentPurpose.FEEDBACK, granted=True)
        assert feedback.values("client").distinct().count() == clients
        research = ConsentRecord.objects.filter(
            purpose=ConsentPurpose.RESEARCH, granted=True
        ).count()
        assert 0 < research < clients
        transcripts = ConsentRecord.objects.filter(purpose=ConsentPurpose.TRANSCRIPTS)
        assert [r.client.display_name for r in transcripts] == ["Hannah B."]


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
class TestDemoTranscript:
    def test_hannahs_rupture_session_has_a_transcript_analysis(self) -> None:
        """Session 8, where her ratings fell, carries an analysis whose markers find the
        withdrawal (minimal response, deferring), the rejected suggestion and her complaint."""
        analysis = TranscriptAnalysis.objects.get()
        assert analysis.session.episode.client.display_name == "Hannah B."
        assert analysis.session.number == 8
        assert analysis.uploaded_by.username == "alice"
        markers = {(m["kind"], m["marker"]) for m in analysis.report["ruptures"]}
        assert ("withdrawal", "deferring") in markers
        assert ("confrontation", "rejecting_intervention") in markers
        assert ("confrontation", "complaint_about_therapy") in markers
        assert analysis.labels_from == "none"  # no trained model in the demo

    def test_alice_sees_it_beside_hannahs_ratings(self) -> None:
        browser = Browser()
        browser.force_login(User.objects.get(username="alice"))
        analysis = TranscriptAnalysis.objects.get()
        page = browser.get(reverse("session-detail", args=[analysis.session_id])).text
        assert "Transcript analysis" in page
        assert "Whatever you think is best" in page  # the evidence line is shown
