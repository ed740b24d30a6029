"""The clinic admin's view of the audit trail, with filters and a CSV export."""

from __future__ import annotations

import csv
from datetime import date
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from rapport.audit.middleware import record_id
from rapport.audit.models import AuditEvent
from rapport.web.access import staff_user
from rapport.web.views.staff import clinic_admin_required

PAGE_SIZE = 100
CSV_FIELDS = ("at", "actor", "action", "route", "method", "path", "status", "client_id", "ip")
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """A CSV cell that a spreadsheet shows as text: a leading ' defuses a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _filtered(request: HttpRequest) -> tuple[QuerySet[AuditEvent], dict[str, str], str]:
    """The admin's clinic's events narrowed by the query string, the filters, and any error."""
    events = AuditEvent.objects.filter(clinic_id=staff_user(request).clinic_id)
    filters = {k: request.GET.get(k, "").strip() for k in ("actor", "client", "since", "until")}
    error = ""
    if any(not v.isprintable() for v in filters.values()):
        # A NUL byte cannot even be compared in PostgreSQL; no name or number holds one.
        return events.none(), dict.fromkeys(filters, ""), "The filters hold a control character."
    if filters["actor"]:
        events = events.filter(actor=filters["actor"])
    if filters["client"]:
        client = filters["client"]
        # ASCII digits only: "²" passes isdigit() but not int(), and int() takes "+1" and "٣".
        number = record_id(client) if client.isascii() and client.isdigit() else None
        if number is not None:
            events = events.filter(client_id=number)
        else:
            error = "The client is their record number (the number in the client page's address)."
    for key, lookup in (("since", "at__date__gte"), ("until", "at__date__lte")):
        if filters[key]:
            try:
                events = events.filter(**{lookup: date.fromisoformat(filters[key])})
            except ValueError:
                error = f"{filters[key]!r} is not a date (use YYYY-MM-DD)."
    return events, filters, error


@clinic_admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    events, filters, error = _filtered(request)
    page = Paginator(events.select_related("user"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in filters.items() if v})
    context = {"page": page, "filters": filters, "error": error, "query": query}
    return render(request, "audit/log.html", context, status=400 if error else 200)


class _Echo:
    def write(self, value: str) -> str:
        return value


@clinic_admin_required
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Every matching event as CSV, streamed so a long trail does not sit in memory."""
    events, _, error = _filtered(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    writer = csv.writer(_Echo())
    rows = (
        writer.writerow([_cell(getattr(e, f)) for f in CSV_FIELDS]) for e in events.iterator(2000)
    )
    header = writer.writerow(CSV_FIELDS)
    response = StreamingHttpResponse(
        (line for part in ([header], rows) for line in part), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="rapport-audit.csv"'
    return response
