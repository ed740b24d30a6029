"""Conversational markers of a session: talk balance, turn length, latency, style matching.

Pure Python (no Django). Language style matching (LSM) follows Ireland JE, Pennebaker JW.
Language style matching in writing: synchrony in essays, correspondence, and poetry. J Pers Soc
Psychol. 2010;99(3):549-571, and Ireland JE, Slatcher RB, Eastwick PW, et al. Language style
matching predicts relationship initiation and stability. Psychol Sci. 2011;22(1):39-44. For each
function-word category *c*, with ``p`` the percentage of a speaker's words in *c*::

    LSM_c = 1 - |p1 - p2| / (p1 + p2 + 0.0001)

and LSM is the mean over the nine categories. The 0.0001 keeps a category neither speaker used
from dividing by zero (it then scores 1). Word lists are project-authored
(:mod:`rapport.core.transcripts.function_words`), not LIWC's, so values are comparable within
Rapport but not to published LIWC-based figures.

A *turn* is a run of consecutive utterances by one speaker.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapport.core.transcripts.function_words import CATEGORIES, FUNCTION_WORDS
from rapport.core.transcripts.model import Conversation, Role, Utterance

__all__ = [
    "LSM_EPSILON",
    "LsmWindow",
    "RoleBalance",
    "TalkBalance",
    "category_percentages",
    "language_style_matching",
    "lsm_by_category",
    "lsm_rolling",
    "response_latencies",
    "talk_balance",
]

LSM_EPSILON = 0.0001  # Ireland & Pennebaker 2010


# --- talk balance -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoleBalance:
    """How much one role spoke. Turn lengths are in words."""

    role: Role
    turns: int
    words: int
    word_share: float  # of all words in the session, 0-1
    mean_turn_words: float | None  # None when the role never spoke
    median_turn_words: float | None
    mean_latency: float | None  # seconds before this role's turns; None without timestamps


@dataclass(frozen=True, slots=True)
class TalkBalance:
    """Talk balance of a session, by role (every :class:`Role` is present)."""

    total_words: int
    by_role: Mapping[Role, RoleBalance]


def _turns(utterances: Sequence[Utterance]) -> list[list[Utterance]]:
    runs: list[list[Utterance]] = []
    for u in utterances:
        if runs and runs[-1][0].speaker == u.speaker:
            runs[-1].append(u)
        else:
            runs.append([u])
    return runs


def response_latencies(conversation: Conversation) -> dict[Role, tuple[float, ...]]:
    """Seconds from the end of one speaker's turn to the start of the next speaker's, by the
    role of the one responding. Negative values are overlaps; gaps without timestamps are
    skipped."""
    found: dict[Role, list[float]] = {r: [] for r in Role}
    runs = _turns(conversation.utterances)
    for before, after in itertools.pairwise(runs):
        end, start = before[-1].end, after[0].start
        if end is not None and start is not None:
            found[after[0].role].append(start - end)
    return {r: tuple(v) for r, v in found.items()}


def talk_balance(conversation: Conversation) -> TalkBalance:
    """Words and turns per role, each role's share of words, turn lengths and mean latency."""
    runs = _turns(conversation.utterances)
    latencies = response_latencies(conversation)
    lengths: dict[Role, list[int]] = {r: [] for r in Role}
    for run in runs:
        lengths[run[0].role].append(sum(len(u.words) for u in run))
    total = sum(sum(v) for v in lengths.values())
    by_role = {
        r: RoleBalance(
            role=r,
            turns=len(lengths[r]),
            words=sum(lengths[r]),
            word_share=sum(lengths[r]) / total if total else 0.0,
            mean_turn_words=statistics.fmean(lengths[r]) if lengths[r] else None,
            median_turn_words=float(statistics.median(lengths[r])) if lengths[r] else None,
            mean_latency=statistics.fmean(latencies[r]) if latencies[r] else None,
        )
        for r in Role
    }
    return TalkBalance(total_words=total, by_role=by_role)


# --- language style matching ------------------------------------------------------------------


# Each function word's categories (by position in CATEGORIES), so counting is one dictionary
# lookup per word instead of one set lookup per word and category.
_CATEGORIES_OF: dict[str, tuple[int, ...]] = {}
for _i, _category in enumerate(CATEGORIES):
    for _word in FUNCTION_WORDS[_category]:
        _CATEGORIES_OF[_word] = (*_CATEGORIES_OF.get(_word, ()), _i)


def _category_counts(words: Iterable[str]) -> list[int]:
    counts = [0] * len(CATEGORIES)
    for w in words:
        for i in _CATEGORIES_OF.get(w, ()):
            counts[i] += 1
    return counts


def category_percentages(words: Sequence[str]) -> dict[str, float]:
    """Percentage (0-100) of ``words`` in each function-word category."""
    if not words:
        raise ValueError("Cannot compute function-word percentages of no words.")
    counts = _category_counts(words)
    return {c: 100 * n / len(words) for c, n in zip(CATEGORIES, counts, strict=True)}


def _lsm(p1: float, p2: float) -> float:
    return 1 - abs(p1 - p2) / (p1 + p2 + LSM_EPSILON)


def lsm_by_category(words_a: Sequence[str], words_b: Sequence[str]) -> dict[str, float]:
    """LSM per category between two speakers' words (Ireland & Pennebaker 2010)."""
    if not words_a or not words_b:
        raise ValueError("Language style matching needs words from both speakers.")
    pa, pb = category_percentages(words_a), category_percentages(words_b)
    return {c: _lsm(pa[c], pb[c]) for c in CATEGORIES}


def _role_words(utterances: Sequence[Utterance], role: Role) -> list[str]:
    return [w for u in utterances if u.role is role for w in u.words]


def language_style_matching(
    conversation: Conversation, a: Role = Role.THERAPIST, b: Role = Role.CLIENT
) -> float:
    """Session LSM between roles ``a`` and ``b``: the mean of the nine category scores, 0-1.

    Raises ValueError when either role spoke no words.
    """
    wa, wb = _role_words(conversation.utterances, a), _role_words(conversation.utterances, b)
    if not wa or not wb:
        silent = a if not wa else b
        raise ValueError(f"Language style matching needs words from both roles; {silent} has none.")
    return statistics.fmean(lsm_by_category(wa, wb).values())


@dataclass(frozen=True, slots=True)
class LsmWindow:
    """LSM over utterances ``first``..``last`` (indices, inclusive); None when a role is silent."""

    first: int
    last: int
    lsm: float | None


def _prefix_counts(
    utterances: Sequence[Utterance], role: Role
) -> tuple[list[int], list[list[int]]]:
    """Running totals of ``role``'s words and of each category, so any window is a subtraction."""
    words = [0]
    per_category: list[list[int]] = [[0] for _ in CATEGORIES]
    for u in utterances:
        tokens = u.words if u.role is role else ()
        words.append(words[-1] + len(tokens))
        for totals, n in zip(per_category, _category_counts(tokens), strict=True):
            totals.append(totals[-1] + n)
    return words, per_category


def lsm_rolling(
    conversation: Conversation, window: int, a: Role = Role.THERAPIST, b: Role = Role.CLIENT
) -> tuple[LsmWindow, ...]:
    """LSM over each run of ``window`` consecutive utterances (fewer than ``window`` utterances
    give one window of them all).

    Each utterance is counted once and windows are differences of running totals, so a long
    session costs one pass, not one pass per window.
    """
    if window < 2:
        raise ValueError(f"An LSM window needs at least 2 utterances, not {window}.")
    us = conversation.utterances
    words_a, cats_a = _prefix_counts(us, a)
    words_b, cats_b = _prefix_counts(us, b)
    starts = range(max(1, len(us) - window + 1)) if us else range(0)
    out: list[LsmWindow] = []
    for i in starts:
        j = min(i + window, len(us))
        na, nb = words_a[j] - words_a[i], words_b[j] - words_b[i]
        score = None
        if na and nb:
            score = statistics.fmean(
                _lsm(100 * (ca[j] - ca[i]) / na, 100 * (cb[j] - cb[i]) / nb)
                for ca, cb in zip(cats_a, cats_b, strict=True)
            )
        out.append(LsmWindow(us[i].index, us[j - 1].index, score))
    return tuple(out)
