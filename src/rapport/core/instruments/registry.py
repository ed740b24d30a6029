"""The registry of measures: every definition file in a folder, plus any clinic-installed text.

``default_registry()`` serves the definitions bundled with Rapport; pass the clinic's text folder
(``RAPPORT_INSTRUMENT_TEXT_DIR`` on the Django side) to fill in licensed wording.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

from rapport.core.instruments.clinic_text import apply_clinic_text
from rapport.core.instruments.errors import DefinitionError, UnknownInstrument
from rapport.core.instruments.loader import parse_definition
from rapport.core.instruments.model import Instrument
from rapport.core.instruments.toml_reader import read_toml

BUNDLED_DEFINITIONS = Path(__file__).parent / "definitions"


def load_definition(path: str | Path, text_dir: str | Path | None = None) -> Instrument:
    """Load and validate one definition file, adding clinic wording from ``text_dir``.

    ``text_dir`` is a folder of ``<code>.toml`` clinic text files (see
    :mod:`rapport.core.instruments.clinic_text`); having no file for this code there is fine.
    Raises :class:`DefinitionError` naming the file and the field on any problem.
    """
    path = Path(path)
    instrument = parse_definition(read_toml(path), str(path), path.stem)
    if text_dir:
        text_file = Path(text_dir) / f"{instrument.code}.toml"
        if text_file.is_file():
            instrument = apply_clinic_text(instrument, text_file)
    return instrument


class Registry:
    """All measures of one deployment, looked up by code."""

    def __init__(self, definitions_dir: str | Path, text_dir: str | Path | None = None) -> None:
        definitions = Path(definitions_dir)
        if not definitions.is_dir():
            raise DefinitionError(str(definitions), "", "is not a folder of definition files")
        texts = Path(text_dir) if text_dir else None
        if texts is not None and not texts.is_dir():
            raise DefinitionError(str(texts), "", "the clinic text folder does not exist")
        loaded = [load_definition(path, texts) for path in sorted(definitions.glob("*.toml"))]
        self._instruments = {inst.code: inst for inst in sorted(loaded, key=lambda i: i.code)}
        if texts is not None:
            self._refuse_stray_text(texts)

    def _refuse_stray_text(self, texts: Path) -> None:
        # A misnamed file (srs_v3.toml) would otherwise leave the wording missing in silence.
        for path in sorted(texts.glob("*.toml")):
            if path.stem not in self._instruments:
                raise DefinitionError(
                    str(path),
                    "",
                    f"there is no measure {path.stem!r} to add text to; "
                    f"files must be named after a code: {', '.join(self.codes())}",
                )

    def get(self, code: str) -> Instrument:
        """The measure registered as ``code``; :class:`UnknownInstrument` if there is none."""
        try:
            return self._instruments[code]
        except KeyError:
            raise UnknownInstrument(code, self.codes()) from None

    def all(self) -> tuple[Instrument, ...]:
        """Every measure, sorted by code."""
        return tuple(self._instruments.values())

    def codes(self) -> list[str]:
        """Every registered code, sorted."""
        return list(self._instruments)

    def __contains__(self, code: object) -> bool:
        return code in self._instruments

    def __iter__(self) -> Iterator[Instrument]:
        return iter(self._instruments.values())

    def __len__(self) -> int:
        return len(self._instruments)

    def __repr__(self) -> str:
        return f"Registry({', '.join(self.codes())})"


def default_registry(text_dir: str | Path | None = None) -> Registry:
    """The bundled measures, with licensed wording from ``text_dir`` when a clinic supplies it.

    Cached per folder: definitions are parsed once per process, not on every request. An empty
    string counts as no folder, so an unset environment variable needs no special casing.
    """
    folder = Path(text_dir).expanduser().resolve() if text_dir else None
    return _cached_registry(folder)


@functools.lru_cache(maxsize=8)
def _cached_registry(text_dir: Path | None) -> Registry:
    return Registry(BUNDLED_DEFINITIONS, text_dir)
