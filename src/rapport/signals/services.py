"""Write side of the signal layer: fit the clinic's trajectory models, acknowledge risk."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import Clinic, User
from rapport.core.instruments import Kind, Respondent
from rapport.core.trajectory import TrajectoryModel, fit_trajectory
from rapport.feedback.instruments import registry
from rapport.feedback.models import Response
from rapport.signals.models import NOTE_LENGTH, RiskAcknowledgement, TrajectoryFit


def fit_clinic_trajectories(clinic: Clinic) -> list[TrajectoryFit]:
    """Fit (or record why it cannot fit) an expected-trajectory model per outcome measure.

    The history is every episode of the clinic, closed or ongoing, scored by the client on that
    measure; each episode's sessions are numbered from 1, so its first score is its intake.
    """
    rows = (
        Response.objects.filter(
            session__episode__client__clinic=clinic,
            respondent=Respondent.CLIENT.value,
            total__isnull=False,
        )
        .order_by("submitted_at", "pk")
        .values_list("instrument", "session__episode_id", "session__number", "total")
    )
    episodes: dict[str, dict[int, dict[int, float]]] = defaultdict(lambda: defaultdict(dict))
    for instrument, episode_id, number, total in rows:
        episodes[instrument][episode_id][number] = total  # newest response per session wins
    fits = []
    for instrument in registry().all():
        if instrument.kind is not Kind.OUTCOME or instrument.respondent is not Respondent.CLIENT:
            continue
        history = [sorted(s.items()) for s in episodes.get(instrument.code, {}).values()]
        result = fit_trajectory(instrument, history)
        if isinstance(result, TrajectoryModel):
            parameters, reason = result.to_dict(), ""
        else:
            parameters, reason = None, result.reason
        fit, _ = TrajectoryFit.objects.update_or_create(
            clinic=clinic,
            instrument=instrument.code,
            defaults={
                "fitted_at": timezone.now(),
                "parameters": parameters,
                "reason": reason,
                "n_episodes": result.n_episodes,
                "n_scores": result.n_scores,
            },
        )
        fits.append(fit)
    return fits


class AcknowledgementError(Exception):
    """Why a risk acknowledgement was refused, in words for the clinician."""


@transaction.atomic
def acknowledge_risk(response: Response, user: User, note: str) -> RiskAcknowledgement:
    """Record that ``user`` has seen and acted on the risk items of ``response``."""
    # Browsers send a line break as CRLF; the text box counted it as one character.
    note = note.replace("\r\n", "\n").strip()
    if not response.risk_items:
        raise AcknowledgementError("This response has no risk item to acknowledge.")
    if not note:
        raise AcknowledgementError("Say briefly what you did, e.g. 'Called client; safe plan.'")
    if len(note) > NOTE_LENGTH:
        raise AcknowledgementError(
            f"Keep the note to {NOTE_LENGTH:,} characters (it has {len(note):,}); the details "
            "belong in the clinical record."
        )
    existing = RiskAcknowledgement.objects.filter(response=response).first()
    if existing is not None:  # a double click must not fail or record twice
        return existing
    return RiskAcknowledgement.objects.create(response=response, acknowledged_by=user, note=note)
