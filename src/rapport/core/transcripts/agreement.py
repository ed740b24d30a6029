"""How far expert coders agree with one another, and how far a model agrees with them.

A model's macro-F1 against one coder's labels is bounded by how consistently coders label:
where two experts often disagree, no model can match either of them much better than they match
each other. AnnoMI had some transcripts coded by ten experts each (``AnnoMI-full.csv``); on
those utterances this module sets the model beside the experts, on the same footing:

- **expert vs expert:** macro-F1 of one expert's labels against another's, averaged over all
  pairs, and the model's macro-F1 against each expert, averaged over the experts;
- **leave one out:** each expert in turn is scored against the majority of the *other* experts
  (an utterance whose other experts tie has no majority and is left out of that comparison),
  and so is the model, against the same majority; both are averaged over the experts. The
  difference (model minus expert) comes with a 95 % percentile bootstrap interval, resampling
  utterances (Efron B, Tibshirani RJ. An Introduction to the Bootstrap. Chapman & Hall; 1993).
  Utterances of one transcript are not independent, so with few transcripts the interval is
  too narrow, not too wide.
- **Fleiss' kappa** over the utterances every expert coded (Fleiss JL. Measuring nominal scale
  agreement among many raters. Psychol Bull. 1971;76(5):378-382), chance-corrected agreement
  of the experts alone.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rapport.core.transcripts.labels import majority_vote
from rapport.core.transcripts.stacking import macro_f1

__all__ = ["ExpertAgreement", "UtteranceKey", "expert_agreement", "fleiss_kappa"]

UtteranceKey = tuple[str, int]  # (conversation id, utterance index)
_BOOTS = 2000


def fleiss_kappa(ratings: Sequence[Sequence[str]]) -> float:
    """Fleiss' kappa of items each rated by the same number of raters (Fleiss 1971).

    ``ratings`` holds one sequence per item: the category each rater gave it. Raises
    ValueError when there are no items, fewer than two raters, raters per item differ, or
    every rating is the same category (kappa is then undefined).
    """
    if not ratings:
        raise ValueError("Fleiss' kappa needs at least one rated item.")
    n = len(ratings[0])
    if n < 2 or any(len(r) != n for r in ratings):
        raise ValueError("Fleiss' kappa needs the same number (two or more) of raters per item.")
    categories = sorted({c for r in ratings for c in r})
    counts = np.array([[Counter(r)[c] for c in categories] for r in ratings], dtype=float)
    p_item = ((counts * (counts - 1)).sum(axis=1) / (n * (n - 1))).mean()
    p_category = counts.sum(axis=0) / counts.sum()
    expected = float((p_category**2).sum())
    if expected >= 1.0:
        raise ValueError("Fleiss' kappa is undefined when every rating is the same category.")
    return float((p_item - expected) / (1 - expected))


@dataclass(frozen=True, slots=True)
class ExpertAgreement:
    """The experts' agreement with one another and the model's with them, for one task."""

    task: str
    transcripts: int
    utterances: int
    experts: int
    fleiss_kappa: float | None
    expert_vs_expert: float  # mean macro-F1 over pairs of experts
    model_vs_expert: float  # mean over experts of the model's macro-F1 against each
    expert_vs_rest: float  # mean over experts of macro-F1 against the others' majority
    model_vs_rest: float  # the model against those same majorities
    difference_ci: tuple[float, float]  # 95 % bootstrap CI of model_vs_rest - expert_vs_rest
    per_expert: dict[str, dict[str, float]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "transcripts": self.transcripts,
            "utterances": self.utterances,
            "experts": self.experts,
            "fleiss_kappa": None if self.fleiss_kappa is None else round(self.fleiss_kappa, 4),
            "macro_f1": {
                "expert_vs_expert": round(self.expert_vs_expert, 4),
                "model_vs_expert": round(self.model_vs_expert, 4),
                "expert_vs_rest_majority": round(self.expert_vs_rest, 4),
                "model_vs_rest_majority": round(self.model_vs_rest, 4),
                "model_minus_expert_vs_rest_ci95": [round(v, 4) for v in self.difference_ci],
            },
            "per_expert": self.per_expert,
        }


def expert_agreement(
    task: str,
    votes: Mapping[UtteranceKey, Mapping[str, str]],
    predicted: Mapping[UtteranceKey, str],
    *,
    seed: int = 2026,
) -> ExpertAgreement | None:
    """Agreement on the utterances in ``votes`` (utterance key -> expert -> label) that the
    model labelled in ``predicted`` and that at least two experts coded; None when fewer than
    two experts or no such utterance remain."""
    keys = [k for k, v in votes.items() if k in predicted and len(v) >= 2]
    experts = sorted({e for k in keys for e in votes[k]})
    if len(experts) < 2 or not keys:
        return None
    classes = sorted(
        {lab for k in keys for lab in votes[k].values()} | {predicted[k] for k in keys}
    )
    code = {c: i for i, c in enumerate(classes)}
    # Labels as class indices, -1 where an expert did not code the utterance.
    table = np.array([[code.get(votes[k].get(e, ""), -1) for e in experts] for k in keys])
    model = np.array([code[predicted[k]] for k in keys])
    # Each expert's reference: the majority of the other experts (-1 where they tie).
    rest = np.full(table.shape, -1)
    for i, k in enumerate(keys):
        for j, expert in enumerate(experts):
            others = [lab for other, lab in votes[k].items() if other != expert]
            majority = majority_vote(others)
            rest[i, j] = -1 if majority is None else code[majority]

    # The model's label on each utterance an expert coded (-1 elsewhere), expert by expert.
    model_coded = np.where(table >= 0, model[:, None], -1)

    def f1(truth: np.ndarray, guess: np.ndarray) -> float:
        ok = (truth >= 0) & (guess >= 0)
        return macro_f1(truth[ok], guess[ok], len(classes)) if ok.any() else float("nan")

    def against_rest(rows: np.ndarray) -> tuple[list[int], list[float], list[float]]:
        """The experts who coded any of ``rows``, and each one's and the model's macro-F1
        against that expert's reference, the others' majority."""
        coded = [j for j in range(len(experts)) if (table[rows, j] >= 0).any()]
        expert = [f1(rest[rows, j], table[rows, j]) for j in coded]
        mine = [f1(rest[rows, j], model_coded[rows, j]) for j in coded]
        return coded, expert, mine

    everyone = np.arange(len(keys))
    coded, expert_scores, model_scores = against_rest(everyone)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(_BOOTS):
        _, expert_draw, model_draw = against_rest(rng.choice(everyone, everyone.size))
        draws.append(float(np.nanmean(model_draw) - np.nanmean(expert_draw)))
    low, high = np.percentile(draws, [2.5, 97.5])
    pairs = [
        f1(table[:, a], table[:, b]) for a, b in itertools.combinations(range(len(experts)), 2)
    ]
    versus = [f1(table[:, j], model_coded[:, j]) for j in range(len(experts))]
    full = [[classes[v] for v in row] for row in table if (row >= 0).all()]
    try:
        kappa = fleiss_kappa(full) if full else None
    except ValueError:
        kappa = None
    per_expert = {
        experts[j]: {
            "utterances": int((table[:, j] >= 0).sum()),
            "expert_vs_rest_majority": round(expert_score, 4),
            "model_vs_rest_majority": round(model_score, 4),
        }
        for j, expert_score, model_score in zip(coded, expert_scores, model_scores, strict=True)
    }
    return ExpertAgreement(
        task=task,
        transcripts=len({k[0] for k in keys}),
        utterances=len(keys),
        experts=len(experts),
        fleiss_kappa=kappa,
        expert_vs_expert=statistics.fmean(pairs),
        model_vs_expert=statistics.fmean(versus),
        expert_vs_rest=float(np.nanmean(expert_scores)),
        model_vs_rest=float(np.nanmean(model_scores)),
        difference_ci=(float(low), float(high)),
        per_expert=per_expert,
    )
