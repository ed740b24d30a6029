"""The therapist's home page: every client with their latest scores and a status colour."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rapport.web.access import staff_user
from rapport.web.records import caseload


@login_required
def caseload_view(request: HttpRequest) -> HttpResponse:
    rows = caseload(staff_user(request))
    return render(request, "web/caseload.html", {"rows": rows})
