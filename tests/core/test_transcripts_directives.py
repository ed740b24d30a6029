"""Directive language on project-written lines: what counts, and look-alikes that must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.core.transcripts.directives import (
    DIRECTIVE_PHRASES,
    directive_language,
    directive_share,
)
from rapport.core.transcripts.model import Role
from tests.core.dialogue import dialogue

T, C = Role.THERAPIST, Role.CLIENT


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("Honestly, you should stop drinking before it costs you your job.", "you should"),
        ("You shouldn't be driving home after that.", "You shouldn't"),
        ("You need  to take this seriously.", "You need  to"),  # any run of spaces
        ("Why don't you just try the patch?", "Why don't you"),
        ("why dont you call her tonight", "why dont you"),  # speech recognition drops the '
        ("You\u2019ve got to think of your kids.", "You\u2019ve got to"),  # curly apostrophe
        ("The problem is that you keep going back to the pub.", "The problem is"),
        ("I think you're in denial about how much this matters.", "you're in denial"),
        ("I'd recommend you cut down to weekends.", "I'd recommend"),
        ("I think you should stop.", "you should"),  # "I" is the subject: the therapist's view
        ("I'm saying you need to choose.", "you need to"),
        ("You feel you should cope. But you need to rest.", "you need to"),  # the second counts
        ("I've said you should stop.", "you should"),
        ("What did she say? You should call her.", "You should"),  # "say" ends a sentence
        ("\u0130stanbul is far. You should go.", "You should"),  # "\u0130" lowers to 2 chars
        ("You must stop.", "You must"),
    ],
)
def test_directive_wording_is_found_with_its_evidence(text: str, evidence: str) -> None:
    """Each phrase is found in a therapist utterance, and the evidence is the text as written."""
    found = directive_language(dialogue((C, "I had a few drinks."), (T, text)))
    assert [(d.index, d.evidence) for d in found] == [(1, evidence)]


@pytest.mark.parametrize(
    "text",
    [
        "What would you like to do about it?",
        "You're wondering whether it's worth trying again.",
        "You shoulder a lot for your family.",  # "should" inside a longer word
        "It sounds like you feel trapped.",
        "So there's a voice saying you should be able to fix all of it.",  # reflecting a pressure
        "You feel you should have called her.",
        "Your wife thinks you need to stop.",
        "Your wife thinks that you should stop.",
        "She says the problem is money.",
        "You must be exhausted.",  # empathy, not an order
    ],
)
def test_mi_consistent_lines_are_not_directive(text: str) -> None:
    """Open questions and reflections, and a phrase word inside a longer word, are not flagged."""
    assert directive_language(dialogue((C, "I had a few drinks."), (T, text))) == ()


def test_only_the_therapist_is_read_and_the_share_counts_utterances() -> None:
    """A client's "you should" is not the therapist's directive; the share is per therapist
    utterance, with two phrases in one utterance counted once."""
    conv = dialogue(
        (T, "You should cut down. You need to, really."),
        (C, "You should try living my life."),
        (T, "What worries you most?"),
        (T, "Why not just stop?"),
        (T, "Tell me more."),
    )
    assert [d.index for d in directive_language(conv)] == [0, 3]
    assert directive_share(conv) == pytest.approx(2 / 4)


def test_no_therapist_means_no_share() -> None:
    """Without therapist utterances there is no share to give."""
    assert directive_share(dialogue((C, "You should listen."), (C, "Hello?"))) is None


def test_phrases_are_lower_case_distinct_and_counted_in_the_docs() -> None:
    """The phrase list is lower case (it is matched on lower-cased text) with no repeats, and
    the user documentation gives its length."""
    assert all(p == p.lower() for p in DIRECTIVE_PHRASES)
    assert len(set(DIRECTIVE_PHRASES)) == len(DIRECTIVE_PHRASES)
    docs = Path(__file__).parents[2] / "docs" / "transcripts.md"
    assert f"{len(DIRECTIVE_PHRASES)} phrases" in docs.read_text(encoding="utf-8")
