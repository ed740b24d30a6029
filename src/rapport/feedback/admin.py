"""Operators may inspect requests and responses but never alter what a client submitted."""

from django.contrib import admin
from django.http import HttpRequest

from rapport.feedback.models import FeedbackRequest, Response


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(ReadOnlyAdmin):
    list_display = ["session", "purpose", "channel", "created_at", "expires_at", "completed_at"]
    list_filter = ["purpose", "channel"]
    exclude = ["secret_hash"]


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["session", "instrument", "respondent", "total", "band", "submitted_at"]
    list_filter = ["instrument", "respondent"]
