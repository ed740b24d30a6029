"""Creating feedback links and storing answers: the rules shared by pages and API.

A link's token is ``Signer().sign(secret)``: the signature rejects tampered or invented tokens
before any database lookup, and only ``sha256(secret)`` is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import User
from rapport.care.models import TherapySession
from rapport.consent.models import Purpose as ConsentPurpose
from rapport.consent.services import ConsentMissing, require_consent
from rapport.core.instruments import AnswerError, Instrument, score
from rapport.feedback.instruments import THERAPIST_RATING, registry
from rapport.feedback.models import Channel, FeedbackRequest, Purpose, Respondent, Response

_SALT = "rapport.feedback-link"
MAX_COMMENT_LENGTH = 2000


class LinkProblem(Exception):
    """A feedback link cannot be used; ``reason`` picks the friendly page to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "invalid" | "expired" | "used"


class SubmissionError(ValueError):
    """Answers that cannot be accepted; the message is shown to whoever submitted them."""


@dataclass(frozen=True)
class IssuedLink:
    request: FeedbackRequest
    token: str

    @property
    def path(self) -> str:
        return reverse("feedback-form", args=[self.token])

    @property
    def url(self) -> str:
        return f"{settings.SITE_URL}{self.path}"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def measures_for(session: TherapySession, purpose: str) -> list[str]:
    """The client's configured outcome measure (start) or alliance measure (end)."""
    client = session.episode.client
    return [client.outcome_measure if purpose == Purpose.START else client.alliance_measure]


def issue_link(
    session: TherapySession,
    purpose: str,
    created_by: User,
    channel: str = Channel.LINK,
    instruments: list[str] | None = None,
) -> IssuedLink:
    """Create a single-use, expiring request and return it with its (only) token."""
    if purpose not in Purpose.values:
        raise SubmissionError(f"Unknown purpose {purpose!r}: use 'start' or 'end'.")
    codes = instruments or measures_for(session, purpose)
    for code in codes:
        if code not in registry():
            raise SubmissionError(f"Unknown measure {code!r}.")
    try:
        require_consent(session.episode.client, ConsentPurpose.FEEDBACK)
    except ConsentMissing as exc:
        raise SubmissionError(str(exc)) from exc
    secret = secrets.token_urlsafe(24)
    request = FeedbackRequest.objects.create(
        session=session,
        purpose=purpose,
        channel=channel,
        instruments=codes,
        secret_hash=_hash(secret),
        expires_at=timezone.now() + timedelta(hours=settings.FEEDBACK_LINK_HOURS),
        created_by=created_by,
    )
    return IssuedLink(request, signing.Signer(salt=_SALT).sign(secret))


def resolve(token: str, *, allow_completed: bool = False) -> FeedbackRequest:
    """Find the open request behind ``token`` or raise :class:`LinkProblem`.

    Tampered and unknown tokens raise the same "invalid" reason, so a guess learns nothing.
    """
    try:
        secret = signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise LinkProblem("invalid") from exc
    request = (
        FeedbackRequest.objects.select_related("session__episode__client")
        .filter(secret_hash=_hash(secret))
        .first()
    )
    if request is None:
        raise LinkProblem("invalid")
    if request.completed_at is not None and not allow_completed:
        raise LinkProblem("used")
    if request.completed_at is None and request.is_expired:
        raise LinkProblem("expired")
    return request


def request_for_token(token: str) -> FeedbackRequest | None:
    """The request a token names, whatever its state (for the audit trail); None if forged."""
    try:
        secret = signing.Signer(salt=_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return (
        FeedbackRequest.objects.select_related("session__episode__client")
        .filter(secret_hash=_hash(secret))
        .first()
    )


def mark_opened(request: FeedbackRequest) -> None:
    if request.opened_at is None:
        FeedbackRequest.objects.filter(pk=request.pk, opened_at__isnull=True).update(
            opened_at=timezone.now()
        )


def _storable(text: str) -> bool:
    """False for text no database column can hold: NUL (PostgreSQL refuses it in text and
    JSON) and lone surrogates (valid in a JSON string, not encodable as UTF-8)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean_comments(instrument: Instrument, comments: Mapping[str, object]) -> dict[str, str]:
    """Keep only the measure's own free-text questions, trimmed; refuse over-long text."""
    cleaned: dict[str, str] = {}
    for question in instrument.free_text:
        value = comments.get(question.key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise SubmissionError(
                f"{instrument.name}: the answer to '{question.text}' must be text."
            )
        text = value.strip()
        if not _storable(text):
            raise SubmissionError(
                f"{instrument.name}: the answer to '{question.text}' contains characters that "
                "cannot be stored; please retype it."
            )
        if len(text) > MAX_COMMENT_LENGTH:
            raise SubmissionError(
                f"{instrument.name}: please keep '{question.text}' under "
                f"{MAX_COMMENT_LENGTH} characters."
            )
        if text:
            cleaned[question.key] = text
    return cleaned


def build_response(
    instrument: Instrument,
    answers: Mapping[int, float | None],
    comments: Mapping[str, object],
    **fields: object,
) -> Response:
    try:
        result = score(instrument, answers)
    except AnswerError as exc:
        raise SubmissionError(str(exc)) from exc
    if result.answered == 0:
        raise SubmissionError(f"{instrument.name}: please answer at least one question.")
    return Response(
        instrument=instrument.code,
        answers={str(n): v for n, v in sorted(answers.items()) if v is not None},
        comments=clean_comments(instrument, comments),
        total=result.total,
        subscales=result.subscales,
        band=result.band or "",
        clinical=result.clinical,
        prorated=result.prorated,
        risk_items=list(result.risk_items),
        **fields,
    )


def submit(
    request: FeedbackRequest,
    answers: Mapping[str, Mapping[int, float | None]],
    comments: Mapping[str, Mapping[str, object]] | None = None,
    also: Callable[[FeedbackRequest], None] | None = None,
) -> tuple[list[Response], bool]:
    """Store a client's answers for every measure of ``request``, all or nothing.

    Returns the responses and whether they were newly created. A second submission of a request
    that is already complete (a double tap, or a retry after the first reply was lost) creates
    nothing and returns the stored responses, so the client sees "thank you" both times.
    ``also`` stores anything else answered on the same form (e.g. goal ratings) inside the same
    transaction, so the whole form is kept or nothing is.
    """
    comments = comments or {}
    unknown = set(answers) - set(request.instruments)
    if unknown:
        raise SubmissionError(f"This link does not ask for {', '.join(sorted(unknown))}.")
    missing = [code for code in request.instruments if code not in answers]
    if missing:
        raise SubmissionError(f"Answers for {', '.join(missing)} are missing.")
    built = [
        build_response(
            registry().get(code),
            answers[code],
            comments.get(code, {}),
            respondent=Respondent.CLIENT,
        )
        for code in request.instruments
    ]
    try:
        with transaction.atomic():
            # Lock the request row so two concurrent submissions serialise here.
            locked = FeedbackRequest.objects.select_for_update().get(pk=request.pk)
            if locked.completed_at is not None:
                return list(locked.responses.all()), False
            now = timezone.now()
            for response in built:
                response.session_id = locked.session_id
                response.request = locked
                response.submitted_at = now
                response.save()
            locked.completed_at = now
            locked.save(update_fields=["completed_at"])
            if also is not None:
                also(locked)
    except IntegrityError:
        # SQLite has no row locks: the unique constraint is the last line of defence.
        return list(request.responses.all()), False
    return built, True


DUPLICATE_WINDOW = timedelta(minutes=2)


def record_therapist_rating(
    session: TherapySession,
    user: User,
    answers: Mapping[int, float | None],
    comments: Mapping[str, object] | None = None,
) -> Response:
    """Store the therapist's own view of the session's alliance.

    A later rating is a revision: it is stored beside the earlier ones and shown in their
    place. The same rating again within :data:`DUPLICATE_WINDOW` (a double click, a resent
    form) stores nothing and returns the first.
    """
    response = build_response(
        registry().get(THERAPIST_RATING),
        answers,
        comments or {},
        respondent=Respondent.THERAPIST,
        session=session,
        submitted_by=user,
    )
    with transaction.atomic():
        # Lock the session row so two simultaneous posts cannot both miss each other.
        TherapySession.objects.select_for_update().filter(pk=session.pk).first()
        latest = (
            Response.objects.filter(
                session=session,
                instrument=response.instrument,
                respondent=Respondent.THERAPIST,
                submitted_by=user,
                submitted_at__gte=timezone.now() - DUPLICATE_WINDOW,
            )
            .order_by("-submitted_at")
            .first()
        )
        if latest is not None and (latest.answers, latest.comments) == (
            response.answers,
            response.comments,
        ):
            return latest
        response.save()
    return response
