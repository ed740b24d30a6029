"""Directive language: therapist utterances that tell the client what to do or what is wrong.

**Definition.** A therapist utterance is *directive* when it contains one of a short list of
phrases (:data:`DIRECTIVE_PHRASES`, matched as whole words, case-insensitively, with or without
the apostrophe):

- *directing* — "you should", "you shouldn't", "you need to", "you have to", "you must" (not
  "you must be", which is usually empathy: "you must be exhausted"), "you've got to", "you
  ought to", "why don't you", "why not just", "I want you to", "I'd (or I would) suggest",
  "I'd (or I would) recommend", "what you need to do";
- *confronting* — "the problem is", "the thing is", "you're in denial", "making excuses",
  "face the facts".

A phrase that *reports* someone's words or thoughts is not counted: when, within its sentence,
the word before it (or before a "that") is a verb of saying, thinking or feeling ("you feel you
should call her", "a voice saying you should fix it", "your wife thinks that the problem is
money") the therapist is reflecting a pressure, not applying one — unless "I" or "we" is that
verb's subject ("I think you should stop" directs). The marker records each directive
utterance (``index``) and the first phrase counted (``evidence``).

**Source.** The MITI 4 codes *Persuade* (trying to change the client's opinions or behaviour
by argument, advice or facts without the client's permission) and *Confront* (disagreeing,
arguing, correcting, shaming or labelling) as MI-non-adherent behaviours, and the MI
literature names the "righting reflex" — telling people what they should do — as what
motivational interviewing resists: Moyers TB, Manuel JK, Ernst D. Motivational Interviewing
Treatment Integrity Coding Manual 4.2.1. CASAA, University of New Mexico; 2014. Miller WR,
Rollnick S. Motivational Interviewing: Helping People Change. 3rd ed. New York: Guilford
Press; 2013. The phrase list and the reported-speech rule are PROJECT-AUTHORED from those
descriptions; they are not the MITI, whose coders judge each utterance in context.

**How to read it.** A count of places to look, not a fault: advice can follow the client's own
request for it, which MI allows, and a phrase can sit in a reflection the rule above does not
recognise ("so in your view you have to leave"); and a therapist can persuade without any of
these words. A session where many therapist utterances direct and few reflect reads, to a
client, like being told rather than heard. :mod:`.quality` uses the share of directive
utterances as one of its session numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapport.core.transcripts.model import Conversation, Role, normalise

__all__ = ["DIRECTIVE_PHRASES", "DirectiveUtterance", "directive_language", "directive_share"]

DIRECTIVE_PHRASES = (
    # directing
    "you should",
    "you shouldn't",
    "you need to",
    "you have to",
    "you must",  # "you must be ..." is left out in the pattern
    "you've got to",
    "you ought to",
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
    source = r"\s+".join(words)
    return source + r"(?!\s+be\b)" if phrase == "you must" else source


# Run on normalise()d text (lower case, straight apostrophes). Longest first, so "you should"
# does not shadow "you shouldn't" in the evidence.
_PATTERN = re.compile(
    r"\b(?:"
    + "|".join(_phrase_source(p) for p in sorted(DIRECTIVE_PHRASES, key=len, reverse=True))
    + r")\b"
)


# Verbs that introduce reported speech or thought, in their common forms.
_REPORTING = frozenset({
    "feel", "feels", "felt", "feeling", "think", "thinks", "thought", "thinking",
    "say", "says", "said", "saying", "tell", "tells", "told", "telling",
    "believe", "believes", "believed", "hear", "hears", "heard",
    "worry", "worries", "worried", "wonder", "wonders", "wondering",
    "wish", "wishes", "wished", "sense", "senses", "sensed",
})  # fmt: skip
_FIRST_PERSON = frozenset({
    "i", "we", "i'm", "we're", "i'd", "we'd", "i've", "we've", "i'll", "we'll",
    "im", "ive", "id",
})  # fmt: skip
_WORD = re.compile(r"[a-z']+")
_SENTENCE_END = re.compile(r"[.?!;]")


def _reported(text: str, start: int) -> bool:
    """Whether the phrase at ``start`` of normalised ``text`` is what someone else says, thinks
    or feels: in its sentence, a reporting verb just before it (or before a "that" before it)
    whose subject, one of the two words before the verb, is not "I" or "we"."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, start)]
    before = _WORD.findall(text, ends[-1] if ends else 0, start)
    if before and before[-1] == "that":
        before.pop()
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
    for u in conversation.by_role(Role.THERAPIST):
        text = normalise(u.text)  # the same length, so spans slice the original
        for match in _PATTERN.finditer(text):
            if not _reported(text, match.start()):
                found.append(DirectiveUtterance(u.index, u.text[match.start() : match.end()]))
                break
    return tuple(found)


def directive_share(conversation: Conversation) -> float | None:
    """The share (0-1) of therapist utterances with directive wording; None when the
    therapist never spoke."""
    therapist = len(conversation.by_role(Role.THERAPIST))
    if not therapist:
        return None
    return len(directive_language(conversation)) / therapist
