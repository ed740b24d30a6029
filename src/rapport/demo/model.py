"""The shape of the synthetic demo clinic: plain frozen dataclasses, no Django.

These are the output contract that the Django loader maps onto accounts, clients, episodes,
sessions and responses. Keeping them framework-free means the demo data can be generated,
inspected and tested in a notebook or a plain pytest run.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from rapport.core.plans import PlanSnapshot


@dataclass(frozen=True)
class DemoResponse:
    """One completed measure: raw item answers plus any free-text answers."""

    instrument: str  # registry code: "phq9", "gad7", "core10", "checkin", "checkin_therapist"
    answers: dict[int, float]  # item number (1-based) -> answer on the item's raw scale
    comments: dict[str, str]  # free text by question key ("next_time", "note"); may be empty


@dataclass(frozen=True)
class DemoSession:
    """One session with its outcome (start), client check-in (end) and therapist check-in."""

    number: int  # 1-based within the episode
    date: datetime.date
    modality: str  # "in_person" | "video" | "phone" | "text_chat"
    responses: tuple[DemoResponse, ...]


@dataclass(frozen=True)
class DemoPlanVersion:
    """One version of a client's treatment plan, written up after session ``session_number``.

    A version made at a session is typed up after it (17:00 in the loader), so the client first
    sees and rates it at the next session. ``reviewed`` records that therapist and client went
    through the plan together at that session, with or without changes.
    """

    session_number: int
    snapshot: PlanSnapshot
    summary: str  # what changed, in words, as the plan pages show it
    reviewed: bool = False


@dataclass(frozen=True)
class DemoGoalRating:
    """The client's own rating of one active goal at the end of a session.

    0-10 for a goal benchmarked on a measure, the GAS level (-2 to +2) for a GAS goal. The
    version rated is the one in force at the session: see :meth:`DemoPlan.version_at`.
    """

    session_number: int
    goal_key: str
    value: float


@dataclass(frozen=True)
class DemoPlanFeedback:
    """The client's answer to "Do you agree with this plan?" at the end of a session."""

    session_number: int
    version_index: int  # 0-based index into ``DemoPlan.versions``: the version in force
    agreed: bool | None  # None: the client left the question unanswered but commented
    comment: str = ""


@dataclass(frozen=True)
class DemoPlan:
    """A client's plan history: its versions, goal ratings and the client's feedback."""

    versions: tuple[DemoPlanVersion, ...]
    ratings: tuple[DemoGoalRating, ...] = ()
    feedback: tuple[DemoPlanFeedback, ...] = ()

    def version_at(self, session_number: int) -> int | None:
        """Index of the version in force at a session: the latest one made before it.

        A version made at a session is written up after it, so at session *t* the client
        sees (and rates, and agrees to) the latest version made at a session before *t*.
        """
        found: int | None = None
        for index, version in enumerate(self.versions):
            if version.session_number < session_number:
                found = index
        return found


@dataclass(frozen=True)
class DemoClient:
    """A fictional client whose numbers tell one recognisable clinical story."""

    display_name: str  # first name + last initial, e.g. "Dana R."
    story: str  # machine key, e.g. "rupture_repair"
    story_text: str  # one sentence a demo user reads
    therapist: str  # username of the therapist
    outcome_measure: str  # "phq9" | "gad7" | "core10"
    alliance_measure: str  # "checkin"
    year_of_birth: int
    episode_start: datetime.date
    sessions: tuple[DemoSession, ...]
    episode_end: datetime.date | None = None  # None: a current client, still in therapy
    plan: DemoPlan | None = None  # current clients' treatment plan history; past: none


@dataclass(frozen=True)
class DemoTherapist:
    """A demo login that owns a caseload."""

    username: str
    first_name: str
    last_name: str
    email: str


@dataclass(frozen=True)
class DemoClinic:
    """The whole demo: a clinic, its therapists, their current clients and past clients.

    ``clients`` is the current caseload (open episodes); ``past_clients`` finished therapy
    before today (each has an ``episode_end``) and give the clinic a history to learn from.
    """

    name: str
    therapists: tuple[DemoTherapist, ...]
    clients: tuple[DemoClient, ...]
    past_clients: tuple[DemoClient, ...] = ()

    @property
    def all_clients(self) -> tuple[DemoClient, ...]:
        """Current clients first, then past clients."""
        return self.clients + self.past_clients
