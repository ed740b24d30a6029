"""The clinic's instrument registry: bundled definitions plus any licensed text it installed."""

from __future__ import annotations

from django.conf import settings

from rapport.core.instruments import (
    Instrument,
    Kind,
    Registry,
    Respondent,
    UnknownInstrument,
    default_registry,
)


def registry() -> Registry:
    """The registry for this deployment (cached by the core per text folder)."""
    return default_registry(settings.INSTRUMENT_TEXT_DIR)


def instrument_or_none(code: str) -> Instrument | None:
    """The measure named ``code``, or None for a code this deployment no longer defines.

    Stored responses keep their code forever, so pages must survive a measure being removed.
    """
    try:
        return registry().get(code)
    except UnknownInstrument:
        return None


def client_measures(kind: Kind) -> list[Instrument]:
    """Measures a client can be asked of the given kind, for choosers in forms."""
    return [
        inst
        for inst in registry().all()
        if inst.kind is kind and inst.respondent is Respondent.CLIENT
    ]


THERAPIST_RATING = "checkin_therapist"
