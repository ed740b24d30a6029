"""Fill in licensed wording that a clinic installs locally (SRS, ORS, WAI-SR, SAI).

Copyrighted measures ship in Rapport without their wording (``text_source = "clinic"``): item
text, choice labels, slider anchors and instructions are ``None``. A clinic that holds a licence
puts the wording in a folder of its own (``RAPPORT_INSTRUMENT_TEXT_DIR`` on the Django side), one
``<code>.toml`` file per measure::

    instructions = "..."              # optional
    notice = "© ..."                  # optional copyright line shown beside the form
    [items]
    1 = "item wording"                # by item number
    [choices]                         # optional, for choice scales: by answer value
    1 = "Seldom"
    [anchors]                         # optional, for sliders: per item number
    1 = { low = "...", high = "..." }

The file may only fill gaps. Wording that Rapport already ships (PHQ-9, GAD-7, CORE-10, the
check-ins) is never replaced: the CORE-10 licence forbids changes to its text and the scores of
validated measures are only comparable when every clinic asks the same questions. A clinic file
that tries is refused with :class:`DefinitionError`, as is any number or key it does not know.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from rapport.core.instruments.errors import DefinitionError
from rapport.core.instruments.formatting import format_range
from rapport.core.instruments.model import Choice, Instrument, Item, Scale
from rapport.core.instruments.toml_reader import FieldReader, read_toml


def _refuse_override(reader: FieldReader, key: str, instrument: Instrument) -> DefinitionError:
    return reader.error(
        key,
        f"{instrument.name} already ships this wording with Rapport; a clinic file may only "
        "add wording that is missing, never replace it",
    )


def _number_key(reader: FieldReader, key: str) -> int:
    """TOML keys are strings; clinic files number items and choices with them."""
    try:
        return int(key)
    except ValueError:
        raise reader.error(key, "must be a number") from None


def _fill_items(reader: FieldReader, instrument: Instrument) -> dict[int, str]:
    texts: dict[int, str] = {}
    for key in list(reader.data):
        number = _number_key(reader, key)
        try:
            item = instrument.item(number)
        except KeyError:
            items = format_range(1, len(instrument.items))
            raise reader.error(
                key, f"{instrument.name} has no item {number} (items {items})"
            ) from None
        text = reader.string(key)
        if item.text is not None:
            raise _refuse_override(reader, key, instrument)
        texts[number] = text
    return texts


def _fill_choices(reader: FieldReader, instrument: Instrument) -> dict[int, str]:
    labels: dict[int, str] = {}
    known = {c.value: c for item in instrument.items for c in item.scale.choices}
    for key in list(reader.data):
        value = _number_key(reader, key)
        if value not in known:
            values = ", ".join(str(v) for v in sorted(known)) or "none: it uses sliders"
            raise reader.error(key, f"{instrument.name} has no answer {value} (answers: {values})")
        label = reader.string(key)
        if known[value].label is not None:
            raise _refuse_override(reader, key, instrument)
        labels[value] = label
    return labels


def _fill_anchors(
    reader: FieldReader, instrument: Instrument
) -> dict[int, tuple[str | None, str | None]]:
    anchors: dict[int, tuple[str | None, str | None]] = {}
    for key in list(reader.data):
        number = _number_key(reader, key)
        try:
            item = instrument.item(number)
        except KeyError:
            raise reader.error(key, f"{instrument.name} has no item {number}") from None
        if item.scale.kind != "slider":
            raise reader.error(key, f"item {number} is not a slider and has no anchors")
        pair = reader.table(key)
        if pair is None:  # pragma: no cover - table() only returns None for absent keys
            continue
        low, high = pair.optional_string("low"), pair.optional_string("high")
        pair.finish()
        if (low is not None and item.scale.low_anchor is not None) or (
            high is not None and item.scale.high_anchor is not None
        ):
            raise _refuse_override(reader, key, instrument)
        anchors[number] = (low, high)
    return anchors


def _with_text(
    item: Item,
    texts: dict[int, str],
    labels: dict[int, str],
    anchors: dict[int, tuple[str | None, str | None]],
) -> Item:
    scale: Scale = item.scale
    if labels and scale.choices:
        choices = tuple(
            Choice(c.value, labels.get(c.value) if c.label is None else c.label)
            for c in scale.choices
        )
        scale = dataclasses.replace(scale, choices=choices)
    if item.number in anchors:
        low, high = anchors[item.number]
        scale = dataclasses.replace(
            scale,
            low_anchor=scale.low_anchor if low is None else low,
            high_anchor=scale.high_anchor if high is None else high,
        )
    text = texts.get(item.number, item.text)
    return dataclasses.replace(item, text=text, scale=scale)


def apply_clinic_text(instrument: Instrument, path: str | Path) -> Instrument:
    """Return ``instrument`` with the gaps in its wording filled from the clinic file ``path``."""
    path = Path(path)
    root = FieldReader(read_toml(path), f"{path} (clinic text for {instrument.code})")
    instructions = root.optional_string("instructions")
    if instructions is not None and instrument.instructions is not None:
        raise _refuse_override(root, "instructions", instrument)
    notice = root.optional_string("notice")
    if notice is not None and instrument.licence.notice:
        raise _refuse_override(root, "notice", instrument)
    sections = {name: root.table(name) for name in ("items", "choices", "anchors")}
    root.finish()
    texts = _fill_items(items, instrument) if (items := sections["items"]) else {}
    labels = _fill_choices(choices, instrument) if (choices := sections["choices"]) else {}
    anchors = _fill_anchors(pairs, instrument) if (pairs := sections["anchors"]) else {}
    return dataclasses.replace(
        instrument,
        instructions=instructions if instructions is not None else instrument.instructions,
        licence=dataclasses.replace(instrument.licence, notice=notice or instrument.licence.notice),
        items=tuple(_with_text(item, texts, labels, anchors) for item in instrument.items),
    )
