"""Named test people and records, built in code (no fixture files).

Alice is a therapist at Riverside; Bob is her colleague; Ada is Riverside's clinic admin;
Charlie is a therapist at another clinic. Dana is Alice's client, Eli is Bob's.
"""

from __future__ import annotations

import datetime
from typing import Any

from rapport.accounts.models import Clinic, Role, User
from rapport.care.models import Client, Episode, TherapySession
from rapport.feedback import services
from rapport.feedback.instruments import registry
from rapport.feedback.models import Respondent, Response

PASSWORD = "correct horse battery staple"


class Factory:
    def make_clinic(self, **overrides: Any) -> Clinic:
        return Clinic.objects.create(**{"name": "Riverside", **overrides})

    def make_user(self, username: str, clinic: Clinic | None, **overrides: Any) -> User:
        fields = {
            "first_name": username.capitalize(),
            "last_name": "Tester",
            "role": Role.THERAPIST,
            **overrides,
        }
        return User.objects.create_user(username, password=PASSWORD, clinic=clinic, **fields)

    def make_client(self, therapist: User, **overrides: Any) -> Client:
        fields = {
            "display_name": "Dana R.",
            "outcome_measure": "phq9",
            "alliance_measure": "checkin",
            **overrides,
        }
        client = Client.objects.create(clinic=therapist.clinic, therapist=therapist, **fields)
        Episode.objects.create(client=client, started_on=datetime.date(2026, 9, 1))
        return client

    def make_session(self, client: Client, **overrides: Any) -> TherapySession:
        episode = client.current_episode
        assert episode is not None
        number = overrides.pop("number", episode.sessions.count() + 1)
        fields = {"date": datetime.date(2026, 9, 1) + datetime.timedelta(weeks=number), **overrides}
        return TherapySession.objects.create(episode=episode, number=number, **fields)

    def make_response(
        self,
        session: TherapySession,
        instrument: str,
        answers: dict[int, float | None],
        comments: dict[str, str] | None = None,
        respondent: str = Respondent.CLIENT,
        **overrides: Any,
    ) -> Response:
        response = services.build_response(
            registry().get(instrument),
            answers,
            comments or {},
            session=session,
            respondent=respondent,
            **overrides,
        )
        response.save()
        return response


def phq9(total_from_items: list[int]) -> dict[int, float | None]:
    """PHQ-9 answers from a list of nine item values."""
    return {n: float(v) for n, v in enumerate(total_from_items, start=1)}


def checkin(*values: float) -> dict[int, float | None]:
    """Check-in answers (five 0-10 sliders)."""
    return {n: float(v) for n, v in enumerate(values, start=1)}
