"""Consent as an append-only history: the latest record per purpose is the client's answer."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from rapport.care.models import Client


class Purpose(models.TextChoices):
    FEEDBACK = "feedback", "Session feedback (questionnaires after sessions)"
    TRANSCRIPTS = "transcripts", "Analysis of session transcripts"
    RESEARCH = "research", "Anonymised use of their scores for research"


class Method(models.TextChoices):
    WRITTEN = "written", "Written (signed form)"
    VERBAL = "verbal", "Verbal, recorded by the therapist"
    ELECTRONIC = "electronic", "Electronic (online form)"


class ConsentRecord(models.Model):
    """One decision by a client about one purpose. Never edited: a withdrawal is a new record."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    granted = models.BooleanField(help_text="False records a refusal or a withdrawal.")
    method = models.CharField(max_length=20, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["client", "purpose", "-recorded_at", "-pk"]

    def __str__(self) -> str:
        verb = "granted" if self.granted else "withdrew"
        return f"{self.client} {verb} {self.purpose} on {self.recorded_at:%Y-%m-%d}"


class Erasure(models.Model):
    """That a client's identifying data and words were removed, by whom and when.

    ``client_id`` is a plain number so the row says which record was anonymised without
    pointing at anything identifying.
    """

    client_id = models.PositiveIntegerField(db_index=True)
    erased_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    erased_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Client {self.client_id} anonymised on {self.erased_at:%Y-%m-%d}"
