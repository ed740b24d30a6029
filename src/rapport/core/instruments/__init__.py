"""Outcome and alliance measures as data: definitions, a registry, and scoring.

Pure Python (standard library only, no Django) so measures can be loaded and scored anywhere::

    from rapport.core.instruments import default_registry, score

    phq9 = default_registry().get("phq9")
    result = score(phq9, {1: 2, 2: 1, 3: 0, 4: 1, 5: 0, 6: 0, 7: 1, 8: 0, 9: 0})
    result.total, result.band  # (5.0, "Mild")

See docs/instruments.md for the definition file format and each measure's licence.
"""

from rapport.core.instruments.errors import AnswerError, DefinitionError, UnknownInstrument
from rapport.core.instruments.model import (
    Aggregation,
    Band,
    Better,
    Choice,
    FreeTextQuestion,
    Instrument,
    Item,
    Kind,
    Licence,
    Norms,
    Respondent,
    Scale,
    ScaleKind,
    Subscale,
    TextSource,
    Timing,
)
from rapport.core.instruments.registry import Registry, default_registry, load_definition
from rapport.core.instruments.scoring import Score, score

__all__ = [
    "Aggregation",
    "AnswerError",
    "Band",
    "Better",
    "Choice",
    "DefinitionError",
    "FreeTextQuestion",
    "Instrument",
    "Item",
    "Kind",
    "Licence",
    "Norms",
    "Registry",
    "Respondent",
    "Scale",
    "ScaleKind",
    "Score",
    "Subscale",
    "TextSource",
    "Timing",
    "UnknownInstrument",
    "default_registry",
    "load_definition",
    "score",
]
