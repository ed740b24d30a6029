"""A small synthetic MI corpus for classifier tests: project-written utterances, not AnnoMI.

Each transcript alternates therapist and client turns drawn from short pools per label, so a
lexical model can learn them; "low"-quality transcripts give more advice and get more sustain
talk, as in staged poor MI. Written as AnnoMI-simple rows so the CLI can read it as a file.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from rapport.core.transcripts import Conversation, Corpus, Role, Utterance

# Project-authored example utterances: (text, behaviour, subtype) for the therapist.
THERAPIST = [
    ("So you feel torn about drinking.", "reflection", "simple"),
    ("It sounds like work has been weighing on you.", "reflection", "complex"),
    ("You're worried about what your family will think.", "reflection", "simple"),
    ("Part of you wants to change, and part of you is scared of losing your friends.",
     "reflection", "complex"),
    ("What brings you here today?", "question", "open"),
    ("How has your week been?", "question", "open"),
    ("Do you smoke every day?", "question", "closed"),
    ("Would you like to talk about your sleep?", "question", "closed"),
    ("You should try to cut down.", "therapist_input", ""),
    ("Research shows that walking every day helps with mood.", "therapist_input", ""),
    ("I suggest keeping a diary of your drinking.", "therapist_input", ""),
    ("Mm-hmm.", "other", ""),
    ("Okay.", "other", ""),
    ("Hello, it is nice to see you again.", "other", ""),
]  # fmt: skip
CLIENT = [
    ("I really want to quit smoking.", "change"),
    ("I could cut down to two drinks a night.", "change"),
    ("I need to start exercising again.", "change"),
    ("Yeah.", "neutral"),
    ("I work in an office in town.", "neutral"),
    ("My sister lives nearby.", "neutral"),
    ("I don't think my drinking is a problem.", "sustain"),
    ("I like smoking, it relaxes me.", "sustain"),
    ("I can't stop, it is too hard.", "sustain"),
]
COLUMNS = (
    "transcript_id", "mi_quality", "topic", "utterance_id", "interlocutor", "timestamp",
    "utterance_text", "main_therapist_behaviour", "client_talk_type",
)  # fmt: skip


def synthetic_rows(transcripts: int = 10, turns: int = 24, seed: int = 7) -> list[dict[str, str]]:
    """AnnoMI-simple-like rows (plus the subtype each therapist row was written with)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    rows = []
    for t in range(transcripts):
        quality = "low" if t % 3 == 0 else "high"
        for i in range(turns):
            if i % 2 == 0:
                advice = quality == "low" and rng.random() < 0.5
                pool = [x for x in THERAPIST if x[1] == "therapist_input"] if advice else THERAPIST
                text, behaviour, subtype = rng.choice(pool)
                labels = {"main_therapist_behaviour": behaviour, "client_talk_type": "n/a"}
            else:
                weights = [1, 1, 1, 2, 2, 2, 3 if quality == "low" else 1, 1, 1]
                text, talk = rng.choices(CLIENT, weights=weights)[0]
                labels = {"main_therapist_behaviour": "n/a", "client_talk_type": talk}
                subtype = ""
            rows.append(
                {
                    "transcript_id": str(t),
                    "mi_quality": quality,
                    "topic": "synthetic",
                    "utterance_id": str(i),
                    "interlocutor": "therapist" if i % 2 == 0 else "client",
                    "timestamp": f"00:{i // 6:02d}:{(i * 10) % 60:02d}",
                    "utterance_text": text,
                    **labels,
                    "subtype": subtype,
                }
            )
    return rows


def write_annomi(folder: Path, rows: list[dict[str, str]]) -> Path:
    """Write ``rows`` as ``folder/AnnoMI-simple.csv`` and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "AnnoMI-simple.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def synthetic_corpus(transcripts: int = 10, turns: int = 24, seed: int = 7) -> Corpus:
    """The rows of :func:`synthetic_rows` as a Corpus, subtypes included."""
    by_transcript: dict[str, list[dict[str, str]]] = {}
    for row in synthetic_rows(transcripts, turns, seed):
        by_transcript.setdefault(row["transcript_id"], []).append(row)
    conversations = []
    for tid, rows in by_transcript.items():
        utterances = []
        for i, row in enumerate(rows):
            role = Role(row["interlocutor"])
            labels = {
                k: row[k]
                for k in ("main_therapist_behaviour", "client_talk_type")
                if row[k] != "n/a"
            }
            kind = {"reflection": "reflection_subtype", "question": "question_subtype"}.get(
                row["main_therapist_behaviour"]
            )
            if kind:
                labels[kind] = row["subtype"]
            utterances.append(Utterance(i, role.value, role, row["utterance_text"], labels=labels))
        meta = {"mi_quality": rows[0]["mi_quality"]}
        conversations.append(Conversation(tid, tuple(utterances), "synthetic.csv", meta))
    return Corpus(conversations)
