"""Agreement among expert coders, and of a model with them."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.core.transcripts import read_annomi
from rapport.core.transcripts.agreement import expert_agreement, fleiss_kappa
from rapport.core.transcripts.annomi import read_expert_votes

# Fleiss' kappa worked example (10 subjects, 14 raters, 5 categories; the table printed in
# the Wikipedia article "Fleiss' kappa"): P-bar 0.378, P-bar-e 0.213, kappa 0.210.
_WORKED_COUNTS = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def _ratings(counts: list[list[int]]) -> list[list[str]]:
    return [[c for c, n in zip("abcde", row, strict=True) for _ in range(n)] for row in counts]


class TestFleissKappa:
    def test_it_reproduces_the_worked_example(self) -> None:
        assert fleiss_kappa(_ratings(_WORKED_COUNTS)) == pytest.approx(0.210, abs=5e-4)

    def test_perfect_agreement_is_one(self) -> None:
        assert fleiss_kappa([["x", "x", "x"], ["y", "y", "y"]]) == pytest.approx(1.0)

    @pytest.mark.parametrize(
        ("ratings", "message"),
        [
            ([], "at least one rated item"),
            ([["a"]], "same number"),
            ([["a", "b"], ["a", "b", "a"]], "same number"),
            ([["a", "a"], ["a", "a"]], "undefined"),
        ],
    )
    def test_it_names_what_it_cannot_compute(self, ratings: list[list[str]], message: str) -> None:
        with pytest.raises(ValueError, match=message):
            fleiss_kappa(ratings)


def _votes(rows: list[str]) -> dict[tuple[str, int], dict[str, str]]:
    """Utterance i of conversation "t": experts e0, e1, ... gave the letters of rows[i]."""
    return {("t", i): {f"e{j}": v for j, v in enumerate(row)} for i, row in enumerate(rows)}


class TestExpertAgreement:
    def test_a_model_that_agrees_with_unanimous_experts_scores_like_them(self) -> None:
        votes = _votes(["aaa", "bbb", "ccc", "aaa", "bbb"])
        predicted = {k: next(iter(v.values())) for k, v in votes.items()}
        found = expert_agreement("talk_type", votes, predicted)
        assert found is not None
        assert (found.expert_vs_expert, found.model_vs_expert) == (1.0, 1.0)
        assert (found.expert_vs_rest, found.model_vs_rest) == (1.0, 1.0)
        assert found.fleiss_kappa == pytest.approx(1.0)
        assert (found.transcripts, found.utterances, found.experts) == (1, 5, 3)

    def test_a_model_that_contradicts_the_experts_scores_below_them(self) -> None:
        votes = _votes(["aab", "bba", "aab", "bbb", "aaa", "bab"] * 5)
        wrong = {"a": "b", "b": "a"}
        predicted = {k: wrong[sorted(v.values())[1]] for k, v in votes.items()}  # not the majority
        found = expert_agreement("talk_type", votes, predicted)
        assert found is not None
        assert found.model_vs_rest < found.expert_vs_rest
        assert found.difference_ci[1] < 0
        assert found.model_vs_expert < found.expert_vs_expert

    def test_a_tie_among_the_others_leaves_the_utterance_out_of_that_reference(self) -> None:
        """Expert e2's reference on "ab?" is a tie (a vs b): only the other utterance counts,
        where e2 agrees with the others, so e2 scores 1.0 against them."""
        votes = _votes(["abb", "aaa"])
        predicted = {("t", 0): "b", ("t", 1): "a"}
        found = expert_agreement("talk_type", votes, predicted)
        assert found is not None
        assert found.per_expert["e2"]["expert_vs_rest_majority"] == 1.0

    def test_it_needs_two_experts_and_a_labelled_utterance(self) -> None:
        assert expert_agreement("talk_type", _votes(["a", "b"]), {("t", 0): "a"}) is None
        assert expert_agreement("talk_type", _votes(["ab"]), {}) is None


class TestReadExpertVotes:
    def _write(self, folder: Path, full_rows: str) -> Path:
        simple = folder / "AnnoMI-simple.csv"
        simple.write_text(
            "transcript_id,mi_quality,utterance_id,interlocutor,utterance_text,"
            "main_therapist_behaviour,client_talk_type\n"
            "5,high,10,therapist,What brings you here?,question,n/a\n"
            "5,high,11,client,I want  to cut down.,n/a,change\n"
            "5,high,12,client,Maybe.,n/a,neutral\n",
            encoding="utf-8",
        )
        full = folder / "AnnoMI-full.csv"
        full.write_text(
            "transcript_id,utterance_id,annotator_id,utterance_text,"
            "main_therapist_behaviour,client_talk_type\n" + full_rows,
            encoding="utf-8",
        )
        return full

    def test_it_keeps_each_experts_label_where_several_coded(self, tmp_path: Path) -> None:
        full = self._write(
            tmp_path,
            "5,10,1,What brings you here?,question,n/a\n"
            "5,10,2,What brings you here?,other,n/a\n"
            "5,11,1,I want to cut down.,n/a,change\n"
            "5,11,2,I want to cut down.,n/a,sustain\n"
            "5,12,1,Maybe.,n/a,neutral\n",
        )
        corpus = read_annomi(tmp_path / "AnnoMI-simple.csv")
        votes = read_expert_votes(full, corpus)
        assert votes["main_therapist_behaviour"] == {("5", 0): {"1": "question", "2": "other"}}
        # Utterance 2 had one coder only: no votes.
        assert votes["client_talk_type"] == {("5", 1): {"1": "change", "2": "sustain"}}

    def test_it_never_lends_votes_to_an_utterance_with_other_words(self, tmp_path: Path) -> None:
        full = self._write(
            tmp_path,
            "5,10,1,What brings you here?,question,n/a\n"
            "5,10,2,What brings you here?,other,n/a\n"
            "5,11,1,Something else.,n/a,change\n"
            "5,11,2,Something else.,n/a,sustain\n"
            "5,12,1,Maybe.,n/a,neutral\n",
        )
        votes = read_expert_votes(full, read_annomi(tmp_path / "AnnoMI-simple.csv"))
        assert votes["client_talk_type"] == {}
        assert ("5", 0) in votes["main_therapist_behaviour"]
