"""Rules for changing clinical records, shared by pages and API."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max

from rapport.care.models import Client, Episode, TherapySession


def add_session(client: Client, date: datetime.date, modality: str) -> TherapySession:
    """Add the next-numbered session to the client's current episode, opening one if needed.

    Raises IntegrityError when another request took the same number at the same moment
    (the unique constraint on episode and number); callers ask the user to try again.
    """
    with transaction.atomic():
        episode = client.current_episode or Episode.objects.create(client=client, started_on=date)
        number = (episode.sessions.aggregate(n=Max("number"))["n"] or 0) + 1
        return TherapySession.objects.create(
            episode=episode, number=number, date=date, modality=modality
        )
