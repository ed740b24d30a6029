"""`rapport model train` / `rapport model evaluate` on a synthetic AnnoMI-format file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rapport.cli import main
from rapport.core.transcripts.classifiers import load_classifier
from rapport.core.transcripts.embeddings import EmbeddingsUnavailable, embeddings_available
from tests.core.mi_corpus import synthetic_rows, write_annomi


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    """Override the project-wide autouse fixture: nothing here needs Django."""


@pytest.fixture(scope="module")
def annomi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_annomi(tmp_path_factory.mktemp("annomi"), synthetic_rows(transcripts=9))


def _one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("Error: "), output
    return lines[0]


class TestTrain:
    def test_it_saves_a_loadable_model_where_asked(self, annomi: Path, tmp_path: Path) -> None:
        """--out receives the artefact and manifest; the model loads and names its data file."""
        out = tmp_path / "model"
        result = CliRunner().invoke(
            main, ["model", "train", "--annomi", str(annomi), "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert f"Saved the model to {out}" in result.output
        loaded = load_classifier(out)
        assert loaded.manifest["dataset_file"] == "AnnoMI-simple.csv"
        assert loaded.manifest["transcripts"] == 9
        assert loaded.manifest["cv"] is None

    def test_it_defaults_to_the_model_folder_from_the_environment(
        self, annomi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without --out the model goes to RAPPORT_MODEL_DIR (outside the repository)."""
        monkeypatch.setenv("RAPPORT_MODEL_DIR", str(tmp_path / "models"))
        result = CliRunner().invoke(main, ["model", "train", "--annomi", str(annomi.parent)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / "models" / "manifest.json").is_file()

    def test_it_keeps_cross_validated_scores_when_asked(self, annomi: Path, tmp_path: Path) -> None:
        """--evaluate prints the headline scores and stores them in the manifest."""
        out = tmp_path / "model"
        result = CliRunner().invoke(
            main, ["model", "train", "--annomi", str(annomi), "--out", str(out), "--evaluate"]
        )
        assert result.exit_code == 0, result.output
        assert "Therapist behaviour macro-F1" in result.output
        cv = load_classifier(out).manifest["cv"]
        assert cv["folds"] == 5
        assert 0 <= cv["behaviour_macro_f1"] <= 1

    def test_it_gives_a_one_line_error_for_a_bad_path(self, tmp_path: Path) -> None:
        """A path that does not exist: exit code 1, one line naming it."""
        result = CliRunner().invoke(main, ["model", "train", "--annomi", str(tmp_path / "nowhere")])
        assert result.exit_code == 1
        assert "nowhere: no such file or folder" in _one_line_error(result.output)

    def test_it_gives_a_one_line_error_for_a_file_that_is_not_annomi(self, tmp_path: Path) -> None:
        """A CSV without AnnoMI's columns: exit code 1, the missing columns named."""
        bad = tmp_path / "AnnoMI-simple.csv"
        bad.write_text("a,b\n1,2\n", encoding="utf-8")
        result = CliRunner().invoke(main, ["model", "train", "--annomi", str(bad)])
        assert result.exit_code == 1
        assert "missing columns" in _one_line_error(result.output)


def _evaluate(annomi: Path, results: Path) -> Result:
    return CliRunner().invoke(
        main,
        ["model", "evaluate", "--annomi", str(annomi), "--folds", "3", "--results", str(results)],
    )


class TestEvaluate:
    def test_it_writes_markdown_and_json_with_the_split(self, annomi: Path, tmp_path: Path) -> None:
        """Results go to --results and its .json twin; the folds partition the transcripts."""
        results = tmp_path / "out" / "scores.md"
        result = _evaluate(annomi, results)
        assert result.exit_code == 0, result.output
        assert "Client talk type macro-F1" in result.output
        data = json.loads(results.with_suffix(".json").read_text(encoding="utf-8"))
        folds = data["split"]["fold_transcripts"]
        assert len(folds) == 3
        assert sorted(i for f in folds for i in f) == sorted(str(t) for t in range(9))
        assert "| annotated \\ predicted |" in results.read_text(encoding="utf-8")

    def test_a_lexical_run_writes_the_lexical_results_file_by_default(
        self, annomi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without --results, --no-embeddings writes transcript_models_lexical.{md,json} and
        leaves the embedding model's results file alone."""
        results = tmp_path / "bench" / "results"
        results.mkdir(parents=True)
        embedded = results / "transcript_models.md"
        embedded.write_text("the embedding model's results\n", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        result = CliRunner().invoke(
            main, ["model", "evaluate", "--annomi", str(annomi), "--folds", "3", "--no-embeddings"]
        )
        assert result.exit_code == 0, result.output
        assert "transcript_models_lexical.md" in result.output
        assert (results / "transcript_models_lexical.json").exists()
        assert embedded.read_text(encoding="utf-8") == "the embedding model's results\n"

    def test_it_refuses_more_folds_than_transcripts(self, annomi: Path, tmp_path: Path) -> None:
        """--folds 12 with 9 transcripts is a one-line error, exit code 1."""
        result = CliRunner().invoke(
            main,
            ["model", "evaluate", "--annomi", str(annomi), "--folds", "12",
             "--results", str(tmp_path / "r.md")],
        )  # fmt: skip
        assert result.exit_code == 1
        assert "Cannot make 12 folds from 9 transcripts" in _one_line_error(result.output)

    def test_a_full_file_without_annotators_only_skips_the_comparison(self, tmp_path: Path) -> None:
        """A full file with subtypes but no annotator_id: scores as usual, and a note why
        there is no comparison with expert coders."""
        rows = synthetic_rows(transcripts=9)
        folder = tmp_path / "annomi"
        write_annomi(folder, rows)
        (folder / "AnnoMI-full.csv").write_text(
            "transcript_id,utterance_id,reflection_subtype,question_subtype\n0,0,n/a,open\n",
            encoding="utf-8",
        )
        results = tmp_path / "scores.md"
        result = _evaluate(folder, results)
        assert result.exit_code == 0, result.output
        assert "No comparison with expert coders" in result.output
        assert "missing columns: annotator_id" in result.output
        data = json.loads(results.with_suffix(".json").read_text(encoding="utf-8"))
        assert data["expert_agreement"] == {}

    def test_with_the_full_file_it_sets_the_model_beside_the_experts(self, tmp_path: Path) -> None:
        """AnnoMI-full.csv beside the simple file: where three experts coded transcript 0,
        the report sets the held-out labels beside them (Markdown, JSON and the summary)."""
        rows = synthetic_rows(transcripts=9)
        folder = tmp_path / "annomi"
        write_annomi(folder, rows)
        flip = {"change": "neutral", "neutral": "sustain", "sustain": "change"}
        with (folder / "AnnoMI-full.csv").open("w", encoding="utf-8", newline="") as handle:
            columns = ["transcript_id", "utterance_id", "annotator_id", "utterance_text",
                       "main_therapist_behaviour", "client_talk_type", "reflection_subtype",
                       "question_subtype"]  # fmt: skip
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                coders = ("1", "2", "3") if row["transcript_id"] == "0" else ("1",)
                for coder in coders:
                    talk = row["client_talk_type"]
                    # Expert 3 disagrees on every third client utterance.
                    if coder == "3" and talk != "n/a" and int(row["utterance_id"]) % 3 == 0:
                        talk = flip[talk]
                    subtypes = {
                        f"{kind}_subtype": row["subtype"]
                        if row["main_therapist_behaviour"] == kind
                        else "n/a"
                        for kind in ("reflection", "question")
                    }
                    writer.writerow(
                        row | subtypes | {"annotator_id": coder, "client_talk_type": talk}
                    )
        results = tmp_path / "scores.md"
        result = _evaluate(folder, results)
        assert result.exit_code == 0, result.output
        assert "Beside 3 expert coders (12 talk_type utterances)" in result.output
        data = json.loads(results.with_suffix(".json").read_text(encoding="utf-8"))
        talk = data["expert_agreement"]["talk_type"]
        assert (talk["transcripts"], talk["utterances"], talk["experts"]) == (1, 12, 3)
        assert talk["macro_f1"]["expert_vs_expert"] < 1.0
        assert "## The models beside expert coders" in results.read_text(encoding="utf-8")


class TestEmbeddingsChoice:
    def _train(self, annomi: Path, out: Path, *flags: str) -> Result:
        return CliRunner().invoke(
            main, ["model", "train", "--annomi", str(annomi), "--out", str(out), *flags]
        )

    def test_no_embeddings_trains_a_lexical_model(self, annomi: Path, tmp_path: Path) -> None:
        result = self._train(annomi, tmp_path, "--no-embeddings")
        assert result.exit_code == 0, result.output
        assert load_classifier(tmp_path).manifest["embedding"] is None

    def test_by_default_it_uses_the_installed_encoder(self, annomi: Path, tmp_path: Path) -> None:
        if not embeddings_available():
            pytest.skip("The optional embedding model is not installed (make embeddings).")
        result = self._train(annomi, tmp_path)
        assert result.exit_code == 0, result.output
        assert "With sentence embeddings (all-MiniLM-L6-v2)." in result.output
        assert load_classifier(tmp_path).embedding["model"] == "all-MiniLM-L6-v2"  # type: ignore[index]

    def test_without_the_model_it_says_so_and_trains_lexically(
        self, annomi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("rapport.core.transcripts.embeddings.load_encoder", _missing)
        result = self._train(annomi, tmp_path)
        assert result.exit_code == 0, result.output
        assert "Lexical features only. The embedding model is not installed" in result.output
        assert load_classifier(tmp_path).manifest["embedding"] is None

    def test_asking_for_embeddings_without_the_model_is_a_one_line_error(
        self, annomi: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("rapport.core.transcripts.embeddings.load_encoder", _missing)
        result = self._train(annomi, tmp_path / "m", "--embeddings")
        assert result.exit_code == 1
        assert "make embeddings" in _one_line_error(result.output)
        assert not (tmp_path / "m").exists()


def _missing() -> None:
    raise EmbeddingsUnavailable("The embedding model is not installed: make embeddings.")
