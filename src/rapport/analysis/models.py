"""What a transcript upload leaves behind: its analysis, and briefly an upload awaiting roles.

The transcript itself is never kept. ``TranscriptAnalysis.report`` holds
``SessionAnalysis.to_dict()``: the markers plus the utterance lines they cite as evidence, so
it is the client's words and is encrypted at rest, as is the file name (names identify
people). ``PendingTranscript`` holds an upload's text, encrypted, for at most an hour while
the therapist says who each speaker is; it is deleted when used or expired.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from rapport.care.models import TherapySession
from rapport.fields import EncryptedJSONField, EncryptedTextField

# Long enough to look up who was who, short enough that a forgotten upload does not linger.
PENDING_LIFETIME = timedelta(hours=1)


class TranscriptFormat(models.TextChoices):
    """The keys of ``rapport.core.transcripts.parsing.FORMATS``."""

    TEXT = "text", "Plain text"
    CSV = "csv", "CSV"
    TSV = "tsv", "TSV"
    WEBVTT = "webvtt", "WebVTT captions"
    SRT = "srt", "SRT captions"
    CHAT_JSON = "chat_json", "Chat export (JSON)"


class TranscriptAnalysis(models.Model):
    """The analysis of one uploaded transcript of a session; a session may have several."""

    session = models.ForeignKey(
        TherapySession, on_delete=models.CASCADE, related_name="transcript_analyses"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)
    original_name = EncryptedTextField(help_text="The uploaded file's name.")
    sha256 = models.CharField(max_length=64, help_text="Of the uploaded bytes.")
    detected_format = models.CharField(max_length=20, choices=TranscriptFormat.choices)
    utterances = models.PositiveIntegerField()
    words = models.PositiveIntegerField()
    report = EncryptedJSONField(help_text="SessionAnalysis.to_dict(), evidence lines included.")
    labels_from = models.CharField(max_length=20, help_text='"model", "annotations" or "none".')
    model_info = models.JSONField(
        null=True, blank=True, help_text="The classifier that labelled utterances, if any."
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name_plural = "transcript analyses"

    def __str__(self) -> str:
        return f"Transcript analysis {self.pk} of session {self.session_id}"

    @property
    def report_dict(self) -> dict[str, Any]:
        """The stored report (a dict), for templates and exports."""
        return dict(self.report or {})


class PendingTranscript(models.Model):
    """An upload held while its owner maps speakers to roles; the text is encrypted."""

    session = models.ForeignKey(
        TherapySession, on_delete=models.CASCADE, related_name="pending_transcripts"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    original_name = EncryptedTextField()
    sha256 = models.CharField(max_length=64)
    text = EncryptedTextField(help_text="The decoded transcript, until the roles are given.")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Upload awaiting roles for session {self.session_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
