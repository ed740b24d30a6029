"""`rapport analyze`: transcript markers from files and folders, with clear errors for bad ones,
a summary table, streamed JSON and a self-contained HTML report."""

from __future__ import annotations

import csv
import html
import json
import pickle
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from rapport.analyze_cli import (
    Job,
    ModelChoice,
    Outcome,
    format_table,
    run_jobs,
    summary_row,
)
from rapport.cli import main
from rapport.core.transcripts import Role, classifiers, parse_text
from rapport.core.transcripts.labels import Behaviour, TalkType, UtteranceLabels

# Project-written transcripts (not from any dataset).
TEXT = """T: How have things been since we last met?
C: Honestly, not great. I keep thinking about work.
T: It sounds like work is weighing on you.
C: Yes, it is. I cannot switch off.
"""

VTT = """WEBVTT

00:00:01.000 --> 00:00:03.000
<v Alice>What would you like to focus on today?

00:00:04.000 --> 00:00:07.000
<v Sam>I want to talk about my sleep, it is bad.

00:00:08.500 --> 00:00:12.000
<v Alice>Your sleep has been bad and you want that to change.

00:00:13.000 --> 00:00:18.000
<v Sam>Yes. I lie awake and I think about everything I have to do.
"""


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, ["analyze", *args])


def _annomi_like(path: Path) -> Path:
    """A two-transcript file in AnnoMI's layout, with project-written lines and labels."""
    rows = [
        ("high", "7", 0, "therapist", "00:00:01", "How is the drinking going?", "question", "n/a"),
        ("high", "7", 1, "client", "00:00:05", "I want to cut down, really.", "n/a", "change"),
        ("high", "7", 2, "therapist", "00:00:09", "You want to cut down.", "reflection", "n/a"),
        ("high", "7", 3, "client", "00:00:12", "Yes, for my kids.", "n/a", "change"),
        (
            "low",
            "8",
            0,
            "therapist",
            "00:00:01",
            "You need to stop smoking.",
            "therapist_input",
            "",
        ),
        ("low", "8", 1, "client", "00:00:04", "I like smoking though.", "n/a", "sustain"),
    ]
    header = [
        "mi_quality",
        "transcript_id",
        "utterance_id",
        "interlocutor",
        "timestamp",
        "utterance_text",
        "main_therapist_behaviour",
        "client_talk_type",
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


class TestAnalyzeCommand:
    def test_it_reports_talk_balance_and_lsm_for_each_file(self, tmp_path: Path) -> None:
        """Each file's summary and full analysis are in the JSON, in the order given."""
        (tmp_path / "s1.txt").write_text(TEXT, encoding="utf-8")
        (tmp_path / "s2.vtt").write_text(VTT, encoding="utf-8")
        out = tmp_path / "markers.json"
        result = _run(
            str(tmp_path / "s1.txt"),
            str(tmp_path / "s2.vtt"),
            "--role",
            "Alice=therapist",
            "--role",
            "Sam=client",
            "--json",
            str(out),
        )
        assert result.exit_code == 0, result.output
        rows = json.loads(out.read_text(encoding="utf-8"))
        assert [r["file"] for r in rows] == ["s1.txt", "s2.vtt"]
        # s1: therapist 16 words, client 15 -> shares 0.516 / 0.484.
        assert rows[0]["headline"]["words"] == 31
        assert rows[0]["headline"]["therapist_word_share"] == 0.516
        assert rows[0]["talk_balance"]["by_role"]["client"]["words"] == 15
        assert 0 < rows[0]["headline"]["lsm"] <= 1
        assert rows[1]["talk_balance"]["by_role"]["therapist"]["turns"] == 2
        assert rows[1]["utterances"][1]["speaker"] == "Sam"
        assert rows[1]["utterances"][1]["start"] == 4.0

    def test_it_prints_one_table_line_per_file(self, tmp_path: Path) -> None:
        """The table shows each file's utterances, words, therapist share and LSM."""
        (tmp_path / "s1.txt").write_text(TEXT, encoding="utf-8")
        out = tmp_path / "m.json"
        result = _run(str(tmp_path / "s1.txt"), "--json", str(out))
        assert result.exit_code == 0, result.output
        headline = json.loads(out.read_text(encoding="utf-8"))[0]["headline"]
        (line,) = [ln for ln in result.output.splitlines() if ln.startswith("s1.txt")]
        assert line.split()[1:5] == ["4", "31", "52%", f"{headline['lsm']:.3f}"]
        assert "R:Q" in result.output
        assert "rapport model train" in result.output  # no labels without a model

    def test_it_names_the_problem_with_a_bad_file_and_exits_1(self, tmp_path: Path) -> None:
        """Bad files get one error line each; the good file is still analysed; exit 1."""
        (tmp_path / "empty.txt").write_text("", encoding="utf-8")
        (tmp_path / "one.txt").write_text("T: Hello?\nT: Anyone there?\n", encoding="utf-8")
        (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
        out = tmp_path / "m.json"
        result = _run(
            str(tmp_path / "empty.txt"),
            str(tmp_path / "one.txt"),
            str(tmp_path / "good.txt"),
            "--json",
            str(out),
        )
        assert result.exit_code == 1
        assert "empty.txt: the file is empty" in result.output
        assert "one.txt" in result.output
        assert "2 of 3 could not be analysed" in result.output
        assert "Traceback" not in result.output
        rows = json.loads(out.read_text(encoding="utf-8"))
        assert [("error" in r) for r in rows] == [True, True, False]
        assert rows[2]["headline"]["words"] == 31

    def test_it_refuses_a_malformed_role(self, tmp_path: Path) -> None:
        """--role Al=boss is a usage error naming the accepted forms."""
        (tmp_path / "s.txt").write_text(TEXT, encoding="utf-8")
        result = _run(str(tmp_path / "s.txt"), "--role", "Al=boss")
        assert result.exit_code == 2
        assert "NAME=therapist" in result.output

    def test_it_says_which_option_gives_unknown_speakers_a_role(self, tmp_path: Path) -> None:
        """Named speakers with no --role: the file is listed as an error naming both speakers
        and the option to use (not the library's Python argument); with it, it is analysed."""
        (tmp_path / "s.vtt").write_text(VTT, encoding="utf-8")
        result = _run(str(tmp_path / "s.vtt"))
        assert result.exit_code == 1
        assert "these speakers need a role: 'Alice', 'Sam'" in result.output
        assert "--role Alice=therapist" in result.output
        assert "roles={" not in result.output
        assert _run(str(tmp_path / "s.vtt"), "--role", "Alice=therapist").exit_code == 0

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["missing.txt"], "does not exist"),
            (["{tmp}", "--jobs", "-1"], "--jobs"),
            (["{tmp}/s.txt", "--model", "{tmp}", "--no-model"], "contradict"),
            (["{tmp}/s.txt", "--json", "{tmp}/o.json", "--html", "{tmp}/o.json"], "different"),
            (["{tmp}/s.txt", "--html", "{tmp}/no/such/folder/r.html"], "cannot write"),
        ],
    )
    def test_it_turns_bad_arguments_into_usage_errors(
        self, tmp_path: Path, args: list[str], message: str
    ) -> None:
        """A bad path or option exits 2 with a message, never a traceback."""
        (tmp_path / "s.txt").write_text(TEXT, encoding="utf-8")
        result = _run(*[a.replace("{tmp}", str(tmp_path)) for a in args])
        assert result.exit_code == 2, result.output
        assert message in result.output
        assert "Traceback" not in result.output

    def test_it_says_when_a_model_folder_holds_no_model(self, tmp_path: Path) -> None:
        """--model pointing at a folder without a classifier is a usage error before any work."""
        (tmp_path / "s.txt").write_text(TEXT, encoding="utf-8")
        empty = tmp_path / "model"
        empty.mkdir()
        result = _run(str(tmp_path / "s.txt"), "--model", str(empty))
        assert result.exit_code == 2, result.output
        assert "--model" in result.output
        assert "Traceback" not in result.output


class _StubClassifier:
    """Labels every therapist utterance a question and every client one change talk."""

    def predict(self, conversation: Any) -> tuple[UtteranceLabels, ...]:
        return tuple(
            UtteranceLabels(u.index, behaviour=Behaviour.QUESTION, confidence=0.9)
            if u.role is Role.THERAPIST
            else UtteranceLabels(u.index, talk_type=TalkType.CHANGE, confidence=0.8)
            for u in conversation
        )


class TestModels:
    def test_it_labels_utterances_with_the_model_named(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """--model DIR loads that classifier once and its labels reach the JSON and table."""
        loaded: list[Path] = []

        def load(directory: Path) -> _StubClassifier:
            loaded.append(directory)
            return _StubClassifier()

        monkeypatch.setattr(classifiers, "load_classifier", load)
        (tmp_path / "s1.txt").write_text(TEXT, encoding="utf-8")
        (tmp_path / "s2.txt").write_text(TEXT, encoding="utf-8")
        model, out = tmp_path / "model", tmp_path / "m.json"
        model.mkdir()
        result = _run(str(tmp_path), "--model", str(model), "--json", str(out))
        assert result.exit_code == 0, result.output
        assert loaded == [model]
        rows = json.loads(out.read_text(encoding="utf-8"))
        assert {r["labels_from"] for r in rows} == {"model"}
        assert rows[0]["utterances"][0]["behaviour"] == "question"
        assert rows[0]["utterances"][1]["talk_type"] == "change"
        assert rows[0]["headline"]["change_talk_share"] == 1.0
        assert "rapport model train" not in result.output

    def test_it_prefers_annotations_to_the_default_model(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The default model labels plain transcripts; annotated ones keep their annotations."""
        monkeypatch.setattr(classifiers, "load_default_classifier", _StubClassifier)
        (tmp_path / "plain.txt").write_text(TEXT, encoding="utf-8")
        _annomi_like(tmp_path / "AnnoMI-simple.csv")
        out = tmp_path / "m.jsonl"
        result = _run(
            str(tmp_path / "plain.txt"), str(tmp_path / "AnnoMI-simple.csv"), "--jsonl", str(out)
        )
        assert result.exit_code == 0, result.output
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert [r["labels_from"] for r in rows] == ["model", "annotations", "annotations"]
        none = _run(str(tmp_path / "plain.txt"), "--no-model", "--jsonl", str(out))
        assert none.exit_code == 0, none.output
        assert json.loads(out.read_text())["labels_from"] == "none"


class TestFoldersAndFormats:
    def test_it_analyses_every_transcript_in_a_folder(self, tmp_path: Path) -> None:
        """A folder gives its supported files in name order, skipping hidden and other files
        and the command's own output; --recursive adds sub-folders."""
        (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
        (tmp_path / "a.vtt").write_text(VTT, encoding="utf-8")
        (tmp_path / ".hidden.txt").write_text(TEXT, encoding="utf-8")
        (tmp_path / "notes.docx").write_bytes(b"not a transcript")
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "c.txt").write_text(TEXT, encoding="utf-8")
        out = tmp_path / "out.json"
        out.write_text("[]", encoding="utf-8")  # a previous run's output is not re-read
        flat = _run(str(tmp_path), "--role", "Alice=therapist", "--json", str(out))
        assert flat.exit_code == 0, flat.output
        assert [r["file"] for r in json.loads(out.read_text())] == ["a.vtt", "b.txt"]
        deep = _run(str(tmp_path), "-r", "--role", "Alice=therapist", "--json", str(out))
        assert deep.exit_code == 0, deep.output
        assert [r["file"] for r in json.loads(out.read_text())] == ["a.vtt", "b.txt", "c.txt"]

    def test_it_calls_a_folder_without_transcripts_a_usage_error(self, tmp_path: Path) -> None:
        """An empty folder exits 2 and says which folder held nothing."""
        result = _run(str(tmp_path))
        assert result.exit_code == 2
        assert "no transcript files" in result.output
        assert str(tmp_path) in result.output

    def test_it_reads_an_annomi_file_as_one_conversation_per_transcript(
        self, tmp_path: Path
    ) -> None:
        """Rows of an AnnoMI-style CSV become one analysis per transcript, with its labels."""
        path = _annomi_like(tmp_path / "AnnoMI-simple.csv")
        out = tmp_path / "out.jsonl"
        result = _run(str(path), "--jsonl", str(out), "--no-model")
        assert result.exit_code == 0, result.output
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert [r["file"] for r in rows] == ["AnnoMI-simple.csv#7", "AnnoMI-simple.csv#8"]
        assert [len(r["utterances"]) for r in rows] == [4, 2]
        assert rows[0]["labels_from"] == "annotations"
        assert rows[0]["conversation"]["meta"]["mi_quality"] == "high"
        assert rows[0]["utterances"][2]["behaviour"] == "reflection"
        # --format annomi reads the same file under any name.
        renamed = path.rename(tmp_path / "sessions.csv")
        again = _run(str(renamed), "--format", "annomi", "--jsonl", str(out), "--no-model")
        assert again.exit_code == 0, again.output
        assert len(out.read_text().splitlines()) == 2

    def test_it_refuses_the_full_annomi_file_with_a_reason(self, tmp_path: Path) -> None:
        """AnnoMI-full repeats utterances per annotator, so it is an error naming the fix."""
        path = _annomi_like(tmp_path / "AnnoMI-full.csv")
        result = _run(str(path))
        assert result.exit_code == 1
        assert "use AnnoMI-simple.csv" in result.output


class TestParallelAndStreaming:
    def test_it_gives_the_same_results_in_the_same_order_in_parallel(self, tmp_path: Path) -> None:
        """--jobs 2 writes exactly what --jobs 1 writes, in input order."""
        for n in range(6):
            lines = TEXT.splitlines()[: 2 + n % 3]
            (tmp_path / f"s{n}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (tmp_path / "s3.txt").write_text("", encoding="utf-8")  # one failure in the middle
        one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
        first = _run(str(tmp_path), "--jsonl", str(one))
        second = _run(str(tmp_path), "--jsonl", str(two), "--jobs", "2")
        assert first.exit_code == second.exit_code == 1
        assert one.read_text() == two.read_text()
        assert [json.loads(x)["file"] for x in one.read_text().splitlines()] == [
            f"s{n}.txt" for n in range(6)
        ]

    def test_it_leaves_the_default_model_to_the_workers(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With --jobs 2 the default model is loaded by each worker, not also by the command's
        own process; with --jobs 1 that process labels the files, so it loads it once."""
        loads: list[str] = []

        def counted() -> None:
            loads.append("default")

        monkeypatch.setattr(classifiers, "load_default_classifier", counted)
        (tmp_path / "s1.txt").write_text(TEXT, encoding="utf-8")
        assert _run(str(tmp_path), "--jobs", "2").exit_code == 0
        assert loads == []  # the workers are other processes: this one loaded nothing
        assert _run(str(tmp_path), "--jobs", "1").exit_code == 0
        assert loads == ["default"]

    def test_it_sends_annotated_conversations_to_worker_processes(self) -> None:
        """A conversation crosses to a worker with its labels and meta intact."""
        conversation = parse_text(TEXT, source="x.txt", conversation_id="x")
        job = Job("x", conversation=conversation)
        crossed = pickle.loads(pickle.dumps(job))  # noqa: S301 - our own bytes
        assert crossed.conversation == conversation
        assert crossed.conversation.meta == conversation.meta
        (outcome,) = run_jobs([job], 2, ModelChoice("none"))
        assert outcome.error is None
        assert outcome.analysis is not None
        assert outcome.analysis["talk_balance"]["total_words"] == 31


class TestSummaryTable:
    def test_it_shows_mi_scores_and_marker_counts_when_the_analysis_has_them(self) -> None:
        """R:Q, %CR, change-talk share and the rupture and directive counts come from the
        analysis' keys."""
        analysis = {
            "utterances": [{"index": i} for i in range(12)],
            "talk_balance": {"total_words": 480, "by_role": {"therapist": {"word_share": 0.4}}},
            "lsm": 0.8123,
            "mi": {
                "reflection_to_question": 1.5,
                "percent_complex_reflections": 62.5,
                "change_talk_share": 0.75,
            },
            "ruptures": [{"index": 3}, {"index": 9}],
            "directives": [{"index": 4, "evidence": "you should"}],
            "labels_from": "model",
        }
        row = summary_row(Outcome("s.txt", analysis=analysis))
        header, line = format_table([row])
        assert header.split() == [
            "conversation", "utts", "words", "T", "share", "LSM", "R:Q", "%CR", "change", "rupt",
            "dir",
        ]  # fmt: skip
        assert line.split() == [
            "s.txt", "12", "480", "40%", "0.812", "1.50", "62", "75%", "2", "1"
        ]  # fmt: skip
        assert row.to_json()["rupture_markers"] == 2
        assert row.to_json()["directive_utterances"] == 1

    def test_it_shows_dashes_for_scores_an_analysis_lacks(self) -> None:
        """Without mi, ruptures or directives keys the columns show a dash, not zero."""
        analysis = {"utterances": [], "talk_balance": {"total_words": 0}, "lsm": None}
        _, line = format_table([summary_row(Outcome("x.txt", analysis=analysis))])
        assert line.split() == ["x.txt", "0", "0", "–", "–", "–", "–", "–", "–", "–"]


def _resource_loads(page: str) -> list[str]:
    found = re.findall(r"""(?:src|href)\s*=\s*["']?([^"'\s>]+)""", page)
    return [f for f in found if not f.startswith("#")]


class TestHtmlReports:
    def test_it_writes_a_self_contained_report_of_a_webvtt_file(self, tmp_path: Path) -> None:
        """WebVTT end to end: the HTML shows the JSON's numbers and loads nothing remote."""
        (tmp_path / "session.vtt").write_text(VTT, encoding="utf-8")
        page_path, out = tmp_path / "report.html", tmp_path / "m.json"
        result = _run(
            str(tmp_path / "session.vtt"),
            "--role",
            "Alice=therapist",
            "--role",
            "Sam=client",
            "--html",
            str(page_path),
            "--json",
            str(out),
        )
        assert result.exit_code == 0, result.output
        page = page_path.read_text(encoding="utf-8")
        (row,) = json.loads(out.read_text(encoding="utf-8"))
        assert _resource_loads(page) == []
        assert "<script src" not in page
        assert "http://" not in re.sub(r"<script>.*?</script>", "", page, flags=re.S)
        text = html.unescape(page)
        assert f"{row['lsm']:.3f}" in text
        assert f"{row['talk_balance']['total_words']:,}" in text
        assert "I lie awake and I think about everything I have to do." in text
        assert "0:13" in text  # the cue time of the last utterance
        assert page.count('class="tr-report"') == 1

    def test_it_writes_one_page_per_conversation_and_an_index(self, tmp_path: Path) -> None:
        """--html-dir: a page per file plus an index linking them and listing failures."""
        (tmp_path / "in").mkdir()
        (tmp_path / "in" / "a.txt").write_text(TEXT, encoding="utf-8")
        (tmp_path / "in" / "b.txt").write_text(TEXT.replace("work", "home"), encoding="utf-8")
        (tmp_path / "in" / "c.txt").write_text("", encoding="utf-8")
        folder = tmp_path / "reports"
        result = _run(str(tmp_path / "in"), "--html-dir", str(folder))
        assert result.exit_code == 1
        assert sorted(p.name for p in folder.iterdir()) == [
            "a.txt.html",
            "b.txt.html",
            "index.html",
        ]
        index = (folder / "index.html").read_text(encoding="utf-8")
        assert 'href="a.txt.html"' in index
        assert "c.txt: the file is empty" in index
        assert "<script" not in index
        assert "make setup" not in index  # the index has no charts to miss
        page = (folder / "a.txt.html").read_text(encoding="utf-8")
        assert "It sounds like work is weighing on you." in page


def test_it_analyses_the_annomi_development_set_end_to_end(
    annomi_path: Path, tmp_path: Path
) -> None:
    """Every AnnoMI transcript gets an analysis with expert labels, a table line and a report
    section; none fails."""
    out, page = tmp_path / "annomi.jsonl", tmp_path / "annomi.html"
    result = _run(str(annomi_path), "--jsonl", str(out), "--html", str(page), "--jobs", "2")
    assert result.exit_code == 0, result.output[-2000:]
    rows: list[dict[str, Any]] = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 99
    assert all(r["labels_from"] == "annotations" for r in rows)
    assert all(r["lsm"] is not None for r in rows)
    assert sum(r["headline"]["utterances"] for r in rows) == 7559
    assert page.read_text(encoding="utf-8").count('class="tr-report"') == 99
    assert len([ln for ln in result.output.splitlines() if "AnnoMI-simple.csv#" in ln]) == 99
