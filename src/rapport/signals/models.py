"""What the signal layer stores: fitted trajectory models and risk acknowledgements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from rapport.accounts.models import Clinic
from rapport.feedback.models import Response
from rapport.fields import EncryptedTextField

NOTE_LENGTH = 2000  # a risk acknowledgement's note: as long as a client's comment


class TrajectoryFit(models.Model):
    """The clinic's expected-trajectory model for one outcome measure, or why there is none.

    Refitted by ``rapport fit-trajectories`` (nightly in production); signals read the stored
    parameters so no page ever fits a model.
    """

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="trajectory_fits")
    instrument = models.CharField(max_length=40)
    fitted_at = models.DateTimeField(default=timezone.now)
    parameters = models.JSONField(
        null=True, blank=True, help_text="TrajectoryModel.to_dict(); empty when not enough data."
    )
    reason = models.TextField(blank=True, help_text="Why no model could be fitted.")
    n_episodes = models.PositiveIntegerField(default=0)
    n_scores = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "instrument"], name="one_fit_per_measure"),
        ]

    def __str__(self) -> str:
        state = "fitted" if self.parameters else "not enough data"
        return f"{self.instrument} for {self.clinic}: {state}"


class RiskAcknowledgement(models.Model):
    """A clinician's record that they have seen an endorsed risk item and acted on it.

    Append-only like responses: the urgent flag on the caseload and on every page of the
    client stays until this row exists.
    """

    response = models.OneToOneField(
        Response, on_delete=models.PROTECT, related_name="risk_acknowledgement"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(default=timezone.now)
    note = EncryptedTextField(
        max_length=NOTE_LENGTH,
        help_text="What was done, e.g. 'Risk assessed by phone; safety plan.'",
    )

    def __str__(self) -> str:
        return f"Risk on {self.response} acknowledged by {self.acknowledged_by}"
