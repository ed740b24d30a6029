"""Free-text answers for the demo: what clients write for "next time" and therapists' notes.

Comments are what make a chart feel real in a demo, so they follow the story: guarded early on
for a distrustful client, pointed at a rupture, relieved after a repair. Clients write in
about a third of sessions (always around a rupture); therapists leave a note now and then and
always when something clinically important happened.
"""

from __future__ import annotations

import random

CLIENT_COMMENT_RATE = 1 / 3
THERAPIST_NOTE_RATE = 0.15

# Tags whose sessions always get a client comment / a therapist note.
_ALWAYS_COMMENT = frozenset({"rupture", "repair"})
_ALWAYS_NOTE = frozenset({"rupture", "repair", "risk"})

CLIENT_COMMENTS: dict[str, tuple[str, ...]] = {
    "first": (
        "I was nervous about coming but this felt okay.",
        "Still working out what I want from this.",
        "Good to finally say some of it out loud.",
        "Not sure what to expect yet, but I'll come back.",
    ),
    "anxious": (
        "The breathing thing actually helped on the bus.",
        "Could we practise what to do when it starts at work?",
        "I like that you explain why we're doing things.",
        "Less scary than I thought it would be.",
        "I'd like to go over the worry diary again.",
        "Slept better this week. Want to keep that going.",
    ),
    "guarded": (
        "Not sure this is for me.",
        "Felt a bit judged today.",
        "Don't really see how talking helps.",
        "I said what I needed to say.",
        "Fine. Same time next week I suppose.",
        "Felt judged when we talked about my drinking.",
    ),
    "warming": (
        "It helped that you asked what wasn't working for me.",
        "Better today. Less like an interview.",
        "I didn't expect you to actually change things when I said.",
        "Starting to see the point of the homework.",
    ),
    "warm": (
        "I actually look forward to these now.",
        "Can we talk about what happens when we finish?",
        "Felt really understood today.",
        "Want to keep going with the plan we made.",
    ),
    "rupture": (
        "I felt you weren't listening today.",
        "It felt like you had your own agenda this time.",
        "You moved on too fast from what mattered to me.",
        "Didn't feel like we were on the same page.",
    ),
    "repair": (
        "Glad we talked about last week. It helped.",
        "Thanks for bringing up last session. Felt better after.",
        "Good that we cleared the air.",
    ),
    "repaired": (
        "Back on track I think.",
        "Felt heard today.",
    ),
    "low": (
        "Hard week. Not sure anything is shifting.",
        "Everything feels heavy at the moment.",
        "Could we slow down a bit?",
        "I don't know what I want to talk about next time.",
        "Struggling to get out of bed most days.",
    ),
    "risk": (
        "Some really dark days this week.",
        "I need to talk about how bad it got.",
    ),
    "flat": (
        "Same as always really.",
        "Maybe we could try something different?",
        "Not sure it's moving, but it's good to have the space.",
        "Can we look at my goals again?",
    ),
    "": (
        "Thanks, that was helpful.",
        "Would like more time on the work stuff next week.",
        "Good session.",
        "Can we go back to what we started on my sister?",
        "I'd like more practical ideas to try.",
        "Felt listened to.",
        "Could we start with how the week went?",
        "Talking about my dad was hard but useful.",
        "More on sleep next time please.",
        "The exercise from last week worked some days.",
    ),
}

THERAPIST_NOTES: dict[str, tuple[str, ...]] = {
    "guarded": (
        "Low check-in; asked about it openly. Client wary but engaged.",
        "Named the low scores together; agreed to go at the client's pace.",
        "Client guarded. Focus on goals the client chooses.",
    ),
    "warming": (
        "Discussed the check-in scores; client surprised I wanted to know.",
        "Adjusted approach after feedback; more structure, less probing.",
    ),
    "rupture": (
        "Check-in dropped sharply. Likely moved on too quickly. Raise it next session.",
        "Possible rupture: client quieter at the end. Open with it next time.",
    ),
    "repair": (
        "Talked through last week's session; client said it felt better to say it.",
        "Acknowledged I missed something last time. Alliance feels restored.",
    ),
    "risk": (
        "PHQ-9 item 9 endorsed. Risk assessed: no plan or intent. Safety plan updated.",
        "Risk item endorsed. Explored in session; safety plan reviewed, GP informed.",
    ),
    "low": (
        "Mood lower again. Review formulation and consider stepping up care.",
        "Scores worsening. Discuss in supervision.",
        "Client flat today. Check medication review with GP.",
    ),
    "flat": (
        "No change over several sessions. Revisit goals next time.",
        "Progress stalled; propose a review of the plan.",
    ),
    "": (
        "Good session. Homework agreed.",
        "Worked on thought records.",
        "Client brought a clear agenda today.",
        "Explored family history; some new material.",
        "Planned ending in a few sessions.",
        "Behavioural activation going well.",
    ),
}


def _bank(banks: dict[str, tuple[str, ...]], tag: str) -> tuple[str, ...]:
    """The comments for a tag, falling back to general ones for tags without their own."""
    return banks.get(tag) or banks[""]


def client_comment(rng: random.Random, tag: str) -> str | None:
    """A "next_time" comment for a session with this tag, or None if the client skips it."""
    if tag not in _ALWAYS_COMMENT and rng.random() >= CLIENT_COMMENT_RATE:
        return None
    return rng.choice(_bank(CLIENT_COMMENTS, tag))


def therapist_note(rng: random.Random, tag: str) -> str | None:
    """A therapist's "note" for a session with this tag, or None (most sessions)."""
    if tag not in _ALWAYS_NOTE and rng.random() >= THERAPIST_NOTE_RATE:
        return None
    return rng.choice(_bank(THERAPIST_NOTES, tag))
