"""Treatment plans for the demo clinic's current clients: versions, goal ratings, agreement.

Every current client gets a plan that grows out of their story: two to four problems in their
own words, drawn from a bank that suits their outcome measure, with at most four active goals,
one of them a target on that measure (e.g. PHQ-9 below 10) and the others Goal Attainment
Scaling ladders of five behavioural levels. The plan is first written at session 1 or 2 and
then revised the way plans are: reviewed every four or five sessions, with priorities
reordered, goals achieved, stalled goals retired and new ones added, and sometimes a review
that changes nothing. Clients whose therapy has stalled are left overdue a review, so the
review reminder has something to show.

At the end of each session the client rates every active goal of the version in force: the
latest version written up before that session (a version made at a session is typed up after
it). The ratings follow the client's outcome scores: they rise for an improver and stall for a
client who is not moving. Most clients say they agree with their first plan at the next
session, and a few leave a comment.

Alice's named clients follow fixed scripts (see ``_SCRIPTS``): Daniel K. says "not yet" to a
plan that put his drinking on the list and it is rewritten in his words at session 3; Priya S.
adds her mum after the rupture at session 7; Marcus J. agrees a safety plan as his scores rise;
Hannah B.'s plan was reordered early on and never reviewed since; Maya L. achieves her goals.

Pure Python (no Django). Each client's plan draws from a random stream of its own, so plans
never change the sessions and answers the rest of the demo is built from.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from rapport.core.plans import (
    BenchmarkKind,
    GasLadder,
    Goal,
    ItemState,
    MeasureTarget,
    PlanSnapshot,
    RaisedBy,
    diff_plans,
)

from .answers import CHECKIN, CORE10, GAD7, LAYOUTS, PHQ9
from .model import DemoClient, DemoGoalRating, DemoPlan, DemoPlanFeedback, DemoPlanVersion

__all__ = [
    "MAX_ACTIVE_GOALS",
    "MEASURE_NAMES",
    "MEASURE_TARGETS",
    "PROBLEM_BANK",
    "SAFETY_GOAL",
    "SAFETY_PROBLEM",
    "SCRIPTED",
    "build_plan",
    "outcome_totals",
    "summarize",
]

MAX_ACTIVE_GOALS = 4
MEASURE_NAMES = {PHQ9: "PHQ-9", GAD7: "GAD-7", CORE10: "CORE-10"}
# (clinical cutoff, lower target for a client who starts below the cutoff): the published
# cutoffs of rapport's instrument definitions, and the top of each measure's mildest band.
MEASURE_TARGETS = {PHQ9: (10, 5), GAD7: (10, 5), CORE10: (11, 6)}
SAFETY_PROBLEM = "Getting through the bad days"
SAFETY_GOAL = "Keep to the agreed safety plan"
_REVIEW_GAPS = (4, 5)  # sessions between reviews; the review reminder comes after 6
_SCALE = 0.35  # an outcome change of this share of the measure's range is "one full goal"
_MAX_ACTIVE_PROBLEMS = 4
_DEAD_ZONE = 0.1  # changes smaller than this (same units) do not move a client's ratings

Ladder = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class GoalIdea:
    """A goal a client might set: a GAS ladder, or (``ladder`` None) a target on the measure."""

    title: str
    ladder: Ladder | None = None
    baseline: int = -1  # -2 where the client cannot do any of it yet


@dataclass(frozen=True)
class ProblemIdea:
    """A problem in the client's words, with the goals that might go with it (first = main)."""

    title: str
    goals: tuple[GoalIdea, ...]
    raised_by: RaisedBy = RaisedBy.CLIENT


def _gas(title: str, *levels: str, baseline: int = -1) -> GoalIdea:
    assert len(levels) == 5, title
    return GoalIdea(title, (levels[0], levels[1], levels[2], levels[3], levels[4]), baseline)


# -- the bank ------------------------------------------------------------------------------------

_SLEEP = _gas(
    "Sleep through most nights",
    "Under 5 hours' sleep on most nights",
    "5 to 6 hours on most nights; awake before 5am",
    "6 to 7 hours on at least 4 nights a week",
    "7 hours on most nights; back to sleep if woken",
    "Sleeps well every night and wakes rested",
)
_ENJOY = _gas(
    "Do one thing I used to enjoy each week",
    "No enjoyable activities in the week",
    "Thinks about an activity but does not start it",
    "Does one planned enjoyable activity each week",
    "Does two or three enjoyable activities each week",
    "Does enjoyable things most days without planning them",
)
_FRIENDS = _gas(
    "See friends again",
    "No contact with friends apart from the odd message",
    "Makes plans with friends but cancels them",
    "Meets a friend once a fortnight",
    "Meets a friend every week",
    "Arranges to see friends every week and enjoys it",
)
_WORRY_TIME = _gas(
    "Keep worries to a set worry time",
    "Worries on and off all day, every day",
    "Tries to put worries off once or twice a week",
    "Keeps to a 20-minute worry time on 4 days a week",
    "Keeps to the worry time most days; worries wait easily",
    "Rarely needs the worry time",
)
_MEETINGS = _gas(
    "Stay in meetings when the panic starts",
    "Avoids meetings or leaves as soon as panic starts",
    "Stays in short meetings but leaves when panicky",
    "Stays to the end of meetings, using the breathing",
    "Stays to the end and speaks at least once",
    "Leads part of a meeting",
)
_BUS = _gas(
    "Take the bus to work again",
    "Walks or gets a lift everywhere to avoid the bus",
    "Takes the bus for one stop with someone",
    "Takes the bus to work alone on 2 days a week",
    "Takes the bus to work most days",
    "Takes the bus anywhere without thinking about it",
    baseline=-2,
)
_ASLEEP = _gas(
    "Wind down and be asleep by midnight",
    "Awake past 2am on most nights",
    "Asleep by midnight on 1 or 2 nights a week",
    "Asleep by midnight on 4 nights a week",
    "Asleep by midnight on most nights",
    "Falls asleep easily every night",
)
_SAY_NO = _gas(
    "Say no to extra work",
    "Agrees to every request and works late most days",
    "Says no once in a while, then feels guilty and does it anyway",
    "Turns down or puts off one extra request a week",
    "Says no when needed and leaves on time most days",
    "Sets limits at work without feeling guilty",
)

PROBLEM_BANK: dict[str, tuple[tuple[ProblemIdea, ...], tuple[ProblemIdea, ...]]] = {
    # measure -> (core problems: the first goal is the target on the measure, other problems)
    PHQ9: (
        (
            ProblemIdea(
                "Feeling low most days and I can't shake it",
                (GoalIdea("Feel like myself again most days"), _ENJOY),
            ),
            ProblemIdea(
                "Everything feels flat; nothing seems worth the effort",
                (
                    GoalIdea("Get some of my energy and interest back"),
                    _gas(
                        "Get up and dressed by 9 on weekdays",
                        "In bed until the afternoon on most weekdays",
                        "Up and dressed by 9 on one or two weekdays",
                        "Up and dressed by 9 on three weekdays",
                        "Up and dressed by 9 on every weekday",
                        "Up by 9 every day, with a plan for the morning",
                    ),
                ),
            ),
            ProblemIdea(
                "Low since the move; the days just drift",
                (
                    GoalIdea("Mood back to where it was before the move"),
                    _gas(
                        "Keep a simple daily routine",
                        "No regular times for meals, sleep or going out",
                        "Regular mealtimes on some days only",
                        "Regular meals and bedtime, and out of the house, on 4 days a week",
                        "The routine holds on 6 days a week",
                        "The routine holds every day without a plan on paper",
                    ),
                ),
            ),
        ),
        (
            ProblemIdea(
                "Awake at 4am going over things",
                (
                    _SLEEP,
                    _gas(
                        "Get up at the same time every day",
                        "Gets up at a different time every day, often after noon",
                        "Same time on 2 days a week",
                        "Same time (within half an hour) on 5 days a week",
                        "Same time every weekday and within an hour at weekends",
                        "Same time every day without an alarm",
                    ),
                ),
            ),
            ProblemIdea(
                "Stopped seeing friends; I cancel everything",
                (
                    _FRIENDS,
                    _gas(
                        "Reply to messages within a day",
                        "Leaves most messages unread for a week or more",
                        "Replies to some messages after several days",
                        "Replies to most messages within a day",
                        "Replies within a day and starts a conversation once a week",
                        "Keeps in touch with friends without having to push",
                    ),
                ),
            ),
            ProblemIdea(
                "Being hard on myself all the time",
                (
                    _gas(
                        "Answer the critical voice back",
                        "Believes every self-critical thought",
                        "Notices the critical voice afterwards, some days",
                        "Notices it at the time and writes a kinder answer once a day",
                        "Answers it back in the moment most days",
                        "The critical voice is rare and easy to answer",
                    ),
                ),
            ),
            ProblemIdea(
                "Struggling to keep up at work",
                (
                    _gas(
                        "Back to full days at work",
                        "Off sick or leaving early most days",
                        "At work, but leaves early two or three days a week",
                        "Full days at work on at least 4 days a week",
                        "Full days every day and keeps up with the main tasks",
                        "Full days and takes on something new",
                    ),
                ),
            ),
            ProblemIdea(
                "No energy left for the kids after work",
                (
                    _gas(
                        "Spend time with the kids in the evening",
                        "Goes straight to bed or the sofa after work",
                        "Does one thing with the kids on a good evening",
                        "Does something with the kids on 3 evenings a week",
                        "Does something with the kids most evenings",
                        "Looks forward to evenings with the kids",
                    ),
                ),
            ),
        ),
    ),
    GAD7: (
        (
            ProblemIdea(
                "Worrying all the time, about everything",
                (GoalIdea("Worry takes up less of my day"), _WORRY_TIME),
            ),
            ProblemIdea(
                "On edge all day; I can't relax",
                (
                    GoalIdea("Feel calmer from day to day"),
                    _gas(
                        "Practise relaxation every day",
                        "No relaxation practice",
                        "Practises once or twice a week when reminded",
                        "Practises for 10 minutes on 5 days a week",
                        "Practises daily and uses it in tense moments",
                        "Relaxes without needing to practise",
                    ),
                ),
            ),
            ProblemIdea(
                "My mind won't stop racing",
                (GoalIdea("A quieter mind most days"), _WORRY_TIME),
            ),
        ),
        (
            ProblemIdea("Panic in meetings at work", (_MEETINGS,)),
            ProblemIdea(
                "Avoiding the bus and busy shops",
                (
                    _BUS,
                    _gas(
                        "Shop at busy times",
                        "Shops only online or late at night",
                        "Goes to a small shop at quiet times",
                        "Does the weekly shop at a busy time once a fortnight",
                        "Does the weekly shop at a busy time every week",
                        "Goes into town on a Saturday and enjoys it",
                    ),
                ),
            ),
            ProblemIdea("Can't switch off at night", (_ASLEEP,)),
            ProblemIdea(
                "Checking my phone and asking for reassurance",
                (
                    _gas(
                        "Ask for reassurance less often",
                        "Asks for reassurance many times a day",
                        "Asks several times a day but notices doing it",
                        "Asks no more than once a day",
                        "Asks a few times a week",
                        "Rarely asks; sits with the doubt",
                    ),
                ),
            ),
            ProblemIdea(
                "Worrying about my health",
                (
                    _gas(
                        "Check symptoms online less",
                        "Searches symptoms online for hours each day",
                        "Searches every day, for under an hour",
                        "Searches no more than twice a week",
                        "Searches once a week or less",
                        "Stopped searching; sees the GP when needed",
                    ),
                ),
            ),
            ProblemIdea(
                "Putting things off in case I get them wrong",
                (
                    _gas(
                        "Hand in work without checking it over and over",
                        "Misses deadlines because work is never good enough",
                        "Hands work in late after checking it many times",
                        "Hands work in on time after checking it once",
                        "Hands work in on time and asks for feedback",
                        "Hands work in on time without worrying about it afterwards",
                    ),
                ),
            ),
        ),
    ),
    CORE10: (
        (
            ProblemIdea(
                "Not coping with everything at the moment",
                (
                    GoalIdea("Feel I'm coping again"),
                    _gas(
                        "Plan the week in manageable pieces",
                        "No plan; tasks pile up until something gives",
                        "Writes a to-do list but does not use it",
                        "Plans the week each Sunday and does the top three tasks",
                        "Plans the week and finishes most of it",
                        "Keeps on top of things without a written plan",
                    ),
                ),
            ),
            ProblemIdea(
                "Everything feels like too much",
                (GoalIdea("Feel more on top of things"),),
            ),
            ProblemIdea(
                "Stressed and snappy all the time",
                (
                    GoalIdea("Feel less stressed day to day"),
                    _gas(
                        "Take a proper break every day",
                        "No breaks; works through lunch every day",
                        "Takes a break on 1 or 2 days a week",
                        "Takes a 20-minute break away from the desk on 4 days",
                        "Takes a proper break every day",
                        "Takes breaks and an evening off each week",
                    ),
                ),
            ),
        ),
        (
            ProblemIdea(
                "Arguments at home with my partner",
                (
                    _gas(
                        "Talk things through without it ending in a row",
                        "Most disagreements end in shouting or walking out",
                        "Sometimes takes a break before it gets heated",
                        "Calls a time-out and comes back to talk within a day, most weeks",
                        "Talks a disagreement through calmly at least once a week",
                        "Raises worries early, before they turn into a row",
                    ),
                ),
            ),
            ProblemIdea(
                "Feeling alone; no one I can talk to",
                (
                    _gas(
                        "Have someone to talk to each week",
                        "Talks to no one about how things are",
                        "Has thought about who to talk to but not done it",
                        "Talks to one person honestly once a week",
                        "Talks to two people honestly most weeks",
                        "Has people to talk to and reaches out easily",
                    ),
                ),
            ),
            ProblemIdea(
                "Bottling things up until I snap",
                (
                    _gas(
                        "Say how I feel sooner",
                        "Says nothing until it comes out as anger",
                        "Says how they feel afterwards, once calm again",
                        "Says how they feel at the time, once a week",
                        "Says how they feel at the time, most times it matters",
                        "Says how they feel easily, without rehearsing",
                    ),
                ),
            ),
            ProblemIdea(
                "Coping when things feel overwhelming",
                (
                    _gas(
                        "Use my coping plan when things get too much",
                        "No plan; overwhelming days just have to be sat through",
                        "Has a written plan but has not used it yet",
                        "Uses at least one step of the plan when things get too much",
                        "Uses the plan and contacts someone on it",
                        "Uses the plan early, before things build up",
                    ),
                ),
                RaisedBy.BOTH,
            ),
            ProblemIdea(
                "Money worries keeping me up",
                (
                    _gas(
                        "Open the post and keep a weekly budget",
                        "Post left unopened; no idea what is owed",
                        "Opens the post but puts the bills aside",
                        "Opens the post each week and keeps a simple budget",
                        "Keeps the budget and has contacted one creditor",
                        "On top of the bills with a plan for the debts",
                    ),
                ),
            ),
            ProblemIdea("Can't say no at work", (_SAY_NO,)),
        ),
    ),
}

# The safety goal added when a client's scores rise: neutral words, no risk content in titles.
SAFETY = ProblemIdea(
    SAFETY_PROBLEM,
    (
        _gas(
            SAFETY_GOAL,
            "Does not use the plan on a bad day",
            "Looks at the plan afterwards but not during a bad day",
            "Uses at least one step of the plan on a bad day",
            "Uses the plan and contacts someone on it",
            "Uses the plan early, before a day gets bad",
        ),
    ),
    RaisedBy.BOTH,
)

_AGREED_COMMENTS = (
    "Good to have it written down.",
    "Yes, that's what I want to work on.",
    "Feels doable.",
    "The first one matters most to me.",
)
_NOT_YET = "Not sure yet. Some of this feels like your list, not mine."
_REVISION_COMMENTS = ("Happy with the changes.", "Yes, that's right now.")


# -- reading the client's numbers ----------------------------------------------------------------


def outcome_totals(client: DemoClient) -> list[float]:
    """The client's outcome-measure totals session by session, scored as Rapport scores them."""
    layout = LAYOUTS[client.outcome_measure]
    totals = []
    for session in client.sessions:
        (answers,) = (
            r.answers for r in session.responses if r.instrument == client.outcome_measure
        )
        totals.append(
            float(
                sum(
                    layout.low + layout.high - value if item in layout.reverse else value
                    for item, value in answers.items()
                )
            )
        )
    return totals


def _alliance(client: DemoClient) -> list[float]:
    means = []
    for session in client.sessions:
        (answers,) = (r.answers for r in session.responses if r.instrument == CHECKIN)
        means.append(sum(answers.values()) / len(answers))
    return means


def summarize(old: PlanSnapshot, new: PlanSnapshot, session: int, *, reviewed: bool) -> str:
    """What changed, in the words the plan pages use for an edit saved in the app."""
    if not old.problems:
        goals = sum(1 for g in new.goals if g.state is ItemState.ACTIVE)
        return (
            f"First plan, written with the client at session {session}: "
            f"{len(new.problems)} problems, {goals} goal{'s' if goals != 1 else ''}"
        )
    changes = diff_plans(old, new)
    text = "No changes"
    if changes:
        first = changes[0]
        text = f"{first.kind.capitalize()} {first.item} “{first.title}”"
        if len(changes) > 1:
            text += f" and {len(changes) - 1} more change{'s' if len(changes) > 2 else ''}"
    if reviewed:
        text = f"Reviewed with the client at session {session}" + (
            "" if text == "No changes" else f"; {text[0].lower()}{text[1:]}"
        )
    return text[:300]


# -- building one client's plan ------------------------------------------------------------------


@dataclass
class _Track:
    """How one goal's ratings follow the outcome: from the session it was added."""

    added_at: int
    gain: float  # GAS levels per unit of outcome improvement
    start: float  # first 0-10 rating of a measure goal
    values: list[float] = field(default_factory=list)


class _Builder:
    """Replays a client's sessions: rate, hear back on the plan, then maybe revise it."""

    def __init__(self, client: DemoClient, rng: random.Random) -> None:
        self.client = client
        self.rng = rng
        self.measure = client.outcome_measure
        self.n = len(client.sessions)
        self.totals = outcome_totals(client)
        self.scale = _SCALE * LAYOUTS[self.measure].top
        cutoff, lower = MEASURE_TARGETS[self.measure]
        self.target = MeasureTarget(
            self.measure, "below", cutoff if self.totals[0] >= cutoff else lower
        )
        self.draft = PlanSnapshot()
        self.versions: list[DemoPlanVersion] = []
        self.ratings: list[DemoGoalRating] = []
        self.feedback: list[DemoPlanFeedback] = []
        self.asked: dict[int, tuple[bool | None, str]] = {}  # session -> the client's answer
        self.tracks: dict[str, _Track] = {}
        self.ideas: dict[str, ProblemIdea] = {}  # problem key -> where it came from
        core, others = PROBLEM_BANK[self.measure]
        self.core = rng.choice(core)
        self.unused = list(others)
        rng.shuffle(self.unused)

    # -- edits to the draft --------------------------------------------------------------------

    def add_problem(self, idea: ProblemIdea, t: int, *, top: bool = False) -> str:
        self.draft = self.draft.add_problem(idea.title, idea.raised_by, self.day(t))
        key = self.draft.problems[-1].key
        self.ideas[key] = idea
        if idea in self.unused:
            self.unused.remove(idea)
        if top:
            self.draft = self.draft.move_problem(key, -len(self.draft.problems))
        return key

    def add_goal(self, problem_key: str, idea: GoalIdea, t: int) -> str:
        if idea.ladder is None:
            self.draft = self.draft.add_goal(problem_key, idea.title, target=self.target)
        else:
            target_date = None
            if self.rng.random() < 0.35:
                target_date = self.day(t) + _weeks(self.rng.randint(10, 16))
            self.draft = self.draft.add_goal(
                problem_key,
                idea.title,
                ladder=GasLadder(idea.ladder, baseline=idea.baseline),
                target_date=target_date,
            )
        key = self.draft.goals[-1].key
        self.tracks[key] = _Track(t, self.rng.uniform(1.8, 2.6), self.rng.uniform(1.5, 3.0))
        return key

    def set_goal(self, key: str, state: ItemState) -> None:
        self.draft = self.draft.edit_goal(key, state=state)

    def set_problem(self, key: str, state: ItemState) -> None:
        self.draft = self.draft.edit_problem(key, state=state)
        for goal in self.draft.goals_for(key):
            if goal.state is ItemState.ACTIVE:
                self.set_goal(goal.key, state)

    def move_up(self, key: str, places: int = 1) -> None:
        self.draft = self.draft.move_problem(key, -places)

    def save(
        self, t: int, *, reviewed: bool = False, answer: tuple[bool | None, str] | None = None
    ) -> None:
        """Store the draft as the version written up after session ``t``.

        ``answer`` is what the client will say about it at the next session, if anything.
        """
        old = self.versions[-1].snapshot if self.versions else PlanSnapshot()
        summary = summarize(old, self.draft, t, reviewed=reviewed)
        self.versions.append(DemoPlanVersion(t, self.draft, summary, reviewed))
        if answer is not None and t < self.n:
            self.asked[t + 1] = answer

    # -- what the client does at a session -----------------------------------------------------

    def end_of_session(self, t: int) -> None:
        """The client's end-of-session form: a rating of each active goal, any plan answer."""
        if not self.versions or self.versions[-1].session_number >= t:
            return  # no plan written up yet
        index = len(self.versions) - 1
        answer = self.asked.get(t)
        if answer is not None:
            self.feedback.append(DemoPlanFeedback(t, index, answer[0], answer[1]))
        for goal in self.versions[index].snapshot.active_goals():
            value = self.rate(goal, t)
            self.tracks[goal.key].values.append(value)
            self.ratings.append(DemoGoalRating(t, goal.key, value))

    def rate(self, goal: Goal, t: int) -> float:
        """The client's rating of a goal, following their outcome since it was set.

        Improvement is the change in the outcome total since the goal was set, averaged over
        the last two or three sessions, with a small dead zone so that a flat course stays
        flat. A GAS level moves one step at a time, and only once the client's state has
        clearly passed the next level (hysteresis), as people rate themselves.
        """
        track = self.tracks[goal.key]
        before = _mean(self.totals[max(0, track.added_at - 2) : track.added_at])
        now = _mean(self.totals[max(track.added_at, t - 2) - 1 : t])
        better = (before - now) / self.scale  # 1.0: a large improvement
        better = max(0.0, abs(better) - _DEAD_ZONE) * (1 if better >= 0 else -1)
        previous = track.values[-1] if track.values else None
        if goal.ladder is not None:
            level = goal.ladder.baseline + track.gain * better + self.rng.uniform(-0.25, 0.25)
            if previous is None:  # the level agreed when the goal was set, or one better
                base = goal.ladder.baseline
                return float(max(base, min(base + 1, round(level))))
            step = 1 if level > previous + 0.6 else -1 if level < previous - 0.6 else 0
            return float(max(-2, min(2, int(previous) + step)))
        rating = track.start + 7.0 * better + self.rng.uniform(-0.5, 0.5)
        return float(max(0, min(10, round(rating))))

    # -- what the therapist can see ------------------------------------------------------------

    def day(self, t: int) -> date:
        return self.client.sessions[t - 1].date

    def reached(self, key: str) -> bool:
        """A GAS goal rated at its expected level or above twice running."""
        values = self.tracks[key].values
        return len(values) >= 2 and min(values[-2:]) >= 0

    def target_met(self, t: int) -> bool:
        """The measure target met at this session and the one before."""
        return t >= 2 and all(self.target.met(total) for total in self.totals[t - 2 : t])

    def stalled(self, key: str) -> bool:
        """Below the expected level and no rise over the last four ratings."""
        values = self.tracks[key].values
        return len(values) >= 4 and values[-1] < 0 and values[-1] <= values[-4]

    def active(self) -> tuple[Goal, ...]:
        return self.draft.active_goals()

    def active_problems(self) -> list[str]:
        return [p.key for p in self.draft.problems if p.state is ItemState.ACTIVE]

    def next_goal(self, t: int) -> bool:
        """Add one more goal: the next idea under an active problem, else a new problem."""
        if len(self.active()) >= MAX_ACTIVE_GOALS:
            return False
        for key in self.active_problems():
            spare = self.spare_goal(key)
            if spare is not None:
                self.add_goal(key, spare, t)
                return True
        if self.unused and len(self.active_problems()) < _MAX_ACTIVE_PROBLEMS:
            idea = self.unused[0]
            self.add_goal(self.add_problem(idea, t), idea.goals[0], t)
            return True
        return False

    def spare_goal(self, problem_key: str) -> GoalIdea | None:
        used = {g.title for g in self.draft.goals_for(problem_key)}
        spare = [g for g in self.ideas[problem_key].goals if g.title not in used]
        return spare[0] if spare and len(used) < 3 else None

    def first_plan(self, t: int, *, hesitant: bool = False) -> None:
        """Version 1: the core problem with its measure target, and one to three more.

        A ``hesitant`` client says "not yet" to it at the next session.
        """
        count = self.rng.randint(1, 3)
        picked = self.unused[:count]
        core_first = self.rng.random() < 0.7
        if core_first:
            core_key = self.add_problem(self.core, t)
        keys = [self.add_problem(idea, t) for idea in picked]
        if not core_first:
            core_key = self.add_problem(self.core, t)
        self.add_goal(core_key, self.core.goals[0], t)
        for key, idea in zip(keys, picked, strict=True):
            self.add_goal(key, idea.goals[0], t)
        room = len(self.active()) < MAX_ACTIVE_GOALS and len(self.core.goals) > 1
        if room and self.rng.random() < 0.35:
            self.add_goal(core_key, self.core.goals[1], t)
        self.save(t, answer=(False, _NOT_YET) if hesitant else self._first_answer())

    def _first_answer(self) -> tuple[bool | None, str] | None:
        roll = self.rng.random()
        if roll < 0.12:
            return None  # the client skipped the question
        comment = self.rng.choice(_AGREED_COMMENTS) if roll > 0.78 else ""
        return True, comment

    def review(self, t: int, *, retire_stalled: bool = False) -> None:
        """A review with the client: achieve what is reached, maybe retire, add or reorder.

        With ``retire_stalled`` a GAS goal stalled below its expected level may be set aside.
        Target dates that have passed or are about to are moved on. With nothing else to
        change, priorities may be reordered, or the plan confirmed as it is.
        """
        changed = self.achieve(t)
        if retire_stalled and self.retire_stalled(t):
            changed = True
        if changed and len(self.active()) < 3:
            self.next_goal(t)
        if self.move_dates(t):
            changed = True
        if not changed and self.rng.random() < 0.5:
            problems = self.active_problems()
            if len(problems) > 1:
                self.move_up(self.rng.choice(problems[1:]))
                changed = True
        answer = (True, self.rng.choice(_REVISION_COMMENTS) if self.rng.random() < 0.3 else "")
        self.save(t, reviewed=True, answer=answer if changed and self.rng.random() < 0.4 else None)

    def achieve(self, t: int) -> bool:
        """Mark reached goals achieved (not always at once), and problems whose goals all are."""
        changed = False
        for goal in self.active():
            if goal.kind is BenchmarkKind.GAS:
                done = self.reached(goal.key) and self.rng.random() < 0.75
            else:
                done = self.target_met(t) and self.rng.random() < 0.5
            if done and len(self.active()) > 1:  # the plan keeps something to work on
                self.set_goal(goal.key, ItemState.ACHIEVED)
                changed = True
        for key in self.active_problems():
            goals = self.draft.goals_for(key)
            if goals and all(g.state is ItemState.ACHIEVED for g in goals):
                self.set_problem(key, ItemState.ACHIEVED)
        return changed

    def retire_stalled(self, t: int) -> bool:
        """Set a stalled GAS goal aside for its problem's next goal idea, or with its problem."""
        if len(self.active()) < 2:
            return False
        stalled = [g for g in self.active() if g.kind is BenchmarkKind.GAS and self.stalled(g.key)]
        if not stalled or self.rng.random() >= 0.5:
            return False
        goal = stalled[0]
        spare = self.spare_goal(goal.problem_key)
        self.set_goal(goal.key, ItemState.RETIRED)
        if spare is not None:
            self.add_goal(goal.problem_key, spare, t)
        else:
            self.set_problem(goal.problem_key, ItemState.RETIRED)
            self.next_goal(t)
        return True

    def move_dates(self, t: int) -> bool:
        """Move on target dates that have passed or fall within two weeks."""
        moved = False
        soon = self.day(t) + _weeks(2)
        for goal in self.active():
            if goal.target_date is not None and goal.target_date < soon:
                later = self.day(t) + _weeks(self.rng.randint(8, 12))
                self.draft = self.draft.edit_goal(goal.key, target_date=later)
                moved = True
        return moved

    def add_safety(self, t: int) -> None:
        """Scores are rising: agree a safety plan together and put it at the top."""
        key = self.add_problem(SAFETY, t, top=True)
        if len(self.active()) >= MAX_ACTIVE_GOALS:  # make room: set the lowest goal aside
            self.set_goal(self.active()[-1].key, ItemState.RETIRED)
        self.add_goal(key, SAFETY.goals[0], t)
        self.save(t, reviewed=True, answer=(True, ""))

    def run(self, events: dict[int, Callable[[int], None]]) -> DemoPlan:
        for t in range(1, self.n + 1):
            self.end_of_session(t)
            event = events.get(t)
            if event is not None:
                event(t)
        return DemoPlan(tuple(self.versions), tuple(self.ratings), tuple(self.feedback))


def _weeks(n: int) -> timedelta:
    return timedelta(weeks=n)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _reviews(rng: random.Random, after: int, n: int, first: tuple[int, int]) -> list[int]:
    """Review sessions from ``after`` on: the first ``first`` sessions later, then every 4-5.

    Going on to the end of the episode leaves the last review fewer than 6 sessions back.
    """
    sessions = []
    t = after + rng.randint(*first)
    while t <= n:
        sessions.append(t)
        t += rng.randint(*_REVIEW_GAPS)
    return sessions


# -- generic plans, by story ---------------------------------------------------------------------


def _generic(b: _Builder) -> dict[int, Callable[[int], None]]:
    """The plan of a client without a script: its course follows the story's shape."""
    rng, n, story = b.rng, b.n, b.client.story
    start = 2 if story == "distrustful_then_trusting" else 1 if rng.random() < 0.7 else 2
    hesitant = story == "distrustful_then_trusting"
    events: dict[int, Callable[[int], None]] = {start: lambda t: b.first_plan(t, hesitant=hesitant)}
    after = start
    if hesitant:
        # "Not yet": the client's own concern goes to the top, reviewed at the next session.
        after = start + 1
        events[after] = lambda t: _client_first(b, t)
    elif rng.random() < 0.4:
        events[start + rng.randint(1, 2)] = lambda t: _fill(b, t)
    reviews = _reviews(rng, after, n, (3, 4))
    rupture = _rupture_session(b) if story == "rupture_repair" else None
    if rupture is not None:
        before = [t for t in reviews if t < rupture - 1]
        reviews = [*before, rupture + 1, *_reviews(rng, rupture + 1, n, _REVIEW_GAPS)]
    if story == "flat":
        # Stuck, and no review for 6 sessions or more: the plan page prompts one.
        reviews = [t for t in reviews[:1] if n - t >= 6]
    safety_at = None
    if story == "deteriorating":
        safety_at = next((t for t in reviews if t >= max(5, n // 2)), None)
    stuck = story in ("flat", "slow_improver")
    for t in reviews:
        if t == safety_at:
            events[t] = b.add_safety
        elif rupture is not None and t == rupture + 1:
            events[t] = lambda t: _after_rupture(b, t)
        else:
            events[t] = lambda t: b.review(t, retire_stalled=stuck)
    return events


def _fill(b: _Builder, t: int) -> None:
    """Filling the plan in after the first sessions: one more goal (not a review)."""
    if b.next_goal(t):
        b.save(t)


def _client_first(b: _Builder, t: int) -> None:
    """After "not yet": the client's own concern goes to the top, gone through together."""
    problems = b.active_problems()
    b.move_up(problems[-1], len(problems))
    b.save(t, reviewed=True, answer=(True, ""))


def _after_rupture(b: _Builder, t: int) -> None:
    """Back to what the client felt unheard about: it goes on the list, at the top."""
    if len(b.active()) >= MAX_ACTIVE_GOALS:
        b.set_goal(b.active()[-1].key, ItemState.RETIRED)
    if b.unused:
        idea = b.unused[0]
        key = b.add_problem(idea, t, top=True)
        b.add_goal(key, idea.goals[0], t)
    b.save(t, reviewed=True, answer=(True, ""))


def _rupture_session(b: _Builder) -> int:
    """The session with the lowest client check-in (the rupture), leaving room after it."""
    alliance = _alliance(b.client)
    candidates = range(2, b.n - 1)  # 0-based indices: sessions 3 to n-1
    return 1 + min(candidates, key=lambda i: alliance[i])


# -- Alice's named clients -----------------------------------------------------------------------

_FLAT = ProblemIdea(
    "Feeling flat; nothing seems worth the effort",
    (GoalIdea("Feel like it's worth getting up again"),),
)
_DRINKING = ProblemIdea(
    "Drinking most evenings",
    (
        _gas(
            "Cut down to three drinking evenings a week",
            "Drinks every evening, more than planned",
            "Drinks on 5 or 6 evenings a week",
            "Drinks on no more than 3 evenings a week",
            "Drinks on 1 or 2 evenings a week, within limits",
            "Drinks only at weekends, within limits",
        ),
    ),
    RaisedBy.THERAPIST,
)
_EVENINGS = ProblemIdea(
    "Evenings are the worst part of the day",
    (
        _gas(
            "Find my own ways to wind down in the evening",
            "Evenings spent alone with nothing planned, feeling worse",
            "Does something to wind down on 1 or 2 evenings a week",
            "Has a wind-down routine (a walk, a call, music) on 4 evenings a week",
            "Winds down most evenings without planning it",
            "Evenings feel like my own time again",
        ),
    ),
)
_MUM = ProblemIdea(
    "Things with my mum: I want to talk about her",
    (
        _gas(
            "Tell mum what I need from her",
            "Avoids calls with mum and feels upset for days after",
            "Talks to mum but keeps quiet about what hurts",
            "Tells mum one thing that matters to me, in a call or a visit",
            "Raises what matters calmly and we talk it through",
            "Can talk to mum about hard things most of the time",
        ),
    ),
)
DANIEL_NOT_YET = "Not yet. The drinking is your worry, not mine. I came about feeling flat."
DANIEL_AGREED = "Better. That's what I actually want to work on."
PRIYA_AGREED = "Yes. I'm glad mum is on there now."


def _idea(measure: str, title: str) -> ProblemIdea:
    core, others = PROBLEM_BANK[measure]
    (found,) = (idea for idea in (*core, *others) if idea.title == title)
    return found


def _problem_with_goal(b: _Builder, idea: ProblemIdea, t: int, goal: int = 0) -> str:
    key = b.add_problem(idea, t)
    b.add_goal(key, idea.goals[goal], t)
    return key


def _goal_key(b: _Builder, title: str) -> str:
    (key,) = (g.key for g in b.draft.goals if g.title == title)
    return key


def _problem_key(b: _Builder, title: str) -> str:
    (key,) = (p.key for p in b.draft.problems if p.title == title)
    return key


def _daniel(b: _Builder) -> dict[int, Callable[[int], None]]:
    """Distrustful: the first plan put his drinking on the list; he felt judged (session 3)."""
    sleep = _idea(PHQ9, "Awake at 4am going over things")

    def first(t: int) -> None:
        for idea in (_FLAT, _DRINKING, sleep):
            _problem_with_goal(b, idea, t)
        b.save(t, answer=(False, DANIEL_NOT_YET))

    def in_his_words(t: int) -> None:
        # He leads on alcohol: the therapist's problem is retired, his own goes on the list.
        b.set_problem(_problem_key(b, _DRINKING.title), ItemState.RETIRED)
        _problem_with_goal(b, _EVENINGS, t)
        b.move_up(_problem_key(b, _EVENINGS.title))
        b.save(t, reviewed=True, answer=(True, DANIEL_AGREED))

    def still_right(t: int) -> None:
        b.save(t, reviewed=True)  # gone through together; nothing to change

    def later(t: int) -> None:
        key = _goal_key(b, sleep.goals[0].title)
        if b.reached(key):
            b.set_goal(key, ItemState.ACHIEVED)
        else:
            b.move_up(_problem_key(b, sleep.title))
        b.save(t, reviewed=True)

    return {2: first, 3: in_his_words, 9: still_right, 13: later}


def _priya(b: _Builder) -> dict[int, Callable[[int], None]]:
    """Rupture and repair: after feeling unheard about her mum (7), mum goes on the plan (8)."""
    alone = _idea(CORE10, "Feeling alone; no one I can talk to")

    def first(t: int) -> None:
        for idea in (_idea(CORE10, "Everything feels like too much"), alone):
            _problem_with_goal(b, idea, t)
        _problem_with_goal(b, _idea(CORE10, "Can't say no at work"), t)
        b.save(t, answer=(True, ""))

    def reorder(t: int) -> None:
        b.move_up(_problem_key(b, alone.title))
        b.save(t, reviewed=True)

    def mum(t: int) -> None:
        key = b.add_problem(_MUM, t, top=True)
        b.add_goal(key, _MUM.goals[0], t)
        b.save(t, reviewed=True, answer=(True, PRIYA_AGREED))

    return {1: first, 5: reorder, 8: mum}


def _marcus(b: _Builder) -> dict[int, Callable[[int], None]]:
    """Deteriorating: as his scores rise the plan gains an agreed safety plan, at the top."""
    sleep = _idea(PHQ9, "Awake at 4am going over things")

    def first(t: int) -> None:
        low = _idea(PHQ9, "Feeling low most days and I can't shake it")
        for idea in (low, _idea(PHQ9, "Stopped seeing friends; I cancel everything"), sleep):
            _problem_with_goal(b, idea, t)
        b.save(t, answer=(True, ""))

    def reorder(t: int) -> None:
        b.move_up(_problem_key(b, sleep.title), 2)
        b.save(t, reviewed=True)

    return {1: first, 5: reorder, 9: b.add_safety}


def _hannah(b: _Builder) -> dict[int, Callable[[int], None]]:
    """Recent rupture: her panic at work was first; it slipped down, and no review since."""
    worry = _idea(GAD7, "Worrying all the time, about everything")

    def first(t: int) -> None:
        _problem_with_goal(b, _idea(GAD7, "Panic in meetings at work"), t)
        _problem_with_goal(b, worry, t)
        b.save(t, answer=(True, "Good to have it written down."))

    def worry_first(t: int) -> None:  # the therapist's own edit, not gone through with her
        key = _problem_key(b, worry.title)
        b.move_up(key)
        b.add_goal(key, worry.goals[1], t)
        b.save(t)

    return {1: first, 3: worry_first}


def _maya(b: _Builder) -> dict[int, Callable[[int], None]]:
    """Anxious first-timer: quick gains; goals achieved and the next step added."""
    bus = _idea(GAD7, "Avoiding the bus and busy shops")

    def first(t: int) -> None:
        _problem_with_goal(b, _idea(GAD7, "Worrying all the time, about everything"), t)
        _problem_with_goal(b, bus, t)
        _problem_with_goal(b, _idea(GAD7, "Can't switch off at night"), t)
        b.save(t, answer=(True, "I was nervous about writing it down, but it feels doable."))

    def next_step(t: int) -> None:
        key = _goal_key(b, bus.goals[0].title)
        if b.reached(key):
            b.set_goal(key, ItemState.ACHIEVED)
        b.add_goal(_problem_key(b, bus.title), bus.goals[1], t)
        b.save(t, reviewed=True, answer=(True, ""))

    def nearly_there(t: int) -> None:
        for goal in b.active():
            done = b.target_met(t) if goal.ladder is None else b.reached(goal.key)
            if done and len(b.active()) > 1:  # keeps one goal to finish on
                b.set_goal(goal.key, ItemState.ACHIEVED)
        b.save(t, reviewed=True)

    return {1: first, 5: next_step, 10: nearly_there}


_SCRIPTS: dict[str, Callable[[_Builder], dict[int, Callable[[int], None]]]] = {
    "distrustful_then_trusting": _daniel,
    "rupture_repair": _priya,
    "deteriorating": _marcus,
    "recent_rupture": _hannah,
    "anxious_first_timer": _maya,
}
SCRIPTED = frozenset(_SCRIPTS)


def build_plan(client: DemoClient, rng: random.Random, script: str | None = None) -> DemoPlan:
    """The plan history of one current client, from its story, measure and sessions.

    ``script`` names the story of one of Alice's pinned clients (see ``_SCRIPTS``), whose plan
    follows a fixed script; anyone else gets a plan shaped by their story. ``rng`` is the
    client's own plan stream: nothing else draws from it.
    """
    builder = _Builder(client, rng)
    events = _SCRIPTS[script](builder) if script is not None else _generic(builder)
    return builder.run(events)
