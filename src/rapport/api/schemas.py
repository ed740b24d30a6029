"""Request and response shapes of the JSON API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator

from rapport.care.dates import implausible
from rapport.care.models import Modality
from rapport.core.instruments.formatting import parse_number
from rapport.feedback.models import Purpose


class ErrorOut(Schema):
    detail: str


class ValidationErrorItemOut(Schema):
    type: str
    loc: list[str | int] = Field(description="Where the problem is, e.g. body, payload, date.")
    msg: str


class ValidationErrorOut(Schema):
    """The 422 body: one entry per field that does not fit the schema."""

    detail: list[ValidationErrorItemOut]


class ChoiceOut(Schema):
    value: int
    label: str | None


class ItemOut(Schema):
    number: int
    key: str
    label: str
    text: str | None = Field(description="Null when the clinic has not installed licensed text.")
    scale: str
    minimum: float
    maximum: float
    step: float
    choices: list[ChoiceOut]
    reverse: bool
    risk: bool


class FreeTextOut(Schema):
    key: str
    text: str


class InstrumentOut(Schema):
    code: str
    name: str
    title: str
    kind: str
    respondent: str
    timing: str
    validated: bool = Field(description="False for project-authored measures.")
    licence: str
    citation: str
    text_missing: bool
    instructions: str | None
    total_min: float
    total_max: float
    better: str
    cutoff: float | None
    reliable_change: float | None
    items: list[ItemOut]
    free_text: list[FreeTextOut]


class ClientOut(Schema):
    id: int
    display_name: str
    year_of_birth: int | None
    outcome_measure: str
    alliance_measure: str


class ResponseOut(Schema):
    id: int
    instrument: str
    respondent: str
    total: float | None
    band: str
    clinical: bool | None
    prorated: bool
    risk_items: list[int]
    subscales: dict[str, float | None]
    answers: dict[str, float]
    comments: dict[str, str]
    submitted_at: datetime


class SessionOut(Schema):
    id: int
    episode_id: int
    number: int
    date: date
    modality: str
    responses: list[ResponseOut]


def _plausible(day: date) -> date:
    problem = implausible(day)
    if problem:
        raise ValueError(problem)
    return day


# Named outside the class: there a field called "date" would shadow the type.
PlausibleDate = Annotated[date, AfterValidator(_plausible)]


class SessionIn(Schema):
    date: PlausibleDate = Field(
        description="The session's date, YYYY-MM-DD, from 1900 to a year ahead."
    )
    modality: Modality = Modality.IN_PERSON


class FeedbackRequestIn(Schema):
    purpose: Purpose = Field(description="'start' asks the outcome measure, 'end' the alliance.")


class FeedbackRequestOut(Schema):
    id: int
    url: str = Field(description="Shown once: only a hash of the link's secret is stored.")
    token: str
    purpose: str
    instruments: list[str]
    expires_at: datetime


class FeedbackFormOut(Schema):
    purpose: str
    expires_at: datetime
    instruments: list[InstrumentOut]


def _plain_answer(value: object) -> object:
    # Pydantic would read true/false as 1.0/0.0; the core refuses booleans as answers.
    if isinstance(value, bool):
        raise ValueError("an answer must be a number (or null), not true or false")
    # It would read a string as float() does ("1_0" as 10, "nan"): the web form's rule instead.
    if isinstance(value, str):
        try:
            return parse_number(value)
        except ValueError:
            raise ValueError(
                f"{value[:20]!r} is not a number; send a number such as 7 or 2.5"
            ) from None
    return value


Answer = Annotated[float | None, BeforeValidator(_plain_answer)]


def _each_item_once(value: object) -> object:
    """Item numbers as the core reads them (ASCII digits), each item once. Pydantic alone
    reads "1", "01" and " 1" all as item 1, keeping only the last answer, and "1_0" as 10."""
    if not isinstance(value, dict):
        return value  # pydantic names the wrong type
    seen: dict[str, str] = {}
    for key in value:
        name = str(key) if isinstance(key, int) and not isinstance(key, bool) else key
        if not (isinstance(name, str) and name.isascii() and name.isdigit()):
            raise ValueError(f"{key!r} is not an item number")
        number = name.lstrip("0") or "0"  # compared as text: int() refuses 4,300+ digits
        if number in seen:
            raise ValueError(f"item {number} is answered twice ({seen[number]!r} and {name!r})")
        seen[number] = name
    return value


class FeedbackSubmitIn(Schema):
    answers: dict[str, Annotated[dict[int, Answer], BeforeValidator(_each_item_once)]] = Field(
        description="Per measure code, item number -> answer (null = skipped)."
    )
    comments: dict[str, dict[str, str]] = Field(default_factory=dict)


class FeedbackSubmitOut(Schema):
    status: str = Field(description="'received', or 'already_received' for a repeated submit.")
    totals: dict[str, float | None]


class SignalOut(Schema):
    kind: str = Field(description="risk, rupture, deterioration, not_on_track, low_alliance, …")
    urgency: str = Field(description="risk, rupture, red, amber, green or grey")
    session: int | None
    summary: str
    prompts: list[str] = Field(description="Suggested questions (project-authored).")


class SignalsOut(Schema):
    urgency: str
    colour: str
    reason: str
    change: str | None = Field(description="recovered, improved, unchanged, deteriorated, …")
    progress: str | None = Field(description="on_track, below_expected, not_on_track, unknown")
    signals: list[SignalOut]
