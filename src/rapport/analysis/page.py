"""The "Transcript analysis" section of the session page.

The report itself is drawn by the partial ``transcripts/_report.html`` with the context
``rapport.transcript_report.report_context`` builds, the same partial the CLI's HTML report
uses. Both are looked up when the page is built, so the section degrades to its own summary
(counts and talk balance) on an installation without them.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.staticfiles import finders
from django.http import Http404
from django.template import TemplateDoesNotExist
from django.template.loader import select_template

from rapport.analysis.models import TranscriptAnalysis
from rapport.care.models import TherapySession
from rapport.consent.models import Purpose
from rapport.consent.services import ConsentMissing, require_consent

REPORT_PARTIAL = "transcripts/_report.html"
CHARTJS = "vendor/chartjs/chart.umd.min.js"
CHART_SCRIPT = "rapport/transcript-charts.js"
REPORT_CSS = "rapport/transcript-report.css"


@cache
def _partial_exists() -> bool:
    try:
        select_template([REPORT_PARTIAL])
    except TemplateDoesNotExist:
        return False
    return True


def _report_context(report: dict[str, Any]) -> dict[str, Any] | None:
    try:
        from rapport.transcript_report import (  # noqa: PLC0415 (optional until it lands)
            report_context,
        )
    except ImportError:
        return None
    return report_context(report)


def _static_exists(path: str) -> bool:
    return bool(finders.find(path))


def consent_problem(session: TherapySession) -> str | None:
    """Why a transcript of this session may not be analysed, or None when it may."""
    try:
        require_consent(session.episode.client, Purpose.TRANSCRIPTS)
    except ConsentMissing as exc:
        return str(exc)
    return None


def _fallback_balance(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Talk balance rows for the section's own summary (used without the shared partial)."""
    by_role = (report.get("talk_balance") or {}).get("by_role") or {}
    return [
        {
            "role": role.capitalize(),
            "turns": values.get("turns"),
            "words": values.get("words"),
            "share": round(100 * float(values.get("word_share") or 0)),
        }
        for role, values in by_role.items()
    ]


def transcript_section(session: TherapySession, analysis_id: int | None = None) -> dict[str, Any]:
    """The section's context: the analysis shown (latest unless ``analysis_id``), the others.

    Raises Http404 when ``analysis_id`` is not an analysis of this session.
    """
    analyses = list(
        TranscriptAnalysis.objects.filter(session=session).select_related("uploaded_by")
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
    report = shown.report
    ctx = _report_context(report) if _partial_exists() else None
    section.update(
        {
            "report": report,
            "ctx": ctx,
            "balance": _fallback_balance(report),
            "lsm": report.get("lsm"),
        }
    )
    if ctx is not None:
        charts = _static_exists(CHARTJS) and _static_exists(CHART_SCRIPT)
        section["charts"] = charts
        section["charts_unavailable"] = not charts
        section["stylesheet"] = _static_exists(REPORT_CSS)
    return section
