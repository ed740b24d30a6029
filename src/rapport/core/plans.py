"""Collaborative treatment plans: problems, goals, Goal Attainment Scaling and plan versions.

Pure Python (no Django). Agreement on the goals of therapy is one of the three parts of the
working alliance (Bordin ES. The generalizability of the psychoanalytic concept of the working
alliance. Psychotherapy: Theory, Research & Practice. 1979;16(3):252-260), and goal consensus
and collaboration predict outcome (Tryon GS, Birch SE, Verkuilen J. Meta-analyses of the
relation of goal consensus and collaboration to psychotherapy outcome. Psychotherapy.
2018;55(4):372-383). A plan here is a prioritised problem list, in the client's words where
possible, and goals with a measurable benchmark each, which the client rates as therapy goes on.

A :class:`PlanSnapshot` is one immutable *version* of a plan: every edit helper returns a new
snapshot, the Django layer stores each one as the JSON of :meth:`PlanSnapshot.to_dict`, and
:func:`diff_plans` says what changed between two versions. Items are retired, not deleted, and new
keys are ``p<n>``/``g<n>`` with *n* one more than the largest number in the plan, so a key that
has meant one problem or goal never comes to mean another.

A goal's benchmark is either a target on a standard measure (e.g. PHQ-9 below 10) or a *Goal
Attainment Scaling* ladder: five described outcomes from -2 (much less than expected) through 0
(the expected outcome) to +2 (much more than expected). Several goals combine into one T-score
(Kiresuk TJ, Sherman RE. Goal attainment scaling: a general method for evaluating comprehensive
community mental health programs. Community Ment Health J. 1968;4(6):443-453)::

    T = 50 + 10 * sum(w * x) / sqrt((1 - rho) * sum(w**2) + rho * sum(w)**2)

with weights *w*, levels *x* and *rho* the assumed correlation between goal scales, 0.3 by
convention (the corrected formula in Turner-Stokes L. Goal attainment scaling (GAS) in
rehabilitation: a practical guide. Clin Rehabil. 2009;23(4):362-370, and its erratum).
T is 50 when every goal ends at its expected level and has an SD of about 10.

Goal status, the diff and the review reminder follow Rapport's own rules, written out in
:func:`goal_progress`, :func:`diff_plans` and :func:`review_due`; no publication prescribes them.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum, StrEnum
from typing import Final, Literal

from rapport.core.instruments.formatting import format_number, format_range

__all__ = [
    "DEFAULT_RHO",
    "SNAPSHOT_FORMAT",
    "BenchmarkKind",
    "Comparison",
    "GasLadder",
    "Goal",
    "GoalProgress",
    "GoalStatus",
    "ItemState",
    "MeasureTarget",
    "PlanChange",
    "PlanSnapshot",
    "Problem",
    "RaisedBy",
    "diff_plans",
    "format_day",
    "gas_t_score",
    "goal_progress",
    "review_due",
]

DEFAULT_RHO = 0.3  # inter-goal correlation assumed by Kiresuk & Sherman (1968)
SNAPSHOT_FORMAT = 1  # bump, and teach from_dict the old one, when the JSON shape changes
MAX_TITLE = 200  # a problem or goal is a line on the plan, not a case formulation
GAS_LEVELS: Final = (-2, -1, 0, 1, 2)
RATING_RANGE: Final = (0.0, 10.0)  # client's own 0-10 rating of a measure-benchmarked goal

Comparison = Literal["below", "at_most", "above", "at_least"]
_COMPARISONS: Final[tuple[Comparison, ...]] = ("below", "at_most", "above", "at_least")
_COMPARISON_WORDS: Final[dict[Comparison, str]] = {
    "below": "below",
    "at_most": "at most",
    "above": "above",
    "at_least": "at least",
}
_PROBLEM_KEY = re.compile(r"p[1-9][0-9]*")
_GOAL_KEY = re.compile(r"g[1-9][0-9]*")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class RaisedBy(StrEnum):
    """Who put a problem on the list."""

    CLIENT = "client"
    THERAPIST = "therapist"
    BOTH = "both"


class ItemState(StrEnum):
    ACTIVE = "active"
    ACHIEVED = "achieved"
    RETIRED = "retired"  # no longer worked on; kept so its key and history stay


class BenchmarkKind(StrEnum):
    MEASURE = "measure"  # a target score on a standard measure
    GAS = "gas"  # a Goal Attainment Scaling ladder


class GoalStatus(StrEnum):
    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    STALLED = "stalled"
    NOT_RATED = "not_rated"


class _Unset(Enum):
    """Marks an edit argument that was not given, where None is a meaningful value."""

    UNSET = "unset"


UNSET: Final = _Unset.UNSET


def format_day(day: date) -> str:
    """``1 Oct 2026``: day first and the month spelled, so no reader mistakes it for 10/1."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _format_level(level: int) -> str:
    return f"{level:+d}" if level else "0"


def _checked_title(owner: str, title: object) -> str:
    if not isinstance(title, str):
        raise ValueError(f"{owner}'s title must be text, not {title!r}.")
    stripped = title.strip()
    if not stripped:
        raise ValueError(f"{owner}'s title must not be empty.")
    if len(stripped) > MAX_TITLE:
        raise ValueError(
            f"{owner}'s title must be at most {MAX_TITLE} characters, not {len(stripped)}."
        )
    return stripped


def _checked_key(kind: str, pattern: re.Pattern[str], example: str, key: object) -> None:
    if not (isinstance(key, str) and pattern.fullmatch(key)):
        raise ValueError(f"A {kind} key must look like {example!r}, not {key!r}.")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Problem:
    """One entry on the problem list. Its priority is its position in the plan's list."""

    key: str  # stable within a plan, e.g. "p1"; never reused
    title: str  # the client's words where possible; stored stripped
    raised_by: RaisedBy
    raised_on: date
    state: ItemState = ItemState.ACTIVE

    def __post_init__(self) -> None:
        _checked_key("problem", _PROBLEM_KEY, "p1", self.key)
        object.__setattr__(self, "title", _checked_title(f"Problem {self.key}", self.title))
        object.__setattr__(self, "raised_by", RaisedBy(self.raised_by))
        object.__setattr__(self, "state", ItemState(self.state))
        # A datetime is a date too, but its ISO form would not read back as one.
        if not isinstance(self.raised_on, date) or isinstance(self.raised_on, datetime):
            raise ValueError(f"Problem {self.key}'s raised_on must be a date (no time).")


@dataclass(frozen=True)
class MeasureTarget:
    """A score to reach on a standard measure, e.g. PHQ-9 below 10."""

    measure: str  # instrument code, e.g. "phq9"
    comparison: Comparison
    value: float

    def __post_init__(self) -> None:
        if not (isinstance(self.measure, str) and self.measure.strip()):
            raise ValueError("A measure target needs the measure's code, e.g. 'phq9'.")
        if self.comparison not in _COMPARISONS:
            raise ValueError(
                f"A target's comparison must be one of {', '.join(_COMPARISONS)}, "
                f"not {self.comparison!r}."
            )
        if not (_is_number(self.value) and math.isfinite(self.value)):
            raise ValueError(f"A target's value must be a finite number, not {self.value!r}.")
        object.__setattr__(self, "value", float(self.value))

    def met(self, score: float) -> bool:
        """Whether ``score`` reaches the target ("below 10" excludes 10, "at most 10" does not)."""
        if self.comparison == "below":
            return score < self.value
        if self.comparison == "at_most":
            return score <= self.value
        if self.comparison == "above":
            return score > self.value
        return score >= self.value

    def check_range(self, measure_name: str, low: float, high: float) -> None:
        """Raise ValueError unless some totals in ``low``..``high`` (the measure's possible
        totals) meet this target and some do not: a goal met always or never measures nothing.
        """
        value = self.value
        words = f"{_COMPARISON_WORDS[self.comparison]} {format_number(value)}"
        span = f"{measure_name} totals run from {format_range(low, high)}"
        if not low <= value <= high:
            raise ValueError(f"{span}, so {format_number(value)} cannot be a target.")
        if not self.met(low) and not self.met(high):  # met() is monotone in the total
            raise ValueError(f"{span}, so “{words}” can never be met.")
        if self.met(low) and self.met(high):
            raise ValueError(f"{span}, so every total is “{words}”: the goal would tell nothing.")

    def describe(self, measure_name: str) -> str:
        """E.g. ``PHQ-9 below 10``, given the measure's display name."""
        words = _COMPARISON_WORDS[self.comparison]
        return f"{measure_name} {words} {format_number(self.value)}"


@dataclass(frozen=True)
class GasLadder:
    """The five outcomes of a Goal Attainment Scaling goal, described before work starts."""

    levels: tuple[str, str, str, str, str]  # for -2, -1, 0 (expected), +1, +2
    baseline: int = -1  # where the client starts: -1 (some ability) or -2 (none yet)

    def __post_init__(self) -> None:
        levels = tuple(self.levels)
        if len(levels) != len(GAS_LEVELS):
            raise ValueError(
                f"A GAS ladder describes exactly 5 levels (-2 to +2), not {len(levels)}."
            )
        for level, text in zip(GAS_LEVELS, levels, strict=True):
            if not (isinstance(text, str) and text.strip()):
                raise ValueError(f"GAS level {_format_level(level)} needs a description.")
        object.__setattr__(self, "levels", levels)
        # Turner-Stokes (2009): a client starts at -1 with some ability, at -2 with none. A
        # start at or above 0 would count the goal as met before any work.
        if type(self.baseline) is not int or self.baseline not in (-2, -1):
            raise ValueError(f"A GAS baseline must be -2 or -1, not {self.baseline!r}.")

    def text(self, level: int) -> str:
        """The description of ``level`` (-2 to +2)."""
        if level not in GAS_LEVELS:
            raise ValueError(f"A GAS level runs from -2 to +2, not {level!r}.")
        return self.levels[level + 2]


@dataclass(frozen=True)
class Goal:
    """A goal under a problem, with either a measure target or a GAS ladder as benchmark."""

    key: str  # stable within a plan, e.g. "g1"; never reused
    problem_key: str
    title: str
    kind: BenchmarkKind
    target: MeasureTarget | None  # set iff kind is MEASURE
    ladder: GasLadder | None  # set iff kind is GAS
    target_date: date | None
    weight: float = 1.0  # > 0; the goal's weight in the GAS T-score
    state: ItemState = ItemState.ACTIVE

    def __post_init__(self) -> None:
        _checked_key("goal", _GOAL_KEY, "g1", self.key)
        _checked_key("problem", _PROBLEM_KEY, "p1", self.problem_key)
        owner = f"Goal {self.key}"
        object.__setattr__(self, "title", _checked_title(owner, self.title))
        object.__setattr__(self, "kind", BenchmarkKind(self.kind))
        object.__setattr__(self, "state", ItemState(self.state))
        if self.kind is BenchmarkKind.MEASURE and (self.target is None or self.ladder is not None):
            raise ValueError(
                f"{owner} is benchmarked on a measure, so it needs a target and no ladder."
            )
        if self.kind is BenchmarkKind.GAS and (self.ladder is None or self.target is not None):
            raise ValueError(f"{owner} uses goal attainment scaling, so it needs a ladder only.")
        day = self.target_date
        if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
            raise ValueError(f"{owner}'s target date must be a date (no time) or None.")
        if not (_is_number(self.weight) and math.isfinite(self.weight) and self.weight > 0):
            raise ValueError(f"{owner}'s weight must be a number above 0, not {self.weight!r}.")
        object.__setattr__(self, "weight", float(self.weight))  # as JSON will read it back

    def benchmark(self, measure_names: Mapping[str, str] | None = None) -> str:
        """The benchmark in words: ``PHQ-9 below 10`` or the GAS expected outcome."""
        if self.target is not None:
            name = (measure_names or {}).get(self.target.measure, self.target.measure)
            return self.target.describe(name)
        assert self.ladder is not None
        return f"GAS, expected outcome '{self.ladder.text(0)}'"


def _number_in_key(key: str) -> int:
    return int(key[1:])


def _next_key(prefix: str, keys: Sequence[str]) -> str:
    return f"{prefix}{1 + max((_number_in_key(k) for k in keys), default=0)}"


@dataclass(frozen=True)
class PlanSnapshot:
    """One version of a client's plan. Immutable: every edit helper returns a new snapshot.

    ``problems`` are in priority order (first = highest). ``goals`` keep the order they were
    added in; a goal's place in that list carries no meaning.
    """

    problems: tuple[Problem, ...] = ()
    goals: tuple[Goal, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "problems", tuple(self.problems))
        object.__setattr__(self, "goals", tuple(self.goals))
        _require_unique("Problem", [p.key for p in self.problems])
        _require_unique("Goal", [g.key for g in self.goals])
        problem_keys = {p.key for p in self.problems}
        for goal in self.goals:
            if goal.problem_key not in problem_keys:
                raise ValueError(
                    f"Goal {goal.key} belongs to problem {goal.problem_key}, "
                    "which is not in the plan."
                )

    # -- looking things up ---------------------------------------------------------------------

    def problem(self, key: str) -> Problem:
        for problem in self.problems:
            if problem.key == key:
                return problem
        raise ValueError(f"There is no problem {key!r} in this plan.")

    def goal(self, key: str) -> Goal:
        for goal in self.goals:
            if goal.key == key:
                return goal
        raise ValueError(f"There is no goal {key!r} in this plan.")

    def priority(self, problem_key: str) -> int:
        """1 for the top problem, 2 for the next, and so on."""
        self.problem(problem_key)
        return [p.key for p in self.problems].index(problem_key) + 1

    def goals_for(self, problem_key: str) -> tuple[Goal, ...]:
        return tuple(g for g in self.goals if g.problem_key == problem_key)

    def active_goals(self) -> tuple[Goal, ...]:
        """Active goals of active problems, highest-priority problem first.

        A goal under a retired or achieved problem is no longer worked on, even if nobody
        marked the goal itself.
        """
        active_problems = [p.key for p in self.problems if p.state is ItemState.ACTIVE]
        return tuple(
            goal
            for key in active_problems
            for goal in self.goals_for(key)
            if goal.state is ItemState.ACTIVE
        )

    # -- edits: each returns a new snapshot ------------------------------------------------------

    def add_problem(self, title: str, raised_by: RaisedBy, raised_on: date) -> PlanSnapshot:
        """A new problem at the bottom of the list (lowest priority)."""
        problem = Problem(
            key=_next_key("p", [p.key for p in self.problems]),
            title=title,
            raised_by=raised_by,
            raised_on=raised_on,
        )
        return dataclasses.replace(self, problems=(*self.problems, problem))

    def edit_problem(
        self, key: str, *, title: str | None = None, state: ItemState | None = None
    ) -> PlanSnapshot:
        old = self.problem(key)
        new = dataclasses.replace(
            old,
            title=old.title if title is None else title,
            state=old.state if state is None else state,
        )
        return dataclasses.replace(
            self, problems=tuple(new if p.key == key else p for p in self.problems)
        )

    def move_problem(self, key: str, offset: int) -> PlanSnapshot:
        """Move a problem ``offset`` places (-1 = up one); clamped at the top and bottom."""
        keys = [p.key for p in self.problems]
        self.problem(key)
        old_index = keys.index(key)
        new_index = min(max(old_index + offset, 0), len(keys) - 1)
        problems = list(self.problems)
        problems.insert(new_index, problems.pop(old_index))
        return dataclasses.replace(self, problems=tuple(problems))

    def reorder_problems(self, keys: Sequence[str]) -> PlanSnapshot:
        """Put the problems in the order of ``keys``, which must name each problem once."""
        if isinstance(keys, str):
            raise ValueError("Give the new order as a list of problem keys, not one string.")
        current = [p.key for p in self.problems]
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                raise ValueError(f"The new order lists problem {key!r} more than once.")
            if key not in current:
                raise ValueError(f"The new order lists {key!r}, which is not in the plan.")
            seen.add(key)
        missing = [key for key in current if key not in seen]
        if missing:
            raise ValueError(f"The new order leaves out problem(s) {', '.join(missing)}.")
        by_key = {p.key: p for p in self.problems}
        return dataclasses.replace(self, problems=tuple(by_key[key] for key in keys))

    def add_goal(
        self,
        problem_key: str,
        title: str,
        *,
        target: MeasureTarget | None = None,
        ladder: GasLadder | None = None,
        target_date: date | None = None,
        weight: float = 1.0,
    ) -> PlanSnapshot:
        """A new goal under ``problem_key``, benchmarked by ``target`` or ``ladder`` (one only)."""
        self.problem(problem_key)
        goal = Goal(
            key=_next_key("g", [g.key for g in self.goals]),
            problem_key=problem_key,
            title=title,
            kind=_kind_of(target, ladder),
            target=target,
            ladder=ladder,
            target_date=target_date,
            weight=weight,
        )
        return dataclasses.replace(self, goals=(*self.goals, goal))

    def edit_goal(
        self,
        key: str,
        *,
        title: str | None = None,
        problem_key: str | None = None,
        target: MeasureTarget | None = None,
        ladder: GasLadder | None = None,
        target_date: date | _Unset | None = UNSET,
        weight: float | None = None,
        state: ItemState | None = None,
    ) -> PlanSnapshot:
        """Change some of a goal's fields; arguments left out keep their value.

        Giving ``target`` makes the goal measure-benchmarked and giving ``ladder`` makes it a GAS
        goal (not both). ``target_date=None`` clears the date; leaving it out keeps it.
        """
        old = self.goal(key)
        if problem_key is not None:
            self.problem(problem_key)
        kind, new_target, new_ladder = old.kind, old.target, old.ladder
        if target is not None or ladder is not None:
            kind, new_target, new_ladder = _kind_of(target, ladder), target, ladder
        new = dataclasses.replace(
            old,
            title=old.title if title is None else title,
            problem_key=old.problem_key if problem_key is None else problem_key,
            kind=kind,
            target=new_target,
            ladder=new_ladder,
            target_date=old.target_date if isinstance(target_date, _Unset) else target_date,
            weight=old.weight if weight is None else weight,
            state=old.state if state is None else state,
        )
        return dataclasses.replace(
            self, goals=tuple(new if g.key == key else g for g in self.goals)
        )

    # -- JSON ----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable dict (dates as ISO strings) that :meth:`from_dict` reads back."""
        return {
            "format": SNAPSHOT_FORMAT,
            "problems": [
                {
                    "key": p.key,
                    "title": p.title,
                    "raised_by": p.raised_by.value,
                    "raised_on": p.raised_on.isoformat(),
                    "state": p.state.value,
                }
                for p in self.problems
            ],
            "goals": [_goal_to_dict(g) for g in self.goals],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> PlanSnapshot:
        """Read a dict written by :meth:`to_dict`; a ValueError names the first bad field."""
        fields = _Fields(data, "snapshot")
        fields.only({"format", "problems", "goals"})
        version = fields.integer("format")
        if version != SNAPSHOT_FORMAT:
            raise ValueError(f"format: this version of Rapport reads plan format 1, not {version}.")
        problems = tuple(
            _item(_problem_from, entry, f"problems[{i}]")
            for i, entry in enumerate(fields.items("problems"))
        )
        goals = tuple(
            _item(_goal_from, entry, f"goals[{i}]") for i, entry in enumerate(fields.items("goals"))
        )
        return cls(problems=problems, goals=goals)


def _require_unique(kind: str, keys: Sequence[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise ValueError(f"{kind} key {key} is used more than once in the plan.")
        seen.add(key)


def _kind_of(target: MeasureTarget | None, ladder: GasLadder | None) -> BenchmarkKind:
    if (target is None) == (ladder is None):
        raise ValueError("A goal needs exactly one benchmark: a measure target or a GAS ladder.")
    return BenchmarkKind.MEASURE if target is not None else BenchmarkKind.GAS


# -- snapshot (de)serialisation ----------------------------------------------------------------


def _goal_to_dict(goal: Goal) -> dict[str, object]:
    target = goal.target
    ladder = goal.ladder
    return {
        "key": goal.key,
        "problem_key": goal.problem_key,
        "title": goal.title,
        "kind": goal.kind.value,
        "target": None
        if target is None
        else {"measure": target.measure, "comparison": target.comparison, "value": target.value},
        "ladder": None
        if ladder is None
        else {"levels": list(ladder.levels), "baseline": ladder.baseline},
        "target_date": None if goal.target_date is None else goal.target_date.isoformat(),
        "weight": goal.weight,
        "state": goal.state.value,
    }


class _Fields:
    """Typed access to one JSON object, with errors that name the field's path."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            raise ValueError(f"{path} must be an object, not {type(data).__name__}.")
        self.data: Mapping[object, object] = data
        self.path = path

    def where(self, name: str) -> str:
        return name if self.path == "snapshot" else f"{self.path}.{name}"

    def only(self, names: set[str]) -> None:
        for name in self.data:
            if name not in names:
                raise ValueError(f"{self.where(str(name))}: unexpected field.")

    def get(self, name: str) -> object:
        if name not in self.data:
            raise ValueError(f"{self.where(name)}: missing.")
        return self.data[name]

    def text(self, name: str) -> str:
        value = self.get(name)
        if not isinstance(value, str):
            raise ValueError(f"{self.where(name)}: must be text, not {value!r}.")
        return value

    def integer(self, name: str) -> int:
        value = self.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{self.where(name)}: must be a whole number, not {value!r}.")
        return value

    def number(self, name: str) -> float:
        value = self.get(name)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ValueError(f"{self.where(name)}: must be a number, not {value!r}.")
        return float(value)

    def day(self, name: str) -> date:
        value = self.get(name)
        if not isinstance(value, str):
            raise ValueError(f"{self.where(name)}: must be an ISO date such as '2026-10-01'.")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{self.where(name)}: {value!r} is not an ISO date.") from None

    def optional_day(self, name: str) -> date | None:
        return None if self.get(name) is None else self.day(name)

    def choice[E: StrEnum](self, name: str, enum: type[E]) -> E:
        value = self.get(name)
        for member in enum:
            if value == member.value:
                return member
        options = ", ".join(member.value for member in enum)
        raise ValueError(f"{self.where(name)}: must be one of {options}, not {value!r}.")

    def items(self, name: str) -> list[object]:
        value = self.get(name)
        if not isinstance(value, list | tuple):
            raise ValueError(f"{self.where(name)}: must be a list.")
        return list(value)

    def nested(self, name: str) -> _Fields | None:
        value = self.get(name)
        return None if value is None else _Fields(value, self.where(name))


def _item[T](reader: Callable[[_Fields], T], entry: object, path: str) -> T:
    """Run ``reader``; a validation error from the dataclasses gets the entry's path in front."""
    fields = _Fields(entry, path)
    try:
        return reader(fields)
    except ValueError as error:
        message = str(error)
        if message.startswith(path):
            raise
        raise ValueError(f"{path}: {message}") from None


def _problem_from(fields: _Fields) -> Problem:
    fields.only({"key", "title", "raised_by", "raised_on", "state"})
    return Problem(
        key=fields.text("key"),
        title=fields.text("title"),
        raised_by=fields.choice("raised_by", RaisedBy),
        raised_on=fields.day("raised_on"),
        state=fields.choice("state", ItemState),
    )


def _comparison(fields: _Fields, name: str) -> Comparison:
    value = fields.get(name)
    for option in _COMPARISONS:
        if value == option:
            return option
    raise ValueError(
        f"{fields.where(name)}: must be one of {', '.join(_COMPARISONS)}, not {value!r}."
    )


def _target_from(fields: _Fields | None) -> MeasureTarget | None:
    if fields is None:
        return None
    fields.only({"measure", "comparison", "value"})
    return MeasureTarget(
        measure=fields.text("measure"),
        comparison=_comparison(fields, "comparison"),
        value=fields.number("value"),
    )


def _ladder_from(fields: _Fields | None) -> GasLadder | None:
    if fields is None:
        return None
    fields.only({"levels", "baseline"})
    levels = fields.items("levels")
    if len(levels) != len(GAS_LEVELS) or not all(isinstance(t, str) for t in levels):
        raise ValueError(f"{fields.where('levels')}: must be 5 descriptions, for -2 to +2.")
    texts = [str(t) for t in levels]
    return GasLadder(
        levels=(texts[0], texts[1], texts[2], texts[3], texts[4]),
        baseline=fields.integer("baseline"),
    )


def _goal_from(fields: _Fields) -> Goal:
    fields.only(
        {
            "key",
            "problem_key",
            "title",
            "kind",
            "target",
            "ladder",
            "target_date",
            "weight",
            "state",
        }
    )
    return Goal(
        key=fields.text("key"),
        problem_key=fields.text("problem_key"),
        title=fields.text("title"),
        kind=fields.choice("kind", BenchmarkKind),
        target=_target_from(fields.nested("target")),
        ladder=_ladder_from(fields.nested("ladder")),
        target_date=fields.optional_day("target_date"),
        weight=fields.number("weight"),
        state=fields.choice("state", ItemState),
    )


# -- Goal Attainment Scaling -------------------------------------------------------------------


def gas_t_score(attainments: Sequence[tuple[float, int]], rho: float = DEFAULT_RHO) -> float:
    """Kiresuk & Sherman's (1968) aggregate T-score of ``(weight, level)`` pairs.

    ``T = 50 + 10 * sum(w * x) / sqrt((1 - rho) * sum(w**2) + rho * sum(w)**2)``, levels
    -2 to +2 with 0 the expected outcome. All goals at 0 gives exactly 50; with rho = 0.3 one
    goal at +1 gives 60. Multiplying every weight by the same factor leaves T unchanged.
    """
    if not attainments:
        raise ValueError("A GAS T-score needs at least one rated goal.")
    if not (_is_number(rho) and 0 <= rho < 1):
        raise ValueError(
            f"rho, the assumed correlation between goals, must be at least 0 and below 1 "
            f"(0.3 by convention), not {rho!r}."
        )
    for weight, level in attainments:
        if not (_is_number(weight) and math.isfinite(weight) and weight > 0):
            raise ValueError(f"A goal's weight must be a number above 0, not {weight!r}.")
        if not (_is_number(level) and level in GAS_LEVELS):
            raise ValueError(f"A GAS level must be a whole number from -2 to +2, not {level!r}.")
    # T does not change when every weight is scaled alike, so scale the largest to 1: weights
    # like 1e-200 or 1e200 would otherwise underflow to a zero denominator or overflow.
    largest = max(weight for weight, _ in attainments)
    weighted = 0.0
    squares = 0.0
    total = 0.0
    for weight, level in attainments:
        w = weight / largest
        weighted += w * level
        squares += w * w
        total += w
    return 50 + 10 * weighted / math.sqrt((1 - rho) * squares + rho * total * total)


# -- goal status -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalProgress:
    """Where one goal stands, with the reason in one plain sentence."""

    status: GoalStatus
    reason: str
    latest_rating: float | None  # the client's latest rating of the goal (0-10 or GAS level)
    latest_level: int | None  # the latest GAS level; None for measure-benchmarked goals


def _checked_ratings(goal: Goal, ratings: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    checked: list[tuple[int, float]] = []
    for session, value in ratings:
        if not isinstance(session, int) or isinstance(session, bool) or session < 0:
            raise ValueError(
                f"A session number must be a whole number, 0 or more, not {session!r}."
            )
        if goal.kind is BenchmarkKind.GAS:
            if not (_is_number(value) and value in GAS_LEVELS):
                raise ValueError(
                    f"Goal {goal.key} uses goal attainment scaling: a rating is a whole level "
                    f"from -2 to +2, not {value!r}."
                )
        else:
            low, high = RATING_RANGE
            if not (_is_number(value) and low <= value <= high):
                raise ValueError(
                    f"Goal {goal.key}'s progress ratings run from 0 to 10, not {value!r}."
                )
        checked.append((session, float(value)))
    # Stable: where a session appears twice, the later entry counts as the later rating.
    return sorted(checked, key=lambda pair: pair[0])


def _checked_scores(scores: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    for session, value in scores:
        if not isinstance(session, int) or isinstance(session, bool):
            raise ValueError(f"A session number must be a whole number, not {session!r}.")
        if not (_is_number(value) and math.isfinite(value)):
            raise ValueError(f"A measure score must be a finite number, not {value!r}.")
    return sorted(((s, float(v)) for s, v in scores), key=lambda pair: pair[0])


def _series(values: Sequence[float]) -> str:
    return ", ".join(format_number(v) for v in values)


def goal_progress(
    goal: Goal,
    ratings: Sequence[tuple[int, float]],
    measure_scores: Sequence[tuple[int, float]] = (),
    *,
    today: date,
    stall_sessions: int = 3,
    measure_name: str | None = None,
) -> GoalProgress:
    """Whether a goal is achieved, on track, stalled or not yet rated (Rapport's rules).

    ``ratings`` are the client's own ``(session, value)`` ratings of the goal: 0 to 10 for a
    measure-benchmarked goal, the GAS level (-2 to +2, whole) for a GAS goal. ``measure_scores``
    are ``(session, total)`` on the goal's target measure; a GAS goal ignores them. The
    ``measure_name`` (e.g. "PHQ-9") is only for the reason; it defaults to the measure's code.

    Rapport's rules, in order:

    1. **achieved** when the goal is marked achieved in the plan; or, for a measure goal, when the
       latest measure score meets the target; or, for a GAS goal, when the latest rated level is
       0 (the expected outcome) or above;
    2. **not rated** when there are no ratings and (for a measure goal) no measure scores;
    3. **stalled** when the target date is before ``today``, or when the last ``stall_sessions``
       ratings show no rise: the latest rating is no higher than the one ``stall_sessions - 1``
       ratings before it (needs at least ``stall_sessions`` ratings);
    4. otherwise **on track**.
    """
    if not isinstance(stall_sessions, int) or stall_sessions < 2:
        raise ValueError(
            f"stall_sessions must be at least 2 (a rating compared with an earlier one), "
            f"not {stall_sessions!r}."
        )
    series = _checked_ratings(goal, ratings)
    gas = goal.kind is BenchmarkKind.GAS
    scores = [] if gas else _checked_scores(measure_scores)
    latest_rating = series[-1][1] if series else None
    latest_level = int(latest_rating) if gas and latest_rating is not None else None
    name = measure_name or (goal.target.measure if goal.target is not None else "")
    status, reason = _judge(
        goal, series, scores, today=today, stall_sessions=stall_sessions, name=name
    )
    return GoalProgress(status, reason, latest_rating, latest_level)


def _achieved_reason(
    goal: Goal, series: Sequence[tuple[int, float]], scores: Sequence[tuple[int, float]], name: str
) -> str | None:
    if goal.state is ItemState.ACHIEVED:
        return "The goal is marked as achieved in the plan."
    if goal.target is not None and scores:
        session, score = scores[-1]
        if goal.target.met(score):
            return (
                f"{name} {format_number(score)} at session {session} meets the target "
                f"'{goal.target.describe(name)}'."
            )
    if goal.ladder is not None and series and series[-1][1] >= 0:
        session, level = series[-1][0], int(series[-1][1])
        return (
            f"Level {_format_level(level)} at session {session} "
            f"('{goal.ladder.text(level)}') reaches the expected outcome."
        )
    return None


def _judge(
    goal: Goal,
    series: Sequence[tuple[int, float]],
    scores: Sequence[tuple[int, float]],
    *,
    today: date,
    stall_sessions: int,
    name: str,
) -> tuple[GoalStatus, str]:
    achieved = _achieved_reason(goal, series, scores, name)
    if achieved is not None:
        return GoalStatus.ACHIEVED, achieved
    if not series and not scores:
        return GoalStatus.NOT_RATED, "The client has not rated this goal yet."
    if goal.target_date is not None and goal.target_date < today:
        return GoalStatus.STALLED, f"Target date {format_day(goal.target_date)} has passed."
    return _trend(goal, series, scores, stall_sessions=stall_sessions, name=name)


def _trend(
    goal: Goal,
    series: Sequence[tuple[int, float]],
    scores: Sequence[tuple[int, float]],
    *,
    stall_sessions: int,
    name: str,
) -> tuple[GoalStatus, str]:
    """Stalled or on track, from the client's ratings (or, without any, the latest score)."""
    gas = goal.kind is BenchmarkKind.GAS
    what = "The client-rated GAS level" if gas else "Client-rated progress"
    if len(series) >= stall_sessions:
        window = [value for _, value in series[-stall_sessions:]]
        shown = _series(window)
        if window[-1] <= window[0]:
            return (
                GoalStatus.STALLED,
                f"{what} has not risen over the last {stall_sessions} ratings ({shown}).",
            )
        return (
            GoalStatus.ON_TRACK,
            f"{what} has risen over the last {stall_sessions} ratings ({shown}).",
        )
    if not series and goal.target is not None:
        session, score = scores[-1]
        return (
            GoalStatus.ON_TRACK,
            f"{name} {format_number(score)} at session {session} has not yet met the target "
            f"'{goal.target.describe(name)}'.",
        )
    session, value = series[-1]
    latest = _format_level(int(value)) if gas else format_number(value)
    return (
        GoalStatus.ON_TRACK,
        f"{what} is {latest} at session {session}; {stall_sessions} ratings are needed "
        "to tell whether it is rising.",
    )


# -- diff between two versions -----------------------------------------------------------------


@dataclass(frozen=True)
class PlanChange:
    """One difference between two versions of a plan."""

    kind: Literal["added", "removed", "changed", "moved"]
    item: Literal["problem", "goal"]
    key: str
    title: str  # the newer title (the old one for a removed item)
    details: tuple[str, ...]  # e.g. ("title: 'Sleep' → 'Sleep better'", "priority: 3 → 1")


def _moved_keys(old: Sequence[str], new: Sequence[str]) -> set[str]:
    """Keys whose order among the shared problems changed, as few as explain the new order.

    The longest run of shared keys still in their old relative order stays put; the rest moved.
    Adding or removing a problem shifts positions without counting as a move.
    """
    shared = set(old) & set(new)
    old_rank = {key: i for i, key in enumerate(k for k in old if k in shared)}
    sequence = [key for key in new if key in shared]
    # Longest increasing subsequence of old ranks, O(n^2): problem lists are short.
    best: list[int] = []  # best[i]: length of the longest run ending at sequence[i]
    back: list[int] = []
    for i, key in enumerate(sequence):
        best.append(1)
        back.append(-1)
        for j in range(i):
            if old_rank[sequence[j]] < old_rank[key] and best[j] + 1 > best[i]:
                best[i], back[i] = best[j] + 1, j
    kept: set[str] = set()
    i = max(range(len(sequence)), key=lambda k: best[k], default=-1)
    while i >= 0:
        kept.add(sequence[i])
        i = back[i]
    return shared - kept


def _quoted(old: str, new: str) -> str:
    return f"'{old}' → '{new}'"


def _day_or_none(day: date | None) -> str:
    return "none" if day is None else format_day(day)


def _problem_details(old: Problem, new: Problem) -> list[str]:
    details: list[str] = []
    if old.title != new.title:
        details.append(f"title: {_quoted(old.title, new.title)}")
    if old.raised_by != new.raised_by:
        details.append(f"raised by: {old.raised_by} → {new.raised_by}")
    if old.raised_on != new.raised_on:
        details.append(f"raised on: {format_day(old.raised_on)} → {format_day(new.raised_on)}")
    if old.state != new.state:
        details.append(f"state: {old.state} → {new.state}")
    return details


def _goal_details(
    old: Goal, new: Goal, before: PlanSnapshot, after: PlanSnapshot, names: Mapping[str, str]
) -> list[str]:
    details: list[str] = []
    if old.title != new.title:
        details.append(f"title: {_quoted(old.title, new.title)}")
    if old.problem_key != new.problem_key:
        was, now = before.problem(old.problem_key).title, after.problem(new.problem_key).title
        details.append(f"problem: {_quoted(was, now)}")
    if old.ladder is not None and new.ladder is not None:
        for level, was, now in zip(GAS_LEVELS, old.ladder.levels, new.ladder.levels, strict=True):
            if was != now:
                details.append(f"level {_format_level(level)}: {_quoted(was, now)}")
        if old.ladder.baseline != new.ladder.baseline:
            details.append(f"baseline: {old.ladder.baseline} → {new.ladder.baseline}")
    elif old.benchmark(names) != new.benchmark(names):
        details.append(f"benchmark: {_quoted(old.benchmark(names), new.benchmark(names))}")
    if old.target_date != new.target_date:
        details.append(
            f"target date: {_day_or_none(old.target_date)} → {_day_or_none(new.target_date)}"
        )
    if old.weight != new.weight:
        details.append(f"weight: {format_number(old.weight)} → {format_number(new.weight)}")
    if old.state != new.state:
        details.append(f"state: {old.state} → {new.state}")
    return details


def diff_plans(
    old: PlanSnapshot, new: PlanSnapshot, *, measure_names: Mapping[str, str] | None = None
) -> tuple[PlanChange, ...]:
    """What changed from ``old`` to ``new``, matched by key (Rapport's rules).

    Problems first, in the new priority order, then removed problems in their old order; then
    goals the same way. A problem whose only change is its place in the list is ``moved``; one
    with other changes is ``changed``, its details including ``priority: 3 → 1`` if it moved as
    well. Only problems that left their order relative to the others count as moved: raising
    one problem to the top does not report every problem it passed. A goal's position in the
    list means nothing and is not compared. ``measure_names`` maps measure codes to display
    names for benchmark details.
    """
    names = measure_names or {}
    changes: list[PlanChange] = []
    old_problems = {p.key: p for p in old.problems}
    new_keys = {p.key for p in new.problems}
    moved = _moved_keys([p.key for p in old.problems], [p.key for p in new.problems])
    for problem in new.problems:
        before = old_problems.get(problem.key)
        if before is None:
            changes.append(PlanChange("added", "problem", problem.key, problem.title, ()))
            continue
        details = _problem_details(before, problem)
        if problem.key in moved:
            was, now = old.priority(problem.key), new.priority(problem.key)
            details.insert(0, f"priority: {was} → {now}")
        if details:
            only_moved = problem.key in moved and len(details) == 1
            kind: Literal["changed", "moved"] = "moved" if only_moved else "changed"
            changes.append(PlanChange(kind, "problem", problem.key, problem.title, tuple(details)))
    changes.extend(
        PlanChange("removed", "problem", p.key, p.title, ())
        for p in old.problems
        if p.key not in new_keys
    )
    old_goals = {g.key: g for g in old.goals}
    new_goal_keys = {g.key for g in new.goals}
    for goal in new.goals:
        previous = old_goals.get(goal.key)
        if previous is None:
            changes.append(PlanChange("added", "goal", goal.key, goal.title, ()))
            continue
        details = _goal_details(previous, goal, old, new, names)
        if details:
            changes.append(PlanChange("changed", "goal", goal.key, goal.title, tuple(details)))
    changes.extend(
        PlanChange("removed", "goal", g.key, g.title, ())
        for g in old.goals
        if g.key not in new_goal_keys
    )
    return tuple(changes)


# -- review reminder ---------------------------------------------------------------------------


def review_due(last_review_session: int | None, latest_session: int | None, every: int = 6) -> bool:
    """Whether the plan is due a review with the client (Rapport's rule).

    Due when at least ``every`` sessions have passed since the last review. A plan never
    reviewed counts from session 0, so it is due once ``latest_session >= every``. With no
    sessions yet nothing is due.
    """
    if not isinstance(every, int) or isinstance(every, bool) or every < 1:
        raise ValueError(f"A plan review interval must be at least 1 session, not {every!r}.")
    for label, value in (("last review", last_review_session), ("latest", latest_session)):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValueError(f"The {label} session must be a whole number, 0 or more.")
    if latest_session is None:
        return False
    last = 0 if last_review_session is None else last_review_session
    if last > latest_session:
        raise ValueError(
            f"The last review (session {last}) cannot come after the latest session "
            f"({latest_session})."
        )
    return latest_session - last >= every
