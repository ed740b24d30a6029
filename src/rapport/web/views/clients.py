"""A client's record: charts across sessions, item-level answers and comments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from rapport.care.models import Client, Episode
from rapport.feedback.instruments import instrument_or_none
from rapport.feedback.models import Response
from rapport.signals.reading import signals_for_clients
from rapport.signals.services import AcknowledgementError, acknowledge_risk
from rapport.web.access import get_client_for_user, staff_user
from rapport.web.forms import ClientForm, MeasuresForm
from rapport.web.records import chart_data, session_records


@login_required
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    return _client_page(request, get_client_for_user(request, client_id))


def _client_page(
    request: HttpRequest,
    client: Client,
    *,
    status: int = 200,
    refused: dict[str, Any] | None = None,
) -> HttpResponse:
    """The client's page; ``refused`` holds a risk note that was refused, to show it again."""
    episode = client.episode_in_view
    sessions = episode.sessions.order_by("number") if episode else client.episodes.none()
    records = session_records(client, sessions)  # type: ignore[arg-type]
    view = signals_for_clients([client], client.clinic_id)[client.pk]
    context = {
        "client": client,
        "episode": episode,
        "records": records,
        "signals": view.signals,
        "trajectory": view.trajectory,
        "chart": chart_data(client, records, view.signals, view.trajectory),
        "outcome": instrument_or_none(client.outcome_measure),
        "alliance": instrument_or_none(client.alliance_measure),
        "measures_form": MeasuresForm(instance=client),
        "refused_note": refused or {},
    }
    return render(request, "web/client_detail.html", context, status=status)


@login_required
def client_new(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if user.clinic is None:
            form.add_error(None, "Your account belongs to no clinic; ask your clinic admin.")
        else:
            with transaction.atomic():
                client = form.save(commit=False)
                client.clinic = user.clinic
                client.therapist = user
                client.save()
                Episode.objects.create(client=client, started_on=form.cleaned_data["started_on"])
            return redirect("client-detail", client_id=client.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "web/client_form.html", {"form": form}, status=status)


@login_required
def client_measures(request: HttpRequest, client_id: int) -> HttpResponse:
    """Change the client's measures; stored responses keep the measure they were given on."""
    client = get_client_for_user(request, client_id)
    form = MeasuresForm(request.POST or None, instance=client)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("client-detail", client_id=client.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "web/measures_form.html", {"form": form, "client": client}, status=status
    )


@login_required
@require_POST
def risk_acknowledge(request: HttpRequest, client_id: int, response_id: int) -> HttpResponse:
    """Record that the therapist has seen and acted on an endorsed risk item."""
    client = get_client_for_user(request, client_id)
    response = get_object_or_404(
        Response.objects.filter(session__episode__client=client), pk=response_id
    )
    note = request.POST.get("note", "")
    try:
        acknowledge_risk(response, staff_user(request), note)
    except AcknowledgementError as exc:
        messages.error(request, str(exc))
        # The page again, not a redirect: the note typed in an urgent moment stays to be fixed.
        return _client_page(
            request, client, status=400, refused={"response": response.pk, "note": note}
        )
    messages.success(request, "Risk acknowledged and recorded.")
    return redirect("client-detail", client_id=client.pk)
