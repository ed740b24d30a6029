"""How fast are the transcript markers, and does a batch stay flat in memory? (Benchmark.)

Four measurements, all on one core (but for the optional embedding encoder's matrix products,
which NumPy's BLAS may spread over the CPUs), each the best of several runs
(``--lexical-repeats`` for the one-session timings, ``--repeats`` for the rest; issue "Session
analysis"):

1. **Lexical markers of a one-hour session** (target < 50 ms): talk balance, response
   latencies, session LSM, rolling LSM and rupture markers on a ~9,000-word session built
   deterministically from AnnoMI utterances in file order (or, without AnnoMI, from
   project-written sentences), timed 150 words a minute. Affect (VADER) is timed separately.
2. **The AnnoMI development set** (99 transcripts, target < 10 s) through
   :func:`rapport.core.transcripts.analysis.analyse` with every marker and the trained
   classifier (loaded from ``--model``, else the default model ``rapport model train`` saved,
   else trained here before the timing); only the analysis is timed. Then once more with a
   classifier that reads sentence embeddings (when installed), to show what they cost.
3. **Memory flat in the number of files**: ``rapport analyze``'s batch code path
   (:func:`rapport.analyze_cli.run_batch` with the JSON and HTML writers, labelling with the
   default model when one is saved) over N generated transcript files, each N in a fresh
   process: peak RSS growth over a warmed-up baseline, the Python memory the batch keeps, and
   the tracemalloc peak of the batch.
4. **ConvoKit comparison**: session LSM on the same AnnoMI transcripts in the same run, against
   ConvoKit 5.0.0's ``Coordination`` transformer (the closest built-in; a different measure, see
   ``bench/convokit_side.py``) and against LSM computed over ConvoKit's ``Corpus`` with Rapport's
   word lists. ConvoKit runs in its own venv (``bench/setup_convokit.sh``).

Results go to a Markdown file and a JSON twin::

    .venv/bin/python -m bench.bench_transcripts      # defaults: best of 30 / 5, N = 10..200
    sh bench/setup_convokit.sh                       # once, for part 4 (a venv outside the repo)
"""

from __future__ import annotations

import copy
import gc
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import click
import numpy as np

from rapport.analyze_cli import (
    BatchResult,
    HtmlPageWriter,
    JsonSink,
    ModelChoice,
    jobs_for,
    load_labeller,
    run_batch,
)
from rapport.core.transcripts import (
    Conversation,
    Corpus,
    Role,
    Utterance,
    classifiers,
    language_style_matching,
    lsm_rolling,
    read_annomi,
    response_latencies,
    rupture_markers,
    talk_balance,
)
from rapport.core.transcripts.affect import affect
from rapport.core.transcripts.analysis import LSM_WINDOW, LabelSource, analyse
from rapport.core.transcripts.embeddings import (
    CachingEncoder,
    EmbeddingsUnavailable,
    load_encoder,
)
from rapport.core.transcripts.function_words import FUNCTION_WORDS
from rapport.core.transcripts.model import WORD_RE

TARGET_LEXICAL_MS = 50.0
# Memory: a summary row is about 0.1-0.4 KiB; the peak may grow a little between the two
# largest batches as one more demanding file turns up.
KEPT_PER_FILE_KIB = 1.0
PEAK_RATIO = 1.25
TARGET_CORPUS_S = 10.0
SESSION_WORDS = 9_000
WORDS_PER_SECOND = 2.5  # 150 words a minute: 9,000 words is an hour of talk
REPO = Path(__file__).resolve().parents[1]
DEFAULT_ANNOMI = REPO.parent / "shared" / "data" / "annomi" / "AnnoMI-simple.csv"
DEFAULT_CONVOKIT_PYTHON = REPO.parent / "bench-venvs" / "convokit" / "bin" / "python"

# PROJECT-AUTHORED lines for a synthetic session when AnnoMI is not available.
_THERAPIST_LINES = (
    "What would you like to talk about today?",
    "It sounds like the week has been hard for you.",
    "How did you manage when that happened?",
    "You are not sure it is worth trying again.",
    "What would be different if things went well?",
    "So on one hand you want a change, and on the other it feels risky.",
    "Tell me more about what you noticed then.",
    "I wonder what that was like for you.",
)
_CLIENT_LINES = (
    "I don't know, it has been a lot with work and my family.",
    "Mostly I just stayed in and did not answer my phone.",
    "I want to sleep better, that is the main thing.",
    "Maybe. I tried before and it did not last very long.",
    "I would feel less tired and I could see my friends again.",
    "Yes, that is it, I am scared of getting it wrong.",
    "Fine.",
    "I think I could try going to bed at the same time each night.",
)


# --- inputs -----------------------------------------------------------------------------------


def _annomi(path: Path) -> Corpus | None:
    return read_annomi(path) if path.is_file() else None


def _utterance_stream(corpus: Corpus | None, seed: int) -> Iterator[tuple[Role, str]]:
    """(role, text) pairs: AnnoMI's utterances in file order, repeated; or, without AnnoMI,
    project-written lines in a seeded order, therapist and client taking turns."""
    if corpus is not None:
        while True:
            for u in corpus.utterances():
                yield u.role, u.text
    rng = random.Random(seed)  # noqa: S311 - simulated data
    while True:
        yield Role.THERAPIST, rng.choice(_THERAPIST_LINES)
        yield Role.CLIENT, rng.choice(_CLIENT_LINES)


def build_session(
    corpus: Corpus | None, words: int = SESSION_WORDS, seed: int = 2026, offset: int = 0
) -> Conversation:
    """A session of at least ``words`` words with start/end times at 150 words a minute.

    ``offset`` skips that many utterances of the stream first, so files built with different
    offsets hold different talk of the same size.
    """
    stream = _utterance_stream(corpus, seed)
    for _ in range(offset):
        next(stream)
    utterances: list[Utterance] = []
    total, clock = 0, 0.0
    while total < words:
        role, text = next(stream)
        n = len(text.split())
        end = clock + max(n, 1) / WORDS_PER_SECOND
        speaker = "T" if role is Role.THERAPIST else "C"
        utterances.append(Utterance(len(utterances), speaker, role, text, clock, end))
        total += n
        clock = end + 0.6  # a short pause between turns
    return Conversation(f"session-{offset}", tuple(utterances), "bench")


def _write_text_transcript(conversation: Conversation, path: Path) -> None:
    path.write_text("".join(f"{u.speaker}: {u.text}\n" for u in conversation), encoding="utf-8")


# --- timing -----------------------------------------------------------------------------------


def _timed_runs[T](repeats: int, prepare: Callable[[], T], work: Callable[[T], Any]) -> list[float]:
    """Seconds of each of ``repeats`` runs of ``work`` on what ``prepare`` gives, prepared
    before the clock starts (with the garbage collector's state reset before each, as
    ``timeit`` does not)."""
    runs = []
    for _ in range(repeats):
        prepared = prepare()
        gc.collect()
        started = time.perf_counter()
        work(prepared)
        runs.append(time.perf_counter() - started)
    return runs


def best_of(repeats: int, work: Callable[[], Any]) -> list[float]:
    """Seconds of each of ``repeats`` runs of ``work``."""
    return _timed_runs(repeats, lambda: None, lambda _: work())


def best_of_fresh(
    repeats: int, conversations: Sequence[Conversation], work: Callable[[list[Conversation]], Any]
) -> list[float]:
    """As :func:`best_of`, but each run works on new copies of ``conversations``, made before
    its clock starts: utterances keep their words once tokenised, and a batch of transcripts
    just read has none kept, so no run may reuse an earlier run's."""
    return _timed_runs(repeats, lambda: [copy.deepcopy(c) for c in conversations], work)


def lexical_markers(conversation: Conversation) -> None:
    """Every marker that needs no model and no sentiment lexicon."""
    talk_balance(conversation)
    response_latencies(conversation)
    language_style_matching(conversation)
    lsm_rolling(conversation, LSM_WINDOW)
    rupture_markers(conversation)


@dataclass
class LexicalResult:
    words: int
    utterances: int
    minutes: float
    source: str
    lexical: list[float]
    affect: list[float]
    analyse_all: list[float]
    parts: dict[str, float]


def measure_lexical(corpus: Corpus | None, repeats: int) -> LexicalResult:
    session = build_session(corpus)

    def timed(work: Callable[[Conversation], Any]) -> list[float]:
        return best_of_fresh(repeats, [session], lambda copies: work(copies[0]))

    parts = {
        "talk balance + latencies": min(timed(lambda c: (talk_balance(c), response_latencies(c)))),
        "session LSM": min(timed(language_style_matching)),
        "rolling LSM": min(timed(lambda c: lsm_rolling(c, LSM_WINDOW))),
        "rupture markers": min(timed(rupture_markers)),
    }
    return LexicalResult(
        words=sum(len(u.text.split()) for u in session),
        utterances=len(session),
        minutes=(session.utterances[-1].end or 0) / 60,
        source="AnnoMI utterances in file order" if corpus else "project-written sentences",
        lexical=timed(lexical_markers),
        affect=timed(affect),
        analyse_all=timed(analyse),
        parts=parts,
    )


# --- the AnnoMI development set ---------------------------------------------------------------


@dataclass
class CorpusResult:
    conversations: int
    utterances: int
    runs: list[float]
    labeller: str
    train_seconds: float | None
    keys: list[str]


def _labeller(corpus: Corpus, model_dir: Path | None) -> tuple[LabelSource, str, float]:
    """The trained classifier, a description, and the seconds training took (not part of the
    timing): the one in ``model_dir``; else the default model ``rapport model train`` saved;
    else one trained here on the corpus.
    """
    if model_dir is not None:
        return classifiers.load_classifier(model_dir).predict, f"loaded from {model_dir}", 0.0
    default = classifiers.load_default_classifier()
    if default is not None:
        return default.predict, "the default model saved by `rapport model train`", 0.0
    started = time.perf_counter()
    model = classifiers.train(corpus)
    seconds = time.perf_counter() - started
    return model.predict, "trained in this run on the same transcripts", seconds


def _embedding_labeller(corpus: Corpus) -> tuple[LabelSource, str, float]:
    """A classifier trained here with sentence embeddings, saved and loaded again, so the
    timing embeds every utterance afresh (training's cache of embeddings is not kept)."""
    started = time.perf_counter()
    model = classifiers.train(corpus, encoder=CachingEncoder(load_encoder()))
    seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        model.save(Path(folder))
        loaded = classifiers.load_classifier(Path(folder))
    description = "trained in this run with all-MiniLM-L6-v2 sentence embeddings (NumPy, CPU)"
    return loaded.predict, description, seconds


def measure_corpus(
    corpus: Corpus, repeats: int, model_dir: Path | None, *, embedded: bool = False
) -> CorpusResult:
    if embedded:
        labeller, description, train_seconds = _embedding_labeller(corpus)
    else:
        labeller, description, train_seconds = _labeller(corpus, model_dir)
    conversations = list(corpus)
    keys: list[str] = []

    def work(batch: list[Conversation]) -> None:
        nonlocal keys
        for c in batch:
            # The result is dropped at once, as the batch command writes and drops it.
            keys = sorted(analyse(c, labeller).to_dict())

    runs = best_of_fresh(repeats, conversations, work)
    return CorpusResult(
        conversations=len(conversations),
        utterances=sum(len(c) for c in conversations),
        runs=runs,
        labeller=description,
        train_seconds=train_seconds or None,
        keys=keys,
    )


@dataclass
class EncoderFloor:
    """The least time the encoder's dense layers can take on the corpus on this machine."""

    word_pieces: int
    flops_per_word_piece: int
    gemm_gflops: float  # this machine's BLAS at the encoder's batch shape
    floor_seconds: float


def measure_encoder_floor(corpus: Corpus, repeats: int) -> EncoderFloor:
    """Count the corpus's word pieces and time one of the encoder's matrix products (a batch of
    64 word pieces through the 384x1536 feed-forward layer): whatever the code around it, the
    encoder needs at least pieces x operations / rate seconds."""
    encoder = load_encoder()
    pieces = sum(encoder.word_pieces([u.text for c in corpus for u in c]))
    rng = np.random.default_rng(2026)
    x = rng.standard_normal((64, 384), dtype=np.float32)
    w = rng.standard_normal((384, 1536), dtype=np.float32)
    products = 200
    best = min(best_of(repeats, lambda: [x @ w for _ in range(products)]))
    gflops = 2 * x.shape[0] * w.size * products / best / 1e9
    flops = encoder.flops_per_word_piece
    return EncoderFloor(pieces, flops, gflops, pieces * flops / (gflops * 1e9))


# --- memory in a batch ------------------------------------------------------------------------


def _rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mib() -> float | None:
    """Resident memory now (Linux ``/proc``; None elsewhere). Unlike the peak, it is not hidden
    by a larger high-water mark left by imports."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def run_memory_child(folder: Path, n_files: int) -> dict[str, Any]:
    """Run the batch over the first ``n_files`` files of ``folder``; called in a fresh process
    per N so that peak RSS belongs to that batch alone."""
    files = sorted(folder.glob("*.txt"))[:n_files]
    jobs = list(jobs_for(files, {}))
    with tempfile.TemporaryDirectory(prefix="rapport-bench-out-") as tmp:
        out = Path(tmp)

        def batch(chosen: Sequence[Any]) -> BatchResult:
            with (
                (out / "all.json").open("w", encoding="utf-8") as js,
                (out / "all.html").open("w", encoding="utf-8") as page,
            ):
                sinks = [JsonSink(js, lines=False), HtmlPageWriter(page, "bench")]
                result = run_batch(chosen, sinks=sinks)
            assert result.failed == 0, [r.error for r in result.rows if r.error]
            return result

        batch(jobs[:2])  # warm-up: imports, Django templates, the VADER lexicon, the model
        gc.collect()
        baseline, current_before = _rss_mib(), _current_rss_mib()
        started = time.perf_counter()
        batch(jobs)
        seconds = time.perf_counter() - started
        peak, current_after = _rss_mib(), _current_rss_mib()
        gc.collect()
        tracemalloc.start()
        result = batch(jobs)
        gc.collect()
        kept, traced_peak = tracemalloc.get_traced_memory()  # kept: alive with the result held
        tracemalloc.stop()
        del result
        return {
            "files": len(files),
            "labelled_by": "the default trained model"
            if load_labeller(ModelChoice()) is not None
            else "no model (lexical markers only)",
            "kept_kib": kept / 2**10,
            "seconds": seconds,
            "baseline_rss_mib": baseline,
            "peak_rss_mib": peak,
            "rss_growth_mib": peak - baseline,
            "current_rss_before_mib": current_before,
            "current_rss_after_mib": current_after,
            "tracemalloc_peak_mib": traced_peak / 2**20,
            "json_mib": (out / "all.json").stat().st_size / 2**20,
            "html_mib": (out / "all.html").stat().st_size / 2**20,
        }


def measure_memory(corpus: Corpus | None, sizes: Sequence[int], words: int) -> list[dict[str, Any]]:
    """Generate max(sizes) transcript files of ``words`` words each (distinct talk, same size)
    in a temporary folder, then run :func:`run_memory_child` once per size in a new process."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="rapport-bench-files-") as tmp:
        folder = Path(tmp)
        for i in range(max(sizes)):
            session = build_session(corpus, words=words, offset=37 * i)
            _write_text_transcript(session, folder / f"session-{i:04d}.txt")
        for n in sizes:
            answer = subprocess.run(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "bench.bench_transcripts",
                    "--memory-child",
                    f"{folder}:{n}",
                ],
                capture_output=True,
                text=True,
                check=True,
                cwd=REPO,
            )
            rows.append(json.loads(answer.stdout.strip().splitlines()[-1]))
    return rows


# --- ConvoKit ---------------------------------------------------------------------------------


def measure_convokit(corpus: Corpus, repeats: int, python: Path) -> dict[str, Any]:
    """Rapport's session LSM and ConvoKit's side (a subprocess in ConvoKit's venv) on the same
    transcripts; the ratio of times and the agreement of values."""
    conversations = list(corpus)
    ours_runs = best_of_fresh(
        repeats, conversations, lambda batch: [language_style_matching(c) for c in batch]
    )
    ours = {c.id: language_style_matching(c) for c in conversations}
    result: dict[str, Any] = {"ours_seconds": ours_runs, "conversations": len(conversations)}
    if not python.is_file():
        result["skipped"] = (
            f"ConvoKit not installed (no {python}): run `bench/setup_convokit.sh`, or pass "
            "--convokit-python."
        )
        return result
    request = {
        "repeats": repeats,
        "word_re": WORD_RE.pattern,
        "function_words": {c: sorted(ws) for c, ws in FUNCTION_WORDS.items()},
        "conversations": [
            {"id": c.id, "utterances": [{"role": u.role.value, "text": u.text} for u in c]}
            for c in conversations
        ],
    }
    answer = subprocess.run(  # noqa: S603 - the venv's interpreter and our script
        [str(python), str(REPO / "bench" / "convokit_side.py")],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    if answer.returncode != 0:
        result["skipped"] = f"ConvoKit side failed: {answer.stderr.strip()[-500:]}"
        return result
    try:
        theirs = json.loads(answer.stdout)
    except json.JSONDecodeError:  # e.g. the side was killed mid-write: report, don't crash
        result["skipped"] = (
            f"ConvoKit side gave no JSON (exit {answer.returncode}): "
            f"{(answer.stderr or answer.stdout).strip()[-500:] or 'no output'}"
        )
        return result
    result["convokit"] = {k: v for k, v in theirs.items() if k not in {"coordination", "lsm"}}
    ids = [c.id for c in conversations]
    lsm_pairs = [(ours[i], theirs["lsm"][i]) for i in ids if theirs["lsm"].get(i) is not None]
    result["lsm_max_abs_difference"] = max(abs(a - b) for a, b in lsm_pairs)
    result["lsm_compared"] = len(lsm_pairs)
    for direction in ("therapist_to_client", "client_to_therapist"):
        pairs = [
            (ours[i], theirs["coordination"][i][direction])
            for i in ids
            if theirs["coordination"].get(i, {}).get(direction) is not None
        ]
        result[f"coordination_{direction}"] = {
            "scored": len(pairs),
            "mean": statistics.fmean(b for _, b in pairs) if pairs else None,
            "spearman_with_lsm": _spearman(pairs),
        }
    best_ours = min(ours_runs)
    result["ratio_coordination_to_ours"] = min(theirs["coordination_seconds"]) / best_ours
    result["ratio_convokit_lsm_to_ours"] = min(theirs["lsm_seconds"]) / best_ours
    result["ratio_convokit_build_plus_lsm_to_ours"] = (
        min(theirs["build_seconds"]) + min(theirs["lsm_seconds"])
    ) / best_ours
    return result


def _spearman(pairs: Sequence[tuple[float, float]]) -> float | None:
    if len(pairs) < 3:
        return None
    from scipy.stats import spearmanr  # noqa: PLC0415 - only here

    rho = spearmanr([a for a, _ in pairs], [b for _, b in pairs]).statistic
    return float(rho)


# --- the report -------------------------------------------------------------------------------


def _git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f} ms"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _blas_threads() -> int:
    """Threads NumPy's BLAS may use (the one part of the benchmark that is not one core)."""
    from threadpoolctl import threadpool_info  # noqa: PLC0415 - scikit-learn's dependency

    return max((pool["num_threads"] for pool in threadpool_info()), default=1)


def _machine() -> str:
    return (
        f"Machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs visible (timings use one, but for the embedding encoder's "
        f"BLAS). Rapport commit {_git_commit()}; "
        f"vaderSentiment {version('vaderSentiment')}, scikit-learn {version('scikit-learn')}."
    )


def _lexical_section(lex: LexicalResult) -> list[str]:
    best = min(lex.lexical)
    lines = [
        "## 1. Lexical markers of a one-hour session",
        "",
        f"A {lex.words:,}-word session ({lex.utterances} utterances, {lex.minutes:.0f} minutes "
        f"at 150 words a minute) built from {lex.source}. Lexical markers: talk balance, "
        "response latencies, session LSM, rolling LSM (window "
        f"{LSM_WINDOW}) and rupture markers.",
        "",
        f"Best and median of {len(lex.lexical)} runs each.",
        "",
        "| Measure | Best | Median | Target | Result |",
        "|---|---|---|---|---|",
        f"| Lexical markers | {_ms(best)} | {_ms(statistics.median(lex.lexical))} | "
        f"< {TARGET_LEXICAL_MS:.0f} ms | {_verdict(1000 * best < TARGET_LEXICAL_MS)} |",
    ]
    lines += [f"| … {name} | {_ms(s)} | | | |" for name, s in lex.parts.items()]
    lines.append(
        f"| Affect (VADER, every utterance; timed separately) | {_ms(min(lex.affect))} | "
        f"{_ms(statistics.median(lex.affect))} | | |"
    )
    lines.append(
        f"| `analyse()` without a model (everything the session report holds) | "
        f"{_ms(min(lex.analyse_all))} | {_ms(statistics.median(lex.analyse_all))} | | |"
    )
    return [*lines, ""]


def _corpus_section(
    result: CorpusResult | None,
    title: str,
    missing: str = "AnnoMI is not present (pass --annomi PATH)",
) -> list[str]:
    lines = [f"## {title}", ""]
    if result is None:
        return [*lines, f"Not run: {missing}.", ""]
    best = min(result.runs)
    lines += [
        f"{result.conversations} transcripts, {result.utterances:,} utterances, through "
        "`analyse()` (every marker it computes: "
        f"{', '.join(k for k in result.keys if k not in {'schema', 'conversation'})}). "
        f"Classifier: {result.labeller}.",
        "",
        "| Measure | Value | Target | Result |",
        "|---|---|---|---|",
        f"| Best of {len(result.runs)} runs | {best:.3f} s | < {TARGET_CORPUS_S:.0f} s | "
        f"{_verdict(best < TARGET_CORPUS_S)} |",
        f"| All runs | {', '.join(f'{r:.3f}' for r in result.runs)} s | | |",
        f"| Per transcript | {_ms(best / result.conversations)} | | |",
    ]
    if result.train_seconds is not None:
        lines.append(
            f"| Training the classifier (not timed above) | {result.train_seconds:.2f} s | | |"
        )
    return [*lines, ""]


def _floor_lines(floor: EncoderFloor | None) -> list[str]:
    if floor is None:
        return []
    needed = floor.word_pieces * floor.flops_per_word_piece / TARGET_CORPUS_S / 1e9
    return [
        f"Why the encoder cannot meet {TARGET_CORPUS_S:.0f} s here: the transcripts are "
        f"{floor.word_pieces:,} word pieces, and each costs "
        f"{floor.flops_per_word_piece / 1e6:.1f} million floating-point operations in the "
        "encoder's dense layers alone, "
        f"{floor.word_pieces * floor.flops_per_word_piece / 1e12:.2f} TFLOP in all. This "
        "machine's BLAS runs the encoder's largest product (64 word pieces by the 384x1536 "
        f"feed-forward layer) at {floor.gemm_gflops:.0f} GFLOP/s, so the encoder needs at least "
        f"{floor.floor_seconds:.1f} s however its code is arranged; {TARGET_CORPUS_S:.0f} s "
        f"would need {needed:.0f} GFLOP/s.",
        "",
    ]


def _mib(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} MiB"


def _memory_section(rows: list[dict[str, Any]], words: int) -> list[str]:
    lines = [
        "## 3. Memory in a batch",
        "",
        f"`rapport analyze`'s batch path (`run_batch` with the streaming JSON and one-page HTML "
        f"writers, one process) over N generated {words:,}-word text transcripts, each N in a "
        "fresh process after a two-file warm-up (which loads the libraries: scikit-learn for the "
        "optional classifier, Django's templates, VADER). Peak RSS growth is the high-water "
        "mark above the warmed-up one (imports may hide a smaller batch peak, so the resident "
        "memory after the batch is shown too); the tracemalloc peak is the most Python memory "
        "alive at once during a second run of the same batch.",
        "",
        "| Files | Time | RSS before | RSS after | Peak RSS growth | tracemalloc peak | "
        "JSON written | HTML written |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['files']} | {r['seconds']:.2f} s | {_mib(r['current_rss_before_mib'])} | "
            f"{_mib(r['current_rss_after_mib'])} | {r['rss_growth_mib']:.1f} MiB | "
            f"{r['tracemalloc_peak_mib']:.2f} MiB | {r['json_mib']:.1f} MiB | "
            f"{r['html_mib']:.1f} MiB |"
        )
    if len(rows) >= 2:
        first, last = rows[0], rows[-1]
        # The peak is what the most demanding file needs, so it rises while a bigger batch
        # meets bigger files; flat means it has stopped rising between the two largest batches.
        before_last = rows[-2]
        ratio = last["tracemalloc_peak_mib"] / before_last["tracemalloc_peak_mib"]
        kept = [
            r["current_rss_after_mib"] - r["current_rss_before_mib"]
            for r in (first, last)
            if r["current_rss_after_mib"] is not None and r["current_rss_before_mib"] is not None
        ]
        more_kept = kept[-1] - kept[0] if len(kept) == 2 else 0.0
        per_file = (last["kept_kib"] - first["kept_kib"]) / (last["files"] - first["files"])
        flat = (
            per_file < KEPT_PER_FILE_KIB
            and ratio < PEAK_RATIO
            and last["rss_growth_mib"] - first["rss_growth_mib"] < 10
            and more_kept < 10
        )
        lines += [
            "",
            f"Files labelled by {first['labelled_by']}. From {first['files']} to "
            f"{last['files']} files ({last['files'] / first['files']:.0f}x the work) the batch "
            f"keeps {per_file:.2f} KiB more Python memory per file (its summary row for the "
            f"table), the tracemalloc peak changes {ratio:.2f}x from {before_last['files']} to "
            f"{last['files']} files, peak RSS growth by "
            f"{last['rss_growth_mib'] - first['rss_growth_mib']:+.1f} MiB and the memory a "
            f"batch leaves resident by {more_kept:+.1f} MiB: "
            f"**{'flat' if flat else 'NOT flat'}** ({_verdict(flat)}; flat means under "
            f"{KEPT_PER_FILE_KIB:g} KiB kept per file, a peak that grows under {PEAK_RATIO:g}x "
            "between the two largest batches, and under 10 MiB more resident). The peak is what "
            "the most demanding file needs while it is analysed, so it rises while a bigger "
            "batch meets bigger files, then levels off.",
        ]
    return [*lines, ""]


def _convokit_section(result: dict[str, Any] | None) -> list[str]:
    lines = ["## 4. Compared with ConvoKit", ""]
    if result is None:
        return [*lines, "AnnoMI is not present; pass --annomi PATH to run this part.", ""]
    ours = min(result["ours_seconds"])
    lines += [
        f"The same {result['conversations']} AnnoMI transcripts, in the same run. Rapport: "
        f"session LSM of every transcript, best {_ms(ours)}.",
        "",
    ]
    if "skipped" in result:
        return [*lines, result["skipped"], ""]
    ck = result["convokit"]
    t2c, c2t = (
        result["coordination_therapist_to_client"],
        result["coordination_client_to_therapist"],
    )

    def rho(d: dict[str, Any]) -> str:
        return "–" if d["spearman_with_lsm"] is None else f"{d['spearman_with_lsm']:+.2f}"

    lines += [
        f"ConvoKit {ck['convokit_version']} (Python {ck['python']}, its own venv, installed "
        "without its torch-pulling dependencies by `bench/setup_convokit.sh`).",
        "",
        "| Computation | Best time | ConvoKit / Rapport |",
        "|---|---|---|",
        f"| Rapport: session LSM, {result['conversations']} transcripts | {_ms(ours)} | 1 |",
        f"| ConvoKit: building its `Corpus` | {_ms(min(ck['build_seconds']))} | |",
        f"| ConvoKit: `Coordination` fit + transform | {_ms(min(ck['coordination_seconds']))} | "
        f"{result['ratio_coordination_to_ours']:.1f}x |",
        f"| ConvoKit corpus: LSM with Rapport's word lists | {_ms(min(ck['lsm_seconds']))} | "
        f"{result['ratio_convokit_lsm_to_ours']:.2f}x "
        f"({result['ratio_convokit_build_plus_lsm_to_ours']:.1f}x with building the corpus) |",
        "",
        f"Agreement: LSM over ConvoKit's objects matches Rapport's on all "
        f"{result['lsm_compared']} transcripts (largest difference "
        f"{result['lsm_max_abs_difference']:.1e}). ConvoKit's coordination "
        "(Danescu-Niculescu-Mizil et al. 2012) is a different measure: how much more often a "
        "speaker uses a function-word category when the turn they answer used it, a difference "
        "of probabilities over ConvoKit's eight LIWC-derived markers, where LSM compares "
        "whole-session rates of nine categories. Its scores (mean therapist-to-client "
        f"{t2c['mean']:+.3f} over {t2c['scored']} transcripts, client-to-therapist "
        f"{c2t['mean']:+.3f} over {c2t['scored']}) rank transcripts "
        f"with Spearman ρ = {rho(t2c)} (therapist to client) and {rho(c2t)} (client to "
        "therapist) against session LSM: the two should not be read as the same thing.",
    ]
    return [*lines, ""]


def _report(
    command: str,
    *,
    lex: LexicalResult,
    corpus: CorpusResult | None,
    embedded: CorpusResult | None,
    floor: EncoderFloor | None,
    memory: list[dict[str, Any]],
    memory_words: int,
    convokit: dict[str, Any] | None,
) -> str:
    return "\n".join(
        [
            "# Transcript analysis benchmark",
            "",
            f"Generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `{command}`.",
            "",
            *_lexical_section(lex),
            *_corpus_section(corpus, "2. The AnnoMI development set through every marker"),
            *_corpus_section(
                embedded,
                "2b. The same with the optional embedding classifier (the target is for the "
                f"lexical one above; this says what embeddings cost; NumPy's BLAS may use "
                f"{_blas_threads()} threads for the encoder's matrix products)",
                "AnnoMI is not present (pass --annomi PATH)"
                if corpus is None
                else "the embedding model is not installed (`make embeddings`)",
            ),
            *_floor_lines(floor),
            *_memory_section(memory, memory_words),
            *_convokit_section(convokit),
            _machine(),
            "",
        ]
    )


@click.command()
@click.option(
    "--annomi",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_ANNOMI,
    show_default=True,
    help="AnnoMI-simple.csv (parts 2 and 4 need it; part 1 falls back to project sentences).",
)
@click.option(
    "--repeats",
    default=5,
    show_default=True,
    type=click.IntRange(min=1),
    help="Runs of the AnnoMI and ConvoKit timings (best is reported).",
)
@click.option(
    "--lexical-repeats",
    default=30,
    show_default=True,
    type=click.IntRange(min=1),
    help="Runs of each one-session timing (tens of milliseconds each, so more of them).",
)
@click.option(
    "--sizes",
    default="10,50,100,200",
    show_default=True,
    help="Numbers of files for the memory part, comma-separated.",
)
@click.option("--memory-words", default=1_500, show_default=True, type=click.IntRange(min=50))
@click.option(
    "--model",
    "model_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A saved classifier to load instead of training one in the run.",
)
@click.option(
    "--convokit-python",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONVOKIT_PYTHON,
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("bench/results/transcripts.md"),
    show_default=True,
)
@click.option("--memory-child", hidden=True, help="FOLDER:N (internal: one memory run).")
def main(  # noqa: PLR0917 - click passes every option
    annomi: Path,
    repeats: int,
    lexical_repeats: int,
    sizes: str,
    memory_words: int,
    model_dir: Path | None,
    convokit_python: Path,
    output: Path,
    memory_child: str | None,
) -> None:
    """Time the transcript markers and check a batch's memory; write the results."""
    if memory_child:
        folder, _, n = memory_child.rpartition(":")
        click.echo(json.dumps(run_memory_child(Path(folder), int(n))))
        return
    try:
        counts = sorted({int(s) for s in sizes.split(",") if s.strip()})
    except ValueError:
        raise click.BadParameter(f"{sizes!r}: use whole numbers, e.g. 10,50,100,200") from None
    corpus = _annomi(annomi)
    click.echo("1/4 lexical markers of a one-hour session…", err=True)
    lex = measure_lexical(corpus, lexical_repeats)
    click.echo("2/4 the AnnoMI development set…", err=True)
    corpus_result = measure_corpus(corpus, repeats, model_dir) if corpus else None
    embedded_result, floor = None, None
    if corpus is not None:
        click.echo("2b/4 the same with the embedding classifier (one run)…", err=True)
        try:
            embedded_result = measure_corpus(corpus, 1, None, embedded=True)
            floor = measure_encoder_floor(corpus, repeats)
        except EmbeddingsUnavailable as exc:
            click.echo(f"Skipped: {exc}", err=True)
    click.echo(f"3/4 memory over {counts} files…", err=True)
    memory = measure_memory(corpus, counts, memory_words)
    click.echo("4/4 ConvoKit comparison…", err=True)
    convokit = measure_convokit(corpus, repeats, convokit_python) if corpus else None

    command = (
        f".venv/bin/python -m bench.bench_transcripts --repeats {repeats} "
        f"--lexical-repeats {lexical_repeats} --sizes {sizes} --memory-words {memory_words}"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        _report(
            command,
            lex=lex,
            corpus=corpus_result,
            embedded=embedded_result,
            floor=floor,
            memory=memory,
            memory_words=memory_words,
            convokit=convokit,
        ),
        encoding="utf-8",
    )
    payload = {
        "command": command,
        "lexical": {**lex.__dict__, "target_ms": TARGET_LEXICAL_MS},
        "annomi": None
        if corpus_result is None
        else {**corpus_result.__dict__, "target_seconds": TARGET_CORPUS_S},
        "annomi_with_embeddings": None
        if embedded_result is None
        else {**embedded_result.__dict__, "target_seconds": TARGET_CORPUS_S},
        "encoder_floor": None if floor is None else floor.__dict__,
        "memory": {"words_per_file": memory_words, "runs": memory},
        "convokit": convokit,
        "machine": _machine(),
    }
    output.with_suffix(".json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
    click.echo(
        f"lexical best {_ms(min(lex.lexical))} (target < {TARGET_LEXICAL_MS:.0f} ms); "
        + (
            f"AnnoMI best {min(corpus_result.runs):.3f} s (target < {TARGET_CORPUS_S:.0f} s); "
            if corpus_result
            else ""
        )
        + f"wrote {output}"
    )


if __name__ == "__main__":
    main()
