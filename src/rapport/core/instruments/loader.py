"""Read one instrument definition file (TOML) into a validated :class:`Instrument`.

A measure is data: one ``<code>.toml`` file in ``definitions/``. Every key below maps onto a
field of the dataclasses in :mod:`rapport.core.instruments.model`; unknown keys are errors, so a
typo cannot silently drop a cutoff or a reverse flag. Schema (``?`` marks optional keys)::

    code = "phq9"                   # registry key; must equal the file name without .toml
    name = "PHQ-9"                  # short display name
    title = "Patient Health Questionnaire-9"
    kind = "outcome"                # outcome | alliance
    respondent = "client"           # client | therapist | guardian
    timing = "start"                # start | end (of the session)
    validated = true                # false for project-authored measures
    text_source = "bundled"         # bundled: wording ships here; clinic: licensed wording
                                    #   comes from the clinic's text folder (see clinic_text)
    citation = "Kroenke K, ..."
    instructions? = "Over the last 2 weeks, ..."   # bundled measures only
    notes? = "Where cutoffs and norms come from; caveats for clinicians."

    aggregation = "sum"             # sum | mean: how item scores make the total
    total_range = [0, 27]           # must equal what the items can produce
    better = "lower"                # higher | lower
    cutoff? = 10                    # clinical cutoff on the total
    reliable_change? = 6            # smallest reliable change of the total
    sd? = 5.0                       # normative SD of the total; needs reliability
    reliability? = 0.85             # reliability coefficient used with sd
    minimal_step? = 1               # alliance: smallest session-to-session fall worth raising
    max_missing? = 1                # items that may be missing and still be prorated (0)
    decimals? = 0                   # decimals a total is shown with (0)

    [norms]?                        # samples for Jacobson & Truax's criterion c
    clinical_mean = 20.1; clinical_sd = 6.7; functional_mean = 5.6; functional_sd = 4.9
    source = "Author A et al. (year) ..."

    [licence]
    name = "..."
    url? = "https://..."
    notice? = "© ... shown beside the form"

    [scale]                         # default response scale for every item
    kind = "choice"                 # choice: labelled whole-number options
    choices = [{ value = 0, label = "Not at all" }, ...]   # label omitted for clinic text
    # or a visual-analogue slider:
    # kind = "slider"; minimum = 0; maximum = 10; step? = 0.1
    # low_anchor? = "..."; high_anchor? = "..."            # bundled measures only

    [[items]]                       # one table per item, numbered 1..n in order
    number = 1
    key = "interest"                # stable machine name: lower case, digits, underscores
    label = "Interest or pleasure"  # short neutral name, shown when wording is missing
    text? = "Little interest or pleasure in doing things"  # required if bundled, absent if clinic
    reverse? = false                # scored as minimum + maximum - answer
    risk? = false                   # any answer above the scale minimum needs attention
    # [items.scale] replaces the default [scale] for this item

    [[subscales]]
    key = "bond"
    name = "Bond"
    items = [3, 5, 7, 9]
    aggregation? = "mean"           # defaults to the measure's aggregation

    [[bands]]                       # inclusive, ascending, non-overlapping, inside total_range
    minimum = 0
    maximum = 4
    label = "Minimal"

    [[free_text]]                   # open questions after the scored items (never scored)
    key = "next_time"
    text = "What would make our next session better?"

    [extra]                         # anything else, copied to Instrument.extra unvalidated

:func:`rapport.core.instruments.registry.load_definition` reads a file and adds clinic text.
Errors are :class:`DefinitionError` naming the file and the field, e.g.
``phq9.toml: items[3].number: ...``; list positions count from 1 like item numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from rapport.core.instruments.formatting import format_number, format_range
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
    Subscale,
    TextSource,
    Timing,
)
from rapport.core.instruments.toml_reader import FieldReader

_TOLERANCE = 1e-9  # float comparisons of ranges built from decimal steps
_MAX_DECIMALS = 6


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_TOLERANCE, abs_tol=_TOLERANCE)


def _parse_choices(table: FieldReader, text_source: TextSource) -> tuple[Choice, ...]:
    choices: list[Choice] = []
    for entry in table.tables("choices"):
        value = entry.integer("value")
        label = entry.optional_string("label")
        if text_source is TextSource.BUNDLED and label is None:
            raise entry.error("label", "is required: this measure bundles its wording")
        if text_source is TextSource.CLINIC and label is not None:
            raise entry.error(
                "label", "must be left out: licensed wording comes from the clinic's text folder"
            )
        entry.finish()
        if choices and value <= choices[-1].value:
            raise entry.error("value", "choices must be listed in ascending order of value")
        choices.append(Choice(value=value, label=label))
    if len(choices) < 2:  # a scale needs at least two options
        raise table.error("choices", "a choice scale needs at least two choices")
    return tuple(choices)


def _parse_scale(table: FieldReader, text_source: TextSource) -> Scale:
    kind = table.raw("kind")
    if kind == "choice":
        choices = _parse_choices(table, text_source)
        table.finish()  # minimum/maximum/step would duplicate what the choices already say
        return Scale(
            kind="choice",
            minimum=float(choices[0].value),
            maximum=float(choices[-1].value),
            step=1.0,
            choices=choices,
        )
    if kind == "slider":
        minimum = table.number("minimum")
        maximum = table.number("maximum")
        step = table.optional_number("step")
        step = 1.0 if step is None else step
        if maximum <= minimum:
            raise table.error("maximum", "must be greater than minimum")
        if step <= 0:
            raise table.error("step", "must be positive")
        positions = (maximum - minimum) / step
        if not _close(positions, round(positions)):
            raise table.error(
                "step", f"{format_number(step)} does not divide {format_range(minimum, maximum)}"
            )
        anchors = [table.optional_string("low_anchor"), table.optional_string("high_anchor")]
        if text_source is TextSource.CLINIC and any(a is not None for a in anchors):
            raise table.error(
                "low_anchor",
                "must be left out: licensed anchors come from the clinic's text folder",
            )
        table.finish()
        return Scale(
            kind="slider",
            minimum=minimum,
            maximum=maximum,
            step=step,
            low_anchor=anchors[0],
            high_anchor=anchors[1],
        )
    if kind is None:
        raise table.error("kind", "is required, one of: choice, slider")
    raise table.error("kind", f"{kind!r} is not one of: choice, slider")


def _parse_items(
    root: FieldReader, default_scale: Scale | None, text_source: TextSource
) -> tuple[Item, ...]:
    entries = root.tables("items")
    if not entries:
        raise root.error("items", "a measure needs at least one [[items]] table")
    items: list[Item] = []
    keys: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        number = entry.integer("number")
        if number != position:
            raise entry.error(
                "number", f"expected {position}: items are numbered 1..n in order, got {number}"
            )
        key = entry.identifier("key")
        if key in keys:
            raise entry.error("key", f"{key!r} is used by another item")
        keys.add(key)
        label = entry.string("label")
        text = entry.optional_string("text")
        if text_source is TextSource.BUNDLED and text is None:
            raise entry.error("text", "is required: this measure bundles its wording")
        if text_source is TextSource.CLINIC and text is not None:
            raise entry.error(
                "text", "must be left out: licensed wording comes from the clinic's text folder"
            )
        own_scale = entry.table("scale")
        if own_scale is not None:
            scale = _parse_scale(own_scale, text_source)
        elif default_scale is not None:
            scale = default_scale
        else:
            raise entry.error("scale", "is required when the file has no default [scale]")
        reverse = entry.boolean("reverse", default=False)
        risk = entry.boolean("risk", default=False)
        if risk and reverse:
            # A risk item flags answers above the scale minimum, which for a reversed item
            # would be the *safe* end; such a definition is almost certainly a mistake.
            raise entry.error("risk", "a risk item cannot also be reverse-scored")
        entry.finish()
        items.append(Item(number, key, label, text, scale, reverse=reverse, risk=risk))
    return tuple(items)


def _achievable_range(items: tuple[Item, ...], aggregation: Aggregation) -> tuple[float, float]:
    low = sum(item.scale.minimum for item in items)
    high = sum(item.scale.maximum for item in items)
    if aggregation is Aggregation.MEAN:
        return low / len(items), high / len(items)
    return low, high


def _parse_total_range(
    root: FieldReader, items: tuple[Item, ...], aggregation: Aggregation
) -> tuple[float, float]:
    value = root.raw("total_range")
    if (
        not isinstance(value, list)
        or len(value) != 2
        or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value)
    ):
        raise root.error("total_range", "must be [minimum, maximum]")
    low, high = float(value[0]), float(value[1])
    expected = _achievable_range(items, aggregation)
    if not (_close(low, expected[0]) and _close(high, expected[1])):
        raise root.error(
            "total_range",
            f"[{format_number(low)}, {format_number(high)}] does not match the items: "
            f"a {aggregation.value} of {len(items)} items runs {format_range(*expected)}",
        )
    return low, high


def _parse_subscales(
    root: FieldReader, items: tuple[Item, ...], aggregation: Aggregation
) -> tuple[Subscale, ...]:
    numbers = {item.number for item in items}
    subscales: list[Subscale] = []
    keys: set[str] = set()
    for entry in root.tables("subscales"):
        key = entry.identifier("key")
        if key in keys:
            raise entry.error("key", f"{key!r} is used by another subscale")
        keys.add(key)
        name = entry.string("name")
        members = entry.integers("items")
        for member in members:
            if member not in numbers:
                raise entry.error(
                    "items", f"item {member} does not exist (items {format_range(1, len(items))})"
                )
        if len(set(members)) != len(members):
            raise entry.error("items", "lists an item twice")
        own = entry.enum("aggregation", Aggregation, default=aggregation)
        entry.finish()
        subscales.append(Subscale(key, name, tuple(members), own))
    return tuple(subscales)


def _parse_bands(root: FieldReader, total_range: tuple[float, float]) -> tuple[Band, ...]:
    bands: list[Band] = []
    for entry in root.tables("bands"):
        low = entry.number("minimum")
        high = entry.number("maximum")
        label = entry.string("label")
        entry.finish()
        if high < low:
            raise entry.error("maximum", "must not be below minimum")
        if low < total_range[0] or high > total_range[1]:
            raise entry.error(
                "minimum" if low < total_range[0] else "maximum",
                f"band {format_range(low, high)} lies outside "
                f"total_range {format_range(*total_range)}",
            )
        if bands and low <= bands[-1].maximum:
            raise entry.error(
                "minimum", "bands must be in ascending order and must not overlap the previous one"
            )
        bands.append(Band(low, high, label))
    return tuple(bands)


def _parse_free_text(root: FieldReader) -> tuple[FreeTextQuestion, ...]:
    questions: list[FreeTextQuestion] = []
    keys: set[str] = set()
    for entry in root.tables("free_text"):
        key = entry.identifier("key")
        if key in keys:
            raise entry.error("key", f"{key!r} is used by another question")
        keys.add(key)
        questions.append(FreeTextQuestion(key, entry.string("text")))
        entry.finish()
    return tuple(questions)


def _parse_licence(root: FieldReader) -> Licence:
    table = root.table("licence")
    if table is None:
        raise root.error("licence", "is required: a [licence] table with at least a name")
    licence = Licence(
        name=table.string("name"),
        url=table.optional_string("url") or "",
        notice=table.optional_string("notice") or "",
    )
    table.finish()
    return licence


def _parse_norms(root: FieldReader) -> Norms | None:
    table = root.table("norms")
    if table is None:
        return None
    norms = Norms(
        clinical_mean=table.number("clinical_mean"),
        clinical_sd=table.number("clinical_sd"),
        functional_mean=table.number("functional_mean"),
        functional_sd=table.number("functional_sd"),
        source=table.string("source"),
    )
    for key in ("clinical_sd", "functional_sd"):
        if getattr(norms, key) <= 0:
            raise table.error(key, "must be positive")
    table.finish()
    return norms


def _parse_timing(root: FieldReader) -> Timing:
    value = root.raw("timing")
    if value == "start":
        return "start"
    if value == "end":
        return "end"
    if value is None:
        raise root.error("timing", "is required, one of: start, end")
    raise root.error("timing", f"{value!r} is not one of: start, end")


def _check_norms(root: FieldReader, instrument: Instrument) -> None:
    """Cross-field checks that only make sense once the whole definition is read."""
    low, high = instrument.total_range
    if instrument.cutoff is not None and not low <= instrument.cutoff <= high:
        raise root.error("cutoff", f"{format_number(instrument.cutoff)} lies outside total_range")
    if instrument.reliable_change is not None and not (
        0 < instrument.reliable_change <= high - low
    ):
        raise root.error("reliable_change", "must be positive and no wider than total_range")
    if instrument.sd is not None and instrument.sd <= 0:
        raise root.error("sd", "must be positive")
    if instrument.reliability is not None and not 0 < instrument.reliability <= 1:
        raise root.error("reliability", "must lie in (0, 1]")
    if (instrument.sd is None) != (instrument.reliability is None):
        raise root.error("sd", "sd and reliability are used together: give both or neither")
    if instrument.minimal_step is not None:
        if instrument.kind is not Kind.ALLIANCE:
            raise root.error("minimal_step", "applies to alliance measures only")
        if not 0 < instrument.minimal_step <= high - low:
            raise root.error("minimal_step", "must be positive and no wider than total_range")
    if not 0 <= instrument.max_missing < len(instrument.items):
        raise root.error("max_missing", f"must lie between 0 and {len(instrument.items) - 1}")
    if not 0 <= instrument.decimals <= _MAX_DECIMALS:
        raise root.error("decimals", f"must lie between 0 and {_MAX_DECIMALS}")
    if instrument.text_source is TextSource.CLINIC and instrument.instructions is not None:
        raise root.error(
            "instructions", "must be left out: licensed wording comes from the clinic's text folder"
        )


def parse_definition(data: Mapping[str, object], source: str, expected_code: str) -> Instrument:
    """Validate an already-parsed TOML document; ``source`` names the file in errors."""
    root = FieldReader(data, source)
    code = root.identifier("code")
    if code != expected_code:
        raise root.error("code", f"{code!r} must equal the file name {expected_code!r}")
    text_source = root.enum("text_source", TextSource)
    aggregation = root.enum("aggregation", Aggregation)
    scale_table = root.table("scale")
    default_scale = None if scale_table is None else _parse_scale(scale_table, text_source)
    items = _parse_items(root, default_scale, text_source)
    total_range = _parse_total_range(root, items, aggregation)
    extra = root.table("extra")
    instrument = Instrument(
        code=code,
        name=root.string("name"),
        title=root.string("title"),
        kind=root.enum("kind", Kind),
        respondent=root.enum("respondent", Respondent),
        timing=_parse_timing(root),
        items=items,
        aggregation=aggregation,
        total_range=total_range,
        better=root.enum("better", Better),
        licence=_parse_licence(root),
        citation=root.string("citation"),
        validated=root.boolean("validated"),
        text_source=text_source,
        instructions=root.optional_string("instructions"),
        cutoff=root.optional_number("cutoff"),
        reliable_change=root.optional_number("reliable_change"),
        sd=root.optional_number("sd"),
        reliability=root.optional_number("reliability"),
        minimal_step=root.optional_number("minimal_step"),
        norms=_parse_norms(root),
        max_missing=root.integer("max_missing", default=0),
        subscales=_parse_subscales(root, items, aggregation),
        bands=_parse_bands(root, total_range),
        free_text=_parse_free_text(root),
        notes=root.optional_string("notes") or "",
        decimals=root.integer("decimals", default=0),
        extra=dict(extra.data) if extra is not None else {},
    )
    _check_norms(root, instrument)
    root.finish()
    return instrument
