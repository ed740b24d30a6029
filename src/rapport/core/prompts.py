"""Suggested questions for raising a signal with the client and repairing the relationship.

Project-authored wording (not taken from any manual), written to follow what the rupture-repair
literature recommends: name what you noticed without blame, invite the client's view, take your
own share, and agree together what to change (Safran JD, Muran JC. Negotiating the Therapeutic
Alliance: A Relational Treatment Guide. Guilford; 2000; Eubanks CF, Muran JC, Safran JD.
Alliance rupture repair: a meta-analysis. Psychotherapy. 2018;55(4):508-519). Alliance prompts
are grouped by Bordin's three parts of the working alliance, goals, tasks and bond (Bordin ES.
Psychotherapy: Theory, Research & Practice. 1979;16(3):252-260), so the lowest-rated item picks
the questions whatever the measure.

They are suggestions for a conversation, not a script, and they never replace the clinic's own
risk procedures.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

__all__ = ["Theme", "alliance_prompts", "prompts_for", "theme_of_item"]


class Theme(StrEnum):
    """What part of the alliance an item asks about."""

    BOND = "bond"
    GOALS = "goals"
    TASKS = "tasks"
    SAFETY = "safety"
    OVERALL = "overall"


# Item keys of the bundled alliance measures, by the part of the alliance they ask about.
_ITEM_THEMES: Mapping[str, Theme] = {
    "heard": Theme.BOND,
    "relationship": Theme.BOND,
    "bond": Theme.BOND,
    "liked": Theme.BOND,
    "mutual_respect": Theme.BOND,
    "appreciated": Theme.BOND,
    "cared_for": Theme.BOND,
    "goals": Theme.GOALS,
    "goal": Theme.GOALS,
    "agreed_goals": Theme.GOALS,
    "agreed_priorities": Theme.GOALS,
    "collaborating_on_goals": Theme.GOALS,
    "approach": Theme.TASKS,
    "right_approach": Theme.TASKS,
    "task": Theme.TASKS,
    "goal_task": Theme.TASKS,
    "helpful_tasks": Theme.TASKS,
    "clarity_about_change": Theme.TASKS,
    "new_perspective": Theme.TASKS,
    "shared_understanding": Theme.TASKS,
    "safety": Theme.SAFETY,
    "overall": Theme.OVERALL,
}

_ALLIANCE: Mapping[Theme, tuple[str, ...]] = {
    Theme.BOND: (
        "Last time your rating suggested you may not have felt fully heard. "
        "What did I miss, or get wrong?",
        "Was there a moment when you felt I didn't quite understand you?",
        "What would help you feel more understood here?",
    ),
    Theme.GOALS: (
        "Are we spending our time on what matters most to you right now?",
        "If we could only work on one thing today, what would it be?",
        "Have your reasons for coming changed since we first set our goals?",
    ),
    Theme.TASKS: (
        "What could I do differently to make our sessions more useful to you?",
        "How does the way we have been working fit you? What would you change?",
        "Is there something we do in sessions that feels unhelpful or hard to go along with?",
    ),
    Theme.SAFETY: (
        "Is there anything that has felt hard to say to me?",
        "What would make it easier to be honest with me, even about our sessions?",
        "If something I said or did put you off, I would really like to know.",
    ),
    Theme.OVERALL: (
        "Your rating suggests last session was not quite right for you. What was missing?",
        "What would have made last session more right for you?",
        "What is one thing I could do differently next time?",
    ),
}

# Signal kinds are plain strings here so this module does not depend on the signals module.
_SIGNALS: Mapping[str, tuple[str, ...]] = {
    "risk": (
        "You answered one of the questions about thoughts of being better off dead or of "
        "harming yourself. Can you tell me more about that?",
        "How often do these thoughts come, and have you made any plans or taken any steps?",
        "What has helped you stay safe so far, and who could you turn to?",
    ),
    "deterioration": (
        "Your scores suggest things have become harder since we started. Does that fit how "
        "you feel?",
        "What has changed for you, in or outside our sessions?",
        "Should we look again at our plan, or at what we are doing together?",
    ),
    "not_on_track": (
        "Clients who start where you started have usually felt some change by now. "
        "How does our work feel to you so far?",
        "What is getting in the way of things improving?",
        "Would it help to try something different, or to bring someone else in?",
    ),
    "below_expected": (
        "Things seem to be moving a bit more slowly than we might hope. How does it seem to you?",
        "Is there anything we are not talking about that we should be?",
    ),
    "rater_gap": (
        "I rated last session differently from how you did. Could we compare notes?",
        "What did the session feel like from where you sat?",
    ),
    "low_alliance": (
        "It sounds as though our sessions have not felt quite right for you for a while. "
        "What would need to change?",
        "How do you feel about coming here? It's fine to say if it is hard or unhelpful.",
        "Would it help to revisit what we are working towards and how we go about it?",
    ),
}


def theme_of_item(key: str) -> Theme:
    """The part of the alliance an item asks about; unknown keys count as 'overall'."""
    return _ITEM_THEMES.get(key, Theme.OVERALL)


def alliance_prompts(lowest_item_key: str | None, count: int = 3) -> tuple[str, ...]:
    """Questions for an alliance drop, chosen by the lowest-rated item of the session."""
    theme = Theme.OVERALL if lowest_item_key is None else theme_of_item(lowest_item_key)
    return _ALLIANCE[theme][:count]


def prompts_for(kind: str, count: int = 3) -> tuple[str, ...]:
    """Questions for a non-alliance signal kind; empty for a kind without prompts."""
    return _SIGNALS.get(kind, ())[:count]
