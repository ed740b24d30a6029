"""Aggregates for clinic supervisors: per therapist, counts and shares, never client records.

A supervisor has no right to a client's answers, so nothing here returns a name, an item or a
comment: only counts, shares and means over a therapist's caseload. Every share carries its
denominator, so nobody reads 1 of 1 as a rate.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import mean

from rapport.accounts.models import Clinic, Role, User
from rapport.care.models import Client
from rapport.core.change import ChangeCategory, classify_change
from rapport.core.instruments import Kind
from rapport.core.signals import SignalKind, Urgency
from rapport.core.trajectory import Progress
from rapport.feedback.instruments import instrument_or_none
from rapport.feedback.models import Respondent, Response
from rapport.signals.reading import signals_for_clients


@dataclass(frozen=True)
class Share:
    count: int
    of: int

    @property
    def percent(self) -> float | None:
        return None if self.of == 0 else 100 * self.count / self.of


@dataclass
class TherapistSummary:
    therapist: User
    active_clients: int = 0
    by_urgency: Counter[Urgency] = field(default_factory=Counter)
    open_signals: Counter[SignalKind] = field(default_factory=Counter)
    on_track: Share = Share(0, 0)
    alliance: dict[str, tuple[float, int]] = field(default_factory=dict)  # name -> (mean, n)
    closed_improved: Share = Share(0, 0)

    @property
    def open_signal_total(self) -> int:
        return sum(self.open_signals.values())

    def urgency_count(self, name: str) -> int:
        return self.by_urgency[Urgency[name.upper()]]


def _active_clients(clinic: Clinic) -> list[Client]:
    return list(Client.objects.filter(clinic=clinic).active().select_related("therapist"))


def _closed_episode_changes(clinic: Clinic) -> dict[int, Share]:
    """Per therapist: closed episodes with reliable improvement, over those with 2+ scores."""
    rows = (
        Response.objects.filter(
            session__episode__client__clinic=clinic,
            session__episode__ended_on__isnull=False,
            respondent=Respondent.CLIENT,
            total__isnull=False,
        )
        .order_by("session__number", "submitted_at")
        .values_list(
            "session__episode_id", "session__episode__client__therapist_id", "instrument", "total"
        )
    )
    series: dict[tuple[int, int, str], list[float]] = defaultdict(list)
    for episode_id, therapist_id, code, total in rows:
        series[(therapist_id, episode_id, code)].append(total)
    improved: Counter[int] = Counter()
    judged: Counter[int] = Counter()
    for (therapist_id, _, code), totals in series.items():
        instrument = instrument_or_none(code)
        if instrument is None or instrument.kind is not Kind.OUTCOME:
            continue
        category = classify_change(instrument, totals).category
        if category is ChangeCategory.INSUFFICIENT:
            continue
        judged[therapist_id] += 1
        improved[therapist_id] += category in (ChangeCategory.IMPROVED, ChangeCategory.RECOVERED)
    return {t: Share(improved[t], judged[t]) for t in judged}


def clinic_summary(clinic: Clinic) -> list[TherapistSummary]:
    """One summary per therapist of the clinic, in a fixed number of queries."""
    therapists = User.objects.filter(clinic=clinic, role=Role.THERAPIST).order_by("last_name")
    summaries = {t.pk: TherapistSummary(t) for t in therapists}
    clients = _active_clients(clinic)
    views = signals_for_clients(clients, clinic.pk)
    on_track: Counter[int] = Counter()
    judged: Counter[int] = Counter()
    alliance_scores: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for client in clients:
        summary = summaries.get(client.therapist_id)
        if summary is None:  # a client of a deactivated or re-roled member still counts nowhere
            continue
        signals = views[client.pk].signals
        summary.active_clients += 1
        summary.by_urgency[signals.urgency] += 1
        summary.open_signals.update(s.kind for s in signals.signals)
        progress = signals.progress
        if progress is not None and progress.progress is not Progress.UNKNOWN:
            judged[client.therapist_id] += 1
            on_track[client.therapist_id] += progress.progress is Progress.ON_TRACK
        review = signals.alliance
        alliance = instrument_or_none(client.alliance_measure)
        if review is not None and review.latest_score is not None and alliance is not None:
            alliance_scores[client.therapist_id][alliance.name].append(review.latest_score)
    closed = _closed_episode_changes(clinic)
    for pk, summary in summaries.items():
        summary.on_track = Share(on_track[pk], judged[pk])
        summary.alliance = {
            name: (mean(values), len(values)) for name, values in alliance_scores[pk].items()
        }
        summary.closed_improved = closed.get(pk, Share(0, 0))
    return list(summaries.values())
