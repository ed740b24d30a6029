from django.contrib import admin

from rapport.care.models import Client, Episode, TherapySession


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["display_name", "clinic", "therapist", "outcome_measure", "alliance_measure"]
    list_filter = ["clinic", "therapist"]
    search_fields = ["display_name"]


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["client", "started_on", "ended_on"]


@admin.register(TherapySession)
class TherapySessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["episode", "number", "date", "modality"]
    list_filter = ["modality"]
