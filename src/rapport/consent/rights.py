"""Client rights: a full export of one client's data, and anonymisation on request.

Export gathers everything Rapport holds about a client, machine-readable (JSON) and readable by
a person (an HTML page rendered from the same data). Anonymisation removes what identifies the
client or holds their words (name, year of birth, comments, plan texts, notes, transcript
analyses, which quote the session) and keeps the numbers, so the clinic's statistics and the
audit trail stay whole; it is recorded in ``Erasure`` and, like every request naming a client,
in the audit trail.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.analysis.models import PendingTranscript, TranscriptAnalysis
from rapport.care.models import Client
from rapport.consent.models import Erasure
from rapport.feedback.models import Response
from rapport.plans.models import GoalRating, PlanFeedback, PlanVersion
from rapport.signals.models import RiskAcknowledgement

EXPORT_FORMAT = 1
ERASED = "[erased on request]"


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def export_client(client: Client) -> dict[str, Any]:
    """Everything held about ``client``, as JSON-ready data (a few queries per table)."""
    responses: dict[int, list[dict[str, Any]]] = {}
    acks = {
        a.response_id: a
        for a in RiskAcknowledgement.objects.filter(response__session__episode__client=client)
    }
    for r in Response.objects.filter(session__episode__client=client).order_by("submitted_at"):
        ack = acks.get(r.pk)
        responses.setdefault(r.session_id, []).append(
            {
                "measure": r.instrument,
                "respondent": r.respondent,
                "answers": r.answers,
                "comments": r.comments,
                "total": r.total,
                "band": r.band,
                "risk_items": r.risk_items,
                "submitted_at": _iso(r.submitted_at),
                "risk_acknowledgement": None
                if ack is None
                else {"at": _iso(ack.acknowledged_at), "note": ack.note},
            }
        )
    ratings: dict[int, list[dict[str, Any]]] = {}
    for g in GoalRating.objects.filter(session__episode__client=client):
        ratings.setdefault(g.session_id, []).append({"goal": g.goal_key, "value": g.value})
    analyses: dict[int, list[dict[str, Any]]] = {}
    for a in TranscriptAnalysis.objects.filter(session__episode__client=client).order_by(
        "uploaded_at", "pk"
    ):
        analyses.setdefault(a.session_id, []).append(
            {
                "uploaded_at": _iso(a.uploaded_at),
                "file_name": a.original_name,
                "sha256": a.sha256,
                "format": a.detected_format,
                "utterances": a.utterances,
                "words": a.words,
                "labels_from": a.labels_from,
                "model": a.model_info,
                "report": a.report,
            }
        )
    episodes = []
    for episode in client.episodes.order_by("started_on").prefetch_related("sessions"):
        episodes.append(
            {
                "started_on": _iso(episode.started_on),
                "ended_on": _iso(episode.ended_on),
                "sessions": [
                    {
                        "number": s.number,
                        "date": _iso(s.date),
                        "modality": s.modality,
                        "responses": responses.get(s.pk, []),
                        "goal_ratings": ratings.get(s.pk, []),
                        "transcript_analyses": analyses.get(s.pk, []),
                    }
                    for s in episode.sessions.order_by("number")
                ],
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _iso(timezone.now()),
        "client": {
            "record_number": client.pk,
            "display_name": client.display_name,
            "year_of_birth": client.year_of_birth,
            "outcome_measure": client.outcome_measure,
            "alliance_measure": client.alliance_measure,
            "created_at": _iso(client.created_at),
        },
        "episodes": episodes,
        "plan_versions": [
            {
                "number": v.number,
                "created_at": _iso(v.created_at),
                "summary": v.summary,
                "reviewed": v.reviewed,
                "plan": v.snapshot,
            }
            for v in client.plan_versions.order_by("number")
        ],
        "plan_feedback": [
            {
                "version": f.version.number,
                "agreed": f.agreed,
                "comment": f.comment,
                "at": _iso(f.submitted_at),
            }
            for f in PlanFeedback.objects.filter(version__client=client).select_related("version")
        ],
        "consent": [
            {
                "purpose": c.purpose,
                "granted": c.granted,
                "method": c.method,
                "at": _iso(c.recorded_at),
            }
            for c in client.consents.order_by("recorded_at")
        ],
    }


def _erase_plan_text(snapshot: Any) -> Any:
    """The plan's structure with every title and level description replaced."""
    if isinstance(snapshot, dict):
        return {
            key: (ERASED if key == "title" else _erase_plan_text(value))
            if key != "levels"
            else [ERASED] * len(value)
            for key, value in snapshot.items()
        }
    if isinstance(snapshot, list):
        return [_erase_plan_text(item) for item in snapshot]
    return snapshot


@transaction.atomic
def anonymise_client(client: Client, user: User) -> Erasure:
    """Remove the client's name, year of birth and every free text; keep the numbers.

    Transcript analyses are deleted whole (with any upload still awaiting roles): they quote
    the session throughout, so nothing in them is safe to keep.
    """
    client.display_name = f"Erased client {client.pk}"
    client.year_of_birth = None
    client.save(update_fields=["display_name", "year_of_birth"])
    for response in Response.objects.filter(session__episode__client=client):
        if response.comments:
            response.comments = {}
            response.save(update_fields=["comments"])
    for version in PlanVersion.objects.filter(client=client):
        version.snapshot = _erase_plan_text(version.snapshot)
        version.summary = ERASED
        version.save(update_fields=["snapshot", "summary"])
    for feedback in PlanFeedback.objects.filter(version__client=client):
        feedback.comment = ""
        feedback.save(update_fields=["comment"])
    for ack in RiskAcknowledgement.objects.filter(response__session__episode__client=client):
        ack.note = ERASED
        ack.save(update_fields=["note"])
    TranscriptAnalysis.objects.filter(session__episode__client=client).delete()
    PendingTranscript.objects.filter(session__episode__client=client).delete()
    return Erasure.objects.create(client_id=client.pk, erased_by=user)
