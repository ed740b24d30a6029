"""The "Your plan" part of the client's end-of-session form: goals to rate, agree or comment.

The client sees problem and goal titles and benchmarks only, never the therapist's notes.
"""

from __future__ import annotations

from typing import Any

from rapport.core.plans import BenchmarkKind
from rapport.feedback.instruments import instrument_or_none
from rapport.feedback.models import FeedbackRequest
from rapport.plans.services import goal_field, plan_for_link

GAS_LEVELS = (-2, -1, 0, 1, 2)


def plan_form_context(request: FeedbackRequest, posted: dict[str, str]) -> dict[str, Any] | None:
    shown = plan_for_link(request)
    if shown is None:
        return None
    version, snapshot = shown
    names = {}
    goals = []
    for goal in snapshot.active_goals():
        if goal.target is not None:
            measure = instrument_or_none(goal.target.measure)
            names[goal.target.measure] = measure.name if measure else goal.target.measure
        name = goal_field(goal.key)
        row: dict[str, Any] = {
            "goal": goal,
            "name": name,
            "value": posted.get(name, ""),
            "problem": snapshot.problem(goal.problem_key).title,
            "benchmark": goal.benchmark(names),
            "gas": goal.kind is BenchmarkKind.GAS,
        }
        if goal.ladder is not None:
            row["levels"] = [
                {
                    "value": level,
                    "text": goal.ladder.text(level),
                    "checked": posted.get(name) == str(level),
                }
                for level in GAS_LEVELS
            ]
        goals.append(row)
    problems = [p for p in snapshot.problems if p.state == "active"]
    return {
        "version": version,
        "problems": problems,
        "goals": goals,
        "agree": posted.get("plan-agree", ""),
        "comment": posted.get("plan-comment", ""),
    }
