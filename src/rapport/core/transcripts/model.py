"""Transcript data model: utterances, conversations and corpora.

In the spirit of ConvoKit (Chang JP, Chiam C, Fu L, et al. ConvoKit: A Toolkit for the Analysis
of Conversations. Proceedings of SIGDIAL 2020), but small: frozen dataclasses, no storage
backends, and a ``Role`` on every utterance so markers can compare therapist and client.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

__all__ = [
    "WORD_RE",
    "Conversation",
    "Corpus",
    "Role",
    "TranscriptError",
    "Utterance",
    "normalise",
    "straighten",
    "tokenize",
]

# Words are letter runs that may carry internal apostrophes ("don't", "I'm", "y'all"); digits
# and punctuation are not words. Curly apostrophes are normalised to straight ones first.
WORD_RE = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def straighten(text: str) -> str:
    """``text`` with curly and modifier-letter apostrophes made straight, one character for
    one (so a match in the result slices the original). Word processors and captioning tools
    write "don\u2019t"; word lists and VADER's negations spell it "don't"."""
    # Chained replace is several times faster than str.translate for three characters.
    return text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")


def normalise(text: str) -> str:
    """``text`` straightened and in lower case, the same length as ``text`` (so a match's span
    in the result slices the original), for matching word lists."""
    straight = straighten(text)
    lowered = straight.lower()
    if len(lowered) == len(straight):
        return lowered
    # A few characters lower-case to two ("\u0130" -> "i\u0307"); keep those as they are.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in straight)


def tokenize(text: str) -> list[str]:
    """Lower-cased words of ``text``, keeping contractions whole (``"don't"`` is one word)."""
    return WORD_RE.findall(straighten(text).lower())


class TranscriptError(ValueError):
    """A transcript could not be read; the message names the problem and where it is."""


class Role(StrEnum):
    """Who is speaking, as far as alliance markers are concerned."""

    THERAPIST = "therapist"
    CLIENT = "client"
    OTHER = "other"  # an interpreter, a family member, a supervisor


_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Utterance:
    """One turn of talk. ``start``/``end`` are seconds from the start of the session."""

    index: int
    speaker: str
    role: Role
    text: str
    start: float | None = None
    end: float | None = None
    labels: Mapping[str, str] = field(default=_EMPTY, compare=False)
    # The words, tokenised on first use: talk balance, LSM, rupture markers and the summary
    # each read them, and the regex pass costs more than everything else they do per word.
    _words: tuple[str, ...] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.index < 0:
            raise ValueError(f"An utterance index must be 0 or more, not {self.index}.")
        if not self.speaker:
            raise ValueError(f"Utterance {self.index} has no speaker.")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(
                f"Utterance {self.index} ends ({self.end}s) before it starts ({self.start}s)."
            )
        if not isinstance(self.labels, MappingProxyType):
            object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))

    def __reduce__(self) -> tuple[Any, ...]:
        # Read-only mapping proxies do not pickle: rebuild from a plain dict (the constructor
        # wraps it again), so utterances can cross to worker processes.
        fields = (self.index, self.speaker, self.role, self.text, self.start, self.end)
        return (Utterance, (*fields, dict(self.labels)))

    @property
    def words(self) -> list[str]:
        """The utterance's words (see :func:`tokenize`); a new list each time."""
        words = self._words
        if words is None:
            words = tuple(tokenize(self.text))
            object.__setattr__(self, "_words", words)
        return list(words)


@dataclass(frozen=True, slots=True)
class Conversation:
    """One session's utterances in order, with where they came from (a file name, a dataset)."""

    id: str
    utterances: tuple[Utterance, ...]
    source: str
    meta: Mapping[str, str] = field(default=_EMPTY, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "utterances", tuple(self.utterances))
        if not isinstance(self.meta, MappingProxyType):
            object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    def __reduce__(self) -> tuple[Any, ...]:
        # As Utterance.__reduce__: the meta proxy travels as a plain dict.
        return (Conversation, (self.id, self.utterances, self.source, dict(self.meta)))

    def __len__(self) -> int:
        return len(self.utterances)

    def __iter__(self) -> Iterator[Utterance]:
        return iter(self.utterances)

    def by_role(self, role: Role) -> tuple[Utterance, ...]:
        """The utterances spoken in ``role``, in order."""
        return tuple(u for u in self.utterances if u.role is role)

    @property
    def speakers(self) -> tuple[str, ...]:
        """Distinct speakers in order of first appearance."""
        return tuple(dict.fromkeys(u.speaker for u in self.utterances))

    @property
    def roles(self) -> dict[str, Role]:
        """Each speaker's role (the role of their first utterance)."""
        found: dict[str, Role] = {}
        for u in self.utterances:
            found.setdefault(u.speaker, u.role)
        return found

    def words(self, role: Role | None = None) -> list[str]:
        """All words spoken, or only those spoken in ``role``."""
        chosen = self.utterances if role is None else self.by_role(role)
        return [w for u in chosen for w in u.words]


@dataclass(frozen=True, slots=True)
class Corpus:
    """A set of conversations with distinct ids."""

    conversations: tuple[Conversation, ...]

    def __init__(self, conversations: Iterable[Conversation]) -> None:
        convos = tuple(conversations)
        seen: set[str] = set()
        for c in convos:
            if c.id in seen:
                raise ValueError(f"Two conversations share the id {c.id!r}.")
            seen.add(c.id)
        object.__setattr__(self, "conversations", convos)

    def __len__(self) -> int:
        return len(self.conversations)

    def __iter__(self) -> Iterator[Conversation]:
        return iter(self.conversations)

    def __getitem__(self, conversation_id: str) -> Conversation:
        for c in self.conversations:
            if c.id == conversation_id:
                return c
        raise KeyError(conversation_id)

    def utterances(self) -> Iterator[Utterance]:
        """Every utterance of every conversation, conversation by conversation."""
        for c in self.conversations:
            yield from c.utterances
