"""Read models for the therapist's pages: caseload rows and a client's session history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Max, OuterRef, QuerySet, Subquery

from rapport.accounts.models import User
from rapport.care.models import Client, TherapySession
from rapport.core.instruments import Instrument, Kind
from rapport.core.status import Status, caseload_status
from rapport.feedback.instruments import THERAPIST_RATING, instrument_or_none
from rapport.feedback.models import Respondent, Response


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
    status: Status


def caseload(user: User) -> list[CaseloadRow]:
    """One row per client, built with a fixed number of queries whatever the caseload size."""
    clients = list(
        Client.objects.visible_to(user).annotate(
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
    rows = []
    for client in clients:
        outcome_response = responses.get(client.outcome_id)  # type: ignore[attr-defined]
        alliance_response = responses.get(client.alliance_id)  # type: ignore[attr-defined]
        outcome = instrument_or_none(client.outcome_measure)
        alliance = instrument_or_none(client.alliance_measure)
        rows.append(
            CaseloadRow(
                client=client,
                last_session=client.last_session,  # type: ignore[attr-defined]
                outcome=outcome,
                outcome_response=outcome_response,
                alliance=alliance,
                alliance_response=alliance_response,
                status=caseload_status(
                    outcome,
                    outcome_response.total if outcome_response else None,
                    alliance,
                    alliance_response.total if alliance_response else None,
                    risk_endorsed=bool(outcome_response and outcome_response.risk_items),
                ),
            )
        )
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


def chart_data(client: Client, records: list[SessionRecord]) -> dict[str, Any]:
    """Everything the client page's charts draw, as JSON-ready data."""
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

    return {
        "labels": [f"S{r.session.number}" for r in records],
        "dates": [r.session.date.isoformat() for r in records],
        "outcome": {
            "measure": describe(outcome),
            "values": _series(records, "outcome", client.outcome_measure),
        },
        "alliance": {
            "measure": describe(alliance),
            "values": _series(records, "alliance", client.alliance_measure),
            "therapist": describe(therapist),
            "therapist_values": _series(records, "therapist", THERAPIST_RATING),
        },
    }
