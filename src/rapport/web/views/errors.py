"""Friendly error pages: no stack traces, no hint of what exists."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/not_found.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request: its context processors may need the database that just failed.
    return HttpResponseServerError(loader.render_to_string("web/server_error.html"))
