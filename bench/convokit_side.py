"""ConvoKit's side of the style-matching comparison in ``bench/bench_transcripts.py``.

Runs in ConvoKit's own virtual environment (``bench/setup_convokit.sh``), never in Rapport's:
it imports nothing from Rapport. It reads one JSON object on stdin::

    {"repeats": 5, "word_re": "<Rapport's word pattern>",
     "function_words": {"category": ["word", ...], ...},
     "conversations": [{"id": "0", "utterances": [{"role": "therapist", "text": "..."}]}]}

and prints one JSON object with best-of-``repeats`` timings and per-conversation values of

* ConvoKit's ``Coordination`` transformer (Danescu-Niculescu-Mizil C, Lee L, Pang B, Kleinberg J.
  Echoes of power: language effects and power differences in social interaction. WWW 2012):
  how much more likely a speaker is to use a function-word category in a reply when the
  utterance replied to used it, averaged over ConvoKit's eight LIWC-derived markers. It is *not*
  language style matching: it conditions on the previous turn and is a difference of
  probabilities (about -0.1..0.2), where LSM compares whole-session rates (0..1); and
* language style matching (Ireland & Pennebaker 2010) computed over ConvoKit's ``Corpus`` objects
  with Rapport's project-authored function-word lists and tokenizer (sent in the JSON), to time
  the same computation on ConvoKit's data model and check that the values agree.

Corpus construction is timed separately from each computation.
"""

from __future__ import annotations

import contextlib
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

# ConvoKit prints a notice on stdout when it first writes its config (~/.convokit), on import
# or later; stdout is this script's JSON answer, so ConvoKit talks to stderr instead (the
# import here, the work in main()).
with contextlib.redirect_stdout(sys.stderr):
    from convokit import Coordination, Corpus, Speaker, Utterance

EPSILON = 0.0001  # Ireland & Pennebaker 2010, as in rapport.core.transcripts.markers


def best_of(repeats: int, work: Callable[[], Any]) -> tuple[list[float], Any]:
    runs, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = work()
        runs.append(time.perf_counter() - started)
    return runs, result


def build_corpus(conversations: list[dict[str, Any]]) -> Corpus:
    """One ConvoKit conversation per transcript; each utterance replies to the one before."""
    speakers: dict[str, Speaker] = {}
    utterances = []
    for c in conversations:
        previous = None
        for i, u in enumerate(c["utterances"]):
            sid = f"{c['id']}:{u['role']}"
            speaker = speakers.setdefault(sid, Speaker(id=sid, meta={"role": u["role"]}))
            uid = f"{c['id']}:{i}"
            utterances.append(
                Utterance(
                    id=uid,
                    speaker=speaker,
                    conversation_id=f"{c['id']}:0",
                    reply_to=previous,
                    text=u["text"],
                )
            )
            previous = uid
    return Corpus(utterances=utterances)


def coordination(corpus: Corpus) -> dict[str, dict[str, float | None]]:
    """Fit and transform ConvoKit's Coordination; each conversation's therapist-to-client and
    client-to-therapist score (mean over the markers ConvoKit could score)."""
    coord = Coordination()
    coord.fit_transform(corpus)
    found: dict[str, dict[str, float | None]] = {}
    for convo in corpus.iter_conversations():
        cid = convo.id.rsplit(":", 1)[0]
        therapist, client = f"{cid}:therapist", f"{cid}:client"
        values: dict[str, float | None] = {}
        for name, speaker, target in (
            ("therapist_to_client", therapist, client),
            ("client_to_therapist", client, therapist),
        ):
            scores = (
                corpus.get_speaker(speaker).meta.get("coord", {}).get(target)
                if corpus.has_speaker(speaker)
                else None
            )
            values[name] = statistics.fmean(scores.values()) if scores else None
        found[cid] = values
    return found


def lsm_on_corpus(
    corpus: Corpus, word_re: re.Pattern[str], lists: dict[str, frozenset[str]]
) -> dict[str, float | None]:
    """Session LSM per conversation, reading ConvoKit's objects with Rapport's word lists."""
    found: dict[str, float | None] = {}
    for convo in corpus.iter_conversations():
        words: dict[str, list[str]] = {"therapist": [], "client": []}
        for utt in convo.iter_utterances():
            role = utt.speaker.meta["role"]
            if role in words:
                text = utt.text.replace("\u2019", "'").replace("\u2018", "'").lower()
                words[role].extend(word_re.findall(text))
        a, b = words["therapist"], words["client"]
        cid = convo.id.rsplit(":", 1)[0]
        if not a or not b:
            found[cid] = None
            continue
        scores = []
        for members in lists.values():
            pa = 100 * sum(1 for w in a if w in members) / len(a)
            pb = 100 * sum(1 for w in b if w in members) / len(b)
            scores.append(1 - abs(pa - pb) / (pa + pb + EPSILON))
        found[cid] = statistics.fmean(scores)
    return found


def main() -> None:
    answer = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):
        found = measure(json.load(sys.stdin))
    json.dump(found, answer)


def measure(request: dict[str, Any]) -> dict[str, Any]:
    repeats = int(request["repeats"])
    conversations = request["conversations"]
    word_re = re.compile(request["word_re"])
    lists = {c: frozenset(ws) for c, ws in request["function_words"].items()}
    build_runs, corpus = best_of(repeats, lambda: build_corpus(conversations))
    # Coordination annotates the corpus it is given, so each run gets a fresh corpus (built
    # outside the timing).
    coord_runs: list[float] = []
    coord_values: dict[str, Any] = {}
    for _ in range(repeats):
        fresh = build_corpus(conversations)
        started = time.perf_counter()
        coord_values = coordination(fresh)
        coord_runs.append(time.perf_counter() - started)
    lsm_runs, lsm_values = best_of(repeats, lambda: lsm_on_corpus(corpus, word_re, lists))
    import convokit  # noqa: PLC0415 - only for its version

    return {
        "convokit_version": getattr(convokit, "__version__", "5.0.0"),
        "python": sys.version.split()[0],
        "utterances": sum(len(c["utterances"]) for c in conversations),
        "build_seconds": build_runs,
        "coordination_seconds": coord_runs,
        "lsm_seconds": lsm_runs,
        "coordination": coord_values,
        "lsm": lsm_values,
    }


if __name__ == "__main__":
    main()
