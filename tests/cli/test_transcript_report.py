"""Transcript reports: the context a template needs, and one self-contained HTML file."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from rapport.core.transcripts import parse_text
from rapport.core.transcripts.analysis import analyse
from rapport.transcript_report import TENTHS, render_html, render_section, report_context

# Project-written lines (not from any dataset).
SESSION = """T: How have things been since we last met?
C: Honestly, not great. I keep thinking about work and I cannot sleep.
T: It sounds like work is weighing on you, even at night.
C: Yes, it is. I lie awake going over what I said in meetings.
T: What would a better night look like for you?
C: Whatever. I don't know.
T: You would like to sleep through, and you are not sure it is possible.
C: Maybe. I want to try something, I suppose.
"""


def _analysis() -> dict[str, Any]:
    conversation = parse_text(SESSION * 3, source="session.txt", conversation_id="session")
    return analyse(conversation).to_dict()


NEWER_KEYS = ("mi", "affect", "ruptures", "directives", "summary")


def _without_new_keys(report: dict[str, Any]) -> dict[str, Any]:
    """An analysis as stored before the MI, affect, rupture, directive and summary keys
    existed."""
    return {k: v for k, v in report.items() if k not in NEWER_KEYS}


def _with_new_keys(report: dict[str, Any]) -> dict[str, Any]:
    """The keys the markers work adds (mi, affect, ruptures, directives, summary), filled by
    hand."""
    counts = {
        "reflection": 6,
        "simple_reflection": 3,
        "complex_reflection": 3,
        "question": 6,
        "open_question": 3,
        "closed_question": 3,
        "therapist_input": 0,
        "other": 0,
        "change": 3,
        "neutral": 6,
        "sustain": 3,
    }
    return {
        **report,
        "mi": {
            "counts": counts,
            "reflection_to_question": 1.0,
            "percent_open_questions": 50.0,
            "percent_complex_reflections": 50.0,
            "change_talk_share": 0.5,
            "benchmarks": [
                {"name": "R:Q", "value": 1.0, "fair": 1.0, "good": 2.0, "level": "fair"}
            ],
        },
        "affect": {
            "by_role": {
                "therapist": {"mean": 0.21, "first_half": 0.2, "second_half": 0.22},
                "client": {"mean": -0.314, "first_half": -0.4, "second_half": 0.1},
            },
            "points": [
                {"index": u["index"], "role": u["role"], "compound": 0.1, "rolling": 0.1}
                for u in report["utterances"]
            ],
        },
        "ruptures": [
            {
                "kind": "withdrawal",
                "marker": "minimal_response",
                "index": 5,
                "trigger_index": 4,
                "evidence": "Whatever. I don't know.",
                "explanation": "A short, flat answer to an open question.",
            }
        ],
        "directives": [{"index": 6, "evidence": "you need to"}],
        "summary": [
            {"text": "The client said little after the question about sleep.", "evidence": [5]}
        ],
    }


class TestReportContext:
    def test_it_gives_headline_numbers_from_the_analysis(self) -> None:
        """Words, shares and LSM in the headline are the analysis' own numbers, formatted."""
        report = _without_new_keys(_analysis())
        ctx = report_context(report)
        stats = {s["key"]: s["value"] for s in ctx["headline"]}
        assert stats["words"] == f"{report['talk_balance']['total_words']:,}"
        assert stats["lsm"] == f"{report['lsm']:.3f}"
        share = report["talk_balance"]["by_role"]["therapist"]["word_share"]
        assert stats["therapist_share"] == f"{100 * share:.0f}%"
        assert "ruptures" not in stats  # the analysis has no rupture key yet

    def test_it_tolerates_an_analysis_without_the_newer_keys(self) -> None:
        """No mi/affect/ruptures/summary: those sections are empty and labels need a model."""
        ctx = report_context(_without_new_keys(_analysis()))
        assert ctx["mi"] is None
        assert ctx["affect"] is None
        assert ctx["ruptures"] == []
        assert ctx["directives"] == []
        assert not ctx["has_directives_key"]
        assert ctx["summary"] == []
        assert "rapport model train" in ctx["labels_note"]

    def test_it_counts_words_per_tenth_of_the_session(self) -> None:
        """The talk-balance series splits the session in tenths and loses no words."""
        report = _analysis()
        words = report_context(report)["chart"]["over_time"]["words"]
        assert len(words["therapist"]) == TENTHS
        by_role = report["talk_balance"]["by_role"]
        assert sum(words["therapist"]) == by_role["therapist"]["words"]
        assert sum(words["client"]) == by_role["client"]["words"]
        assert all(words["client"])  # every tenth of this session has client talk

    def test_it_links_ruptures_and_summary_to_the_utterances(self) -> None:
        """Evidence links point at the flagged utterance and the therapist line before it."""
        report = _with_new_keys(_analysis())
        ctx = report_context(report, number=3)
        (rupture,) = ctx["ruptures"]
        assert rupture["text"] == report["utterances"][5]["text"]
        assert rupture["trigger_text"] == report["utterances"][4]["text"]
        assert rupture["anchor"] == "transcript-3-u5"
        assert ctx["summary"][0]["evidence"] == [{"index": 5, "anchor": "transcript-3-u5"}]
        assert ctx["mi"]["change_talk_share"] == "50%"
        stats = {s["key"]: s["value"] for s in ctx["headline"]}
        assert stats["ruptures"] == "1"
        assert stats["rq"] == "1.00"

    def test_it_lists_directive_utterances_and_marks_them_in_the_transcript(self) -> None:
        """Each directive utterance is listed with its words and link, counted against the
        therapist's utterances in the headline, and tagged in the transcript rows."""
        report = _with_new_keys(_analysis())
        ctx = report_context(report, number=2)
        (directive,) = ctx["directives"]
        assert directive == {
            "index": 6,
            "anchor": "transcript-2-u6",
            "text": report["utterances"][6]["text"],
            "evidence": "you need to",
        }
        stats = {s["key"]: s["value"] for s in ctx["headline"]}
        therapist = sum(u["role"] == "therapist" for u in report["utterances"])
        assert stats["directives"] == f"1 of {therapist}"
        assert [u["index"] for u in ctx["utterances"] if u["directive"]] == [6]

    def test_it_shows_no_time_for_a_stored_non_finite_number(self) -> None:
        """An analysis stored before timestamps were checked may hold NaN or a huge number:
        the report leaves those times out instead of failing."""
        report = _analysis()
        report["utterances"][0]["start"] = float("nan")
        report["utterances"][1]["start"] = float("inf")
        report["utterances"][2]["start"] = 10**400
        report["lsm"] = float("nan")
        ctx = report_context(report)
        stats = {s["key"]: s["value"] for s in ctx["headline"]}
        assert "length" not in stats
        assert stats["lsm"] == "–"
        assert [u["time"] for u in ctx["utterances"][:3]] == ["", "", ""]

    def test_it_counts_labelled_behaviours_per_tenth(self) -> None:
        """Labelled utterances appear in the behaviour series, in the tenth they fall in."""
        report = _analysis()
        report["utterances"][0]["behaviour"] = "question"
        report["utterances"][-1]["talk_type"] = "change"
        over = report_context(report)["chart"]["over_time"]
        (question,) = [s for s in over["behaviours"] if s["key"] == "question"]
        assert question["counts"][0] == 1
        assert sum(question["counts"]) == 1
        (change,) = over["talk_types"]
        assert change["counts"][TENTHS - 1] == 1


def _resource_loads(page: str) -> list[str]:
    """Every src=/href= (and CSS url()) in the page that is not a same-page anchor."""
    found = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", page)
    found += re.findall(r"url\(\s*['\"]?([^'\")]+)", page)
    return [f for f in found if not f.startswith("#")]


class TestRenderHtml:
    def test_it_writes_one_self_contained_page_with_a_section_per_report(self) -> None:
        """Two reports, two sections with distinct ids; no network loads; charts inline."""
        page = render_html([_without_new_keys(_analysis()), _with_new_keys(_analysis())])
        assert page.count('class="tr-report"') == 2
        assert 'id="transcript-1"' in page
        assert 'id="transcript-2"' in page
        assert _resource_loads(page) == []
        assert "<script src" not in page
        assert "<link" not in page
        assert "new window.Chart(" in page  # the chart script is inlined...
        assert "Chart.js v4" in page  # ...and so is Chart.js itself

    def test_it_shows_the_numbers_of_the_analysis(self) -> None:
        """The page shows the JSON's LSM, word count, rupture evidence and summary."""
        report = _with_new_keys(_analysis())
        page = html.unescape(render_html([report]))
        assert f"{report['lsm']:.3f}" in page
        assert f"{report['talk_balance']['total_words']:,}" in page
        assert "Whatever. I don't know." in page
        assert "The client said little after the question about sleep." in page
        assert "Directive language" in page
        assert "<td><mark>you need to</mark></td>" in page
        assert page.count('<span class="tr-tag">directive</span>') == 1
        assert "-0.31" in page  # the client's mean affect
        chart = json.loads(
            re.search(r'id="transcript-1-data"[^>]*>(.*?)</script>', page, re.S).group(1)
        )
        assert chart["lsm"]["session"] == pytest.approx(report["lsm"], abs=1e-4)
        assert chart["ruptures"][0]["x"] == 5

    def test_it_escapes_transcript_text(self) -> None:
        """A transcript line with markup is shown as text, never as HTML."""
        conversation = parse_text(
            "T: Hello <script>alert(1)</script>\nC: <b>hi</b>\n", source="x.txt"
        )
        section = render_section(analyse(conversation).to_dict())
        assert "<script>alert(1)" not in section
        assert "&lt;script&gt;alert(1)" in section

    def test_it_renders_tables_and_says_so_when_chartjs_is_missing(
        self, settings: Any, tmp_path: Path
    ) -> None:
        """Without the npm packages the page has no scripts and points at `make setup`."""
        settings.NODE_MODULES_DIR = tmp_path
        page = render_html([_analysis()])
        assert "make setup" in page
        assert "<script" not in page
        assert "<canvas" not in page
        assert "Talk balance" in page
