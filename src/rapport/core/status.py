"""A client's at-a-glance status colour on the caseload, from their latest scores.

This is the first, deliberately simple rule set: the latest risk item, the latest alliance score
against its measure's cutoff, and the latest outcome score against its clinical cutoff. Trajectory
and reliable-change signals refine it later; the colours keep the same meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rapport.core.instruments.model import Instrument


class Colour(StrEnum):
    RED = "red"  # needs attention before the next session
    AMBER = "amber"  # worth a look
    GREEN = "green"  # nothing flagged
    GREY = "grey"  # too few scores to say


@dataclass(frozen=True)
class Status:
    colour: Colour
    reason: str


def _fmt(instrument: Instrument, total: float) -> str:
    return f"{total:.{instrument.decimals}f}"


def caseload_status(
    outcome: Instrument | None,
    outcome_total: float | None,
    alliance: Instrument | None,
    alliance_total: float | None,
    risk_endorsed: bool = False,
) -> Status:
    """Colour and a one-line reason for a client, from their latest scores.

    Order of precedence: an endorsed risk item (red), an alliance score below its measure's
    cutoff (red: ruptures left unspoken predict drop-out; Safran, Muran & Eubanks-Carter 2011),
    an outcome score on the clinical side of its cutoff (amber), otherwise green; grey when
    there is no score at all.
    """
    if risk_endorsed:
        return Status(Colour.RED, "Risk item endorsed at the latest outcome measure")
    if alliance is not None and alliance_total is not None and alliance.is_clinical(alliance_total):
        return Status(
            Colour.RED,
            f"{alliance.name} {_fmt(alliance, alliance_total)} is below its cutoff "
            f"{alliance.cutoff:g}",
        )
    if outcome is not None and outcome_total is not None:
        if outcome.is_clinical(outcome_total):
            return Status(
                Colour.AMBER,
                f"{outcome.name} {_fmt(outcome, outcome_total)} is in the clinical range",
            )
        return Status(Colour.GREEN, f"{outcome.name} {_fmt(outcome, outcome_total)}")
    if alliance_total is not None:
        return Status(Colour.GREEN, "Alliance scores only")
    return Status(Colour.GREY, "No scores yet")
