"""In-room tablet mode: the therapist hands their logged-in device to the client.

While the device is locked, the browser session may reach only the client's form and the unlock
page; every staff page redirects to the unlock page, which asks for the therapist's password.
The lock lives in the server-side session, so the client cannot lift it from the browser.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.care.models import TherapySession
from rapport.feedback import services
from rapport.feedback.models import Channel

SESSION_KEY = "rapport_tablet_lock"


class TabletLockMiddleware:
    """Keep a locked device on the client's form until the therapist unlocks it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lock = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if lock and not self._allowed(request.path, lock["token"]):
            return redirect("tablet-unlock")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str, token: str) -> bool:
        form_path = reverse("feedback-form", args=[token])
        return (
            path.startswith(form_path)
            or path == reverse("tablet-unlock")
            or path.startswith("/static/")
        )


@login_required
@require_POST
def start_tablet(request: HttpRequest, session_id: int, purpose: str) -> HttpResponse:
    """Issue a tablet request for the therapist's own session and lock the device."""
    session = get_object_or_404(
        TherapySession.objects.visible_to(request.user),
        pk=session_id,
    )
    try:
        link = services.issue_link(session, purpose, request.user, channel=Channel.TABLET)
    except services.SubmissionError:
        return redirect("session-detail", session_id=session.pk)
    request.session[SESSION_KEY] = {"token": link.token, "session_id": session.pk}
    return redirect(link.path)


class UnlockForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "off"}))


def unlock(request: HttpRequest) -> HttpResponse:
    """Ask the therapist's password before the device leaves client mode."""
    lock = request.session.get(SESSION_KEY)
    if not lock:
        return redirect("caseload")
    form = UnlockForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=request.user.get_username(), password=form.cleaned_data["password"]
        )
        if user is not None and user.pk == request.user.pk:
            del request.session[SESSION_KEY]
            return redirect("session-detail", session_id=lock["session_id"])
        error = "That password is not right."
    return render(
        request,
        "feedback/tablet_unlock.html",
        {"form": form, "error": error, "form_path": reverse("feedback-form", args=[lock["token"]])},
        status=400 if error else 200,
    )
