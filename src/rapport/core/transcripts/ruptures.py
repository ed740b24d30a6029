"""Rupture markers: client utterances that may signal a strain in the alliance, with the
therapist utterance that came just before them.

**Definition.** A *rupture* is a tension or breakdown in the collaboration between client and
therapist. Safran and Muran describe two kinds, and Rapport looks for a few explicit lexical
markers of each in what the *client* says:

*Withdrawal* — moving away from the therapist or the work:

- ``minimal_response``: the client's whole reply to an open question or a reflection is at most
  :data:`MINIMAL_MAX_WORDS` words and says nothing but noncommittal phrases ("I don't know",
  "I guess", "fine", "whatever", "nothing"), allowing fillers ("um", "yeah", "well"). A bare
  "yeah" or "mm-hmm" is *not* a marker (it is the ordinary way to take in a reflection), and
  nothing is flagged after a closed question ("Did you drink this week?" — "No."), which
  legitimately gets a short answer. A therapist utterance invites more when its labels say it
  is a reflection or an open question; without labels (or with a question of unknown kind),
  when a clause of a question opens with an open stem ("what", "how", "why"; not "how many/
  much/often/long", not the advice "why don't you/why not", and not the greeting "how are
  you?") or a sentence opens with "tell me", "describe", "say more", or with a reflection
  stem ("it sounds like", "you feel", "so you").
- ``topic_shift``: an explicit request to leave the topic anywhere in a client utterance ("can
  we talk about something else", "I don't want to talk about it", "let's move on"), or a reply
  that *opens* with a shift cue ("anyway", "by the way", "on another note", "never mind") and
  shares no content word (compared by their first five letters, so "drinking" meets "drinks")
  with a therapist utterance that had at least two. Deliberately narrow: most changes of topic
  in therapy are unremarkable, and word overlap cannot tell an avoidant shift from a natural one.
- ``deferring``: handing the view or the decision to the therapist ("whatever you think",
  "you're the expert", "if you say so", "it's up to you") — appeasing rather than collaborating.

*Confrontation* — moving against the therapist or the work:

- ``complaint_about_therapist``: "you don't understand", "you're not listening", "you keep
  telling me ...", "stop lecturing me", "you sound like my wife".
- ``complaint_about_therapy``: "this isn't helping", "this is a waste of time", "what's the
  point of coming", "we're going round in circles", "I don't want to be here".
- ``rejecting_intervention``: "that won't work", "I've tried that", "no, that's not it",
  "that's not what I meant", "easy for you to say".

Every marker records the flagged client utterance (``index``), the last therapist utterance
before it (``trigger_index``; None when the therapist had not yet spoken), the matched words
(``evidence``) and a plain explanation. Markers come back in transcript order; one utterance
can carry markers of different kinds, but each marker at most once.

**Source.** Safran JD, Muran JC. Negotiating the Therapeutic Alliance: A Relational Treatment
Guide. New York: Guilford Press; 2000. Eubanks CF, Muran JC, Safran JD. Rupture Resolution
Rating System (3RS): Manual. 2015 (withdrawal markers include minimal responses, shifting
topic, deferring and appeasing; confrontation markers include complaints about the therapist,
about the activities or progress of therapy, and rejecting the therapist's interventions).
Eubanks CF, Muran JC, Safran JD. Alliance rupture repair: a meta-analysis. Psychotherapy
(Chic). 2018;55(4):508-519 (rupture repair was associated with better outcomes). The phrase
lists are PROJECT-AUTHORED from the marker descriptions; they are not the 3RS, which is
rated by trained observers from video, including tone and non-verbal cues a transcript lacks.

**How to read it.** Each marker is a *possible* rupture: a place to look, not a finding. The
lists catch only explicit wording (a client who withdraws by going quiet in long, polite
answers is invisible to them) and a match can be innocent (generic "you": "you don't listen
when you're young"). What matters clinically is not that ruptures happen — they do in most
therapies — but whether they are noticed and repaired: read the utterances around the marker
and what happened next.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from rapport.core.transcripts.function_words import FUNCTION_WORDS
from rapport.core.transcripts.labels import Behaviour, QuestionKind, UtteranceLabels
from rapport.core.transcripts.model import (
    Conversation,
    Role,
    Utterance,
    normalise,
    straighten,
    tokenize,
)

__all__ = [
    "DETECTORS",
    "MINIMAL_MAX_WORDS",
    "Detector",
    "Exchange",
    "MinimalResponse",
    "PhraseDetector",
    "RuptureKind",
    "RuptureMarker",
    "Selector",
    "TopicShift",
    "answers_invitation",
    "any_client_utterance",
    "follows_therapist",
    "invites_elaboration",
    "opens_turn",
    "rupture_markers",
]

# Five words holds "I don't know, I guess" and "um, I'm not sure", but not a sentence that
# starts with "I don't know" and goes on to say something.
MINIMAL_MAX_WORDS = 5


class RuptureKind(StrEnum):
    """Safran & Muran's two kinds of rupture."""

    WITHDRAWAL = "withdrawal"
    CONFRONTATION = "confrontation"


@dataclass(frozen=True, slots=True)
class RuptureMarker:
    """A possible rupture at client utterance ``index``, after therapist utterance
    ``trigger_index``; ``evidence`` is the matched words."""

    kind: RuptureKind
    marker: str
    index: int
    trigger_index: int | None
    evidence: str
    explanation: str


# --- what a detector sees ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exchange:
    """A client utterance in context.

    ``text`` is the utterance's text in lower case with curly apostrophes straightened (same
    length, so match positions hold in ``utterance.text``). ``trigger`` is the last therapist
    utterance before it and ``trigger_labels`` that utterance's labels, if any. ``opens_turn``
    is true when the utterance directly before it is the therapist's; ``turn`` is then the
    client's whole reply (this utterance and the client utterances straight after it),
    otherwise just this one.
    """

    utterance: Utterance
    text: str
    trigger: Utterance | None
    trigger_labels: UtteranceLabels | None
    opens_turn: bool
    turn: tuple[Utterance, ...]


# A selector says which exchanges a detector looks at; passing another one reuses a detector's
# wording in a different context (for example minimal responses after any therapist turn).
Selector = Callable[[Exchange], bool]


def any_client_utterance(exchange: Exchange) -> bool:
    """Every client utterance."""
    return True


def follows_therapist(exchange: Exchange) -> bool:
    """Client utterances after the therapist has spoken at least once."""
    return exchange.trigger is not None


def opens_turn(exchange: Exchange) -> bool:
    """The first client utterance straight after a therapist utterance."""
    return exchange.opens_turn


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Phrase patterns run on :func:`~.model.normalise`d text (lower case, straight apostrophes) and are
# compiled case-sensitively: re's IGNORECASE makes every branch several times slower.


def _either(*parts: re.Pattern[str] | str) -> re.Pattern[str]:
    """One pattern matching any of ``parts`` (patterns or lower-case regex source)."""
    return re.compile("|".join(p if isinstance(p, str) else p.pattern for p in parts))


type _Trie = dict[str, _Trie]


# Spoken complaints carry softeners between the words of a phrase ("this isn't *really*
# helping", "that's *just* not going to work"); one may stand between any two phrase words.
_HEDGE = r"(?:(?:really|just|actually|even|honestly|quite|all\s+that|totally)\s+)?"


def _trie_regex(node: _Trie) -> str:
    """Regex for the words after a trie node: branching once per distinct next word, so the
    regex engine tries a handful of first words at each position instead of every phrase."""
    words = sorted((w for w in node if w), key=lambda w: (-len(w), w))
    if not words:
        return ""
    branches = "|".join(re.escape(w).replace("'", "'?") + _trie_regex(node[w]) for w in words)
    body = rf"\s+{_HEDGE}(?:{branches})"
    return f"(?:{body})?" if "" in node else body


def _phrases(*alternatives: str, clause_end: bool = False) -> re.Pattern[str]:
    """One pattern matching any of ``alternatives`` (lower-case words) as whole words.

    Words are separated by any run of whitespace and an apostrophe may be left out ("dont",
    "youre": transcripts from speech recognition often drop them). With ``clause_end`` the
    phrase must end its clause (punctuation or the end of the text follows), so "you know
    best" does not match "you know best friends ...".
    """
    root: _Trie = {}
    for phrase in alternatives:
        node = root
        for word in phrase.split():
            node = node.setdefault(word, {})
        node[""] = {}
    first = "|".join(
        re.escape(w).replace("'", "'?") + _trie_regex(root[w])
        for w in sorted(root, key=lambda w: (-len(w), w))
    )
    end = r"(?=\s*(?:[.!?,;:\u2026-]|$))" if clause_end else r"\b"
    return re.compile(rf"\b(?:{first}){end}")


# --- does the therapist's utterance invite more than a word? ----------------------------------

_SENTENCE_RE = re.compile(r"[^.!?]+[.!?]*")
_PREFACE = r"^\W*(?:(?:so|and|okay|ok|well|now|then|um|uh|alright|right|but|mm-hmm)\W+)*"
# "How many", "how often", "how long", "how old" ask for a number: a short answer is the answer.
# "Why don't you try ...?" and "why not ...?" are advice worded as a question (MITI codes them as
# persuasion, not as questions), and a short reply to advice is an answer. A bare "Why not?"
# and "why don't you think/want/like/feel/believe ...?" still ask for reasons.
_WHY_ADVICE = r"\s+(?:don'?t\s+you(?!\s+(?:think|want|like|feel|believe)\b)|not\s+\w)"
_OPEN_QUESTION_RE = re.compile(
    _PREFACE + rf"(?:what|why(?!{_WHY_ADVICE})|how(?!\s+(?:many|much|often|long|old|far)\b)"
    r"|in\s+what\s+way)\b",
    re.IGNORECASE,
)
_INVITATION_RE = re.compile(
    _PREFACE + r"(?:tell\s+me|describe|help\s+me\s+understand|say\s+(?:a\s+bit\s+)?more|"
    r"talk\s+(?:to\s+me\s+)?about|walk\s+me\s+through|(?:can|could|would)\s+you\s+"
    r"(?:tell|say|describe|talk|explain|walk))\b",
    re.IGNORECASE,
)
_REFLECTION_RE = re.compile(
    _PREFACE + r"(?:it\s+sounds\s+like|sounds\s+like|it\s+seems|seems\s+like|you\s+feel|"
    r"you'?re\s+feeling|you\s+are\s+feeling|you'?re\s+saying|so\s+you|what\s+i'?m\s+hearing|"
    r"i'?m\s+hearing|you'?re\s+wondering|part\s+of\s+you|on\s+the\s+one\s+hand)\b",
    re.IGNORECASE,
)


# "How are you?" opening a session is a greeting, and "fine" its ordinary answer.
_GREETING_RE = re.compile(
    r"^\W*(?:(?:hi|hello|hey|so|and|okay|ok|well)\W+)*(?:[a-z]+\W+)?"
    r"how\s+are\s+you(?:\s+doing)?(?:\s+today)?\W*$",
    re.IGNORECASE,
)


def _invites_by_words(text: str) -> bool:
    for sentence in _SENTENCE_RE.findall(straighten(text)):
        s = sentence.strip()
        if _GREETING_RE.match(s):
            continue
        # "You mentioned your wife, what does she make of it?": the open stem may start any
        # clause of a question, not only the sentence.
        if s.endswith("?") and any(_OPEN_QUESTION_RE.match(c) for c in s.split(",")):
            return True
        if _INVITATION_RE.match(s):
            return True
        if not s.endswith("?") and _REFLECTION_RE.match(s):
            return True
    return False


def invites_elaboration(utterance: Utterance, labels: UtteranceLabels | None = None) -> bool:
    """Whether a therapist utterance asks for more than a word: a reflection or an open
    question by its labels, or (without them) by its wording (see the module docstring)."""
    if labels is not None and labels.behaviour is not None:
        if labels.behaviour is Behaviour.REFLECTION:
            return True
        if labels.behaviour is not Behaviour.QUESTION:
            return False  # information, advice, greetings: a short "okay" is an answer
        if labels.question is not None:
            return labels.question is QuestionKind.OPEN
    return _invites_by_words(utterance.text)


def answers_invitation(exchange: Exchange) -> bool:
    """The client's reply to a therapist utterance that invited more (see
    :func:`invites_elaboration`)."""
    return (
        exchange.opens_turn
        and exchange.trigger is not None
        and invites_elaboration(exchange.trigger, exchange.trigger_labels)
    )


# --- detectors --------------------------------------------------------------------------------


class Detector(Protocol):
    """Finds one marker: ``evidence`` returns the matched words, or None."""

    @property
    def kind(self) -> RuptureKind: ...
    @property
    def marker(self) -> str: ...
    @property
    def explanation(self) -> str: ...
    @property
    def selector(self) -> Selector: ...
    def evidence(self, exchange: Exchange) -> str | None: ...


@dataclass(frozen=True, slots=True)
class PhraseDetector:
    """A marker found by a phrase list (a compiled pattern) in the client's utterance."""

    kind: RuptureKind
    marker: str
    pattern: re.Pattern[str]
    explanation: str
    selector: Selector = any_client_utterance

    def evidence(self, exchange: Exchange) -> str | None:
        m = self.pattern.search(exchange.text)
        return exchange.utterance.text[m.start() : m.end()] if m else None


# PROJECT-AUTHORED: noncommittal replies and the fillers allowed around them, as token tuples.
_MINIMAL_PHRASES: frozenset[tuple[str, ...]] = frozenset(
    tuple(p.split())
    for p in (
        "i don't know",
        "don't know",
        "i do not know",
        "i dunno",
        "dunno",
        "not sure",
        "i'm not sure",
        "i am not sure",
        "no idea",
        "i have no idea",
        "i guess",
        "i guess so",
        "guess so",
        "i suppose",
        "i suppose so",
        "suppose so",
        "whatever",
        "fine",
        "i'm fine",
        "it's fine",
        "that's fine",
        "nothing",
        "nothing much",
        "maybe",
        "maybe not",
        "doesn't matter",
        "it doesn't matter",
        "i don't care",
        "don't care",
        "who knows",
        "if you say so",
    )
)
_MAX_PHRASE = max(len(p) for p in _MINIMAL_PHRASES)
_FILLERS = _words("um umm uh uhh er erm hmm mm mhm well yeah yes yep oh so just really like")


def _covered_by_minimal_phrases(tokens: Sequence[str]) -> bool:
    """Whether ``tokens`` (fillers removed) are nothing but minimal phrases, at least one."""
    rest = [t for t in tokens if t not in _FILLERS]
    if not rest:
        return False
    i = 0
    while i < len(rest):
        for size in range(min(_MAX_PHRASE, len(rest) - i), 0, -1):
            if tuple(rest[i : i + size]) in _MINIMAL_PHRASES:
                i += size
                break
        else:
            return False
    return True


@dataclass(frozen=True, slots=True)
class MinimalResponse:
    """A withdrawal marker: a short, noncommittal reply to an invitation to say more."""

    max_words: int = MINIMAL_MAX_WORDS
    selector: Selector = answers_invitation
    kind: RuptureKind = RuptureKind.WITHDRAWAL
    marker: str = "minimal_response"
    explanation: str = (
        "A very short, noncommittal reply to an open question or a reflection. The client may "
        "be stepping back from the topic or from you (withdrawal), or may simply have nothing "
        "to add: look at what came before and after."
    )

    def evidence(self, exchange: Exchange) -> str | None:
        tokens = [w for u in exchange.turn for w in u.words]
        if not tokens or len(tokens) > self.max_words:
            return None
        if not _covered_by_minimal_phrases(tokens):
            return None
        return " ".join(u.text.strip() for u in exchange.turn)


# Words too common in talk to show that two turns are about the same thing: function words and
# PROJECT-AUTHORED conversational verbs and fillers.
_NOT_CONTENT = frozenset().union(*FUNCTION_WORDS.values()) | _words(
    "yeah yes okay mm hmm um uh know think mean get got going gonna want say said tell told "
    "make made go went come came see seem seems sound sounds right thing things kind sort "
    "like feel felt way lot guess something"
)
_STEM = 5


def _content_stems(text: str) -> set[str]:
    return {w[:_STEM] for w in tokenize(text) if len(w) >= 3 and w not in _NOT_CONTENT}


@dataclass(frozen=True, slots=True)
class TopicShift:
    """A withdrawal marker: the client asks to leave the topic, or opens their reply with a
    shift cue and takes up none of the therapist's content words."""

    explicit: re.Pattern[str]
    cue: re.Pattern[str]
    min_trigger_words: int = 2
    selector: Selector = follows_therapist
    kind: RuptureKind = RuptureKind.WITHDRAWAL
    marker: str = "topic_shift"
    explanation: str = (
        "The client moved away from what you had just raised. Shifting topic can be a quiet "
        "withdrawal when a subject feels uncomfortable; it can also be the client bringing "
        "something that matters more to them."
    )

    def evidence(self, exchange: Exchange) -> str | None:
        m = self.explicit.search(exchange.text)
        if m:
            return exchange.utterance.text[m.start() : m.end()]
        if not exchange.opens_turn or exchange.trigger is None:
            return None
        m = self.cue.match(exchange.text)
        if not m:
            return None
        raised = _content_stems(exchange.trigger.text)
        if len(raised) < self.min_trigger_words or raised & _content_stems(exchange.text):
            return None
        return exchange.utterance.text[m.start(1) : m.end(1)]


_OPENING_FILLERS = r"^\W*(?:(?:um|uh|oh|well|so|yeah|okay|ok|but|and)\W+)*"

# PROJECT-AUTHORED phrase lists, after the 3RS marker descriptions (see the module docstring).
_TOPIC_SHIFT = TopicShift(
    explicit=_phrases(
        "can we talk about something else",
        "could we talk about something else",
        "let's talk about something else",
        "can we change the subject",
        "let's change the subject",
        "change the subject",
        "can we move on",
        "let's move on",
        "let's just move on",
        "i don't want to talk about it",
        "i don't want to talk about that",
        "i don't want to talk about this",
        "i'd rather not talk about",
        "i would rather not talk about",
        "i'd rather not get into",
    ),
    cue=re.compile(
        _OPENING_FILLERS
        + r"(anyways?|by\s+the\s+way|on\s+(?:another|a\s+different|an\s+unrelated)\s+note|"
        r"changing\s+the\s+subject|to\s+change\s+the\s+subject|never\s+mind|"
        r"forget\s+(?:about\s+)?(?:it|that))\b",
        re.IGNORECASE,
    ),
)

_DEFERRING = PhraseDetector(
    RuptureKind.WITHDRAWAL,
    "deferring",
    _either(
        _phrases(
            "whatever you think",
            "whatever you say",
            "whatever you want",
            "whatever you suggest",
            "whatever you think is best",
            "i'll do whatever you",
            "i'll do what you say",
            "you're the expert",
            "you're the doctor",
            "you're the professional",
            "you're the therapist",
            "you're the counsellor",
            "you're the counselor",
            "you are the expert",
        ),
        _phrases(
            "you know best",
            "you know better",
            "if you say so",
            "if you think so",
            "it's up to you",
            "that's up to you",
            "up to you",
            "you decide",
            "you choose",
            clause_end=True,
        ),
        # "Can you tell me ...?" is a question, not deferring; and only at a sentence end:
        # "you tell me, stop smoking ..." reports advice. (Lookbehinds after "you", so they
        # run only where "you" is.)
        r"\byou(?<!can you)(?<!could you)(?<!would you)(?<!will you)(?<!did you)"
        r"(?<!\bdo you)(?<!\bif you)(?<!when you)\s+tell\s+me(?=\s*(?:[.!?]|$))",
    ),
    "The client handed the view or the decision to you. Deferring can be a quiet withdrawal: "
    "going along rather than saying what they think or want.",
)

_COMPLAINT_ABOUT_THERAPIST = PhraseDetector(
    RuptureKind.CONFRONTATION,
    "complaint_about_therapist",
    _either(
        _phrases(
            "you don't understand me",
            "you don't understand",
            "you just don't understand",
            "you do not understand",
            "you don't get it",
            "you just don't get it",
            "you don't get me",
            "you're not listening",
            "you aren't listening",
            "you are not listening",
            "you're not hearing me",
            "you never listen",
            "you don't listen",
            "you don't hear me",
            clause_end=True,
        ),
        _phrases(
            # Not bare "you don't understand what ...": generic "you" ("when you're drunk
            # you don't understand what you're doing") is common in clients' stories.
            "you don't understand what i",
            "you don't understand how i",
            "you don't understand how hard",
            "you don't understand how difficult",
            "you don't know what it's like",
            "you don't know what i'm going through",
            "you have no idea what",
            "you have no idea how",
            "you're not listening to me",
            "you're not hearing what i",
            "you keep telling me",
            "you keep asking me",
            "you keep pushing me",
            "you keep lecturing me",
            "you keep nagging me",
            "you keep saying that",
            "you keep saying this",
            "you keep bringing that up",
            "you keep bringing it up",
            "you keep going on about",
            "stop telling me",
            "stop lecturing me",
            "stop pushing me",
            "stop judging me",
            "stop nagging me",
            "you're judging me",
            "you're lecturing me",
            "you're blaming me",
            "you're putting words in my mouth",
            "you sound like my",
            "you sound just like my",
            "you're just like everyone else",
            "you're like everyone else",
            "you're just like everybody else",
            "you're like all the others",
        ),
    ),
    "The client voiced a complaint about you or the way you are responding. A possible "
    "confrontation rupture: it usually helps to name it and explore it openly, without "
    "defending.",
    follows_therapist,
)

_COMPLAINT_ABOUT_THERAPY = PhraseDetector(
    RuptureKind.CONFRONTATION,
    "complaint_about_therapy",
    _phrases(
        "this isn't helping",
        "this is not helping",
        "this doesn't help",
        "this does not help",
        "this isn't going to help",
        "therapy isn't helping",
        "therapy doesn't help",
        "counselling isn't helping",
        "counseling isn't helping",
        "coming here isn't helping",
        "coming here doesn't help",
        "talking doesn't help",
        "talking about it doesn't help",
        "talking about it won't help",
        "this is a waste of time",
        "this is a waste of my time",
        "this is such a waste of time",
        "this is a complete waste of time",
        "this is a waste of money",
        "therapy is a waste of time",
        "counselling is a waste of time",
        "counseling is a waste of time",
        "coming here is a waste of time",
        "these sessions are a waste of time",
        "what's the point of coming",
        "what's the point of being here",
        "what's the point of this",
        "what's the point of these sessions",
        "what's the point of therapy",
        "what's the point of talking about it",
        "what is the point of coming",
        "what is the point of this",
        "why am i here",
        "why am i even here",
        "why do i even bother coming",
        "why do i bother coming",
        "why do i keep coming",
        "i don't want to be here",
        "i don't need to be here",
        "i'm only here because",
        "we're going round in circles",
        "we're going around in circles",
        "we're going in circles",
        "we're just going round in circles",
        "we're not getting anywhere",
        "this isn't going anywhere",
        "this is going nowhere",
        "this is pointless",
        "this is useless",
        "therapy is pointless",
        "i don't see the point of this",
        "i don't see the point of coming",
        "i don't see how this is helping",
        "i don't see how this helps",
        "i don't see how this is going to help",
    ),
    "The client questioned whether the sessions are helping or worth coming to. A possible "
    "confrontation rupture about the work itself (its tasks or goals).",
)

_REJECTING = PhraseDetector(
    RuptureKind.CONFRONTATION,
    "rejecting_intervention",
    _either(
        _phrases(
            "that won't work",
            "that will not work",
            "that will never work",
            "that would never work",
            "that wouldn't work",
            "that doesn't work for me",
            "that wouldn't work for me",
            "that's not going to work",
            "that is not going to work",
            "that isn't going to work",
            "that's never going to work",
            "that's not gonna work",
            "that won't help",
            "that's not going to help",
            "that's not what i said",
            "that's not what i meant",
            "that's not what i mean",
            "that's not what i'm saying",
            "that's not what i was saying",
            "that is not what i said",
            "that is not what i meant",
            "you've got it wrong",
            "you've got me wrong",
            "you've got that wrong",
            "you're getting it wrong",
            "easy for you to say",
        ),
        r"\bi'?ve\s+(?:already\s+)?tried\s+that(?:\s+already|\s+before)?\s+and\s+it\s+"
        r"(?:didn'?t|did\s+not|never|doesn'?t)\s+(?:work|help)",
        _phrases(
            "i've tried that",
            "i've already tried that",
            "i've tried that already",
            "i've tried that before",
            "i have tried that",
            "i tried that already",
            "i tried that before",
            "i already tried that",
            "that's not it",
            clause_end=True,
        ),
        # A reply that opens by contradicting the therapist: "No, that's not right."
        r"^\W*no\W+(?:that'?s|that\s+is)\s+not\s+(?:it|right|true|what)\b",
    ),
    "The client turned down what you had just offered (a suggestion or a reflection). A "
    "possible confrontation rupture, or a useful correction: look at how you responded.",
    follows_therapist,
)

DETECTORS: tuple[Detector, ...] = (
    MinimalResponse(),
    _TOPIC_SHIFT,
    _DEFERRING,
    _COMPLAINT_ABOUT_THERAPIST,
    _COMPLAINT_ABOUT_THERAPY,
    _REJECTING,
)


def _exchanges(conversation: Conversation, labels: Sequence[UtteranceLabels]) -> Iterable[Exchange]:
    by_index = {lab.index: lab for lab in labels}
    us = conversation.utterances
    trigger: Utterance | None = None
    for position, u in enumerate(us):
        if u.role is Role.THERAPIST:
            trigger = u
            continue
        if u.role is not Role.CLIENT:
            continue
        opens = position > 0 and us[position - 1].role is Role.THERAPIST
        turn: tuple[Utterance, ...] = (u,)
        if opens:
            end = position + 1
            while end < len(us) and us[end].role is Role.CLIENT:
                end += 1
            turn = us[position:end]
        yield Exchange(
            utterance=u,
            text=normalise(u.text),
            trigger=trigger,
            trigger_labels=by_index.get(trigger.index) if trigger is not None else None,
            opens_turn=opens,
            turn=turn,
        )


def rupture_markers(
    conversation: Conversation,
    labels: Sequence[UtteranceLabels] = (),
    detectors: Sequence[Detector] = DETECTORS,
) -> tuple[RuptureMarker, ...]:
    """Possible withdrawal and confrontation markers in ``conversation``, in transcript order.

    ``labels`` (optional) tell whether a therapist utterance was an open question or a
    reflection; without them that is judged from its wording.
    """
    found: list[RuptureMarker] = []
    for exchange in _exchanges(conversation, labels):
        for detector in detectors:
            # Both must hold; the evidence goes first because it is the cheap test that
            # usually fails (a selector may read the therapist's wording).
            evidence = detector.evidence(exchange)
            if evidence is None or not detector.selector(exchange):
                continue
            found.append(
                RuptureMarker(
                    kind=detector.kind,
                    marker=detector.marker,
                    index=exchange.utterance.index,
                    trigger_index=exchange.trigger.index if exchange.trigger else None,
                    evidence=evidence,
                    explanation=detector.explanation,
                )
            )
    return tuple(found)
