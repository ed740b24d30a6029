"""Consent, data export and anonymisation, from the therapist's view of their client."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.consent.models import Method, Purpose
from rapport.consent.rights import anonymise_client, export_client
from rapport.consent.services import current_consent, record_consent
from rapport.web.access import get_client_for_user, staff_user


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(choices=Purpose.choices)
    granted = forms.TypedChoiceField(
        choices=[("yes", "Agreed"), ("no", "Refused or withdrawn")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Decision",
    )
    method = forms.ChoiceField(choices=Method.choices)


@login_required
def consent_page(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record_consent(
            client,
            Purpose(data["purpose"]),
            data["granted"],
            Method(data["method"]),
            staff_user(request),
        )
        messages.success(request, "Consent recorded.")
        return redirect("client-consent", client_id=client.pk)
    context = {
        "client": client,
        "form": form,
        "current": [(Purpose(p).label, r) for p, r in current_consent(client).items()],
        "history": client.consents.select_related("recorded_by").order_by("-recorded_at"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "consent/consent.html", context, status=status)


@login_required
def client_export(request: HttpRequest, client_id: int) -> HttpResponse:
    """All of the client's data: ?format=json downloads it, otherwise a readable page."""
    client = get_client_for_user(request, client_id)
    data = export_client(client)
    if request.GET.get("format") == "json":
        response = HttpResponse(
            json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
        )
        response["Content-Disposition"] = f'attachment; filename="rapport-client-{client.pk}.json"'
        return response
    return render(request, "consent/export.html", {"client": client, "data": data})


@login_required
@require_POST
def client_anonymise(request: HttpRequest, client_id: int) -> HttpResponse:
    """Anonymise on the client's request, after the therapist types the display name."""
    client = get_client_for_user(request, client_id)
    typed = request.POST.get("confirm", "").strip()
    if typed != client.display_name:
        messages.error(
            request,
            f"Nothing was erased: type the client's name exactly ({client.display_name}) to "
            "confirm.",
        )
        return redirect("client-consent", client_id=client.pk)
    anonymise_client(client, staff_user(request))
    messages.success(
        request,
        "The client's name, year of birth, every comment and plan text, and any transcript "
        "analyses were erased; scores and the audit trail are kept.",
    )
    return redirect("client-detail", client_id=client.pk)
