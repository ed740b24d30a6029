"""Reading TOML tables field by field, so every error names its file and its key.

Shared by the definition loader and the clinic text reader: both refuse unknown keys and report
problems as :class:`DefinitionError` with a dotted field path such as ``items[3].number``.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import TypeVar, cast

from rapport.core.instruments.errors import DefinitionError

_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*\Z")

E = TypeVar("E", bound=StrEnum)


class FieldReader:
    """One TOML table being read; remembers which keys were used so leftovers can be refused.

    List positions in field paths count from 1, like item numbers.
    """

    def __init__(self, data: Mapping[str, object], source: str, path: str = "") -> None:
        self.data = data
        self.source = source
        self.path = path
        self._used: set[str] = set()

    def field(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def error(self, key: str, problem: str) -> DefinitionError:
        return DefinitionError(self.source, self.field(key), problem)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> object:
        self._used.add(key)
        return self.data.get(key)

    def finish(self) -> None:
        """Refuse keys nobody asked for: they are typos or fields the schema does not know."""
        for key in self.data:
            if key not in self._used:
                raise self.error(key, "unknown key")

    def optional_string(self, key: str) -> str | None:
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty string")
        return value

    def string(self, key: str) -> str:
        value = self.optional_string(key)
        if value is None:
            raise self.error(key, "is required")
        return value

    def identifier(self, key: str) -> str:
        value = self.string(key)
        if not _IDENTIFIER.match(value):
            raise self.error(key, f"{value!r} must be lower case letters, digits and underscores")
        return value

    def optional_number(self, key: str) -> float | None:
        value = self.raw(key)
        if value is None:
            return None
        # bool is an int subclass in Python; `true` is never a sensible number here.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, f"must be a number, not {value!r}")
        if not math.isfinite(value):
            raise self.error(key, "must be a finite number")
        return float(value)

    def number(self, key: str) -> float:
        value = self.optional_number(key)
        if value is None:
            raise self.error(key, "is required")
        return value

    def integer(self, key: str, default: int | None = None) -> int:
        value = self.raw(key)
        if value is None:
            if default is None:
                raise self.error(key, "is required")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be a whole number, not {value!r}")
        return value

    def boolean(self, key: str, default: bool | None = None) -> bool:
        value = self.raw(key)
        if value is None:
            if default is None:
                raise self.error(key, "is required (true or false)")
            return default
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {value!r}")
        return value

    def enum(self, key: str, cls: type[E], default: E | None = None) -> E:
        value = self.raw(key)
        if value is None and default is not None:
            return default
        allowed = ", ".join(member.value for member in cls)
        if not isinstance(value, str):
            raise self.error(key, f"is required, one of: {allowed}")
        try:
            return cls(value)
        except ValueError:
            raise self.error(key, f"{value!r} is not one of: {allowed}") from None

    def table(self, key: str) -> FieldReader | None:
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(key, "must be a table")
        return FieldReader(cast(dict[str, object], value), self.source, self.field(key))

    def tables(self, key: str) -> list[FieldReader]:
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, "must be an array of tables ([[" + key + "]])")
        return [
            FieldReader(cast(dict[str, object], v), self.source, f"{self.field(key)}[{i}]")
            for i, v in enumerate(value, start=1)
        ]

    def integers(self, key: str) -> list[int]:
        value = self.raw(key)
        if not isinstance(value, list) or not value:
            raise self.error(key, "must be a non-empty list of item numbers")
        for v in value:
            if isinstance(v, bool) or not isinstance(v, int):
                raise self.error(key, f"{v!r} is not an item number")
        return cast(list[int], value)


def read_toml(path: Path) -> dict[str, object]:
    """Parse a TOML file, turning syntax and I/O errors into :class:`DefinitionError`."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError(str(path), "", f"is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise DefinitionError(str(path), "", f"cannot be read: {exc}") from exc
