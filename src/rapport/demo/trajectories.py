"""Latent trajectories: what each demo story means, session by session, in numbers.

A story planner returns one :class:`Beat` per session: the outcome total the client should
score (on the measure's own scale), the mean check-in rating, and a tag that picks the kind
of comment they might leave. Planners own their noise, so each can pin the sessions that carry
its key number (the session before a rupture, the first and last PHQ-9 of a deterioration)
and the story is visible for every seed, not just a lucky one.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from .answers import CORE10, GAD7, PHQ9

ALLIANCE_CUTOFF = 9.0  # check-in means below this are worth talking about


@dataclass(frozen=True)
class Beat:
    """The intended state of one session before it is turned into item answers."""

    outcome: float  # latent total on the outcome measure's scale
    alliance: float  # latent client check-in mean, 0-10
    tag: str = ""  # comment flavour: "first", "guarded", "warming", "rupture", "repair", ...
    risk: bool = False  # endorse the risk item at this session


@dataclass(frozen=True)
class PlanContext:
    """What a planner may depend on: its random stream, the episode length and the scale."""

    rng: random.Random
    n_sessions: int
    top: int  # maximum total of the outcome measure
    event: int | None = None  # pinned 1-based session of the story's key event, if any


Planner = Callable[[PlanContext], list[Beat]]


@dataclass(frozen=True)
class Story:
    """A recognisable course of therapy the demo should show."""

    key: str
    text: str  # may use {event}: the 1-based session of the key event
    sessions: tuple[int, int]  # inclusive range of episode lengths
    measures: tuple[str, ...]  # outcome measures that suit the story
    plan: Planner


def wobble(rng: random.Random, sd: float, limit: float) -> float:
    """Gaussian noise cut off at +/- ``limit`` so noise can never overturn the story."""
    return max(-limit, min(limit, rng.gauss(0.0, sd)))


def lerp(start: float, end: float, fraction: float) -> float:
    """Straight-line interpolation, ``fraction`` in [0, 1]."""
    return start + (end - start) * fraction


def progress(i: int, n: int) -> float:
    """How far session index ``i`` is through an episode of ``n`` sessions, in [0, 1]."""
    return i / (n - 1) if n > 1 else 1.0


def clamp_alliance(value: float, low: float = 0.0, high: float = 10.0) -> float:
    """Keep a check-in mean on its 0-10 scale (or a story's tighter band)."""
    return max(low, min(high, value))


def _anxious_first_timer(ctx: PlanContext) -> list[Beat]:
    """Severe-ish anxiety that eases quickly; the client trusts the therapist from day one."""
    rng, n, top = ctx.rng, ctx.n_sessions, ctx.top
    start, end = top * rng.uniform(0.72, 0.8), top * rng.uniform(0.18, 0.28)
    beats = []
    for i in range(n):
        eased = 1 - math.exp(-3.0 * progress(i, n))  # most of the relief comes early
        outcome = lerp(start, end, eased / (1 - math.exp(-3.0)))
        if i:
            outcome += wobble(rng, 0.04 * top, 0.08 * top)
        alliance = clamp_alliance(9.3 + 0.3 * progress(i, n) + wobble(rng, 0.2, 0.35), 9.0)
        beats.append(Beat(outcome, alliance, "first" if i == 0 else "anxious"))
    return beats


def _distrustful_then_trusting(ctx: PlanContext) -> list[Beat]:
    """Low alliance that climbs as feedback is talked about; symptoms move only afterwards."""
    rng, n, top = ctx.rng, ctx.n_sessions, ctx.top
    low, peak = rng.uniform(5.2, 5.9), rng.uniform(9.2, 9.5)
    reach = max(3, round(n * 0.65))  # session index where the alliance levels off
    alliances = []
    for i in range(n):
        level = lerp(low, peak, min(1.0, i / reach))
        noise = wobble(rng, 0.12, 0.2) if i > 0 else 0.0
        alliances.append(clamp_alliance(level + noise))
    turn = next(i for i, a in enumerate(alliances) if a >= 8.0)
    high, recovered = top * rng.uniform(0.6, 0.66), top * rng.uniform(0.26, 0.32)
    beats = []
    for i, alliance in enumerate(alliances):
        if i <= turn:
            outcome = high + (wobble(rng, 0.03 * top, 0.06 * top) if i else 0.0)
        else:
            outcome = lerp(high, recovered, (i - turn) / (n - 1 - turn))
            outcome += wobble(rng, 0.03 * top, 0.05 * top) if i < n - 1 else 0.0
        tag = "guarded" if i < max(2, n * 0.3) else "warming" if i < reach else "warm"
        beats.append(Beat(outcome, alliance, tag))
    return beats


def _rupture_repair(ctx: PlanContext) -> list[Beat]:
    """A good alliance, one sharp drop when the client feels unheard, repaired within two."""
    rng, n, top = ctx.rng, ctx.n_sessions, ctx.top
    at = ctx.event if ctx.event is not None else rng.randint(5, n - 3)
    at = max(3, min(n - 2, at))  # leave room before the drop and for the repair
    drop_index = at - 1
    start, end = top * rng.uniform(0.5, 0.58), top * rng.uniform(0.22, 0.3)
    beats: list[Beat] = []
    pre = 9.3
    for i in range(n):
        outcome = lerp(start, end, progress(i, n)) + wobble(rng, 0.03 * top, 0.06 * top)
        if i < drop_index:
            alliance = clamp_alliance(9.3 + wobble(rng, 0.2, 0.3), 8.9, 9.7)
            pre = alliance
            tag = ""
        elif i == drop_index:
            alliance, tag = pre - rng.uniform(2.6, 3.0), "rupture"
            outcome += 0.05 * top  # a rough week often sits behind the rupture
        elif i == drop_index + 1:
            alliance, tag = pre - rng.uniform(0.7, 1.1), "repair"
        elif i == drop_index + 2:
            alliance, tag = clamp_alliance(pre + 0.2), "repaired"
        else:
            alliance, tag = clamp_alliance(9.4 + wobble(rng, 0.2, 0.3), 9.0), ""
        beats.append(Beat(outcome, alliance, tag))
    return beats


def _recent_rupture(ctx: PlanContext) -> list[Beat]:
    """A good alliance and steady progress until the latest session, when the check-in drops.

    The repair has not happened yet: this is the client a therapist should open with.
    """
    rng, n, top = ctx.rng, ctx.n_sessions, ctx.top
    start, end = top * rng.uniform(0.55, 0.62), top * rng.uniform(0.35, 0.42)
    beats: list[Beat] = []
    pre = 9.3
    for i in range(n):
        outcome = lerp(start, end, progress(i, n)) + wobble(rng, 0.03 * top, 0.06 * top)
        if i < n - 1:
            pre = clamp_alliance(9.3 + wobble(rng, 0.2, 0.3), 8.9, 9.7)
            beats.append(Beat(outcome, pre, ""))
        else:
            beats.append(Beat(outcome + 0.05 * top, pre - rng.uniform(2.6, 3.0), "rupture"))
    return beats


def _deteriorating(ctx: PlanContext) -> list[Beat]:
    """Symptoms climb reliably, the alliance stays lukewarm, the risk item appears late."""
    rng, n, top = ctx.rng, ctx.n_sessions, ctx.top
    start, end = top * rng.uniform(0.3, 0.37), top * rng.uniform(0.64, 0.7)
    risk_at = ctx.event if ctx.event is not None else rng.randint(n - 2, n)
    beats = []
    for i in range(n):
        outcome = lerp(start, end, progress(i, n))
        if 0 < i < n - 1:
            outcome += wobble(rng, 0.04 * top, 0.07 * top)
        alliance = clamp_alliance(7.1 + wobble(rng, 0.3, 0.6), 6.2, 7.9)
        risk = i + 1 == risk_at
        beats.append(Beat(outcome, alliance, "risk" if risk else "low", risk=risk))
    return beats


def _linear_course(
    ctx: PlanContext, start: float, end: float, a0: float, *, a_gain: float, a_sd: float
) -> list[Beat]:
    """Outcome moving linearly from ``start`` to ``end``; alliance rising by ``a_gain``."""
    rng, n, top = ctx.rng, ctx.n_sessions, ctx.top
    return [
        Beat(
            lerp(start, end, progress(i, n)) + wobble(rng, 0.045 * top, 0.09 * top),
            clamp_alliance(lerp(a0, a0 + a_gain, progress(i, n)) + wobble(rng, a_sd, 2 * a_sd)),
            "first" if i == 0 else "",
        )
        for i in range(n)
    ]


def _steady_improver(ctx: PlanContext) -> list[Beat]:
    """The common case: clear improvement, good and slowly strengthening alliance."""
    rng, top = ctx.rng, ctx.top
    start, end = top * rng.uniform(0.5, 0.68), top * rng.uniform(0.16, 0.3)
    a0 = rng.uniform(9.0, 9.3)  # alliance ratings cluster near the top (ceiling effect)
    return _linear_course(ctx, start, end, a0, a_gain=0.4, a_sd=0.2)


def _slow_improver(ctx: PlanContext) -> list[Beat]:
    """Improvement that is real but small and slow: worth a conversation, not an alarm."""
    rng, top = ctx.rng, ctx.top
    start = top * rng.uniform(0.5, 0.62)
    end = start - top * rng.uniform(0.1, 0.18)
    a0 = rng.uniform(8.8, 9.2)
    return _linear_course(ctx, start, end, a0, a_gain=0.4, a_sd=0.3)


def _flat(ctx: PlanContext) -> list[Beat]:
    """No reliable change either way: the case routine monitoring exists to catch."""
    rng, n, top = ctx.rng, ctx.n_sessions, ctx.top
    level = top * rng.uniform(0.42, 0.55)
    a0 = rng.uniform(8.0, 8.9)  # a stuck therapy often has a lukewarm alliance
    return [
        Beat(
            level + wobble(rng, 0.05 * top, 0.1 * top),
            clamp_alliance(a0 + wobble(rng, 0.35, 0.6)),
            "first" if i == 0 else "flat",
        )
        for i in range(n)
    ]


def _early_recovery(ctx: PlanContext) -> list[Beat]:
    """A sudden gain in the first few sessions that then holds (a well-known pattern)."""
    rng, n, top = ctx.rng, ctx.n_sessions, ctx.top
    start, end = top * rng.uniform(0.5, 0.62), top * rng.uniform(0.12, 0.22)
    a0 = rng.uniform(8.7, 9.3)
    beats = []
    for i in range(n):
        fraction = min(1.0, i / 3)  # most of the change by session 4
        beats.append(
            Beat(
                lerp(start, end, fraction) + wobble(rng, 0.035 * top, 0.07 * top),
                clamp_alliance(a0 + wobble(rng, 0.2, 0.4)),
                "first" if i == 0 else "",
            )
        )
    return beats


STORIES: dict[str, Story] = {
    story.key: story
    for story in (
        Story(
            "anxious_first_timer",
            "Anxious first-timer: GAD-7 starts high and improves; alliance high from session 1.",
            (9, 12),
            (GAD7,),
            _anxious_first_timer,
        ),
        Story(
            "distrustful_then_trusting",
            "Distrustful at first: alliance starts low and rises as feedback is discussed; "
            "symptoms improve only after that.",
            (13, 16),
            (PHQ9, CORE10),
            _distrustful_then_trusting,
        ),
        Story(
            "rupture_repair",
            "Rupture and repair: alliance drops sharply at session {event} and is back "
            "within two sessions.",
            (10, 14),
            (CORE10, PHQ9),
            _rupture_repair,
        ),
        Story(
            "recent_rupture",
            "Recent rupture: a good alliance until the latest session (session {event}), when "
            "the check-in drops sharply; the repair is still to come.",
            (7, 10),
            (GAD7, PHQ9),
            _recent_rupture,
        ),
        Story(
            "deteriorating",
            "Deteriorating: symptoms rise reliably, alliance lukewarm, risk item endorsed late.",
            (9, 13),
            (PHQ9, CORE10),
            _deteriorating,
        ),
        Story(
            "steady_improver",
            "Steady improver: symptoms fall session by session with a good alliance.",
            (6, 16),
            (PHQ9, GAD7, CORE10),
            _steady_improver,
        ),
        Story(
            "slow_improver",
            "Slow improver: small, gradual gains; worth reviewing the plan together.",
            (10, 20),
            (PHQ9, GAD7, CORE10),
            _slow_improver,
        ),
        Story(
            "flat",
            "No change: scores hover at the same level; a prompt to revisit goals.",
            (8, 18),
            (PHQ9, GAD7, CORE10),
            _flat,
        ),
        Story(
            "early_recovery",
            "Early recovery: a sudden gain in the first sessions that holds.",
            (6, 10),
            (PHQ9, GAD7, CORE10),
            _early_recovery,
        ),
    )
}

FILLER_STORIES = ("steady_improver", "slow_improver", "flat", "early_recovery")


def event_session(beats: list[Beat]) -> int | None:
    """The 1-based session of a story's key event (rupture or risk), for its description."""
    for number, beat in enumerate(beats, start=1):
        if beat.tag == "rupture" or beat.risk:
            return number
    return None
