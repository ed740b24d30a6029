"""A session summary for the therapist: a few plain sentences, each linked to its evidence.

**Definition.** :func:`session_summary` turns a :class:`~.analysis.SessionAnalysis` into three
to nine :class:`SummaryPoint` sentences (one, saying so, when the transcript has no words), in
this order, leaving out what cannot be said:

1. talk balance — the therapist's share of the words (with their longest utterances linked
   when they spoke more than the client);
2. reflection-to-question ratio against the MITI benchmarks, or, without labels, how to get
   them;
3. % complex reflections against the MITI benchmarks (examples linked);
4. therapist utterances with directive wording ("you should", "the problem is"), when there
   are any (linked);
5. the client's change talk against sustain talk (examples linked);
6. the client's tone in the first against the second half of the session (VADER; the most
   positive or negative later utterances linked);
7. possible withdrawal moments and 8. possible confrontation moments (the flagged utterances
   linked), or a line saying none were found;
9. language style matching, and where in the session it was lowest.

**Source.** Each sentence restates a marker documented in its own module: talk balance and
LSM in :mod:`.markers` (Ireland & Pennebaker 2010), MI ratios in :mod:`.mi` (MITI 4.2.1,
Moyers et al. 2014/2016), directive wording in :mod:`.directives` (MITI 4.2.1's Persuade and
Confront), tone in :mod:`.affect` (Hutto & Gilbert 2014), ruptures in :mod:`.ruptures`
(Safran & Muran 2000; Eubanks, Muran & Safran 2015, 2018). That clients
usually speak more than the therapist in MI reflects MI's emphasis on evoking the client's own
reasons (Miller WR, Rollnick S. Motivational Interviewing: Helping People Change. 3rd ed.
Guilford; 2013). The wording and the thresholds below (:data:`TONE_CHANGE`,
:data:`LSM_DIP`) are PROJECT-AUTHORED.

**How to read it.** The sentences are prompts for reflection on a session, not a rating of
it. They say "possible" and "markers suggest" because every marker is an approximation: labels
from a model can be wrong, word lists miss what is not said in so many words, and a sentiment
score reads words, not voices. Open the linked utterances before drawing a conclusion.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapport.core.transcripts.labels import Behaviour, ReflectionKind, TalkType
from rapport.core.transcripts.model import Role, normalise
from rapport.core.transcripts.ruptures import RuptureKind, RuptureMarker

if TYPE_CHECKING:  # analysis imports this module to fill SessionAnalysis.summary
    from rapport.core.transcripts.analysis import SessionAnalysis

__all__ = ["LSM_DIP", "MAX_EXAMPLES", "TONE_CHANGE", "SummaryPoint", "session_summary"]

# A change of 0.1 in a half-session mean of VADER compound scores is twice VADER's own +-0.05
# neutral band (Hutto & Gilbert 2014): smaller moves are within the noise of word choice.
TONE_CHANGE = 0.1
# A window whose LSM is this far below the session's is worth a look.
LSM_DIP = 0.1
# Examples linked to a sentence: enough to see the pattern, few enough to open them all.
MAX_EXAMPLES = 3
_MAX_LISTED = 5  # utterance numbers written out in a sentence before "and N more"

_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


@dataclass(frozen=True, slots=True)
class SummaryPoint:
    """One plain-words sentence for the therapist; ``evidence`` lists utterance indices."""

    text: str
    evidence: tuple[int, ...] = ()


def _count(n: int, noun: str, plural: str | None = None) -> str:
    word = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else str(n)
    return f"{word} {noun if n == 1 else plural or noun + 's'}"


def _signed(x: float) -> str:
    # A real minus sign: "-0.12" in running text reads as a dash.
    return f"{x:+.2f}".replace("-", "\u2212")


def _list(indices: Sequence[int]) -> str:
    shown = [str(i) for i in indices[:_MAX_LISTED]]
    more = len(indices) - len(shown)
    if more:
        return f"{', '.join(shown)} and {more} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def _talk(analysis: SessionAnalysis) -> SummaryPoint | None:
    balance = analysis.balance
    therapist = balance.by_role[Role.THERAPIST].word_share
    client = balance.by_role[Role.CLIENT].word_share
    if not therapist and not client:
        return None
    if round(100 * therapist) == round(100 * client):
        return SummaryPoint(f"You and the client spoke about equally ({therapist:.0%} each).")
    if therapist > client:
        longest = sorted(
            analysis.conversation.by_role(Role.THERAPIST), key=lambda u: len(u.words), reverse=True
        )[:MAX_EXAMPLES]
        return SummaryPoint(
            f"You spoke {therapist:.0%} of the words and the client {client:.0%}; in MI the "
            "client usually does more of the talking. Your longest utterances are linked.",
            tuple(sorted(u.index for u in longest)),
        )
    return SummaryPoint(
        f"The client spoke {client:.0%} of the words and you {therapist:.0%}: the client did "
        "more of the talking, which is what MI aims for."
    )


def _reflections_and_questions(analysis: SessionAnalysis) -> list[SummaryPoint]:
    mi = analysis.mi
    if mi is None:
        return [
            SummaryPoint(
                "No behaviour labels: train a classifier with `rapport model train` to see "
                "MI ratios (reflections to questions, complex reflections, change talk)."
            )
        ]
    caveat = (
        " (Labels come from a model and can be wrong.)" if analysis.labels_from == "model" else ""
    )
    points = []
    ratio = mi.reflection_to_question
    benchmark = "(MITI 'fair' is 1:1, 'good' 2:1)"
    if ratio is None:
        if mi.reflections:
            text = f"You reflected {_count(mi.reflections, 'time')} and asked no questions."
        else:
            text = "No reflections or questions were labelled in this session."
    elif ratio > 1:
        text = f"Your reflections outnumbered questions {ratio:.1f} to 1 {benchmark}."
    elif ratio == 1:
        text = f"You reflected as often as you asked questions {benchmark}."
    else:
        text = (
            f"You asked more questions than you reflected: {ratio:.1f} reflections per "
            f"question {benchmark}."
        )
    points.append(SummaryPoint(text + caveat))
    share = mi.percent_complex_reflections
    if share is not None:
        complex_ = [
            lab.index
            for lab in analysis.labels
            if lab.behaviour is Behaviour.REFLECTION and lab.reflection is ReflectionKind.COMPLEX
        ][:MAX_EXAMPLES]
        text = (
            f"{share:.0f}% of your reflections were complex, adding meaning to what the client "
            "said (MITI 'fair' is 40%, 'good' 50%)."
        )
        if complex_:
            text += " Examples are linked."
        points.append(SummaryPoint(text, tuple(complex_)))
    return points


def _directives(analysis: SessionAnalysis) -> SummaryPoint | None:
    if not analysis.directives:
        return None
    indices = [d.index for d in analysis.directives]
    therapist = len(analysis.conversation.by_role(Role.THERAPIST))
    # One spelling per phrase: "You shouldn\u2019t" and "you  shouldn't" are the same words.
    spelled = (normalise(" ".join(d.evidence.split())) for d in analysis.directives)
    phrases = ", ".join(f'"{p}"' for p in dict.fromkeys(spelled))
    where = "utterance" if len(indices) == 1 else "utterances"
    return SummaryPoint(
        f"{len(indices)} of your {therapist} utterances told the client what to do or what was "
        f"wrong ({phrases}): {where} {_list(indices)}. MI asks permission before advising; "
        "check whether the client asked.",
        tuple(indices),
    )


def _change_talk(analysis: SessionAnalysis) -> SummaryPoint | None:
    mi = analysis.mi
    if mi is None or not (mi.change or mi.sustain):
        return None
    if mi.change > mi.sustain:
        verb, shown = "outweighed", TalkType.CHANGE
    elif mi.change < mi.sustain:
        verb, shown = "was outweighed by", TalkType.SUSTAIN
    else:
        verb, shown = "matched", TalkType.CHANGE
    examples = [lab.index for lab in analysis.labels if lab.talk_type is shown][:MAX_EXAMPLES]
    return SummaryPoint(
        f"The client's change talk {verb} sustain talk ({mi.change} to {mi.sustain} "
        f"utterances). Examples of {shown.value} talk are linked.",
        tuple(examples),
    )


def _tone(analysis: SessionAnalysis) -> SummaryPoint | None:
    client = analysis.affect.by_role.get(Role.CLIENT)
    if client is None or client.first_half is None or client.second_half is None:
        return None
    first, second = client.first_half, client.second_half
    span = f"(from {_signed(first)} to {_signed(second)}, on a scale from \u22121 to +1)"
    if abs(second - first) < TONE_CHANGE:
        return SummaryPoint(
            f"The client's tone, scored from their words, stayed about level {span}."
        )
    fell = second < first
    later = [
        p
        for p in analysis.affect.points
        if p.role is Role.CLIENT and p.second_half and (p.compound < 0 if fell else p.compound > 0)
    ]
    later.sort(key=lambda p: p.compound, reverse=not fell)
    examples = tuple(sorted(p.index for p in later[:MAX_EXAMPLES]))
    text = (
        f"The client's tone, scored from their words, {'fell' if fell else 'rose'} in the "
        f"second half {span}."
    )
    if examples:
        text += f" The most {'negative' if fell else 'positive'} later utterances are linked."
    return SummaryPoint(text, examples)


def _rupture_point(markers: Sequence[RuptureMarker], kind: RuptureKind) -> SummaryPoint | None:
    chosen = [m for m in markers if m.kind is kind]
    if not chosen:
        return None
    indices = sorted({m.index for m in chosen})
    names = ", ".join(dict.fromkeys(m.marker.replace("_", " ") for m in chosen))
    moments = _count(len(indices), f"possible {kind.value} moment").capitalize()
    where = "utterance" if len(indices) == 1 else "utterances"
    return SummaryPoint(f"{moments} ({names}): {where} {_list(indices)}.", tuple(indices))


def _ruptures(analysis: SessionAnalysis) -> list[SummaryPoint]:
    points = [_rupture_point(analysis.ruptures, kind) for kind in RuptureKind]
    found = [p for p in points if p is not None]
    if found:
        return found
    return [
        SummaryPoint(
            "No rupture markers were found; the word lists catch only explicit phrases "
            '("this isn\'t helping", "I don\'t know"), so quieter withdrawal can still be there.'
        )
    ]


def _style_matching(analysis: SessionAnalysis) -> SummaryPoint | None:
    if analysis.lsm is None:
        return None
    text = (
        f"Your function-word style matched the client's at {analysis.lsm:.2f} (language style "
        "matching, 0 to 1; higher means more in step)."
    )
    scored = [w for w in analysis.lsm_windows if w.lsm is not None]
    if len(scored) > 1:
        low = min(scored, key=lambda w: w.lsm if w.lsm is not None else 1.0)
        if low.lsm is not None and low.lsm <= analysis.lsm - LSM_DIP:
            return SummaryPoint(
                text + f" It was lowest ({low.lsm:.2f}) around utterances {low.first}\u2013"
                f"{low.last}.",
                (low.first, low.last),
            )
    return SummaryPoint(text)


def session_summary(analysis: SessionAnalysis) -> tuple[SummaryPoint, ...]:
    """Three to nine plain sentences about ``analysis`` (see the module docstring)."""
    talk = _talk(analysis)
    if talk is None:
        return (SummaryPoint("The transcript has no therapist or client words to summarise."),)
    points: list[SummaryPoint | None] = [talk]
    points += _reflections_and_questions(analysis)
    points += [_directives(analysis), _change_talk(analysis), _tone(analysis)]
    points += _ruptures(analysis)
    points.append(_style_matching(analysis))
    return tuple(p for p in points if p is not None)
