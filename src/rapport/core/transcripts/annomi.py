"""Read AnnoMI, expert-annotated motivational-interviewing transcripts, into a Corpus.

Wu Z, Balloccu S, Kumar V, et al. Anno-MI: A Dataset of Expert-Annotated Counselling Dialogues.
ICASSP 2022, doi:10.1109/ICASSP43922.2022.9746035; and Wu et al. Creation, Analysis and
Evaluation of AnnoMI. Future Internet. 2023;15(3):110, doi:10.3390/fi15030110.

Reads ``AnnoMI-simple.csv`` (one row per utterance, main labels). The data has no licence that
allows redistribution, so Rapport never ships it: callers pass the path of their own download.
Each utterance keeps its labels (``main_therapist_behaviour``, ``client_talk_type``; ``n/a``
dropped) and each conversation its ``mi_quality`` (``high``/``low``) and ``topic`` in ``meta``.
A mistyped timestamp leaves that utterance's ``start`` as None.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from rapport.core.transcripts.model import Conversation, Corpus, Role, TranscriptError, Utterance
from rapport.core.transcripts.parsing import parse_timestamp

__all__ = ["LABEL_COLUMNS", "read_annomi"]

LABEL_COLUMNS = ("main_therapist_behaviour", "client_talk_type")
_REQUIRED = ("transcript_id", "utterance_id", "interlocutor", "utterance_text", "mi_quality")
_ROLES = {"therapist": Role.THERAPIST, "client": Role.CLIENT}
_META = ("mi_quality", "topic", "video_title", "video_url")


def _start(value: str | None) -> float | None:
    # A few AnnoMI timestamps are mistyped (e.g. "00:09:025"); the utterance then has no time
    # rather than the whole corpus failing to load.
    try:
        return parse_timestamp(value) if value else None
    except ValueError:
        return None


def read_annomi(path: str | Path) -> Corpus:
    """A Corpus of AnnoMI transcripts, conversation id = ``transcript_id``, in file order."""
    p = Path(path)
    source = p.name
    rows: dict[str, list[tuple[int, Utterance]]] = defaultdict(list)
    meta: dict[str, dict[str, str]] = {}
    try:
        with p.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise TranscriptError(
                    f"{source}, line 1: not an AnnoMI file; missing columns: {', '.join(missing)}."
                )
            for row in reader:
                line = reader.line_num
                role = _ROLES.get(row["interlocutor"].strip().casefold())
                if role is None:
                    raise TranscriptError(
                        f"{source}, line {line}: interlocutor {row['interlocutor']!r} is neither "
                        "'therapist' nor 'client'."
                    )
                try:
                    order = int(row["utterance_id"])
                except ValueError:
                    raise TranscriptError(
                        f"{source}, line {line}: utterance_id {row['utterance_id']!r} is not a "
                        "whole number."
                    ) from None
                start = _start(row.get("timestamp"))
                tid = row["transcript_id"].strip()
                labels = {
                    c: row[c].strip()
                    for c in LABEL_COLUMNS
                    if row.get(c) and row[c].strip() not in {"", "n/a"}
                }
                text = " ".join(row["utterance_text"].split())
                rows[tid].append((order, Utterance(0, role.value, role, text, start, None, labels)))
                meta.setdefault(tid, {k: row[k].strip() for k in _META if row.get(k)})
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise TranscriptError(f"{source}: cannot be read as AnnoMI ({exc}).") from None
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
