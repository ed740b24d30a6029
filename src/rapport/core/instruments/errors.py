"""The three ways the instrument layer says no: a bad definition, a bad answer, an unknown code."""

from __future__ import annotations


class DefinitionError(ValueError):
    """A definition or clinic text file is malformed; names the file and the offending field.

    Raised at start-up when the registry loads, never while a client is answering, so a
    broken measure stops the deployment instead of silently mis-scoring.
    """

    def __init__(self, source: str, field: str, problem: str) -> None:
        self.source = source
        self.field = field
        self.problem = problem
        where = f"{source}: {field}" if field else source
        super().__init__(f"{where}: {problem}")


class AnswerError(ValueError):
    """An answer cannot be scored: unknown item, not a number, out of range or off the scale.

    The message names the measure and the item in words a clinician understands, e.g.
    ``PHQ-9 item 3: 4 is outside 0-3`` (written with an en dash).
    """


class UnknownInstrument(KeyError):
    """No measure with that code is registered."""

    def __init__(self, code: str, known: list[str]) -> None:
        self.code = code
        self.known = known
        listed = ", ".join(known) if known else "none"
        self.message = f"Unknown measure {code!r}; known measures: {listed}"
        super().__init__(self.message)

    def __str__(self) -> str:
        # KeyError.__str__ would repr() the message, wrapping it in quotes.
        return self.message
