"""Only the HTTP methods a server-rendered page uses.

Django's class-less views answer any method: a PUT or a made-up ``FOO`` to a client's page
rendered it, and the audit trail then recorded a "change". Pages use GET, HEAD and POST;
OPTIONS is answered here with the list and no page. The JSON API under ``/api/`` routes
methods itself and keeps its own answers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

PAGE_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
_ALLOW = ", ".join(PAGE_METHODS)
API_PREFIX = "/api/"


class PageMethodsMiddleware:
    """Outside the API: OPTIONS gets the allowed methods, any other method 405."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":  # the views would render the page for it
            answer = HttpResponse()
            answer["Allow"] = _ALLOW
            return answer
        if request.method not in PAGE_METHODS:
            return HttpResponseNotAllowed(PAGE_METHODS)
        return self.get_response(request)
