"""The "Transcript analysis" section of the session page.

The report itself is drawn by the partial ``transcripts/_report.html`` with the context
``rapport.transcript_report.report_context`` builds, the same partial the CLI's HTML report
uses. Chart.js comes from npm at set-up time; without it the report says charts are missing.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.http import Http404

from rapport.analysis.models import TranscriptAnalysis
from rapport.care.models import TherapySession
from rapport.consent.models import Purpose
from rapport.consent.services import ConsentMissing, require_consent
from rapport.transcript_report import report_context

CHARTJS = "vendor/chartjs/chart.umd.min.js"


def consent_problem(session: TherapySession) -> str | None:
    """Why a transcript of this session may not be analysed, or None when it may."""
    try:
        require_consent(session.episode.client, Purpose.TRANSCRIPTS)
    except ConsentMissing as exc:
        return str(exc)
    return None


def transcript_section(session: TherapySession, analysis_id: int | None = None) -> dict[str, Any]:
    """The section's context: the analysis shown (latest unless ``analysis_id``), the others.

    Raises Http404 when ``analysis_id`` is not an analysis of this session.
    """
    # The other uploads are only listed: their reports (a whole transcript each, encrypted)
    # are not read; the shown one's is fetched when used.
    analyses = list(
        TranscriptAnalysis.objects.filter(session=session)
        .select_related("uploaded_by")
        .defer("report")
    )
    shown = analyses[0] if analyses else None
    if analysis_id is not None:
        shown = next((a for a in analyses if a.pk == analysis_id), None)
        if shown is None:
            raise Http404("No such analysis of this session.")
    section: dict[str, Any] = {
        "shown": shown,
        "others": [a for a in analyses if a is not shown],
        "is_latest": shown is not None and shown is analyses[0],
        "consent_problem": consent_problem(session),
        "report": None,
        "ctx": None,
    }
    if shown is None:
        return section
    charts = bool(finders.find(CHARTJS))
    section.update(
        {
            "report": shown.report,
            "ctx": report_context(shown.report),
            "charts": charts,
            "charts_unavailable": not charts,
        }
    )
    return section
