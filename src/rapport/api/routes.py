"""API routes. Same ownership rules as the pages: another therapist's client is a 404."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import get_object_or_404
from ninja import NinjaAPI, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from rapport.accounts.models import User
from rapport.accounts.tokens import user_for_token
from rapport.api.schemas import (
    ClientOut,
    ErrorOut,
    FeedbackFormOut,
    FeedbackRequestIn,
    FeedbackRequestOut,
    FeedbackSubmitIn,
    FeedbackSubmitOut,
    InstrumentOut,
    ResponseOut,
    SessionIn,
    SessionOut,
    SignalsOut,
    ValidationErrorOut,
)
from rapport.care.models import Client, TherapySession
from rapport.care.services import add_session
from rapport.core.instruments import Instrument
from rapport.feedback import services
from rapport.feedback.instruments import registry
from rapport.feedback.models import Response
from rapport.feedback.ratelimit import over_limit
from rapport.signals.reading import signals_for_clients


class BearerToken(HttpBearer):
    """``Authorization: Bearer rpt_…`` with a personal token (``rapport token create``)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="Rapport API",
    version="1",
    description=(
        "Clients, sessions, feedback links and scores. Authenticate with a personal bearer "
        "token or a logged-in session; the client-facing /feedback routes need only the link's "
        "token. A therapist sees only their own caseload."
    ),
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


def _json_bodies_only(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Refuse a body that is not declared JSON, before anything else reads it.

    Ninja parses any body as JSON whatever its Content-Type, so text/plain or a form post was
    accepted; those are also what a page on another site may send without a CORS preflight.
    """

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Read from the header: request.body would raise here for a body over the upload limit.
        has_body = request.META.get("CONTENT_LENGTH", "") not in ("", "0")
        writes = request.method in ("POST", "PUT", "PATCH")
        if writes and has_body and request.content_type != "application/json":
            detail = "Send the body as JSON, with the header Content-Type: application/json."
            return api.create_response(request, {"detail": detail}, status=415)
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(_json_bodies_only, mode="view")  # "view": around parsing, not just the handler

# Error replies declared on every route that can give them, so the schema is the whole truth
# for client code (and for the schema fuzzer in tests/reliability): 401 without a valid token,
# 422 when a path parameter or body does not fit the schema, 400 when a body is not JSON, 415
# when a body is not declared JSON.
_STAFF: dict[int, Any] = {401: ErrorOut}
_INVALID: dict[int, Any] = {422: ValidationErrorOut}
_UNPARSEABLE: dict[int, Any] = {400: ErrorOut}
_NOT_JSON: dict[int, Any] = {415: ErrorOut}

_LINK_STATUS = {"invalid": 404, "expired": 410, "used": 410}
_LINK_MESSAGE = {
    "invalid": "This link is not valid.",
    "expired": "This link has expired; ask your therapist for a new one.",
    "used": "This link has already been used.",
}


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _client(request: HttpRequest, client_id: int) -> Client:
    return get_object_or_404(Client.objects.visible_to(_user(request)), pk=client_id)


def instrument_out(inst: Instrument) -> dict[str, Any]:
    return {
        "code": inst.code,
        "name": inst.name,
        "title": inst.title,
        "kind": str(inst.kind),
        "respondent": str(inst.respondent),
        "timing": inst.timing,
        "validated": inst.validated,
        "licence": inst.licence.name,
        "citation": inst.citation,
        "text_missing": inst.text_missing,
        "instructions": inst.instructions,
        "total_min": inst.total_range[0],
        "total_max": inst.total_range[1],
        "better": str(inst.better),
        "cutoff": inst.cutoff,
        "reliable_change": inst.reliable_change,
        "items": [
            {
                "number": item.number,
                "key": item.key,
                "label": item.label,
                "text": item.text,
                "scale": item.scale.kind,
                "minimum": item.scale.minimum,
                "maximum": item.scale.maximum,
                "step": item.scale.step,
                "choices": [{"value": c.value, "label": c.label} for c in item.scale.choices],
                "reverse": item.reverse,
                "risk": item.risk,
            }
            for item in inst.items
        ],
        "free_text": [{"key": q.key, "text": q.text} for q in inst.free_text],
    }


@api.get("/instruments", response={200: list[InstrumentOut], **_STAFF}, tags=["measures"])
def list_instruments(request: HttpRequest) -> list[dict[str, Any]]:
    """Every measure this clinic can use, with items and scoring facts."""
    return [instrument_out(inst) for inst in registry().all()]


@api.get("/clients", response={200: list[ClientOut], **_STAFF}, tags=["clients"])
def list_clients(request: HttpRequest) -> Any:
    """The caller's own caseload."""
    return Client.objects.visible_to(_user(request))


@api.get(
    "/clients/{client_id}",
    response={200: ClientOut, 404: ErrorOut, **_STAFF, **_INVALID},
    tags=["clients"],
)
def get_client(request: HttpRequest, client_id: int) -> Any:
    return _client(request, client_id)


def _sessions(client: Client) -> Any:
    return (
        TherapySession.objects.filter(episode__client=client)
        .order_by("episode__started_on", "number")
        .prefetch_related(Prefetch("responses", queryset=Response.objects.order_by("submitted_at")))
    )


def _session_out(session: TherapySession) -> dict[str, Any]:
    return {
        "id": session.pk,
        "episode_id": session.episode_id,
        "number": session.number,
        "date": session.date,
        "modality": session.modality,
        "responses": list(session.responses.all()),
    }


@api.get(
    "/clients/{client_id}/sessions",
    response={200: list[SessionOut], 404: ErrorOut, **_STAFF, **_INVALID},
    tags=["sessions"],
)
def list_sessions(request: HttpRequest, client_id: int) -> Any:
    """Sessions of all the client's episodes, each with its stored responses and scores."""
    return [_session_out(s) for s in _sessions(_client(request, client_id))]


@api.post(
    "/clients/{client_id}/sessions",
    response={
        201: SessionOut,
        404: ErrorOut,
        409: ErrorOut,
        **_STAFF,
        **_INVALID,
        **_UNPARSEABLE,
        **_NOT_JSON,
    },
    tags=["sessions"],
)
def create_session(request: HttpRequest, client_id: int, payload: SessionIn) -> Any:
    """Add the next session to the client's current episode (opening one if needed)."""
    client = _client(request, client_id)
    try:
        session = add_session(client, payload.date, payload.modality)
    except IntegrityError:
        return Status(409, {"detail": "Another session was added at the same moment; try again."})
    return Status(201, _session_out(session))


@api.get(
    "/clients/{client_id}/scores",
    response={200: list[ResponseOut], 404: ErrorOut, **_STAFF, **_INVALID},
    tags=["scores"],
)
def list_scores(request: HttpRequest, client_id: int) -> Any:
    """Every stored response of the client, oldest first, with item answers and scores."""
    client = _client(request, client_id)
    return Response.objects.filter(session__episode__client=client).order_by(
        "session__date", "session__number", "submitted_at"
    )


@api.get(
    "/clients/{client_id}/signals",
    response={200: SignalsOut, 404: ErrorOut, **_STAFF, **_INVALID},
    tags=["signals"],
    summary="The client's open signals, most urgent first, with suggested questions",
)
def get_signals(request: HttpRequest, client_id: int) -> Any:
    client = _client(request, client_id)
    result = signals_for_clients([client], client.clinic_id)[client.pk].signals
    return {
        "urgency": result.urgency.name.lower(),
        "colour": str(result.colour),
        "reason": result.reason,
        "change": str(result.change.category) if result.change else None,
        "progress": str(result.progress.progress) if result.progress else None,
        "signals": [
            {
                "kind": str(s.kind),
                "urgency": s.urgency.name.lower(),
                "session": s.session,
                "summary": s.summary,
                "prompts": list(s.prompts),
            }
            for s in result.signals
        ],
    }


@api.post(
    "/sessions/{session_id}/feedback-requests",
    response={
        201: FeedbackRequestOut,
        400: ErrorOut,
        404: ErrorOut,
        **_STAFF,
        **_INVALID,
        **_NOT_JSON,
    },
    tags=["feedback"],
)
def create_feedback_request(
    request: HttpRequest, session_id: int, payload: FeedbackRequestIn
) -> Any:
    """Create a single-use, expiring link for the client to answer this session's measure."""
    session = get_object_or_404(TherapySession.objects.visible_to(_user(request)), pk=session_id)
    try:
        link = services.issue_link(session, payload.purpose, _user(request))
    except services.SubmissionError as exc:
        return Status(400, {"detail": str(exc)})
    return Status(
        201,
        {
            "id": link.request.pk,
            "url": link.url,
            "token": link.token,
            "purpose": link.request.purpose,
            "instruments": link.request.instruments,
            "expires_at": link.request.expires_at,
        },
    )


def _resolve(token: str, *, allow_completed: bool = False) -> Any:
    try:
        return services.resolve(token, allow_completed=allow_completed)
    except services.LinkProblem as problem:
        raise HttpError(_LINK_STATUS[problem.reason], _LINK_MESSAGE[problem.reason]) from problem


def _check_link_rate(request: HttpRequest) -> None:
    """The feedback link pages' limits (:mod:`rapport.feedback.ratelimit`) hold here too."""
    if over_limit(request):
        raise HttpError(429, "Too many requests from this network; try again in a minute.")


@api.get(
    "/feedback/{token}",
    response={200: FeedbackFormOut, 404: ErrorOut, 410: ErrorOut, 429: ErrorOut},
    auth=None,
    tags=["feedback"],
)
def get_feedback_form(request: HttpRequest, token: str) -> Any:
    """What the link asks (for a client app); needs only the link's token."""
    _check_link_rate(request)
    feedback_request = _resolve(token)
    services.mark_opened(feedback_request)
    return {
        "purpose": feedback_request.purpose,
        "expires_at": feedback_request.expires_at,
        "instruments": [instrument_out(registry().get(c)) for c in feedback_request.instruments],
    }


@api.post(
    "/feedback/{token}",
    response={
        200: FeedbackSubmitOut,
        400: ErrorOut,
        404: ErrorOut,
        410: ErrorOut,
        429: ErrorOut,
        **_INVALID,
        **_NOT_JSON,
    },
    auth=None,
    tags=["feedback"],
)
def submit_feedback(request: HttpRequest, token: str, payload: FeedbackSubmitIn) -> Any:
    """Submit the client's answers. Repeating a successful submit is safe: nothing is duplicated."""
    _check_link_rate(request)
    feedback_request = _resolve(token, allow_completed=True)
    try:
        responses, created = services.submit(feedback_request, payload.answers, payload.comments)
    except services.SubmissionError as exc:
        return Status(400, {"detail": str(exc)})
    return Status(
        200,
        {
            "status": "received" if created else "already_received",
            "totals": {r.instrument: r.total for r in responses},
        },
    )
