"""Feed the core signal rules from the database, for many clients in a fixed number of queries.

One function, :func:`signals_for_clients`, serves the caseload (every client of a therapist),
the client page (one client) and the supervisor view (every client of a clinic), so a signal
is computed the same way wherever it is shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef

from rapport.care.models import Client, Episode, TherapySession
from rapport.core.instruments import Instrument
from rapport.core.signals import ClientData, ClientSignals, RiskEndorsement, evaluate_client
from rapport.core.trajectory import NotEnoughData, TrajectoryModel
from rapport.feedback.instruments import THERAPIST_RATING, instrument_or_none
from rapport.feedback.models import Respondent, Response
from rapport.signals.models import RiskAcknowledgement, TrajectoryFit

Trajectory = TrajectoryModel | NotEnoughData


@dataclass(frozen=True)
class ClientSignalsView:
    """A client's signals with the episode they were computed on."""

    client: Client
    episode: Episode | None
    signals: ClientSignals
    trajectory: Trajectory | None  # the clinic's model for the client's outcome measure


def trajectory_models(clinic_id: int | None) -> dict[str, Trajectory]:
    """The clinic's stored models by measure code (one query)."""
    models: dict[str, Trajectory] = {}
    for fit in TrajectoryFit.objects.filter(clinic_id=clinic_id):
        if fit.parameters:
            models[fit.instrument] = TrajectoryModel.from_dict(fit.parameters)
        else:
            models[fit.instrument] = NotEnoughData(fit.reason, fit.n_episodes, fit.n_scores)
    return models


def current_episodes(clients: Sequence[Client]) -> dict[int, Episode]:
    """Each client's open episode, or their latest one if all have ended (one query)."""
    chosen: dict[int, Episode] = {}
    for episode in Episode.objects.filter(client__in=clients).order_by("started_on", "pk"):
        held = chosen.get(episode.client_id)
        if held is None or episode.ended_on is None or held.ended_on is not None:
            chosen[episode.client_id] = episode
    return chosen


@dataclass(frozen=True)
class RiskAlert:
    """An endorsed risk item awaiting acknowledgement, worded for the banner."""

    pk: int  # the response's id
    session: TherapySession
    instrument_name: str
    risk_text: str


def unacknowledged_risks(client: Client) -> list[RiskAlert]:
    """The client's responses with risk items nobody has acknowledged yet, any episode."""
    responses = (
        Response.objects.filter(session__episode__client=client, risk_acknowledgement__isnull=True)
        .exclude(risk_items=[])
        .select_related("session")
        .order_by("session__date", "submitted_at")
    )
    alerts = []
    for response in responses:
        instrument = instrument_or_none(response.instrument)
        name = instrument.name if instrument else response.instrument
        risks = _risks(instrument, response.risk_items, response.answers, response.session.number)
        parts = [f"“{r.item}” answered “{r.answer}”" for r in risks]
        alerts.append(RiskAlert(response.pk, response.session, name, "; ".join(parts)))
    return alerts


def _answer_label(instrument: Instrument, number: int, value: float) -> str:
    item = instrument.item(number)
    for choice in item.scale.choices:
        if choice.value == value and choice.label:
            return choice.label
    return f"{value:g}"


def _risks(
    instrument: Instrument | None,
    risk_items: list[int],
    answers: dict[str, Any],
    session_number: int,
) -> list[RiskEndorsement]:
    """Each endorsed risk item of one response, worded with its label and the answer given."""
    if instrument is None:
        return []
    endorsements = []
    for number in risk_items:
        value = answers.get(str(number))
        endorsements.append(
            RiskEndorsement(
                session=session_number,
                measure=instrument.name,
                item=instrument.item(number).label,
                answer="?" if value is None else _answer_label(instrument, number, float(value)),
            )
        )
    return endorsements


def _latest_per_session(rows: Iterable[dict[str, Any]]) -> list[tuple[int, float]]:
    """(session number, total) with the newest response winning when a session has two."""
    by_session: dict[int, float] = {}
    for row in rows:  # rows arrive oldest first
        if row["total"] is not None:
            by_session[row["session__number"]] = row["total"]
    return sorted(by_session.items())


def signals_for_clients(
    clients: Sequence[Client], clinic_id: int | None
) -> dict[int, ClientSignalsView]:
    """Signals for every client, keyed by client id, in four queries whatever their number."""
    episodes = current_episodes(clients)
    models = trajectory_models(clinic_id)
    acknowledged = RiskAcknowledgement.objects.filter(response=OuterRef("pk"))
    rows = (
        Response.objects.filter(session__episode__in=list(episodes.values()))
        .annotate(acknowledged=Exists(acknowledged))
        .order_by("submitted_at", "pk")
        .values(
            "pk",
            "instrument",
            "respondent",
            "total",
            "answers",
            "risk_items",
            "session__number",
            "session__episode_id",
            "acknowledged",
        )
    )
    by_episode: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_episode[row["session__episode_id"]].append(row)

    therapist = instrument_or_none(THERAPIST_RATING)
    result = {}
    for client in clients:
        episode = episodes.get(client.pk)
        episode_rows = by_episode.get(episode.pk, []) if episode else []
        outcome = instrument_or_none(client.outcome_measure)
        alliance = instrument_or_none(client.alliance_measure)
        client_rows = [r for r in episode_rows if r["respondent"] == Respondent.CLIENT]
        alliance_rows = [r for r in client_rows if r["instrument"] == client.alliance_measure]
        risky = [r for r in client_rows if r["risk_items"] and not r["acknowledged"]]
        latest_items: dict[str, float] = {}
        if alliance is not None and alliance_rows:
            numbered = {item.number: item.key for item in alliance.items}
            for number, value in alliance_rows[-1]["answers"].items():
                if value is not None and int(number) in numbered:
                    latest_items[numbered[int(number)]] = float(value)
        data = ClientData(
            outcome=outcome,
            outcome_scores=_latest_per_session(
                r for r in client_rows if r["instrument"] == client.outcome_measure
            ),
            alliance=alliance,
            alliance_scores=_latest_per_session(alliance_rows),
            alliance_items=latest_items,
            therapist=therapist,
            therapist_scores=_latest_per_session(
                r
                for r in episode_rows
                if r["respondent"] == Respondent.THERAPIST and r["instrument"] == THERAPIST_RATING
            ),
            risks=[
                risk
                for r in risky
                for risk in _risks(
                    instrument_or_none(r["instrument"]),
                    r["risk_items"],
                    r["answers"],
                    r["session__number"],
                )
            ],
            trajectory=models.get(client.outcome_measure),
        )
        result[client.pk] = ClientSignalsView(
            client=client,
            episode=episode,
            signals=evaluate_client(data),
            trajectory=data.trajectory,
        )
    return result
