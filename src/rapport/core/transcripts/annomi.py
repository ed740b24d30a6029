"""Read AnnoMI, expert-annotated motivational-interviewing transcripts, into a Corpus.

Wu Z, Balloccu S, Kumar V, et al. Anno-MI: A Dataset of Expert-Annotated Counselling Dialogues.
ICASSP 2022, doi:10.1109/ICASSP43922.2022.9746035; and Wu et al. Creation, Analysis and
Evaluation of AnnoMI. Future Internet. 2023;15(3):110, doi:10.3390/fi15030110.

Reads ``AnnoMI-simple.csv`` (one row per utterance, main labels). The data has no licence that
allows redistribution, so Rapport never ships it: callers pass the path of their own download.
Each utterance keeps its labels (``main_therapist_behaviour``, ``client_talk_type``; ``n/a``
dropped) and each conversation its ``mi_quality`` (``high``/``low``) and ``topic`` in ``meta``.
A mistyped timestamp leaves that utterance's ``start`` as None.

The simple file has no subtypes. Given ``full=`` (``AnnoMI-full.csv``, one row per utterance
and annotator), therapist utterances also get ``reflection_subtype`` (simple/complex) and
``question_subtype`` (open/closed): the majority of the annotators who gave one, as the simple
file's main labels are the annotators' majority; an even split leaves the subtype out.
:func:`find_annomi` accepts the download folder or either file and finds both.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapport.core.transcripts.labels import majority_vote
from rapport.core.transcripts.model import Conversation, Corpus, Role, TranscriptError, Utterance
from rapport.core.transcripts.parsing import parse_timestamp

__all__ = [
    "LABEL_COLUMNS",
    "SUBTYPE_COLUMNS",
    "AnnomiFiles",
    "find_annomi",
    "read_annomi",
    "read_expert_votes",
]

LABEL_COLUMNS = ("main_therapist_behaviour", "client_talk_type")
_REQUIRED = ("transcript_id", "utterance_id", "interlocutor", "utterance_text", "mi_quality")
_ROLES = {"therapist": Role.THERAPIST, "client": Role.CLIENT}
_META = ("mi_quality", "topic", "video_title", "video_url")
SUBTYPE_COLUMNS = ("reflection_subtype", "question_subtype")
SIMPLE_NAME, FULL_NAME = "AnnoMI-simple.csv", "AnnoMI-full.csv"


@dataclass(frozen=True, slots=True)
class AnnomiFiles:
    """The AnnoMI files of one download: the simple file, and the full one when present."""

    simple: Path
    full: Path | None


def find_annomi(path: str | Path) -> AnnomiFiles:
    """The AnnoMI files at ``path``: a folder holding ``AnnoMI-simple.csv`` (and perhaps
    ``AnnoMI-full.csv``), or one of those files (the other is looked for beside it)."""
    p = Path(path)
    if p.is_dir():
        folder, simple = p, p / SIMPLE_NAME
    elif p.is_file():
        folder, simple = p.parent, p if p.name != FULL_NAME else p.parent / SIMPLE_NAME
    else:
        raise TranscriptError(f"{p}: no such file or folder.")
    if not simple.is_file():
        raise TranscriptError(f"{folder}: no {SIMPLE_NAME} there.")
    full = folder / FULL_NAME
    return AnnomiFiles(simple, full if full.is_file() else None)


def _text(row: dict[str, str]) -> str:
    """An utterance's words as the corpus keeps them: runs of whitespace made one space."""
    return " ".join(row["utterance_text"].split())


def _annomi_rows(
    path: Path, needed: Sequence[str], kind: str
) -> Iterator[tuple[int, dict[str, str], tuple[str, int]]]:
    """Each data row of an AnnoMI CSV file as (line, row, (transcript_id, utterance_id)); a
    missing column, a broken file or a non-numeric utterance id raises TranscriptError."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in needed if c not in (reader.fieldnames or [])]
            if missing:
                raise TranscriptError(
                    f"{path.name}, line 1: not {kind}; missing columns: {', '.join(missing)}."
                )
            for row in reader:
                try:
                    key = (row["transcript_id"].strip(), int(row["utterance_id"]))
                except ValueError:
                    raise TranscriptError(
                        f"{path.name}, line {reader.line_num}: utterance_id "
                        f"{row['utterance_id']!r} is not a whole number."
                    ) from None
                yield reader.line_num, row, key
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise TranscriptError(f"{path.name}: cannot be read as {kind} ({exc}).") from None


def _read_subtypes(path: Path) -> dict[tuple[str, int], dict[str, str]]:
    """(transcript_id, utterance_id) -> the majority subtypes in AnnoMI-full.csv."""
    votes: dict[tuple[str, int], dict[str, list[str]]] = defaultdict(
        lambda: {c: [] for c in SUBTYPE_COLUMNS}
    )
    needed = ("transcript_id", "utterance_id", *SUBTYPE_COLUMNS)
    for _, row, key in _annomi_rows(path, needed, "AnnoMI-full"):
        for c in SUBTYPE_COLUMNS:
            value = (row.get(c) or "").strip()
            if value and value != "n/a":
                votes[key][c].append(value)
    found: dict[tuple[str, int], dict[str, str]] = {}
    for key, by_column in votes.items():
        chosen = {c: majority_vote(v) for c, v in by_column.items()}
        found[key] = {c: v for c, v in chosen.items() if v is not None}
    return found


def read_expert_votes(
    full: str | Path, corpus: Corpus
) -> dict[str, dict[tuple[str, int], dict[str, str]]]:
    """Each expert's own main label of the ``corpus`` utterances that two or more experts coded
    in ``AnnoMI-full.csv``: label column -> (conversation id, utterance index) -> annotator id
    -> label, for the :data:`LABEL_COLUMNS` (``n/a`` dropped).

    A row is matched to the corpus by its transcript and the rank of its ``utterance_id`` (as
    :func:`read_annomi` orders utterances), and kept only when its text is that utterance's:
    a full file from another download never lends its votes to the wrong utterance.
    """
    path = Path(full)
    needed = ("transcript_id", "utterance_id", "annotator_id", "utterance_text", *LABEL_COLUMNS)
    rows: dict[tuple[str, int], list[dict[str, str]]] = defaultdict(list)
    for _, row, key in _annomi_rows(path, needed, "AnnoMI-full"):
        rows[key].append(row)
    ranks: dict[str, list[int]] = defaultdict(list)
    for tid, order in sorted(rows):
        ranks[tid].append(order)
    by_id = {c.id: c for c in corpus}
    found: dict[str, dict[tuple[str, int], dict[str, str]]] = {c: {} for c in LABEL_COLUMNS}
    for tid, orders in ranks.items():
        conversation = by_id.get(tid)
        if conversation is None or len(conversation) != len(orders):
            continue
        for index, order in enumerate(orders):
            coded = rows[(tid, order)]
            text = conversation.utterances[index].text
            if len(coded) < 2 or any(_text(r) != text for r in coded):
                continue
            for column in LABEL_COLUMNS:
                labels = {
                    r["annotator_id"].strip(): r[column].strip()
                    for r in coded
                    if r[column].strip() not in {"", "n/a"}
                }
                if len(labels) >= 2:
                    found[column][(tid, index)] = labels
    return found


def _start(value: str | None) -> float | None:
    # A few AnnoMI timestamps are mistyped (e.g. "00:09:025"); the utterance then has no time
    # rather than the whole corpus failing to load.
    try:
        return parse_timestamp(value) if value else None
    except ValueError:
        return None


def read_annomi(path: str | Path, *, full: str | Path | None = None) -> Corpus:
    """A Corpus of AnnoMI transcripts, conversation id = ``transcript_id``, in file order.

    With ``full`` (the path of ``AnnoMI-full.csv``), therapist utterances also carry the
    annotators' majority ``reflection_subtype`` / ``question_subtype``.
    """
    p = Path(path)
    source = p.name
    subtypes = _read_subtypes(Path(full)) if full is not None else {}
    rows: dict[str, list[tuple[int, Utterance]]] = defaultdict(list)
    meta: dict[str, dict[str, str]] = {}
    for line, row, (tid, order) in _annomi_rows(p, _REQUIRED, "an AnnoMI file"):
        role = _ROLES.get(row["interlocutor"].strip().casefold())
        if role is None:
            raise TranscriptError(
                f"{source}, line {line}: interlocutor {row['interlocutor']!r} is neither "
                "'therapist' nor 'client'."
            )
        labels = {
            c: row[c].strip()
            for c in LABEL_COLUMNS
            if row.get(c) and row[c].strip() not in {"", "n/a"}
        }
        if role is Role.THERAPIST:
            labels |= subtypes.get((tid, order), {})
        text = _text(row)
        start = _start(row.get("timestamp"))
        rows[tid].append((order, Utterance(0, role.value, role, text, start, None, labels)))
        meta.setdefault(tid, {k: row[k].strip() for k in _META if row.get(k)})
    if not rows:
        raise TranscriptError(f"{source}: no utterances.")
    conversations = []
    for tid, ordered in rows.items():
        ordered.sort(key=lambda pair: pair[0])
        utterances = tuple(
            Utterance(i, u.speaker, u.role, u.text, u.start, None, u.labels)
            for i, (_, u) in enumerate(ordered)
        )
        conversations.append(Conversation(tid, utterances, source, meta[tid]))
    return Corpus(conversations)
