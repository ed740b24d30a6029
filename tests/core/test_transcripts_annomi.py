"""AnnoMI reader: read at run time from the shared data folder, never copied into the repo."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from rapport.core.transcripts import Role, TranscriptError, language_style_matching, read_annomi

# tests/core/this_file -> parents[2] is the repository root (/work/main); the data sits beside it.


class TestReadAnnomi:
    def test_it_reads_the_counts_the_data_readme_states(self, annomi_path: Path) -> None:
        """7,559 utterances; 82 high- and 17 low-quality transcripts; both roles in each."""
        corpus = read_annomi(annomi_path)
        assert sum(1 for _ in corpus.utterances()) == 7559
        quality = Counter(c.meta["mi_quality"] for c in corpus)
        assert quality == {"high": 82, "low": 17}
        for c in corpus:
            assert c.by_role(Role.THERAPIST), c.id
            assert c.by_role(Role.CLIENT), c.id
            assert [u.index for u in c] == list(range(len(c)))
            language_style_matching(c)  # every session has words from both roles

    def test_it_keeps_the_labels_on_the_utterances(self, annomi_path: Path) -> None:
        """Therapist utterances carry a behaviour, client ones a talk type; n/a is dropped."""
        corpus = read_annomi(annomi_path)
        behaviours = Counter(
            u.labels.get("main_therapist_behaviour")
            for u in corpus.utterances()
            if u.role is Role.THERAPIST
        )
        talk = Counter(
            u.labels.get("client_talk_type") for u in corpus.utterances() if u.role is Role.CLIENT
        )
        assert set(behaviours) <= {"reflection", "question", "therapist_input", "other"}
        assert set(talk) <= {"change", "neutral", "sustain"}
        assert all(
            "client_talk_type" not in u.labels
            for u in corpus.utterances()
            if u.role is Role.THERAPIST
        )


class TestReadAnnomiErrors:
    def test_it_rejects_a_file_without_the_annomi_columns(self, tmp_path: Path) -> None:
        """A CSV missing AnnoMI's columns names the missing ones."""
        path = tmp_path / "x.csv"
        path.write_text("transcript_id,text\n0,hi\n", encoding="utf-8")
        with pytest.raises(TranscriptError, match="missing columns: utterance_id"):
            read_annomi(path)

    def test_it_rejects_an_unknown_interlocutor(self, tmp_path: Path) -> None:
        """An interlocutor other than therapist/client names its line (synthetic rows only)."""
        path = tmp_path / "x.csv"
        path.write_text(
            "transcript_id,mi_quality,utterance_id,interlocutor,timestamp,utterance_text\n"
            "0,high,0,therapist,00:00:01,Hello\n"
            "0,high,1,coach,00:00:02,Hi\n",
            encoding="utf-8",
        )
        with pytest.raises(TranscriptError, match="line 3: interlocutor 'coach'"):
            read_annomi(path)

    def test_it_orders_utterances_and_tolerates_a_mistyped_timestamp(self, tmp_path: Path) -> None:
        """Rows are ordered by utterance_id; a bad timestamp leaves start as None."""
        path = tmp_path / "x.csv"
        path.write_text(
            "transcript_id,mi_quality,utterance_id,interlocutor,timestamp,utterance_text,"
            "main_therapist_behaviour,client_talk_type\n"
            "7,low,1,client,00:09:025,Fine,n/a,neutral\n"
            "7,low,0,therapist,00:00:05,How are you?,question,n/a\n",
            encoding="utf-8",
        )
        (c,) = read_annomi(path)
        assert c.id == "7"
        assert c.meta["mi_quality"] == "low"
        assert [(u.role, u.start, dict(u.labels)) for u in c] == [
            (Role.THERAPIST, 5.0, {"main_therapist_behaviour": "question"}),
            (Role.CLIENT, None, {"client_talk_type": "neutral"}),
        ]
