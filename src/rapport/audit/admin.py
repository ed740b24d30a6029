from __future__ import annotations

from django.contrib import admin

from rapport.audit.models import AuditEvent
from rapport.feedback.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: operators can search the trail but never change it."""

    list_display = ("at", "clinic", "actor", "action", "route", "status", "client_id", "ip")
    list_filter = ("action", "clinic")
    search_fields = ("actor", "route", "path")
