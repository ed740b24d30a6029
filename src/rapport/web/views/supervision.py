"""The supervisor's view: per-therapist aggregates of signals and outcomes, no client records."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rapport.accounts.models import Role
from rapport.signals.supervision import clinic_summary
from rapport.web.access import staff_user

# (triage rank, label, chip colour) in triage order.
RANKS = [
    ("risk", "risk", "red"),
    ("rupture", "rupture", "red"),
    ("red", "red", "red"),
    ("amber", "amber", "amber"),
    ("green", "green", "green"),
    ("grey", "too few scores", "grey"),
]


@login_required
def supervision(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if user.clinic is None or user.role not in (Role.SUPERVISOR, Role.ADMIN):
        return render(request, "web/forbidden.html", status=403)
    context = {"clinic": user.clinic, "summaries": clinic_summary(user.clinic), "ranks": RANKS}
    return render(request, "web/supervision.html", context)
