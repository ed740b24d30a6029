"""Transcript reports: what a template needs from an analysis, and one self-contained HTML file.

:func:`report_context` turns a ``SessionAnalysis.to_dict()`` dict (see
:mod:`rapport.core.transcripts.analysis`) into headline numbers, tables and chart series. The
same partial, ``transcripts/_report.html``, renders it in the web app's session page and in the
standalone report the ``rapport analyze`` command writes (:func:`render_html`,
:func:`write_html`). The standalone file carries its CSS, its chart script and Chart.js inline, so
it opens offline and loads nothing from the network; without the npm packages (``make setup``)
it still shows every table and says that charts need them.

The report tolerates analyses from before the MI-count, affect, rupture, directive and summary
keys existed (``mi``, ``affect``, ``ruptures``, ``directives``, ``summary``): each section is
left out when its key is absent.
"""

from __future__ import annotations

import functools
import io
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import django
from django.apps import apps
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from rapport.core.transcripts.model import tokenize

__all__ = [
    "CHARTJS_RELATIVE",
    "TENTHS",
    "chartjs_path",
    "page_parts",
    "render_error",
    "render_html",
    "render_index_end",
    "render_index_row",
    "render_index_start",
    "render_section",
    "report_context",
    "write_html",
]

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static" / "rapport"
CHARTJS_RELATIVE = Path("chart.js") / "dist" / "chart.umd.min.js"
# Behaviour over time is counted per tenth of the session's utterances: coarse enough that a
# 30-utterance role-play still has something in each bin, fine enough to show a drift.
TENTHS = 10
_SECTIONS = "<!--rapport:sections-->"

_ROLES = ("therapist", "client", "other")
_BEHAVIOURS = (
    ("reflection", "Reflections"),
    ("question", "Questions"),
    ("therapist_input", "Therapist input"),
    ("other", "Other therapist talk"),
)
_TALK_TYPES = (("change", "Change talk"), ("neutral", "Neutral talk"), ("sustain", "Sustain talk"))
_MI_COUNTS = (
    ("reflection", "Reflections"),
    ("simple_reflection", "Simple reflections"),
    ("complex_reflection", "Complex reflections"),
    ("question", "Questions"),
    ("open_question", "Open questions"),
    ("closed_question", "Closed questions"),
    ("therapist_input", "Therapist input"),
    ("other", "Other therapist talk"),
    ("change", "Client change talk"),
    ("neutral", "Client neutral talk"),
    ("sustain", "Client sustain talk"),
)
_LABELS_NOTE = {
    "model": "Behaviour and talk-type labels were predicted by a trained classifier; "
    "each carries its confidence.",
    "annotations": "Behaviour and talk-type labels are the transcript's own annotations.",
    "none": "No behaviour labels: train a classifier with `rapport model train` (or pass "
    "--model DIR to `rapport analyze`) to count reflections, questions and change talk.",
}


# --- formatting -------------------------------------------------------------------------------


def _num(value: Any) -> float | None:
    """A finite number, else None (stored analyses are JSON, which may hold anything)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond float range
        return None
    return number if math.isfinite(number) else None


def _fmt(value: Any, digits: int = 2, suffix: str = "") -> str:
    """A number for people: fixed decimals, an en dash when it is missing."""
    number = _num(value)
    return "–" if number is None else f"{number:.{digits}f}{suffix}"


def _pct(share: Any) -> str:
    """A 0-1 share as a whole-number percentage."""
    number = _num(share)
    return "–" if number is None else f"{100 * number:.0f}%"


def _clock(seconds: Any) -> str:
    number = _num(seconds)
    if number is None:
        return ""
    whole = int(number)
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _words(name: str) -> str:
    """``minimal_response`` -> ``Minimal response``."""
    return name.replace("_", " ").strip().capitalize()


def _round(value: Any, digits: int = 4) -> float | None:
    number = _num(value)
    return None if number is None else round(number, digits)


# --- the context ------------------------------------------------------------------------------


def _anchor(dom_id: str, index: Any) -> str:
    return f"{dom_id}-u{index}"


def _tenth(position: int, count: int) -> int:
    return min(TENTHS - 1, position * TENTHS // max(count, 1))


def _utterance_rows(
    utterances: Sequence[Mapping[str, Any]],
    dom_id: str,
    flagged: set[int],
    evidence: set[int],
    directive: set[int],
) -> list[dict[str, Any]]:
    rows = []
    for u in utterances:
        index = u.get("index")
        label = u.get("behaviour") or u.get("talk_type") or ""
        detail = u.get("reflection") or u.get("question") or ""
        confidence = _num(u.get("confidence"))
        rows.append(
            {
                "index": index,
                "anchor": _anchor(dom_id, index),
                "speaker": u.get("speaker", ""),
                "role": u.get("role", ""),
                "text": u.get("text", ""),
                "time": _clock(u.get("start")),
                "label": _words(f"{detail} {label}" if detail else label) if label else "",
                "confidence": "" if confidence is None else f"{confidence:.2f}",
                "flagged": index in flagged,
                "evidence": index in evidence,
                "directive": index in directive,
            }
        )
    return rows


def _over_time(utterances: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Words by role and label counts per tenth of the session (by utterance position)."""
    n = len(utterances)
    words = {r: [0] * TENTHS for r in ("therapist", "client")}
    behaviours = {k: [0] * TENTHS for k, _ in _BEHAVIOURS}
    talk = {k: [0] * TENTHS for k, _ in _TALK_TYPES}
    for position, u in enumerate(utterances):
        t = _tenth(position, n)
        role = u.get("role")
        if role in words:
            words[role][t] += len(tokenize(str(u.get("text", ""))))
        if u.get("behaviour") in behaviours:
            behaviours[u["behaviour"]][t] += 1
        if u.get("talk_type") in talk:
            talk[u["talk_type"]][t] += 1
    labels = [f"{10 * t}–{10 * (t + 1)}%" for t in range(TENTHS)]
    return {
        "labels": labels,
        "words": {"therapist": words["therapist"], "client": words["client"]},
        "behaviours": [
            {"key": k, "label": name, "counts": behaviours[k]}
            for k, name in _BEHAVIOURS
            if any(behaviours[k])
        ],
        "talk_types": [
            {"key": k, "label": name, "counts": talk[k]} for k, name in _TALK_TYPES if any(talk[k])
        ],
    }


_META_NAMES = {"mi_quality": "MI quality", "video_url": "Video"}
_BENCHMARK_NAMES = {
    "reflection_to_question": "Reflections per question (R:Q)",
    "percent_complex_reflections": "Complex reflections (% of reflections)",
    "percent_open_questions": "Open questions (% of questions)",
}


def _benchmark_number(name: str, value: Any) -> str:
    return _fmt(value, 0, "%") if name.startswith("percent") else _fmt(value)


def _mi_context(mi: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not mi:
        return None
    counts = mi.get("counts") or {}
    benchmarks = []
    for b in mi.get("benchmarks") or []:
        name = str(b.get("name", ""))
        benchmarks.append(
            {
                "name": _BENCHMARK_NAMES.get(name, _words(name)),
                "value": _benchmark_number(name, b.get("value")),
                "fair": _benchmark_number(name, b.get("fair")),
                "good": _benchmark_number(name, b.get("good")),
                "level": b.get("level") or "",
            }
        )
    return {
        "counts": [
            {"key": k, "label": name, "value": counts[k]} for k, name in _MI_COUNTS if k in counts
        ],
        "reflection_to_question": _fmt(mi.get("reflection_to_question")),
        "percent_open_questions": _fmt(mi.get("percent_open_questions"), 0, "%"),
        "percent_complex_reflections": _fmt(mi.get("percent_complex_reflections"), 0, "%"),
        "change_talk_share": _pct(mi.get("change_talk_share")),
        "benchmarks": benchmarks,
    }


def _affect_context(affect: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not affect:
        return None
    by_role = affect.get("by_role") or {}
    return {
        "rows": [
            {
                "role": _words(role),
                "mean": _fmt(values.get("mean")),
                "first_half": _fmt(values.get("first_half")),
                "second_half": _fmt(values.get("second_half")),
            }
            for role, values in by_role.items()
            if isinstance(values, Mapping)
        ]
    }


def _affect_series(affect: Mapping[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    """Each role's rolling affect by utterance index; a role too brief to have a rolling mean
    shows its per-utterance scores instead."""
    points = [p for p in (affect or {}).get("points") or [] if isinstance(p, Mapping)]
    series: dict[str, list[dict[str, Any]]] = {}
    for role in ("therapist", "client"):
        own = [p for p in points if p.get("role") == role]
        key = "rolling" if any(_num(p.get("rolling")) is not None for p in own) else "compound"
        series[role] = [
            {"x": p.get("index"), "y": _round(p.get(key))}
            for p in own
            if _num(p.get(key)) is not None
        ]
    return series


def report_context(report: Mapping[str, Any], number: int = 1) -> dict[str, Any]:
    """Everything ``transcripts/_report.html`` shows of one analysis dict.

    ``number`` makes element ids unique when several reports share a page (the standalone
    batch report numbers its sections 1, 2, ...). Numbers are pre-formatted strings, so the
    template needs no locale settings; ``chart`` holds the raw series for the chart script.
    """
    dom_id = f"transcript-{number}"
    conversation = report.get("conversation") or {}
    utterances: list[Mapping[str, Any]] = list(report.get("utterances") or [])
    by_index = {u.get("index"): u for u in utterances}
    balance = report.get("talk_balance") or {}
    by_role = balance.get("by_role") or {}
    mi = report.get("mi")
    affect = report.get("affect")
    ruptures_raw = report.get("ruptures")
    directives_raw = report.get("directives")
    summary_raw = report.get("summary")
    labels_from = str(report.get("labels_from") or "none")

    ruptures = []
    for r in ruptures_raw or []:
        index, trigger = r.get("index"), r.get("trigger_index")
        ruptures.append(
            {
                "kind": _words(str(r.get("kind", ""))),
                "marker": _words(str(r.get("marker", ""))),
                "index": index,
                "anchor": _anchor(dom_id, index),
                "text": (by_index.get(index) or {}).get("text", ""),
                "trigger_index": trigger,
                "trigger_anchor": _anchor(dom_id, trigger) if trigger is not None else "",
                "trigger_text": (by_index.get(trigger) or {}).get("text", "")
                if trigger is not None
                else "",
                "evidence": r.get("evidence", ""),
                "explanation": r.get("explanation", ""),
            }
        )
    directives = [
        {
            "index": d.get("index"),
            "anchor": _anchor(dom_id, d.get("index")),
            "text": (by_index.get(d.get("index")) or {}).get("text", ""),
            "evidence": d.get("evidence", ""),
        }
        for d in directives_raw or []
    ]
    summary = [
        {
            "text": s.get("text", ""),
            "evidence": [
                {"index": i, "anchor": _anchor(dom_id, i)} for i in s.get("evidence") or []
            ],
        }
        for s in summary_raw or []
    ]
    evidence = {e["index"] for s in summary for e in s["evidence"]}

    balance_rows = [
        {
            "role": _words(role),
            "turns": values.get("turns", 0),
            "words": values.get("words", 0),
            "share": _pct(values.get("word_share")),
            "mean_turn_words": _fmt(values.get("mean_turn_words"), 1),
            "median_turn_words": _fmt(values.get("median_turn_words"), 1),
            "mean_latency": _fmt(values.get("mean_latency"), 1, " s"),
        }
        for role in _ROLES
        if isinstance(values := by_role.get(role), Mapping)
        and (role != "other" or values.get("turns"))
    ]
    therapist = by_role.get("therapist") or {}
    client = by_role.get("client") or {}
    starts = [s for u in utterances if (s := _num(u.get("start"))) is not None]
    mi_context = _mi_context(mi)

    headline = [
        {"key": "utterances", "label": "Utterances", "value": str(len(utterances))},
        {"key": "words", "label": "Words", "value": f"{balance.get('total_words', 0):,}"},
        {
            "key": "therapist_share",
            "label": "Therapist talk",
            "value": _pct(therapist.get("word_share")),
        },
        {"key": "client_share", "label": "Client talk", "value": _pct(client.get("word_share"))},
        {"key": "lsm", "label": "Language style matching", "value": _fmt(report.get("lsm"), 3)},
    ]
    if starts:
        headline.insert(1, {"key": "length", "label": "Length", "value": _clock(max(starts))})
    if mi_context is not None:
        headline += [
            {
                "key": "rq",
                "label": "Reflections per question",
                "value": mi_context["reflection_to_question"],
            },
            {
                "key": "cr",
                "label": "Complex reflections",
                "value": mi_context["percent_complex_reflections"],
            },
            {
                "key": "change",
                "label": "Change-talk share",
                "value": mi_context["change_talk_share"],
            },
        ]
    if ruptures_raw is not None:
        headline.append(
            {"key": "ruptures", "label": "Rupture markers", "value": str(len(ruptures))}
        )
    if directives_raw is not None:
        spoken = sum(1 for u in utterances if u.get("role") == "therapist")
        headline.append(
            {
                "key": "directives",
                "label": "Directive utterances",
                "value": f"{len(directives)} of {spoken}",
            }
        )

    lsm_windows = report.get("lsm_windows") or []
    lsm_points = [
        {"x": w.get("last"), "y": _round(w.get("lsm"))}
        for w in lsm_windows
        if _num(w.get("lsm")) is not None
    ]
    over_time = _over_time(utterances)
    # What transcript-charts.js draws (the talk-balance chart is the over-time one).
    chart: dict[str, Any] = {
        "over_time": over_time,
        "lsm": {"points": lsm_points, "session": _round(report.get("lsm"))},
        "affect": _affect_series(affect) if affect else None,
        "ruptures": [{"x": r["index"], "label": f"{r['kind']}: {r['marker']}"} for r in ruptures],
    }
    return {
        "dom_id": dom_id,
        "data_id": f"{dom_id}-data",
        "title": str(conversation.get("id") or conversation.get("source") or "Transcript"),
        "source": str(conversation.get("source") or ""),
        "meta": [
            (_META_NAMES.get(k, _words(k)), v)
            for k, v in (conversation.get("meta") or {}).items()
            if v
        ],
        "headline": headline,
        "labels_from": labels_from,
        "labels_note": _LABELS_NOTE.get(labels_from, ""),
        "balance": balance_rows,
        "mi": mi_context,
        "affect": _affect_context(affect),
        "ruptures": ruptures,
        "has_ruptures_key": ruptures_raw is not None,
        "directives": directives,
        "has_directives_key": directives_raw is not None,
        "summary": summary,
        "utterances": _utterance_rows(
            utterances,
            dom_id,
            {r["index"] for r in ruptures},
            evidence,
            {d["index"] for d in directives},
        ),
        "chart": chart,
        "has_behaviours": bool(over_time["behaviours"] or over_time["talk_types"]),
        "has_lsm_series": bool(lsm_points),
    }


# --- rendering --------------------------------------------------------------------------------


def _ensure_django() -> None:
    """Configure Django (Rapport's settings) if the caller has not: the templates live there."""
    if not apps.ready:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
        django.setup()


def chartjs_path() -> Path | None:
    """Chart.js's UMD build from the installed npm packages (``settings.NODE_MODULES_DIR``, as
    the web app's static files use), or None before ``make setup`` has installed them."""
    _ensure_django()
    folder = (
        getattr(settings, "NODE_MODULES_DIR", None) or PACKAGE_DIR.parent.parent / "node_modules"
    )
    path = Path(folder) / CHARTJS_RELATIVE
    return path if path.is_file() else None


def _inline_script(source: str) -> str:
    # "</script" inside an inline script would end it early; "<\/" means the same to JavaScript.
    return source.replace("</script", "<\\/script")


@functools.lru_cache(maxsize=8)
def _inlined(path: Path) -> str:
    """A script's text as inlined in a page, read once per process: a batch written as a
    folder of pages inlines the same files (Chart.js is about 200 KB) in every one."""
    return _inline_script(path.read_text(encoding="utf-8"))


def render_section(
    report: Mapping[str, Any], number: int = 1, *, charts_available: bool = True
) -> str:
    """One report's section (the partial), as HTML."""
    _ensure_django()
    return str(
        render_to_string(
            "transcripts/_report.html",
            {
                "report": report,
                "ctx": report_context(report, number),
                "charts_unavailable": not charts_available,
            },
        )
    )


def page_parts(title: str, chartjs: Path | None, *, note_missing: bool = True) -> tuple[str, str]:
    """The standalone page before and after its sections: inline CSS, and Chart.js and the
    chart script inline when Chart.js is installed."""
    _ensure_django()
    scripts = ""
    if chartjs is not None:
        scripts = (
            f"<script>{_inlined(chartjs)}</script>\n"
            f"<script>{_inlined(STATIC_DIR / 'transcript-charts.js')}</script>"
        )
    page = render_to_string(
        "transcripts/report_page.html",
        {
            "title": title,
            "css": mark_safe(  # noqa: S308 - our own stylesheet
                (STATIC_DIR / "transcript-report.css").read_text(encoding="utf-8")
            ),
            "charts_available": chartjs is not None or not note_missing,
            "sections": mark_safe(_SECTIONS),  # noqa: S308 - a fixed marker
            "scripts": mark_safe(scripts),  # noqa: S308 - our own files, script ends escaped
        },
    )
    before, after = page.split(_SECTIONS, 1)
    return before, after


def render_error(label: str, message: str) -> str:
    """A section saying that one transcript of a batch could not be analysed."""
    return str(
        format_html(
            '<section class="tr-report tr-failed"><h2>{}</h2>'
            '<p class="tr-note tr-warning">Not analysed: {}</p></section>\n',
            label,
            message,
        )
    )


_INDEX_HEAD = (
    "Conversation",
    "Utterances",
    "Words",
    "Therapist talk",
    "LSM",
    "R:Q",
    "% complex reflections",
    "Change-talk share",
    "Rupture markers",
    "Directive utterances",
)


def render_index_start() -> str:
    """The top of a batch index: a table with one row per report (see render_index_row)."""
    cells = format_html_join("", '<th scope="col">{}</th>', ((h,) for h in _INDEX_HEAD))
    return str(
        format_html(
            '<section class="tr-report"><div class="tr-table-wrap"><table class="tr-table">'
            "<thead><tr>{}</tr></thead><tbody>\n",
            cells,
        )
    )


def render_index_row(row: Any, href: str | None) -> str:
    """One index row from an ``analyze_cli.SummaryRow``; ``href`` is the report's file name."""
    name = format_html('<a href="{}">{}</a>', href, row.label) if href else row.label
    if row.error is not None:
        return str(
            format_html(
                '<tr><th scope="row">{}</th><td colspan="{}">Not analysed: {}</td></tr>\n',
                name,
                len(_INDEX_HEAD) - 1,
                row.error,
            )
        )
    values = (
        row.utterances,
        f"{row.words:,}",
        _pct(row.therapist_share),
        _fmt(row.lsm, 3),
        _fmt(row.reflection_to_question),
        _fmt(row.percent_complex_reflections, 0, "%"),
        _pct(row.change_talk_share),
        "–" if row.ruptures is None else row.ruptures,
        "–" if row.directives is None else row.directives,
    )
    cells = format_html_join("", '<td class="tr-num">{}</td>', ((v,) for v in values))
    return str(format_html('<tr><th scope="row">{}</th>{}</tr>\n', name, cells))


def render_index_end() -> str:
    """The end of a batch index."""
    return "</tbody></table></div></section>\n"


class PageWriter:
    """One self-contained page, a section per report, written as the reports arrive.

    Only one report is held at a time, so a batch of any size costs the memory of its largest
    session. :meth:`close` ends the page; :attr:`count` is the number of sections written.
    """

    def __init__(self, handle: IO[str], title: str = "Rapport transcript report") -> None:
        self.handle = handle
        self.count = 0
        self._charts = (chartjs := chartjs_path()) is not None
        before, self._after = page_parts(title, chartjs)
        handle.write(before)

    def section(self, report: Mapping[str, Any]) -> None:
        """The next section: the report of one analysis."""
        self.count += 1
        self.handle.write(render_section(report, self.count, charts_available=self._charts))

    def failed(self, label: str, message: str) -> None:
        """The next section: one transcript that could not be analysed, and why."""
        self.count += 1
        self.handle.write(render_error(label, message))

    def close(self) -> None:
        self.handle.write(self._after)


def write_html(
    reports: Iterable[Mapping[str, Any]],
    handle: IO[str],
    title: str = "Rapport transcript report",
) -> int:
    """Write one self-contained page with a section per report (see :class:`PageWriter`);
    returns the number of sections written."""
    page = PageWriter(handle, title)
    for report in reports:
        page.section(report)
    page.close()
    return page.count


def render_html(reports: list[dict[str, Any]], title: str = "Rapport transcript report") -> str:
    """One self-contained HTML page with a section per report (see :func:`write_html`)."""
    buffer = io.StringIO()
    write_html(reports, buffer, title)
    return buffer.getvalue()
