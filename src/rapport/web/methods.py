"""Only the HTTP methods a server-rendered page uses.

Django's class-less views answer any method: a PUT or a made-up ``FOO`` to a client's page
rendered it, and the audit trail then recorded a "change". Pages use GET, HEAD and POST (and
OPTIONS is harmless); the JSON API under ``/api/`` routes methods itself and keeps its own
answers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

PAGE_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
API_PREFIX = "/api/"


class PageMethodsMiddleware:
    """Answer 405 Method Not Allowed to any other method outside the API."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in PAGE_METHODS and not request.path.startswith(API_PREFIX):
            return HttpResponseNotAllowed(PAGE_METHODS)
        return self.get_response(request)
