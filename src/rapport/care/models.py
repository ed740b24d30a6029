"""Clients, episodes of care and sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from rapport.accounts.models import Clinic

if TYPE_CHECKING:
    from rapport.accounts.models import User


class ClientQuerySet(models.QuerySet["Client"]):
    def visible_to(self, user: User) -> ClientQuerySet:
        """Clients whose records ``user`` may open: their own caseload, nothing else.

        Every page and API route goes through this one filter, so ownership is enforced in one
        place. Supervisors and admins get aggregate views elsewhere, never item-level records.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(therapist=user, clinic_id=user.clinic_id)

    def active(self) -> ClientQuerySet:
        """Clients still in therapy: an open episode, or none yet (just referred)."""
        open_episode = Episode.objects.filter(client=OuterRef("pk"), ended_on__isnull=True)
        return self.filter(Q(episodes__isnull=True) | Exists(open_episode)).distinct()


class Client(models.Model):
    """Someone in therapy. Identified by a display name chosen by the clinic, not a full name."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clients")
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clients"
    )
    display_name = models.CharField(max_length=100)
    year_of_birth = models.PositiveSmallIntegerField(null=True, blank=True)
    outcome_measure = models.CharField(
        max_length=40, default="phq9", help_text="Asked at the start of each session."
    )
    alliance_measure = models.CharField(
        max_length=40, default="checkin", help_text="Asked at the end of each session."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def current_episode(self) -> Episode | None:
        return self.episodes.filter(ended_on__isnull=True).order_by("-started_on").first()

    @property
    def episode_in_view(self) -> Episode | None:
        """The episode pages show: the open one, else the latest (a discharged client)."""
        return self.current_episode or self.episodes.first()


class Episode(models.Model):
    """One course of therapy, from referral or first session to discharge."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="episodes")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return f"{self.client} from {self.started_on:%d %b %Y}"


class TherapySessionQuerySet(models.QuerySet["TherapySession"]):
    def visible_to(self, user: User) -> TherapySessionQuerySet:
        """Sessions of the clients ``user`` may open (see ``ClientQuerySet.visible_to``)."""
        return self.filter(episode__client__in=Client.objects.visible_to(user))


class Modality(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video"
    PHONE = "phone", "Phone"
    TEXT_CHAT = "text_chat", "Text chat"


class TherapySession(models.Model):
    """A session of therapy; feedback is collected per session."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveIntegerField()
    date = models.DateField()
    modality = models.CharField(max_length=20, choices=Modality.choices, default=Modality.IN_PERSON)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TherapySessionQuerySet.as_manager()

    class Meta:
        ordering = ["episode", "number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="unique_session_number"),
        ]

    def __str__(self) -> str:
        return f"Session {self.number} on {self.date:%d %b %Y}"

    @property
    def client(self) -> Client:
        return self.episode.client
