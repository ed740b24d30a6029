"""The shape of a measure: items, response scales, subscales, norms and licence.

Instruments are data (TOML files in ``definitions/``); these frozen dataclasses are what a
definition file is parsed into. Nothing here depends on Django, so a researcher can load and
score measures in a notebook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class Kind(StrEnum):
    """What a measure is about."""

    OUTCOME = "outcome"  # how the client is doing (symptoms, wellbeing)
    ALLIANCE = "alliance"  # how the therapeutic relationship is going


class Respondent(StrEnum):
    """Who fills the measure in."""

    CLIENT = "client"
    THERAPIST = "therapist"
    GUARDIAN = "guardian"


class Better(StrEnum):
    """Which direction of the total is improvement."""

    HIGHER = "higher"
    LOWER = "lower"


class Aggregation(StrEnum):
    """How item scores combine into a total or subscale score."""

    SUM = "sum"
    MEAN = "mean"


class TextSource(StrEnum):
    """Where the item wording comes from."""

    BUNDLED = "bundled"  # public domain / openly licensed text ships with Rapport
    CLINIC = "clinic"  # copyrighted text: the licensed clinic supplies a local file


Timing = Literal["start", "end"]
ScaleKind = Literal["choice", "slider"]


@dataclass(frozen=True)
class Choice:
    """One labelled option of a choice scale (e.g. 2 = "More than half the days")."""

    value: int
    label: str | None  # None when the licensed wording is not installed


@dataclass(frozen=True)
class Scale:
    """The response format of an item: labelled choices or a visual-analogue slider."""

    kind: ScaleKind
    minimum: float
    maximum: float
    step: float = 1.0
    choices: tuple[Choice, ...] = ()
    low_anchor: str | None = None  # slider end labels
    high_anchor: str | None = None


@dataclass(frozen=True)
class Item:
    """One question of a measure, numbered as on the printed form (1-based)."""

    number: int
    key: str  # stable machine name, e.g. "relationship"
    label: str  # short neutral name of what the item asks about, shown if text is missing
    text: str | None  # the wording; None when licensed text is not installed
    scale: Scale
    reverse: bool = False  # scored as (min + max - answer)
    risk: bool = False  # any answer above the scale minimum needs clinical attention


@dataclass(frozen=True)
class Subscale:
    """A named group of items scored together (e.g. WAI-SR Bond = items 3, 5, 7, 9)."""

    key: str
    name: str
    items: tuple[int, ...]
    aggregation: Aggregation


@dataclass(frozen=True)
class Band:
    """A labelled range of totals, inclusive at both ends (e.g. PHQ-9 10-14 "Moderate")."""

    minimum: float
    maximum: float
    label: str


@dataclass(frozen=True)
class Licence:
    """Terms under which the measure is used and whether its wording ships with Rapport."""

    name: str
    url: str = ""
    notice: str = ""  # shown beside the form, e.g. a copyright line


@dataclass(frozen=True)
class Norms:
    """Means and SDs of a clinical and a functional (non-clinical) sample, with their source.

    With norms, the recovery cutoff is Jacobson & Truax's criterion *c* rather than the
    measure's published screening cutoff.
    """

    clinical_mean: float
    clinical_sd: float
    functional_mean: float
    functional_sd: float
    source: str


@dataclass(frozen=True)
class FreeTextQuestion:
    """An open question asked after the scored items (never scored)."""

    key: str
    text: str


@dataclass(frozen=True)
class Instrument:
    """A complete, scoreable measure definition."""

    code: str  # registry key, e.g. "phq9"
    name: str  # short display name, e.g. "PHQ-9"
    title: str  # full name
    kind: Kind
    respondent: Respondent
    timing: Timing  # outcome measures at the start of a session, alliance at the end
    items: tuple[Item, ...]
    aggregation: Aggregation
    total_range: tuple[float, float]
    better: Better
    licence: Licence
    citation: str
    validated: bool  # False for project-authored measures
    text_source: TextSource
    instructions: str | None = None
    cutoff: float | None = None  # clinical cutoff on the total
    reliable_change: float | None = None  # smallest reliable change of the total
    sd: float | None = None  # normative SD of the total (reliable-change statistics)
    reliability: float | None = None  # reliability coefficient used with ``sd``
    minimal_step: float | None = None  # smallest session-to-session fall worth raising (alliance)
    norms: Norms | None = None  # clinical and functional samples for criterion c
    max_missing: int = 0  # items that may be missing and still be prorated
    subscales: tuple[Subscale, ...] = ()
    bands: tuple[Band, ...] = ()
    free_text: tuple[FreeTextQuestion, ...] = ()
    notes: str = ""  # provenance of norms, cutoffs and caveats, shown to clinicians
    decimals: int = 0  # how many decimals a total is shown with
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def text_missing(self) -> bool:
        """True when some wording (items, choices or instructions) must come from the clinic."""
        if any(item.text is None for item in self.items):
            return True
        return any(c.label is None for item in self.items for c in item.scale.choices)

    def item(self, number: int) -> Item:
        """Return the item numbered ``number`` (1-based)."""
        for item in self.items:
            if item.number == number:
                return item
        raise KeyError(f"{self.name} has no item {number}")

    def is_clinical(self, total: float) -> bool | None:
        """Whether ``total`` lies on the clinical side of the cutoff (None without a cutoff).

        For measures where lower is better (PHQ-9) a total at or above the cutoff is clinical;
        where higher is better (ORS, SRS) a total below the cutoff is.
        """
        if self.cutoff is None:
            return None
        if self.better is Better.LOWER:
            return total >= self.cutoff
        return total < self.cutoff

    def format_total(self, total: float) -> str:
        """A total as the measure shows it: ``6.0`` on the check-in, ``14`` on the PHQ-9."""
        return f"{total:.{self.decimals}f}"

    def band_for(self, total: float) -> Band | None:
        """The severity band containing ``total``, if the measure defines bands."""
        for band in self.bands:
            if band.minimum <= total <= band.maximum:
                return band
        return None
