from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from rapport.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: operators can search the trail but never change it."""

    list_display = ("at", "clinic", "actor", "action", "route", "status", "client_id", "ip")
    list_filter = ("action", "clinic")
    search_fields = ("actor", "route", "path")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
