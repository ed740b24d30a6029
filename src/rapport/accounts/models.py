"""A clinic and the staff who log in to it."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Clinic(models.Model):
    """A practice or service: the boundary no record ever crosses."""

    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    require_two_factor = models.BooleanField(
        default=False,
        help_text="Every staff member must sign in with a code from an authenticator app.",
    )

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    THERAPIST = "therapist", "Therapist"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Clinic admin"


class User(AbstractUser):
    """A member of clinic staff. Clients never have accounts: they answer through links."""

    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.THERAPIST)

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.ADMIN and self.clinic_id is not None

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A personal API key for scripts. Only its SHA-256 is stored; it is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise a key.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ResetRequest(models.Model):
    """A password-reset link sent, kept an hour to limit how often links go out
    (:mod:`rapport.accounts.reset_limits`). The email address is kept only as a keyed hash,
    so the table lists nobody's address; the network address is the one sign-in throttling
    sees."""

    address_digest = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"Password reset from {self.ip_address or 'an unknown address'} at {self.created_at}"
