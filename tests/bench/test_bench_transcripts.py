"""The transcript benchmark's harness: its synthetic session, its memory probe and its ConvoKit
fallback. The timings themselves are evidence in bench/results/transcripts.md, not asserted."""

from __future__ import annotations

from pathlib import Path

from bench.bench_transcripts import (
    SESSION_WORDS,
    WORDS_PER_SECOND,
    _write_text_transcript,
    build_session,
    measure_convokit,
    run_memory_child,
)

from rapport.core.transcripts import Corpus, Role, load


class TestBuildSession:
    def test_it_builds_an_hour_of_talk_from_project_sentences(self) -> None:
        """Without AnnoMI: at least 9,000 words, both roles, times rising at 150 words/min."""
        session = build_session(None)
        words = sum(len(u.text.split()) for u in session)
        assert SESSION_WORDS <= words < SESSION_WORDS + 30
        assert session.by_role(Role.THERAPIST)
        assert session.by_role(Role.CLIENT)
        starts = [u.start for u in session]
        assert starts == sorted(starts)
        assert session.utterances[-1].end >= words / WORDS_PER_SECOND

    def test_it_is_the_same_session_every_time(self) -> None:
        """The same seed and offset give the same talk; another offset gives other talk."""
        assert build_session(None, 500) == build_session(None, 500)
        assert build_session(None, 500).utterances != build_session(None, 500, offset=3).utterances


def test_it_keeps_the_batch_s_python_memory_flat_as_files_grow(tmp_path: Path) -> None:
    """The batch path's tracemalloc peak over 8 files is within 1.5x of that over 3."""
    for i in range(8):
        _write_text_transcript(build_session(None, 400, offset=i), tmp_path / f"s{i}.txt")
    assert len(load(tmp_path / "s0.txt")) > 10
    small, large = run_memory_child(tmp_path, 3), run_memory_child(tmp_path, 8)
    assert (small["files"], large["files"]) == (3, 8)
    assert large["json_mib"] > small["json_mib"]  # more was written...
    assert large["tracemalloc_peak_mib"] < 1.5 * small["tracemalloc_peak_mib"]  # ...not kept


def test_it_says_how_to_install_convokit_when_it_is_missing(tmp_path: Path) -> None:
    """Without ConvoKit's venv the comparison still times Rapport and names the setup script."""
    session = build_session(None, 300)
    result = measure_convokit(Corpus([session]), 1, tmp_path / "no-python")
    assert "bench/setup_convokit.sh" in result["skipped"]
    assert len(result["ours_seconds"]) == 1
