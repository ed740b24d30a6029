"""Load the synthetic demo clinic (``rapport.demo``) into the database."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import Clinic, Role, User
from rapport.care.models import Client, Episode, TherapySession
from rapport.demo import DemoClinic, generate_demo_clinic
from rapport.feedback.instruments import THERAPIST_RATING, registry
from rapport.feedback.models import Respondent, Response
from rapport.feedback.services import build_response

DEMO_PASSWORD = "demo-clinic-2026"  # printed by `rapport demo`; demo data is fictional
ADMIN_USERNAME = "admin"


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

    reg = registry()
    responses: list[Response] = []
    for demo_client in demo.clients:
        therapist = therapists[demo_client.therapist]
        client = Client.objects.create(
            clinic=clinic,
            therapist=therapist,
            display_name=demo_client.display_name,
            year_of_birth=demo_client.year_of_birth,
            outcome_measure=demo_client.outcome_measure,
            alliance_measure=demo_client.alliance_measure,
        )
        episode = Episode.objects.create(client=client, started_on=demo_client.episode_start)
        sessions = TherapySession.objects.bulk_create(
            TherapySession(episode=episode, number=s.number, date=s.date, modality=s.modality)
            for s in demo_client.sessions
        )
        for session, demo_session in zip(sessions, demo_client.sessions, strict=True):
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
    return logins
