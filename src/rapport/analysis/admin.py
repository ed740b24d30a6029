"""Operators see that analyses exist (when, by whom, how big), never what they say.

The report holds the client's words and the file name can identify people, so neither is
shown: operators are not clinicians. Held uploads are not registered at all.
"""

from __future__ import annotations

from django.contrib import admin

from rapport.analysis.models import TranscriptAnalysis
from rapport.feedback.admin import ReadOnlyAdmin


@admin.register(TranscriptAnalysis)
class TranscriptAnalysisAdmin(ReadOnlyAdmin):
    list_display = [
        "session",
        "uploaded_by",
        "uploaded_at",
        "detected_format",
        "utterances",
        "words",
        "labels_from",
    ]
    list_filter = ["detected_format", "labels_from"]
    fields = [*list_display, "model_info"]
