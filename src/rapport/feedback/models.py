"""Feedback requests (links and tablet hand-overs) and the responses clients submit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rapport.care.models import TherapySession
from rapport.fields import EncryptedJSONField


class Purpose(models.TextChoices):
    START = "start", "Start of session (how I'm doing)"
    END = "end", "End of session (how the session went)"


class Channel(models.TextChoices):
    LINK = "link", "Secure link"
    TABLET = "tablet", "In-room tablet"


class FeedbackRequest(models.Model):
    """An invitation for a client to answer measures for one session.

    Only a hash of the link's secret is stored, so a database dump cannot be turned back into
    working links. A request is single-use: once ``completed_at`` is set it accepts no answers.
    """

    session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, related_name="feedback_requests"
    )
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.LINK)
    instruments = models.JSONField(help_text="Registry codes of the measures asked, in order.")
    secret_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.session}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and not self.is_expired


class Respondent(models.TextChoices):
    CLIENT = "client", "Client"
    THERAPIST = "therapist", "Therapist"
    GUARDIAN = "guardian", "Parent or guardian"


class Response(models.Model):
    """One completed measure. Append-only: the app never edits or deletes a response.

    Item answers are stored as given (keys are item numbers as strings, JSON's only key type);
    the scores beside them are computed by the core at submission, so lists and charts need no
    re-scoring.
    """

    session = models.ForeignKey(TherapySession, on_delete=models.PROTECT, related_name="responses")
    request = models.ForeignKey(
        FeedbackRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
    )
    instrument = models.CharField(max_length=40)
    respondent = models.CharField(max_length=20, choices=Respondent.choices)
    answers = models.JSONField()
    # Free text by question key ("next_time", "note"); encrypted at rest.
    comments = EncryptedJSONField(default=dict, blank=True)
    total = models.FloatField(null=True, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    band = models.CharField(max_length=60, blank=True)
    clinical = models.BooleanField(null=True, blank=True)
    prorated = models.BooleanField(default=False)
    risk_items = models.JSONField(default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member, for therapist ratings; empty for client answers.",
    )
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "submitted_at"]
        constraints = [
            # A retried or double-clicked submission cannot store the same measure twice.
            models.UniqueConstraint(
                fields=["request", "instrument"],
                condition=Q(request__isnull=False),
                name="one_response_per_measure_per_request",
            ),
        ]
        indexes = [models.Index(fields=["session", "instrument", "respondent"])]

    def __str__(self) -> str:
        return f"{self.instrument} by {self.respondent} for {self.session}"

    def answer_for(self, number: int) -> float | None:
        value = self.answers.get(str(number))
        return None if value is None else float(value)
