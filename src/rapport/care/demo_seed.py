"""Load the synthetic demo clinic (``rapport.demo``) into the database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from importlib.resources import files

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import Clinic, Role, User
from rapport.analysis.services import Labelling, parse_upload, read_upload, store_analysis
from rapport.care.models import Client, Episode, TherapySession
from rapport.consent.models import ConsentRecord, Method
from rapport.consent.models import Purpose as ConsentPurpose
from rapport.core.transcripts import Role as SpeakerRole
from rapport.demo import DemoClient, DemoClinic, generate_demo_clinic
from rapport.feedback.instruments import THERAPIST_RATING, registry
from rapport.feedback.models import Respondent, Response
from rapport.feedback.services import build_response
from rapport.plans.models import GoalRating, PlanFeedback, PlanVersion

DEMO_PASSWORD = "demo-clinic-2026"  # printed by `rapport demo`; demo data is fictional
ADMIN_USERNAME = "admin"
SUPERVISOR_USERNAME = "sam"  # sees the aggregate supervision page, no client records


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    name: str


def demo_exists() -> bool:
    return User.objects.filter(username=ADMIN_USERNAME, clinic__isnull=False).exists()


def _submitted_at(date: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(hour, 0)))


@transaction.atomic
def seed_demo(seed: int = 2026, today: datetime.date | None = None) -> list[DemoLogin]:
    """Create the demo clinic, its staff and clients with scored item-level responses."""
    demo: DemoClinic = generate_demo_clinic(seed=seed, today=today or timezone.localdate())
    clinic = Clinic.objects.create(name=demo.name)
    logins = [DemoLogin(ADMIN_USERNAME, DEMO_PASSWORD, "Clinic admin", "Clinic administrator")]
    User.objects.create_user(
        ADMIN_USERNAME,
        password=DEMO_PASSWORD,
        clinic=clinic,
        role=Role.ADMIN,
        first_name="Clinic",
        last_name="Administrator",
    )
    User.objects.create_user(
        SUPERVISOR_USERNAME,
        password=DEMO_PASSWORD,
        clinic=clinic,
        role=Role.SUPERVISOR,
        first_name="Sam",
        last_name="Supervisor",
    )
    logins.append(DemoLogin(SUPERVISOR_USERNAME, DEMO_PASSWORD, "Supervisor", "Sam Supervisor"))
    therapists = {}
    for t in demo.therapists:
        therapists[t.username] = User.objects.create_user(
            t.username,
            email=t.email,
            password=DEMO_PASSWORD,
            clinic=clinic,
            role=Role.THERAPIST,
            first_name=t.first_name,
            last_name=t.last_name,
        )
        logins.append(
            DemoLogin(t.username, DEMO_PASSWORD, "Therapist", f"{t.first_name} {t.last_name}")
        )

    # One bulk insert per table: the history of past clients makes ~2,000 sessions.
    everyone = demo.all_clients  # current clients, then past ones (episode closed)
    clients = Client.objects.bulk_create(
        Client(
            clinic=clinic,
            therapist=therapists[c.therapist],
            display_name=c.display_name,
            year_of_birth=c.year_of_birth,
            outcome_measure=c.outcome_measure,
            alliance_measure=c.alliance_measure,
        )
        for c in everyone
    )
    episodes = Episode.objects.bulk_create(
        Episode(client=client, started_on=c.episode_start, ended_on=c.episode_end)
        for client, c in zip(clients, everyone, strict=True)
    )
    sessions = TherapySession.objects.bulk_create(
        (
            TherapySession(episode=episode, number=s.number, date=s.date, modality=s.modality)
            for episode, c in zip(episodes, everyone, strict=True)
            for s in c.sessions
        ),
        batch_size=500,
    )
    reg = registry()
    responses: list[Response] = []
    held = ((c, s) for c in everyone for s in c.sessions)  # same order as ``sessions``
    for session, (demo_client, demo_session) in zip(sessions, held, strict=True):
        therapist = therapists[demo_client.therapist]
        for demo_response in demo_session.responses:
            by_therapist = demo_response.instrument == THERAPIST_RATING
            # Outcome before the session, alliance at its end, therapist's rating later on.
            if by_therapist:
                hour = 18
            elif demo_response.instrument == demo_client.outcome_measure:
                hour = 9
            else:
                hour = 10
            responses.append(
                build_response(
                    reg.get(demo_response.instrument),
                    demo_response.answers,
                    demo_response.comments,
                    session=session,
                    respondent=Respondent.THERAPIST if by_therapist else Respondent.CLIENT,
                    submitted_by=therapist if by_therapist else None,
                    submitted_at=_submitted_at(demo_session.date, hour),
                )
            )
    Response.objects.bulk_create(responses, batch_size=500)
    _seed_plans(demo, clients, sessions, therapists)
    _seed_consent(clients, everyone, therapists)
    _seed_transcript(clients, everyone, therapists)
    return logins


def _seed_consent(
    clients: list[Client], everyone: tuple[DemoClient, ...], therapists: dict[str, User]
) -> None:
    """Every demo client agreed to session feedback at intake; some also to research use.

    Transcript analysis is asked only where a transcript was analysed (``_seed_transcript``).
    """
    records = []
    for index, (client, demo_client) in enumerate(zip(clients, everyone, strict=True)):
        purposes = [ConsentPurpose.FEEDBACK] + ([ConsentPurpose.RESEARCH] if index % 2 == 0 else [])
        records += [
            ConsentRecord(
                client=client,
                purpose=purpose,
                granted=True,
                method=Method.WRITTEN,
                recorded_by=therapists[demo_client.therapist],
                recorded_at=_submitted_at(demo_client.episode_start, 9),
            )
            for purpose in purposes
        ]
    ConsentRecord.objects.bulk_create(records, batch_size=500)


# Hannah's session 8 (a rupture her ratings show) as her therapist might upload it: a short,
# fictional, project-written video-call excerpt, so the demo's session page shows the
# transcript analysis beside the client's own ratings.
DEMO_TRANSCRIPT_CLIENT = "Hannah B."
DEMO_TRANSCRIPT = "hannah-b-session-8.vtt"


def _seed_transcript(
    clients: list[Client], everyone: tuple[DemoClient, ...], therapists: dict[str, User]
) -> None:
    """Hannah agreed to transcript analysis at session 6; Alice uploaded session 8 that night.

    Analysed with lexical markers only: trained classifiers are never part of the demo.
    """
    found = [
        (client, demo_client)
        for client, demo_client in zip(clients, everyone, strict=True)
        if demo_client.display_name == DEMO_TRANSCRIPT_CLIENT and demo_client.episode_end is None
    ]
    if not found:  # a seed whose clinic has no Hannah (not the default one)
        return
    client, demo_client = found[0]
    therapist = therapists[demo_client.therapist]
    sessions = {s.number: s for s in demo_client.sessions}
    consent_on, session_on = sessions[6].date, sessions[8].date
    ConsentRecord.objects.create(
        client=client,
        purpose=ConsentPurpose.TRANSCRIPTS,
        granted=True,
        method=Method.VERBAL,
        recorded_by=therapist,
        recorded_at=_submitted_at(consent_on, 11),
    )
    data = (files("rapport.demo") / "transcripts" / DEMO_TRANSCRIPT).read_bytes()
    upload = read_upload(data, DEMO_TRANSCRIPT)
    roles = {"Alice Moreno": SpeakerRole.THERAPIST, DEMO_TRANSCRIPT_CLIENT: SpeakerRole.CLIENT}
    session = TherapySession.objects.get(episode__client=client, number=8)
    stored = store_analysis(
        session, therapist, upload, parse_upload(upload, roles), Labelling(None, None)
    )
    stored.uploaded_at = _submitted_at(session_on, 19)
    stored.save(update_fields=["uploaded_at"])


def _seed_plans(
    demo: DemoClinic,
    clients: list[Client],
    sessions: list[TherapySession],
    therapists: dict[str, User],
) -> None:
    """Current clients' plan versions, goal ratings and plan feedback: one insert per table.

    A version made at a session is written up after it (17:00); the client's ratings and
    answer come on the end-of-session form (10:00, with the check-in) and belong to the version
    in force then, the latest one made before that session (``DemoPlan.version_at``).
    """
    by_number: dict[tuple[int, int], TherapySession] = {}
    held = ((i, s) for i, c in enumerate(demo.all_clients) for s in c.sessions)
    for session, (index, demo_session) in zip(sessions, held, strict=True):
        by_number[index, demo_session.number] = session
    planned = [(i, c) for i, c in enumerate(demo.clients) if c.plan is not None]
    versions = PlanVersion.objects.bulk_create(
        PlanVersion(
            client=clients[index],
            number=number,
            snapshot=version.snapshot.to_dict(),
            summary=version.summary,
            created_by=therapists[c.therapist],
            created_at=_submitted_at(by_number[index, version.session_number].date, 17),
            reviewed=version.reviewed,
            reviewed_at_session=version.session_number if version.reviewed else None,
        )
        for index, c in planned
        if c.plan is not None
        for number, version in enumerate(c.plan.versions, start=1)
    )
    ratings: list[GoalRating] = []
    feedback: list[PlanFeedback] = []
    rows = iter(versions)
    for index, c in planned:
        assert c.plan is not None
        mine = [next(rows) for _ in c.plan.versions]
        for rating in c.plan.ratings:
            session = by_number[index, rating.session_number]
            in_force = c.plan.version_at(rating.session_number)
            assert in_force is not None, (c.display_name, rating)
            ratings.append(
                GoalRating(
                    session=session,
                    version=mine[in_force],
                    goal_key=rating.goal_key,
                    value=rating.value,
                    submitted_at=_submitted_at(session.date, 10),
                )
            )
        feedback.extend(
            PlanFeedback(
                version=mine[answer.version_index],
                agreed=answer.agreed,
                comment=answer.comment,
                submitted_at=_submitted_at(by_number[index, answer.session_number].date, 10),
            )
            for answer in c.plan.feedback
        )
    GoalRating.objects.bulk_create(ratings, batch_size=500)
    PlanFeedback.objects.bulk_create(feedback)
