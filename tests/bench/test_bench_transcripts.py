"""The transcript benchmark's harness: its synthetic session, its memory probe and its ConvoKit
fallback. The timings themselves are evidence in bench/results/transcripts.md, not asserted."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.bench_transcripts import (
    SESSION_WORDS,
    WORDS_PER_SECOND,
    _floor_lines,
    _write_text_transcript,
    best_of_fresh,
    build_session,
    measure_convokit,
    measure_encoder_floor,
    run_memory_child,
)

from rapport.core.transcripts import Corpus, Role, load, model
from rapport.core.transcripts.embeddings import SentenceEncoder


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


def test_every_timed_run_tokenises_afresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Utterances keep their words once tokenised; the timed runs get new copies, so each run
    pays for tokenising as a batch of transcripts just read would."""
    session = build_session(None, 300)
    tokenised: list[str] = []
    original = model.tokenize
    monkeypatch.setattr(model, "tokenize", lambda text: tokenised.append(text) or original(text))
    runs = best_of_fresh(3, [session], lambda batch: [u.words for c in batch for u in c])
    assert len(runs) == 3
    assert len(tokenised) == 3 * len(session)


def test_it_keeps_the_batch_s_python_memory_flat_as_files_grow(tmp_path: Path) -> None:
    """The batch path's tracemalloc peak over 8 files is within 1.5x of that over 3, and it
    keeps under 1 KiB of Python memory per file (the table's summary row)."""
    for i in range(8):
        _write_text_transcript(build_session(None, 400, offset=i), tmp_path / f"s{i}.txt")
    assert len(load(tmp_path / "s0.txt")) > 10
    small, large = run_memory_child(tmp_path, 3), run_memory_child(tmp_path, 8)
    assert (small["files"], large["files"]) == (3, 8)
    assert large["json_mib"] > small["json_mib"]  # more was written...
    assert large["tracemalloc_peak_mib"] < 1.5 * small["tracemalloc_peak_mib"]  # ...not kept
    assert 0 < (large["kept_kib"] - small["kept_kib"]) / 5 < 1.0
    assert large["labelled_by"] == "no model (lexical markers only)"  # the tests save none


def test_it_says_how_to_install_convokit_when_it_is_missing(tmp_path: Path) -> None:
    """Without ConvoKit's venv the comparison still times Rapport and names the setup script."""
    session = build_session(None, 300)
    result = measure_convokit(Corpus([session]), 1, tmp_path / "no-python")
    assert "bench/setup_convokit.sh" in result["skipped"]
    assert len(result["ours_seconds"]) == 1


def test_the_encoder_floor_counts_every_word_piece(sentence_encoder: SentenceEncoder) -> None:
    """The floor is word pieces x operations / the measured rate, and the report explains it."""
    corpus = Corpus([build_session(None, 300)])
    texts = [u.text for c in corpus for u in c]
    floor = measure_encoder_floor(corpus, repeats=1)
    assert floor.word_pieces == sum(sentence_encoder.word_pieces(texts)) > len(texts) * 2
    assert floor.flops_per_word_piece == sentence_encoder.flops_per_word_piece
    assert floor.gemm_gflops > 0
    expected = floor.word_pieces * floor.flops_per_word_piece / (floor.gemm_gflops * 1e9)
    assert abs(floor.floor_seconds - expected) < 1e-9
    text = "\n".join(_floor_lines(floor))
    assert f"{floor.word_pieces:,} word pieces" in text
    assert _floor_lines(None) == []
