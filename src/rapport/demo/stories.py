"""Generate the reproducible synthetic demo clinic ("Riverside Counselling (demo)").

A demo is only convincing if the charts tell stories a therapist recognises: the anxious
first-timer who trusts at once, the defensive client who warms up once feedback is talked
about, the rupture that is repaired, the client who is quietly getting worse. Alice's
caseload always holds one of each, under fixed names, so a scripted walkthrough works for any
seed; the rest of the clinic is filler drawn from the seed. Dates are laid out backwards from
``today`` so the demo always looks current. Behind the current caseload sits a history of past
clients whose episodes closed months ago (see :mod:`rapport.demo.history`).

Everything is standard library and deterministic: the same seed and ``today`` give the same
clinic, and each client draws from its own random stream so clients do not disturb each other.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field, replace

from .answers import (
    CHECKIN,
    CHECKIN_THERAPIST,
    LAYOUTS,
    checkin_answers,
    checkin_profile,
    make_profile,
    outcome_answers,
)
from .comments import client_comment, therapist_note
from .history import (
    CLOSING_GAPS,
    ENDED_DAYS_AGO,
    PAST_TEXT,
    past_roster,
    without_risk,
)
from .model import (
    DemoClient,
    DemoClinic,
    DemoResponse,
    DemoSession,
    DemoTherapist,
)
from .plans import build_plan
from .trajectories import (
    ALLIANCE_CUTOFF,
    FILLER_STORIES,
    STORIES,
    Beat,
    PlanContext,
    event_session,
)

CLINIC_NAME = "Riverside Counselling (demo)"

THERAPISTS = (
    DemoTherapist("alice", "Alice", "Moreno", "alice@demo.rapport.invalid"),
    DemoTherapist("bob", "Bob", "Okafor", "bob@demo.rapport.invalid"),
)

MODALITIES = ("in_person", "video", "phone", "text_chat")
_MODALITY_WEIGHTS = (0.45, 0.3, 0.15, 0.1)
_OFF_MODALITY_RATE = 0.12  # a session held some other way (illness, travel, snow)

# Clients rate the alliance higher than therapists on average, and therapists' ratings vary
# less (Tryon, Blackwell & Hammel, 2007). Modelled as a pull toward a middling value: lower
# than very satisfied clients, higher than dissatisfied ones.
_THERAPIST_ANCHOR = 7.6
_THERAPIST_SLOPE = 0.55

FIRST_NAMES = (
    "Aisha", "Ben", "Carmen", "Dev", "Elena", "Farid", "Grace", "Hiroshi", "Ines", "Jamal",
    "Kasia", "Leon", "Mei", "Nadia", "Olu", "Pablo", "Quinn", "Rosa", "Sam", "Tariq", "Uma",
    "Viktor", "Wen", "Ximena", "Yusuf", "Zara", "Amara", "Bjorn", "Chloe", "Diego", "Esi",
    "Finn", "Gabriela", "Hamza", "Ivy", "Jonas", "Kemi", "Luca", "Mariam", "Noah", "Oksana",
    "Rahul", "Sofia", "Tendai", "Valentina", "Will", "Yara", "Zeynep", "Anil", "Bea",
    "Cormac", "Dilnoza", "Emre", "Fatima", "Hannah", "Ibrahim", "Joy", "Kofi", "Lina", "Mateo",
)  # fmt: skip
_INITIALS = "ABCDEFGHJKLMNOPRSTVWY"


@dataclass(frozen=True)
class _Spec:
    """One client to build: who sees them, which story, and anything the demo script pins."""

    therapist: str
    story: str
    name: str | None = None  # pinned display name, else drawn
    measure: str | None = None  # pinned outcome measure, else drawn from the story's
    sessions: int | None = None  # pinned episode length
    event: int | None = None  # pinned key-event session (rupture, risk)
    recent: bool = False  # latest session within the last week
    client_says: dict[int, str] = field(default_factory=dict)  # session -> "next_time"
    therapist_says: dict[int, str] = field(default_factory=dict)  # session -> "note"


# Alice's named stories, fixed so the demo walkthrough can point at them by name.
ALICE_NAMED = (
    _Spec(
        "alice",
        "anxious_first_timer",
        name="Maya L.",
        measure="gad7",
        sessions=11,
        recent=True,
        client_says={1: "I was really nervous about coming, but you made it easy to talk."},
    ),
    _Spec(
        "alice",
        "distrustful_then_trusting",
        name="Daniel K.",
        measure="phq9",
        sessions=15,
        recent=True,
        client_says={
            1: "Not sure this is for me.",
            3: "Felt judged when we talked about my drinking.",
            9: "It helped that you asked what wasn't working for me.",
            15: "I actually look forward to these now.",
        },
        therapist_says={
            3: "Check-in low again; asked about it. Client felt judged about alcohol. "
            "Acknowledged it and agreed to let him lead on that topic.",
        },
    ),
    _Spec(
        "alice",
        "rupture_repair",
        name="Priya S.",
        measure="core10",
        sessions=12,
        event=7,
        recent=True,
        client_says={
            7: "I felt you weren't listening when I talked about my mum.",
            8: "Glad we went back to what happened last week. It helped.",
        },
        therapist_says={
            7: "Check-in dropped from the usual 9s. I think I moved on from her mum too "
            "quickly. Open with it next session.",
        },
    ),
    _Spec(
        "alice",
        "recent_rupture",
        name="Hannah B.",
        measure="gad7",
        sessions=8,
        recent=True,
        client_says={8: "Felt rushed today. We never got to what I came in with."},
        therapist_says={8: "Ran over on the worksheet; she went quiet at the end."},
    ),
    _Spec(
        "alice",
        "deteriorating",
        name="Marcus J.",
        measure="phq9",
        sessions=12,
        event=12,
        recent=True,
    ),
)
BOB_NAMED = (
    _Spec("bob", "distrustful_then_trusting"),
    _Spec("bob", "rupture_repair", recent=True),
    _Spec("bob", "deteriorating", recent=True),
)
NAMED_FOR_ALICE = {spec.story: spec.name for spec in ALICE_NAMED}


def _rng(*parts: object) -> random.Random:
    """A random stream keyed by text, so it is stable across runs and Python versions."""
    return random.Random(":".join(["rapport-demo", *map(str, parts)]))  # noqa: S311 - demo data


def _roster(rng: random.Random, n_clients: int) -> list[_Spec]:
    """Alice's named clients, Bob's named clients, then fillers, split evenly."""
    n_alice = max(len(ALICE_NAMED), (n_clients + 1) // 2)
    n_bob = n_clients - n_alice
    bob_named = BOB_NAMED[:n_bob]
    specs = [*ALICE_NAMED, *bob_named]
    fill = [("alice", n_alice - len(ALICE_NAMED)), ("bob", n_bob - len(bob_named))]
    deck: list[str] = []
    for therapist, count in fill:
        for _ in range(count):
            if not deck:  # deal fillers from shuffled decks so the mix stays balanced
                deck = [*FILLER_STORIES, "steady_improver", "slow_improver"]
                rng.shuffle(deck)
            specs.append(_Spec(therapist, deck.pop(), recent=rng.random() < 0.6))
    return specs


def _names(rng: random.Random, count: int, taken: set[str] | None = None) -> list[str]:
    """Unique fictional display names ("Dana R."), avoiding the pinned and ``taken`` names."""
    taken = {name for name in NAMED_FOR_ALICE.values() if name} | (taken or set())
    pool = list(FIRST_NAMES)
    rng.shuffle(pool)
    names: list[str] = []
    i = 0
    while len(names) < count:
        name = f"{pool[i % len(pool)]} {rng.choice(_INITIALS)}."
        i += 1
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _dates(
    rng: random.Random, n: int, today: datetime.date, *, recent: bool
) -> list[datetime.date]:
    """Weekly-ish session dates ending at or before ``today``, laid out backwards."""
    back = rng.randint(0, 6) if recent else rng.randint(7, 35)
    return _dates_until(rng, n, today - datetime.timedelta(days=back))


def _closed_dates(
    rng: random.Random, n: int, today: datetime.date
) -> tuple[list[datetime.date], datetime.date]:
    """A past episode's session dates and the date it closed, 3-24 months before ``today``."""
    ended = today - datetime.timedelta(days=rng.randint(*ENDED_DAYS_AGO))
    last = ended - datetime.timedelta(days=rng.choice(CLOSING_GAPS))
    return _dates_until(rng, n, last), ended


def _dates_until(rng: random.Random, n: int, last: datetime.date) -> list[datetime.date]:
    """``n`` weekly-ish session dates ending on ``last``, laid out backwards.

    Most gaps are a week; sometimes a week is skipped or a session moves by a day.
    """
    dates = [last]
    for _ in range(n - 1):
        roll = rng.random()
        gap = 14 if roll < 0.12 else rng.choice((6, 8)) if roll < 0.2 else 7
        dates.append(dates[-1] - datetime.timedelta(days=gap))
    return dates[::-1]


def _modalities(rng: random.Random, n: int) -> list[str]:
    """Mostly the client's usual modality, with the occasional exception (at most 1 in 4)."""
    usual = rng.choices(MODALITIES, weights=_MODALITY_WEIGHTS)[0]
    others = [m for m in MODALITIES if m != usual]
    exceptions = min(n // 4, sum(rng.random() < _OFF_MODALITY_RATE for _ in range(n)))
    odd = set(rng.sample(range(n), exceptions))
    return [rng.choice(others) if i in odd else usual for i in range(n)]


def _therapist_mean(rng: random.Random, client_mean: float) -> float:
    """The therapist's check-in mean: a moderated, slightly noisy echo of the client's."""
    mean = _THERAPIST_ANCHOR + _THERAPIST_SLOPE * (client_mean - _THERAPIST_ANCHOR)
    return max(0.0, min(10.0, mean + max(-0.5, min(0.5, rng.gauss(0.0, 0.25)))))


def _responses(
    rng: random.Random,
    spec: _Spec,
    *,
    measure: str,
    number: int,
    beat: Beat,
    profiles: dict[str, tuple[float, ...]],
) -> tuple[DemoResponse, ...]:
    """The three forms of one session: outcome at the start, then both check-ins."""
    total = round(max(0.0, min(float(LAYOUTS[measure].top), beat.outcome)))
    outcome = DemoResponse(
        measure,
        outcome_answers(rng, measure, total, profiles[measure], risk_answer=int(beat.risk)),
        {},
    )
    said = spec.client_says.get(number) or client_comment(rng, beat.tag)
    dip = 1.5 if beat.tag == "rupture" else 0.0
    client = DemoResponse(
        CHECKIN,
        checkin_answers(rng, beat.alliance, profiles[CHECKIN], heard_dip=dip),
        {"next_time": said} if said else {},
    )
    note = spec.therapist_says.get(number) or therapist_note(rng, beat.tag)
    # In the recent-rupture story the therapist has not noticed the drop and rates the session
    # as usual: therapists often miss ruptures (Tryon, Blackwell & Hammel 2007).
    unnoticed = spec.story == "recent_rupture" and beat.tag == "rupture"
    seen_alliance = ALLIANCE_CUTOFF + 0.3 if unnoticed else beat.alliance
    therapist = DemoResponse(
        CHECKIN_THERAPIST,
        checkin_answers(rng, _therapist_mean(rng, seen_alliance), profiles[CHECKIN_THERAPIST]),
        {"note": note} if note else {},
    )
    return outcome, client, therapist


def _build_client(
    spec: _Spec, name: str, rng: random.Random, today: datetime.date, *, past: bool = False
) -> DemoClient:
    """Build one client from its spec, using a random stream of its own.

    A ``past`` client's episode closed months before ``today`` and carries no risk answer.
    """
    story = STORIES[spec.story]
    measure = spec.measure or rng.choice(story.measures)
    n = spec.sessions or rng.randint(*story.sessions)
    layout = LAYOUTS[measure]
    profiles = {
        measure: make_profile(rng, layout.n_items, 0.45),
        CHECKIN: checkin_profile(rng, therapist=False),
        CHECKIN_THERAPIST: checkin_profile(rng, therapist=True),
    }
    beats = story.plan(PlanContext(rng, n, layout.top, spec.event))
    ended: datetime.date | None = None
    if past:
        beats = without_risk(beats)
        dates, ended = _closed_dates(rng, n, today)
    else:
        dates = _dates(rng, n, today, recent=spec.recent)
    modalities = _modalities(rng, n)
    sessions = tuple(
        DemoSession(
            number=number,
            date=dates[number - 1],
            modality=modalities[number - 1],
            responses=_responses(
                rng, spec, measure=measure, number=number, beat=beat, profiles=profiles
            ),
        )
        for number, beat in enumerate(beats, start=1)
    )
    age = rng.randint(19, 74)
    text = PAST_TEXT.get(story.key, story.text) if past else story.text
    return DemoClient(
        display_name=spec.name or name,
        story=story.key,
        story_text=text.format(event=event_session(beats)),
        therapist=spec.therapist,
        outcome_measure=measure,
        alliance_measure=CHECKIN,
        year_of_birth=today.year - age,
        episode_start=dates[0],
        sessions=sessions,
        episode_end=ended,
    )


def _past_clients(
    seed: int, today: datetime.date, count: int, taken: set[str]
) -> tuple[DemoClient, ...]:
    """``count`` past clients, on random streams of their own ("past"), with unused names."""
    rng = _rng(seed, "past")
    therapists = tuple(t.username for t in THERAPISTS)
    slots = past_roster(rng, count, therapists)
    names = _names(rng, count, taken)
    return tuple(
        _build_client(
            _Spec(slot.therapist, slot.story, measure=slot.measure),
            name,
            _rng(seed, "past", index),
            today,
            past=True,
        )
        for index, (slot, name) in enumerate(zip(slots, names, strict=True))
    )


def generate_demo_clinic(
    seed: int = 2026,
    today: datetime.date | None = None,
    n_clients: int = 30,
    n_past_clients: int = 135,
    *,
    plans: bool = True,
) -> DemoClinic:
    """Build the demo clinic: two therapists, ``n_clients`` current and some past clients.

    The same ``seed`` and ``today`` always give the same clinic. ``today`` defaults to the
    current date so the latest sessions look recent whenever the demo is loaded. At least five
    clients are needed, because Alice's five named stories are always present.

    ``n_past_clients`` past clients (``DemoClinic.past_clients``) finished therapy 3-24 months
    before ``today``, split between the therapists and evenly between PHQ-9, GAD-7 and CORE-10
    (45 each by default), enough history for the clinic's expected-trajectory models. They draw
    from random streams of their own, so their number never changes the current clients.

    With ``plans`` (the default) every current client has a treatment plan history
    (``DemoClient.plan``, see :mod:`rapport.demo.plans`), drawn from a stream of its own, so
    the sessions and answers are the same with or without plans. Past clients have no plan.
    """
    if n_clients < len(ALICE_NAMED):
        msg = f"the demo needs at least {len(ALICE_NAMED)} clients, got {n_clients}"
        raise ValueError(msg)
    if n_past_clients < 0:
        msg = f"the number of past clients cannot be negative, got {n_past_clients}"
        raise ValueError(msg)
    today = today or datetime.date.today()
    rng = _rng(seed, "clinic")
    specs = _roster(rng, n_clients)
    names = _names(rng, len(specs))
    clients = tuple(
        _build_client(spec, name, _rng(seed, "client", index), today)
        for index, (spec, name) in enumerate(zip(specs, names, strict=True))
    )
    if plans:
        clients = tuple(
            replace(
                client,
                plan=build_plan(
                    client, _rng(seed, "plan", index), spec.story if spec.name else None
                ),
            )
            for index, (spec, client) in enumerate(zip(specs, clients, strict=True))
        )
    taken = {client.display_name for client in clients}
    past = _past_clients(seed, today, n_past_clients, taken)
    return DemoClinic(name=CLINIC_NAME, therapists=THERAPISTS, clients=clients, past_clients=past)
