"""Read models for the therapist's pages: caseload rows and a client's session history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Max, OuterRef, QuerySet, Subquery

from rapport.accounts.models import User
from rapport.care.models import Client, TherapySession
from rapport.core.instruments import Instrument, Kind
from rapport.core.signals import ClientSignals, Urgency
from rapport.core.trajectory import NotEnoughData, TrajectoryModel
from rapport.feedback.instruments import THERAPIST_RATING, instrument_or_none
from rapport.feedback.models import Respondent, Response
from rapport.signals.reading import signals_for_clients


def _latest_client_response(measure_field: str) -> Subquery:
    """Id of the client's newest response to the measure named in ``measure_field``."""
    return Subquery(
        Response.objects.filter(
            session__episode__client=OuterRef("pk"),
            instrument=OuterRef(measure_field),
            respondent=Respondent.CLIENT,
        )
        .order_by("-session__date", "-session__number", "-submitted_at")
        .values("pk")[:1]
    )


@dataclass
class CaseloadRow:
    client: Client
    last_session: date | None
    outcome: Instrument | None
    outcome_response: Response | None
    alliance: Instrument | None
    alliance_response: Response | None
    signals: ClientSignals

    @property
    def urgency(self) -> Urgency:
        return self.signals.urgency


def caseload(user: User) -> list[CaseloadRow]:
    """One row per active client, most urgent first, in a fixed number of queries."""
    clients = list(
        Client.objects.visible_to(user)
        .active()
        .annotate(
            last_session=Max("episodes__sessions__date"),
            outcome_id=_latest_client_response("outcome_measure"),
            alliance_id=_latest_client_response("alliance_measure"),
        )
    )
    ids = [c.outcome_id for c in clients if c.outcome_id] + [  # type: ignore[attr-defined]
        c.alliance_id
        for c in clients
        if c.alliance_id  # type: ignore[attr-defined]
    ]
    responses = Response.objects.in_bulk(ids)
    signals = signals_for_clients(clients, user.clinic_id)
    rows = [
        CaseloadRow(
            client=client,
            last_session=client.last_session,  # type: ignore[attr-defined]
            outcome=instrument_or_none(client.outcome_measure),
            outcome_response=responses.get(client.outcome_id),  # type: ignore[attr-defined]
            alliance=instrument_or_none(client.alliance_measure),
            alliance_response=responses.get(client.alliance_id),  # type: ignore[attr-defined]
            signals=signals[client.pk].signals,
        )
        for client in clients
    ]
    rows.sort(key=lambda r: (r.urgency, r.client.display_name))  # triage: most urgent first
    return rows


@dataclass
class SessionRecord:
    session: TherapySession
    outcome: Response | None = None
    alliance: Response | None = None
    therapist: Response | None = None
    others: list[Response] = field(default_factory=list)


def session_records(client: Client, sessions: QuerySet[TherapySession]) -> list[SessionRecord]:
    """Each session with the latest response per role, in two queries.

    Responses are placed by the kind of measure they answer, not by the client's current
    choice, so answers given before a change of measure stay visible.
    """
    records = {s.pk: SessionRecord(s) for s in sessions}
    responses = Response.objects.filter(session_id__in=records).order_by("submitted_at")
    for response in responses:
        record = records[response.session_id]
        instrument = instrument_or_none(response.instrument)
        if response.respondent == Respondent.THERAPIST and response.instrument == THERAPIST_RATING:
            record.therapist = response
        elif response.respondent != Respondent.CLIENT or instrument is None:
            record.others.append(response)
        elif instrument.kind is Kind.OUTCOME:
            record.outcome = response
        else:
            record.alliance = response
    return list(records.values())


def _series(records: list[SessionRecord], attr: str, code: str) -> list[float | None]:
    """Totals of one measure across sessions; other measures' totals are not comparable."""
    values = []
    for record in records:
        response = getattr(record, attr)
        values.append(response.total if response and response.instrument == code else None)
    return values


def _expected_band(
    records: list[SessionRecord],
    outcome_values: list[float | None],
    model: TrajectoryModel | NotEnoughData | None,
) -> tuple[list[float | None], list[float | None]]:
    """Expected scores and not-on-track boundaries per session, None where there are none."""
    intake = next((v for v in outcome_values if v is not None), None)
    expected: list[float | None] = []
    boundary: list[float | None] = []
    for record in records:
        if not isinstance(model, TrajectoryModel) or intake is None or record.session.number < 2:
            expected.append(None)
            boundary.append(None)
            continue
        band = model.band(intake, record.session.number)
        expected.append(round(band.expected, 2))
        boundary.append(None if band.boundary is None else round(band.boundary, 2))
    return expected, boundary


def _alliance_markers(records: list[SessionRecord], signals: ClientSignals) -> list[str | None]:
    """Per session: "rupture", "repaired" (the session that repaired one) or None."""
    marks: dict[int, str] = {}
    if signals.alliance is not None:
        for rupture in signals.alliance.ruptures:
            marks[rupture.session] = "rupture"
            if rupture.repaired_at is not None:
                marks[rupture.repaired_at] = "repaired"
    return [marks.get(r.session.number) for r in records]


def chart_data(
    client: Client,
    records: list[SessionRecord],
    signals: ClientSignals | None = None,
    model: TrajectoryModel | NotEnoughData | None = None,
) -> dict[str, Any]:
    """Everything the client page's charts draw, as JSON-ready data.

    With ``signals`` the alliance chart marks ruptures and repairs; with a fitted trajectory
    ``model`` the outcome chart draws the expected course and the not-on-track boundary.
    """
    outcome = instrument_or_none(client.outcome_measure)
    alliance = instrument_or_none(client.alliance_measure)
    therapist = instrument_or_none(THERAPIST_RATING)

    def describe(instrument: Instrument | None) -> dict[str, Any] | None:
        if instrument is None:
            return None
        return {
            "name": instrument.name,
            "cutoff": instrument.cutoff,
            "min": instrument.total_range[0],
            "max": instrument.total_range[1],
            "better": str(instrument.better),
        }

    outcome_values = _series(records, "outcome", client.outcome_measure)
    expected, boundary = _expected_band(records, outcome_values, model)
    return {
        "labels": [f"S{r.session.number}" for r in records],
        "dates": [r.session.date.isoformat() for r in records],
        "outcome": {
            "measure": describe(outcome),
            "values": outcome_values,
            "expected": expected,
            "boundary": boundary,
        },
        "alliance": {
            "measure": describe(alliance),
            "values": _series(records, "alliance", client.alliance_measure),
            "therapist": describe(therapist),
            "therapist_values": _series(records, "therapist", THERAPIST_RATING),
            "markers": _alliance_markers(records, signals) if signals else [None] * len(records),
        },
    }
