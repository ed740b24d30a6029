"""Directive language: therapist utterances that tell the client what to do or what is wrong.

**Definition.** A therapist utterance is *directive* when it contains one of a short list of
phrases (matched as whole words, case-insensitively, with or without the apostrophe):

- *directing* — "you should", "you shouldn't", "you need to", "you have to", "you must",
  "you've got to", "you ought to", "you can't", "why don't you", "why not just", "I want you
  to", "I'd suggest", "I'd recommend", "what you need to do";
- *confronting* — "the problem is", "the thing is", "you're in denial", "making excuses",
  "be honest", "face the facts".

A "you ..." phrase that *reports* someone's words or thoughts is not counted: when the word
before it is a verb of saying, thinking or feeling ("you feel you should call her", "a voice
saying you should fix it", "your wife thinks you need to stop") the therapist is reflecting a
pressure, not applying one — unless "I" or "we" is that verb's subject ("I think you should
stop" directs). The marker records each directive utterance (``index``) and the first phrase
counted (``evidence``).

**Source.** The MITI 4 codes *Persuade* (trying to change the client's opinions or behaviour
by argument, advice or facts without the client's permission) and *Confront* (disagreeing,
arguing, correcting, shaming or labelling) as MI-non-adherent behaviours, and the MI
literature names the "righting reflex" — telling people what they should do — as what
motivational interviewing resists: Moyers TB, Manuel JK, Ernst D. Motivational Interviewing
Treatment Integrity Coding Manual 4.2.1. CASAA, University of New Mexico; 2014. Miller WR,
Rollnick S. Motivational Interviewing: Helping People Change. 3rd ed. New York: Guilford
Press; 2013. The phrase list is PROJECT-AUTHORED from those descriptions; it is not the MITI,
whose coders judge each utterance in context.

**How to read it.** A count of places to look, not a fault: "you should" can sit inside a
reflection ("you feel you should call her") or follow the client's request for advice, which
MI allows; and a therapist can persuade without any of these words. A session where many
therapist utterances direct and few reflect reads, to a client, like being told rather than
heard. :mod:`.quality` uses the share of directive utterances as one of its session numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapport.core.transcripts.model import Conversation, Role, straighten

__all__ = ["DIRECTIVE_PHRASES", "DirectiveUtterance", "directive_language", "directive_share"]

DIRECTIVE_PHRASES = (
    # directing
    "you should",
    "you shouldn't",
    "you need to",
    "you have to",
    "you must",
    "you've got to",
    "you ought to",
    "you can't",
    "why don't you",
    "why not just",
    "i want you to",
    "i'd suggest",
    "i would suggest",
    "i'd recommend",
    "i would recommend",
    "what you need to do",
    # confronting
    "the problem is",
    "the thing is",
    "you're in denial",
    "making excuses",
    "face the facts",
)


def _phrase_source(phrase: str) -> str:
    # Any run of whitespace between words; the apostrophe may be missing ("dont", "youre"),
    # as speech-recognition transcripts often write it.
    words = (re.escape(w).replace("'", "'?") for w in phrase.split())
    return r"\s+".join(words)


# Longest first, so "you should" does not shadow "you shouldn't" in the evidence.
_PATTERN = re.compile(
    r"\b(?:"
    + "|".join(_phrase_source(p) for p in sorted(DIRECTIVE_PHRASES, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)


# Verbs that introduce reported speech or thought, in their common forms.
_REPORTING = frozenset({
    "feel", "feels", "felt", "feeling", "think", "thinks", "thought", "thinking",
    "say", "says", "said", "saying", "tell", "tells", "told", "telling",
    "believe", "believes", "believed", "hear", "hears", "heard",
    "worry", "worries", "worried", "wonder", "wonders", "wondering",
    "wish", "wishes", "wished", "sense", "senses", "sensed",
})  # fmt: skip
_FIRST_PERSON = frozenset({"i", "we", "i'm", "we're", "i'd", "we'd", "im", "id"})
_WORD = re.compile(r"[a-z']+")


def _reported(straight_lower: str, start: int) -> bool:
    """Whether the phrase starting at ``start`` is what someone else says, thinks or feels: a
    reporting verb just before it whose subject (one of the two words before the verb) is not
    "I" or "we"."""
    if not straight_lower.startswith("you", start):
        return False
    before = _WORD.findall(straight_lower[:start])
    if not before or before[-1] not in _REPORTING:
        return False
    return not _FIRST_PERSON.intersection(before[-3:-1])


@dataclass(frozen=True, slots=True)
class DirectiveUtterance:
    """Therapist utterance ``index`` contains directive wording; ``evidence`` is the first
    phrase found, as written."""

    index: int
    evidence: str


def directive_language(conversation: Conversation) -> tuple[DirectiveUtterance, ...]:
    """The therapist utterances of ``conversation`` with directive wording, in order."""
    found: list[DirectiveUtterance] = []
    for u in conversation:
        if u.role is not Role.THERAPIST:
            continue
        text = straighten(u.text).lower()  # same length: spans slice the original
        for match in _PATTERN.finditer(text):
            if not _reported(text, match.start()):
                found.append(DirectiveUtterance(u.index, u.text[match.start() : match.end()]))
                break
    return tuple(found)


def directive_share(conversation: Conversation) -> float | None:
    """The share (0-1) of therapist utterances with directive wording; None when the
    therapist never spoke."""
    therapist = sum(1 for u in conversation if u.role is Role.THERAPIST)
    if not therapist:
        return None
    return len(directive_language(conversation)) / therapist
