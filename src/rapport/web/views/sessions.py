"""A session: collecting the client's feedback and the therapist's own rating."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.analysis.page import transcript_section
from rapport.care.models import TherapySession
from rapport.care.services import add_session
from rapport.feedback import services
from rapport.feedback.forms import parse_answers
from rapport.feedback.instruments import THERAPIST_RATING, registry
from rapport.feedback.models import Purpose
from rapport.feedback.views import measures_context
from rapport.web.access import get_client_for_user, get_session_for_user, staff_user
from rapport.web.forms import SessionForm
from rapport.web.records import session_records


@login_required
def session_new(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = add_session(client, form.cleaned_data["date"], form.cleaned_data["modality"])
        except IntegrityError:
            # Two tabs added a session at once; the other one won the number.
            form.add_error(None, "Another session was added just now. Please try again.")
        else:
            return redirect("session-detail", session_id=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/session_form.html", {"form": form, "client": client}, status=status)


@login_required
def session_detail(
    request: HttpRequest, session_id: int, analysis_id: int | None = None
) -> HttpResponse:
    """The session page; ``analysis_id`` shows an earlier transcript analysis than the latest."""
    session = get_session_for_user(request, session_id)
    client = session.episode.client
    record = session_records(client, TherapySession.objects.filter(pk=session.pk))[0]
    links = session.feedback_requests.order_by("-created_at")
    context = {
        "session": session,
        "client": client,
        "record": record,
        "links": links,
        "collect": [
            (Purpose.START, client.outcome_measure),
            (Purpose.END, client.alliance_measure),
        ],
        "rating_measures": measures_context([THERAPIST_RATING]),
        "transcript": transcript_section(session, analysis_id),
    }
    return render(request, "web/session_detail.html", context)


@login_required
@require_POST
def issue_link(request: HttpRequest, session_id: int, purpose: str) -> HttpResponse:
    """Create a link; the page shows it once (with a QR code), since only its hash is kept."""
    session = get_session_for_user(request, session_id)
    try:
        link = services.issue_link(session, purpose, staff_user(request))
    except services.SubmissionError as exc:
        messages.error(request, str(exc))
        return redirect("session-detail", session_id=session.pk)
    qr_svg = segno.make(link.url, error="m").svg_inline(scale=4, dark="#1b1f24", light="#ffffff")
    context = {"link": link, "qr_svg": qr_svg, "session": session}
    template = "web/_issued_link.html" if request.htmx else "web/issued_link.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_POST
def rate_session(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, session_id)
    instrument = registry().get(THERAPIST_RATING)
    try:
        parsed = parse_answers([instrument], request.POST)
        services.record_therapist_rating(
            session,
            staff_user(request),
            parsed.answers[instrument.code],
            parsed.comments[instrument.code],
        )
    except services.SubmissionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your rating of the session is saved.")
    return redirect("session-detail", session_id=session.pk)
