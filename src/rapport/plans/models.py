"""Plan versions (append-only snapshots), the client's agreement, and client goal ratings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from rapport.care.models import Client, TherapySession
from rapport.feedback.models import FeedbackRequest
from rapport.fields import EncryptedJSONField, EncryptedTextField


class PlanVersion(models.Model):
    """One version of a client's plan. Every edit adds a version; none is ever changed.

    ``snapshot`` is ``rapport.core.plans.PlanSnapshot.to_dict()``. A version marked
    ``reviewed`` records that therapist and client went through the plan together, with or
    without changes, at session ``reviewed_at_session``. The snapshot (the client's problems
    and goals in their own words) and the summary of changes are encrypted at rest.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="plan_versions")
    number = models.PositiveIntegerField()
    snapshot = EncryptedJSONField()
    summary = EncryptedTextField(max_length=300, help_text="What changed, in words.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reviewed = models.BooleanField(default=False)
    reviewed_at_session = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["client", "number"]
        constraints = [
            models.UniqueConstraint(fields=["client", "number"], name="unique_plan_version"),
        ]

    def __str__(self) -> str:
        return f"Plan v{self.number} for {self.client}"


class PlanFeedback(models.Model):
    """The client's answer to "Do you agree with this plan?", given through a feedback link."""

    version = models.ForeignKey(
        PlanVersion, on_delete=models.PROTECT, related_name="client_feedback"
    )
    request = models.OneToOneField(
        FeedbackRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    agreed = models.BooleanField(null=True, help_text="Empty when the client did not say.")
    comment = EncryptedTextField(blank=True, max_length=2000)
    submitted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Client feedback on {self.version}"


class GoalRating(models.Model):
    """The client's own rating of progress on one goal at one session (0-10 or a GAS level)."""

    session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, related_name="goal_ratings"
    )
    request = models.ForeignKey(
        FeedbackRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(PlanVersion, on_delete=models.PROTECT, related_name="+")
    goal_key = models.CharField(max_length=20)
    value = models.FloatField()
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "goal_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "goal_key"],
                condition=Q(request__isnull=False),
                name="one_rating_per_goal_per_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal_key} = {self.value:g} at {self.session}"
