"""The clinic's instrument registry: bundled definitions plus any licensed text it installed."""

from __future__ import annotations

from django.conf import settings

from rapport.core.instruments import Instrument, Kind, Registry, Respondent, default_registry


def registry() -> Registry:
    """The registry for this deployment (cached by the core per text folder)."""
    return default_registry(settings.INSTRUMENT_TEXT_DIR)


def client_measures(kind: Kind) -> list[Instrument]:
    """Measures a client can be asked of the given kind, for choosers in forms."""
    return [
        inst
        for inst in registry().all()
        if inst.kind is kind and inst.respondent is Respondent.CLIENT
    ]


THERAPIST_RATING = "checkin_therapist"
