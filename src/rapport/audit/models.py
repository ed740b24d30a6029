"""An append-only record of every access to client data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from rapport.accounts.models import Clinic

ACTOR_LENGTH = 150  # a username's longest (Django's User.username)


class AuditEvent(models.Model):
    """One request that read or changed client data (or tried to).

    Append-only: the app never updates or deletes an event, the admin shows them read-only, and
    ``client_id`` is a plain number rather than a foreign key so the trail outlives a client's
    erasure. Feedback-link tokens are never stored: a link's path is recorded with the token
    replaced by the request's id.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.CharField(
        max_length=ACTOR_LENGTH, help_text="e.g. 'alice', 'client link', 'anonymous'"
    )
    action = models.CharField(max_length=20)  # view, change, list
    route = models.CharField(max_length=80)  # the URL name, e.g. "client-detail"
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()
    client_id = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # What rate limits count: the address, or an IPv6 address's /64 (client_address.py).
    network = models.GenericIPAddressField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["clinic", "-at"]),
            # Feedback-link rate limits count one network's recent requests.
            models.Index(fields=["network", "-at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.method} {self.route} → {self.status}"
