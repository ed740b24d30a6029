"""Friendly error pages: no stack traces, no hint of what exists."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/not_found.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that might touch the database that may have just failed.
    return render(request, "web/server_error.html", status=500, using=None)
