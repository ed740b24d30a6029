"""The client's side: the form behind a feedback link, with no password.

Every failure (bad link, expired, used, invalid answers) gets a friendly page with a 4xx status,
never a 500. The form works without JavaScript; with it, answers are also kept on the device
until the server acknowledges them (see static/rapport/feedback-form.js).
"""

from __future__ import annotations

from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from rapport.core.instruments import Instrument
from rapport.feedback import services
from rapport.feedback.forms import item_field, parse_answers, text_field
from rapport.feedback.instruments import registry
from rapport.feedback.models import Channel, FeedbackRequest
from rapport.plans.client_form import plan_form_context
from rapport.plans.services import parse_plan_answers, store_plan_answers

_PROBLEM_STATUS = {"invalid": 404, "expired": 410, "used": 410}
# Shown to the page script when the database cannot be reached; its answers stay on the device.
UNAVAILABLE_MESSAGE = (
    "We couldn't save your answers just now. They are kept on this page: "
    "please tap Send again in a moment."
)
RETRY_AFTER_SECONDS = 5


def _problem_page(request: HttpRequest, reason: str) -> HttpResponse:
    return render(
        request,
        "feedback/link_problem.html",
        {"reason": reason},
        status=_PROBLEM_STATUS[reason],
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _item_rows(instrument: Instrument, posted: dict[str, str]) -> list[dict[str, Any]]:
    """What the template needs for each item, including any value posted before an error."""
    rows = []
    for item in instrument.items:
        name = item_field(instrument, item.number)
        rows.append(
            {
                "item": item,
                "name": name,
                "value": posted.get(name, ""),
                "choices": [
                    {
                        "value": c.value,
                        "label": c.label,
                        "checked": posted.get(name) == str(c.value),
                    }
                    for c in item.scale.choices
                ],
            }
        )
    return rows


def measures_context(
    codes: list[str], posted: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Template rows for each measure's items and free-text questions."""
    posted = posted or {}
    measures = []
    for code in codes:
        instrument = registry().get(code)
        measures.append(
            {
                "instrument": instrument,
                "items": _item_rows(instrument, posted),
                "free_text": [
                    {
                        "question": q,
                        "name": text_field(instrument, q.key),
                        "value": posted.get(text_field(instrument, q.key), ""),
                    }
                    for q in instrument.free_text
                ],
            }
        )
    return measures


def _form_page(
    request: HttpRequest,
    feedback_request: FeedbackRequest,
    token: str,
    error: str = "",
    posted: dict[str, str] | None = None,
) -> HttpResponse:
    context = {
        "feedback_request": feedback_request,
        "measures": measures_context(feedback_request.instruments, posted),
        "plan": plan_form_context(feedback_request, posted or {}),
        "tablet": feedback_request.channel == Channel.TABLET,
        "token": token,
        "error": error,
    }
    return render(request, "feedback/form.html", context, status=400 if error else 200)


def _unavailable(request: HttpRequest) -> HttpResponse:
    """503 with a retry message while the database is down (connection refused or dropped).

    Nothing was stored (the submit is one transaction) or, if the commit landed before the
    connection dropped, a retry is answered as received: either way sending again is safe. The
    page is rendered without the request, whose context processors may need the database.
    """
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if _wants_json(request):
        return JsonResponse(
            {"status": "error", "message": UNAVAILABLE_MESSAGE}, status=503, headers=headers
        )
    page = loader.render_to_string("web/server_error.html")
    return HttpResponse(page, status=503, headers=headers)


@never_cache
@require_http_methods(["GET", "POST"])
def feedback_form(request: HttpRequest, token: str) -> HttpResponse:
    try:
        return _feedback_form(request, token)
    except (OperationalError, InterfaceError):
        return _unavailable(request)


def _feedback_form(request: HttpRequest, token: str) -> HttpResponse:
    try:
        feedback_request = services.resolve(token, allow_completed=request.method == "POST")
    except services.LinkProblem as problem:
        return _problem_page(request, problem.reason)

    if request.method == "GET":
        services.mark_opened(feedback_request)
        return _form_page(request, feedback_request, token)

    instruments = [registry().get(code) for code in feedback_request.instruments]
    try:
        parsed = parse_answers(instruments, request.POST)
        plan_answers = parse_plan_answers(feedback_request, request.POST)
        services.submit(
            feedback_request,
            parsed.answers,
            parsed.comments,
            also=store_plan_answers(plan_answers),
        )
    except services.SubmissionError as exc:
        if _wants_json(request):
            return JsonResponse({"status": "error", "message": str(exc)}, status=400)
        return _form_page(request, feedback_request, token, str(exc), request.POST.dict())
    if _wants_json(request):
        return JsonResponse({"status": "received"})
    return redirect("feedback-thanks", token=token)


@never_cache
def feedback_thanks(request: HttpRequest, token: str) -> HttpResponse:
    try:
        feedback_request = services.resolve(token, allow_completed=True)
    except services.LinkProblem as problem:
        return _problem_page(request, problem.reason)
    return render(
        request,
        "feedback/thanks.html",
        {
            "feedback_request": feedback_request,
            "tablet": feedback_request.channel == Channel.TABLET,
            "received": feedback_request.completed_at is not None,
        },
    )
