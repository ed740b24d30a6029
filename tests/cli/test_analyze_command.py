"""`rapport analyze`: transcript markers from files, with clear errors for bad ones."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from rapport.cli import main

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
"""


class TestAnalyzeCommand:
    def test_it_reports_talk_balance_and_lsm_for_each_file(self, tmp_path: Path) -> None:
        (tmp_path / "s1.txt").write_text(TEXT, encoding="utf-8")
        (tmp_path / "s2.vtt").write_text(VTT, encoding="utf-8")
        out = tmp_path / "markers.json"
        result = CliRunner().invoke(
            main,
            [
                "analyze",
                str(tmp_path / "s1.txt"),
                str(tmp_path / "s2.vtt"),
                "--role",
                "Alice=therapist",
                "--role",
                "Sam=client",
                "--json",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
        rows = json.loads(out.read_text(encoding="utf-8"))
        assert [Path(r["file"]).name for r in rows] == ["s1.txt", "s2.vtt"]
        # s1: therapist 16 words, client 15 -> shares 0.516 / 0.484.
        assert rows[0]["words"] == 31
        assert rows[0]["therapist_word_share"] == 0.516
        assert 0 < rows[0]["lsm"] <= 1
        assert rows[1]["therapist_turns"] == 1

    def test_it_names_the_problem_with_a_bad_file_and_exits_1(self, tmp_path: Path) -> None:
        (tmp_path / "empty.txt").write_text("", encoding="utf-8")
        (tmp_path / "one.txt").write_text("T: Hello?\nT: Anyone there?\n", encoding="utf-8")
        result = CliRunner().invoke(
            main, ["analyze", str(tmp_path / "empty.txt"), str(tmp_path / "one.txt")]
        )
        assert result.exit_code == 1
        assert "empty.txt: the file is empty" in result.output
        assert "one.txt" in result.output
        assert "Traceback" not in result.output

    def test_it_refuses_a_malformed_role(self, tmp_path: Path) -> None:
        (tmp_path / "s.txt").write_text(TEXT, encoding="utf-8")
        result = CliRunner().invoke(main, ["analyze", str(tmp_path / "s.txt"), "--role", "Al=boss"])
        assert result.exit_code == 2
        assert "NAME=therapist" in result.output
