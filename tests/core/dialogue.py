"""A conversation written as (role, text) pairs, for tests of the transcript markers."""

from __future__ import annotations

from rapport.core.transcripts.model import Conversation, Role, Utterance


def dialogue(*turns: tuple[Role, str]) -> Conversation:
    """Conversation "s" with one utterance per turn, indexed from 0, speakers named by role."""
    return Conversation(
        "s", tuple(Utterance(i, r.value, r, text) for i, (r, text) in enumerate(turns)), "test"
    )
