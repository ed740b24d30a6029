"""The batch behind ``rapport analyze``: find transcripts, analyse them (in parallel if asked),
and stream the results to a summary table, JSON and HTML without holding the batch in memory.

Kept out of :mod:`rapport.cli` so the command stays a thin shell and so the benchmark can run
the same code path (:func:`run_batch`). Memory stays flat in the number of files: work is
submitted to the process pool a few items ahead of what has been written, each result is
written (JSON item, HTML section) and dropped as soon as it arrives in input order, and only a
one-line summary per file is kept for the table.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import shlex
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import click

from rapport.core.transcripts import (
    Conversation,
    Role,
    TranscriptError,
    UnknownRoles,
    load,
    read_annomi,
)
from rapport.core.transcripts.analysis import LabelSource, analyse
from rapport.core.transcripts.parsing import SUFFIXES

__all__ = [
    "SUPPORTED_SUFFIXES",
    "BatchError",
    "Job",
    "JsonArrayWriter",
    "JsonLinesWriter",
    "JsonSink",
    "ModelChoice",
    "Outcome",
    "Sink",
    "SummaryRow",
    "collect_paths",
    "format_table",
    "is_annomi",
    "jobs_for",
    "load_labeller",
    "parse_roles",
    "run_analyze_command",
    "run_batch",
    "run_jobs",
    "summary_row",
]

# The extensions `load` understands; a folder is searched for these.
SUPPORTED_SUFFIXES = frozenset(SUFFIXES)
# How many jobs per worker may be queued or finished-but-unwritten: enough to keep the workers
# busy while one slow file holds up the in-order writer, few enough that memory stays flat.
_AHEAD_PER_WORKER = 2


class BatchError(ValueError):
    """Bad input to the whole batch (a path, a model); the message says what to change."""


# --- what to analyse --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """One conversation to analyse: a transcript file, or one conversation of a corpus file
    already read (AnnoMI). ``label`` names it in the table and in error messages."""

    label: str
    path: Path | None = None
    conversation: Conversation | None = None
    roles: Mapping[str, Role] = field(default_factory=dict)
    error: str | None = None  # the corpus file it belongs to could not be read


def is_annomi(path: Path) -> bool:
    """An AnnoMI CSV by its published file name (``AnnoMI-simple.csv``, ``AnnoMI-full.csv``)."""
    return path.suffix.casefold() == ".csv" and path.name.casefold().startswith("annomi")


def collect_paths(
    paths: Sequence[Path], *, recursive: bool = False, exclude: Iterable[Path] = ()
) -> list[Path]:
    """The transcript files named, with every supported file inside each folder named.

    Folders are read in name order (sub-folders too with ``recursive``); hidden files and the
    command's own output files (``exclude``) are skipped. Raises BatchError when a folder holds
    no transcript.
    """
    skip = {p.resolve() for p in exclude}
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        pattern = "**/*" if recursive else "*"
        inside = sorted(
            p
            for p in path.glob(pattern)
            if p.is_file()
            and p.suffix.casefold() in SUPPORTED_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
            and p.resolve() not in skip
        )
        if not inside:
            kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
            where = " or its sub-folders" if recursive else ""
            raise BatchError(f"{path}: no transcript files ({kinds}) in the folder{where}.")
        found.extend(inside)
    return found


def jobs_for(
    paths: Sequence[Path], roles: Mapping[str, Role], *, annomi: bool = False
) -> Iterator[Job]:
    """One job per transcript file, or per conversation of an AnnoMI file (``annomi`` treats
    every CSV as AnnoMI; otherwise it is recognised by name)."""
    for path in paths:
        if not (annomi or is_annomi(path)):
            yield Job(path.name, path=path, roles=roles)
            continue
        if "full" in path.stem.casefold():
            yield Job(
                path.name,
                path=path,
                error=f"{path.name}: use AnnoMI-simple.csv; AnnoMI-full.csv repeats each "
                "utterance once per annotator.",
            )
            continue
        try:
            corpus = read_annomi(path)
        except TranscriptError as exc:
            yield Job(path.name, path=path, error=str(exc))
            continue
        for conversation in corpus:
            yield Job(f"{path.name}#{conversation.id}", path=path, conversation=conversation)


# --- labels -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """Which classifier labels the utterances: ``none``, the ``default`` trained model if one
    exists, or the one saved in ``path``."""

    kind: str = "default"
    path: Path | None = None


def load_labeller(choice: ModelChoice) -> LabelSource | None:
    """The classifier ``choice`` names, or None (no model wanted, or none trained yet).

    Raises BatchError when a model folder was named but cannot be loaded.
    """
    if choice.kind == "none":
        return None
    # Imported here: scikit-learn is heavy, and `rapport analyze --no-model` never needs it.
    from rapport.core.transcripts import classifiers  # noqa: PLC0415

    if choice.kind == "dir":
        try:
            return classifiers.load_classifier(choice.path).predict
        except Exception as exc:  # any failure to load is the same user error
            raise BatchError(f"--model {choice.path}: cannot load a classifier ({exc}).") from None
    try:
        model = classifiers.load_default_classifier()
    except Exception:  # a broken default model must not stop lexical markers
        return None
    return None if model is None else model.predict


# --- running the jobs -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one job produced: the analysis dict, or the error that stopped it."""

    label: str
    analysis: dict[str, Any] | None = None
    error: str | None = None
    path: str | None = None  # the file it came from

    def to_json(self) -> dict[str, Any]:
        """The JSON item: ``file`` (the label), ``path``, then ``error`` or ``headline`` (the
        table's numbers) and every key of the analysis (``SessionAnalysis.to_dict()``)."""
        head = {"file": self.label, "path": self.path}
        if self.error is not None:
            return {**head, "error": self.error}
        return {**head, "headline": summary_row(self).to_json(), **(self.analysis or {})}


_WORKER: dict[str, Any] = {"labeller": None, "explicit": False}


def _init_worker(choice: ModelChoice, *, reload: bool = False) -> None:
    """Load the classifier once per worker process (not once per file); ``reload`` loads it
    again even if this process already holds the same choice (a new command, a new model)."""
    if _WORKER.get("choice") == choice and not reload:
        return
    _WORKER["labeller"] = load_labeller(choice)
    _WORKER["explicit"] = choice.kind == "dir"
    _WORKER["choice"] = choice


def _has_annotations(conversation: Conversation) -> bool:
    return any(u.labels for u in conversation)


def analyse_job(job: Job) -> Outcome:
    """Read and analyse one job; every failure becomes an error message, never an exception."""
    path = None if job.path is None else str(job.path)
    if job.error is not None:
        return Outcome(job.label, error=job.error, path=path)
    try:
        conversation = job.conversation
        if conversation is None:
            assert job.path is not None
            conversation = load(job.path, roles=dict(job.roles) or None)
        labeller: LabelSource | None = _WORKER["labeller"]
        # Expert annotations beat predictions: the default model only labels transcripts that
        # carry none; a model named with --model labels everything.
        if labeller is not None and not _WORKER["explicit"] and _has_annotations(conversation):
            labeller = None
        analysis = analyse(conversation, labeller).to_dict()
    except UnknownRoles as exc:  # the library's hint names its Python argument; say the option
        return Outcome(job.label, error=_role_hint(job.label, exc), path=path)
    except (TranscriptError, ValueError, OSError, UnicodeError) as exc:
        return Outcome(job.label, error=str(exc), path=path)
    except Exception as exc:  # one bad file must not stop the batch
        message = f"{job.label}: unexpected {type(exc).__name__}: {exc}"
        return Outcome(job.label, error=message, path=path)
    return Outcome(job.label, analysis=analysis, path=path)


def _role_hint(label: str, exc: UnknownRoles) -> str:
    unknown = [s for s in exc.speakers if s not in exc.detected]
    names = ", ".join(repr(s) for s in unknown)
    example = shlex.quote(f"{unknown[0]}=therapist") if unknown else "NAME=therapist"
    return (
        f"{label}: these speakers need a role: {names}. Give each with --role, e.g. "
        f"--role {example} (therapist, client or other)."
    )


def run_jobs(jobs: Iterable[Job], n_jobs: int, choice: ModelChoice) -> Iterator[Outcome]:
    """Outcomes in the order of ``jobs``; ``n_jobs`` > 1 analyses in that many processes.

    At most ``2 * n_jobs`` jobs are submitted and not yet yielded, so the results waiting to be
    written never grow with the batch.
    """
    if n_jobs <= 1:
        _init_worker(choice)
        yield from map(analyse_job, jobs)
        return
    pending: deque[tuple[Job, Future[Outcome]]] = deque()
    # "spawn": forking a process that already runs threads (BLAS, Django) can deadlock the
    # child; fresh interpreters cost a second of imports each, once per worker.
    with ProcessPoolExecutor(
        max_workers=n_jobs,
        initializer=_init_worker,
        initargs=(choice,),
        mp_context=multiprocessing.get_context("spawn"),
    ) as pool:
        for job in jobs:
            pending.append((job, pool.submit(analyse_job, job)))
            if len(pending) >= n_jobs * _AHEAD_PER_WORKER:
                yield _collect(*pending.popleft())
        while pending:
            yield _collect(*pending.popleft())


def _collect(job: Job, future: Future[Outcome]) -> Outcome:
    """The worker's outcome, or an error outcome if the worker itself failed (killed, out of
    memory): the rest of the batch still runs or fails file by file."""
    try:
        return future.result()
    except Exception as exc:  # a dead worker or an unpicklable result, not a transcript error
        path = None if job.path is None else str(job.path)
        return Outcome(job.label, error=f"{job.label}: the worker failed ({exc}).", path=path)


# --- the summary table ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One line of the table: the headline numbers of one conversation (None when absent)."""

    label: str
    utterances: int | None = None
    words: int | None = None
    therapist_share: float | None = None
    lsm: float | None = None
    reflection_to_question: float | None = None
    percent_complex_reflections: float | None = None
    change_talk_share: float | None = None
    ruptures: int | None = None
    directives: int | None = None
    labels_from: str | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "utterances": self.utterances,
            "words": self.words,
            "therapist_word_share": _rounded(self.therapist_share),
            "lsm": _rounded(self.lsm),
            "reflection_to_question": _rounded(self.reflection_to_question),
            "percent_complex_reflections": _rounded(self.percent_complex_reflections, 1),
            "change_talk_share": _rounded(self.change_talk_share),
            "rupture_markers": self.ruptures,
            "directive_utterances": self.directives,
            "labels_from": self.labels_from,
        }


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def summary_row(outcome: Outcome) -> SummaryRow:
    """The table line of ``outcome`` (tolerates analyses without ``mi``, ``ruptures`` or
    ``directives``)."""
    if outcome.analysis is None:
        return SummaryRow(outcome.label, error=outcome.error)
    a = outcome.analysis
    balance = a.get("talk_balance") or {}
    therapist = (balance.get("by_role") or {}).get("therapist") or {}
    mi = a.get("mi") or {}
    ruptures = a.get("ruptures")
    directives = a.get("directives")
    return SummaryRow(
        label=outcome.label,
        utterances=len(a.get("utterances") or []),
        words=balance.get("total_words"),
        therapist_share=therapist.get("word_share"),
        lsm=a.get("lsm"),
        reflection_to_question=mi.get("reflection_to_question"),
        percent_complex_reflections=mi.get("percent_complex_reflections"),
        change_talk_share=mi.get("change_talk_share"),
        ruptures=len(ruptures) if ruptures is not None else None,
        directives=len(directives) if directives is not None else None,
        labels_from=a.get("labels_from"),
    )


def _cell(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


_HEADER = (
    f"{'conversation':34} {'utts':>5} {'words':>7} {'T share':>7} {'LSM':>6} "
    f"{'R:Q':>5} {'%CR':>5} {'change':>6} {'rupt':>4} {'dir':>4}"
)


def format_table(rows: Iterable[SummaryRow]) -> Iterator[str]:
    """The summary table's lines: a header, one line per conversation, errors one per line."""
    yield _HEADER
    for r in rows:
        name = r.label if len(r.label) <= 34 else "…" + r.label[-33:]
        if r.error is not None:
            yield f"{name:34} error: {r.error}"
            continue
        yield (
            f"{name:34} {r.utterances:>5} {r.words:>7} {_cell(r.therapist_share, '.0%'):>7} "
            f"{_cell(r.lsm, '.3f'):>6} {_cell(r.reflection_to_question, '.2f'):>5} "
            f"{_cell(r.percent_complex_reflections, '.0f'):>5} "
            f"{_cell(r.change_talk_share, '.0%'):>6} {_cell(r.ruptures, 'd'):>4} "
            f"{_cell(r.directives, 'd'):>4}"
        )


# --- streaming writers ------------------------------------------------------------------------


class JsonArrayWriter:
    """A JSON array written item by item: valid JSON when closed, one item in memory at once."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.count = 0
        handle.write("[")

    def write(self, item: Mapping[str, Any]) -> None:
        self.handle.write(",\n" if self.count else "\n")
        self.handle.write(json.dumps(item, ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        self.handle.write("\n]\n" if self.count else "]\n")


class JsonLinesWriter:
    """JSON Lines: one analysis per line."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle

    def write(self, item: Mapping[str, Any]) -> None:
        self.handle.write(json.dumps(item, ensure_ascii=False) + "\n")

    def close(self) -> None:
        """Nothing to finish: every line is complete."""


def _safe_name(label: str, taken: set[str]) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in label).strip("._")
    name = f"{stem or 'transcript'}.html"
    n = 2
    while name in taken:
        name = f"{stem}-{n}.html"
        n += 1
    taken.add(name)
    return name


class HtmlPageWriter:
    """One self-contained HTML page, a section per conversation, written as they arrive."""

    def __init__(self, handle: IO[str], title: str) -> None:
        from rapport import transcript_report as tr  # noqa: PLC0415 - Django, only when asked

        self.page = tr.PageWriter(handle, title)

    def write(self, outcome: Outcome) -> None:
        if outcome.analysis is None:
            self.page.failed(outcome.label, outcome.error or "")
        else:
            self.page.section(outcome.analysis)

    def close(self) -> None:
        self.page.close()


class HtmlDirWriter:
    """One self-contained HTML page per conversation in a folder, and an ``index.html`` table
    linking them. Each page is written and dropped at once, so big batches stay light both for
    this process and for the browser that opens them."""

    def __init__(self, folder: Path) -> None:
        from rapport import transcript_report as tr  # noqa: PLC0415 - Django, only when asked

        self.tr = tr
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.index = (folder / "index.html").open("w", encoding="utf-8")
        before, self.after = tr.page_parts("Rapport transcript reports", None, note_missing=False)
        self.index.write(before)
        self.index.write(tr.render_index_start())
        self.taken: set[str] = {"index.html"}

    def write(self, outcome: Outcome) -> None:
        if outcome.analysis is None:
            self.index.write(self.tr.render_index_row(summary_row(outcome), None))
            return
        name = _safe_name(outcome.label, self.taken)
        path = self.folder / name
        with path.open("w", encoding="utf-8") as handle:
            self.tr.write_html([outcome.analysis], handle, title=outcome.label)
        self.index.write(self.tr.render_index_row(summary_row(outcome), name))

    def close(self) -> None:
        self.index.write(self.tr.render_index_end())
        self.index.write(self.after)
        self.index.close()


# --- the whole batch --------------------------------------------------------------------------


@dataclass
class BatchResult:
    """What a batch did: one summary row per job, in order."""

    rows: list[SummaryRow] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.rows if r.error is not None)


class Sink(Protocol):
    """Anything an outcome is written to, as it arrives."""

    def write(self, outcome: Outcome) -> None: ...

    def close(self) -> None: ...


class JsonSink:
    """Each outcome as a JSON array item (``lines=False``) or as one JSON line."""

    def __init__(self, handle: IO[str], *, lines: bool) -> None:
        self.writer = JsonLinesWriter(handle) if lines else JsonArrayWriter(handle)

    def write(self, outcome: Outcome) -> None:
        self.writer.write(outcome.to_json())

    def close(self) -> None:
        self.writer.close()


def run_batch(
    jobs: Sequence[Job],
    *,
    n_jobs: int = 1,
    choice: ModelChoice | None = None,
    sinks: Sequence[Sink] = (),
    on_progress: Callable[[Outcome], None] | None = None,
) -> BatchResult:
    """Analyse ``jobs`` and stream each outcome to every sink (``write``/``close``), keeping
    only its summary row."""
    result = BatchResult()
    try:
        for outcome in run_jobs(jobs, n_jobs, choice or ModelChoice()):
            for sink in sinks:
                sink.write(outcome)
            result.rows.append(summary_row(outcome))
            if on_progress is not None:
                on_progress(outcome)
    finally:
        for sink in sinks:
            sink.close()
    return result


def default_jobs() -> int:
    """The CPUs this process may use (for ``--jobs 0``)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# --- the command ------------------------------------------------------------------------------


def parse_roles(entries: Iterable[str]) -> dict[str, Role]:
    """``NAME=ROLE`` options as a mapping; a bad entry is a usage error naming it."""
    found: dict[str, Role] = {}
    for entry in entries:
        name, sep, value = entry.partition("=")
        try:
            if not sep or not name.strip():
                raise ValueError(entry)
            found[name.strip()] = Role(value.strip().lower())
        except ValueError:
            raise click.BadParameter(
                f"{entry!r}: use NAME=therapist, NAME=client or NAME=other", param_hint="--role"
            ) from None
    return found


def _open_sinks(
    stack: contextlib.ExitStack[Any],
    json_path: Path | None,
    jsonl_path: Path | None,
    html_path: Path | None,
    html_dir: Path | None,
) -> list[Sink]:
    """Open the outputs asked for; one that cannot be created is a clear error."""
    sinks: list[Sink] = []
    try:
        for path, lines in ((json_path, False), (jsonl_path, True)):
            if path is not None:
                handle = stack.enter_context(path.open("w", encoding="utf-8"))
                sinks.append(JsonSink(handle, lines=lines))
        if html_path is not None:
            handle = stack.enter_context(html_path.open("w", encoding="utf-8"))
            sinks.append(HtmlPageWriter(handle, "Rapport transcript report"))
        if html_dir is not None:
            sinks.append(HtmlDirWriter(html_dir))
    except OSError as exc:
        for sink in sinks:
            sink.close()
        raise click.UsageError(
            f"cannot write {exc.filename}: {exc.strerror or exc}",
            ctx=click.get_current_context(silent=True),
        ) from None
    return sinks


def _prepare_model(choice: ModelChoice, workers: int) -> None:
    """Load the classifier here when this process labels the files, or to make a bad --model
    a usage error before any work; worker processes load their own."""
    if workers > 1 and choice.kind != "dir":
        return
    try:
        _init_worker(choice, reload=True)
    except BatchError as exc:
        raise click.UsageError(str(exc)) from None


def run_analyze_command(
    paths: Sequence[Path],
    *,
    recursive: bool,
    roles: Sequence[str],
    annomi: bool,
    n_jobs: int,
    json_path: Path | None,
    jsonl_path: Path | None,
    html_path: Path | None,
    html_dir: Path | None,
    model_dir: Path | None,
    no_model: bool,
) -> None:
    """``rapport analyze``: everything after click has parsed the options."""
    role_map = parse_roles(roles)
    if model_dir is not None and no_model:
        raise click.UsageError("--model and --no-model contradict each other; give one.")
    outputs = [p for p in (json_path, jsonl_path, html_path) if p is not None]
    if len({p.resolve() for p in outputs}) < len(outputs):
        raise click.UsageError("--json, --jsonl and --html must name different files.")
    try:
        files = collect_paths(paths, recursive=recursive, exclude=outputs)
    except BatchError as exc:
        raise click.UsageError(str(exc)) from None
    if model_dir is not None:
        choice = ModelChoice("dir", model_dir)
    else:
        choice = ModelChoice("none" if no_model else "default")
    workers = n_jobs or default_jobs()
    _prepare_model(choice, workers)
    jobs = list(jobs_for(files, role_map, annomi=annomi))

    with contextlib.ExitStack() as stack:
        sinks = _open_sinks(stack, json_path, jsonl_path, html_path, html_dir)
        with click.progressbar(
            length=len(jobs), label="Analysing", file=sys.stderr, show_pos=True
        ) as bar:
            result = run_batch(
                jobs,
                n_jobs=workers,
                choice=choice,
                sinks=sinks,
                on_progress=lambda _: bar.update(1),
            )

    for line in format_table(result.rows):
        click.echo(line)
    if any(r.labels_from == "none" for r in result.rows):
        click.echo(
            "No behaviour labels for some transcripts (R:Q, %CR and change talk show –): "
            "train a classifier with `rapport model train`, or pass --model DIR.",
            err=True,
        )
    for path in (json_path, jsonl_path, html_path):
        if path is not None:
            click.echo(f"Wrote {path}")
    if html_dir is not None:
        click.echo(f"Wrote {html_dir / 'index.html'} and one page per conversation")
    if result.failed:
        click.echo(f"{result.failed} of {len(result.rows)} could not be analysed.", err=True)
        raise SystemExit(1)
