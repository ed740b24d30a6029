"""Ownership checks in one place: a record outside the user's caseload is a 404.

A 404 rather than a 403 so a therapist cannot even learn that another therapist's client exists.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from rapport.accounts.models import User
from rapport.care.models import Client, TherapySession


def staff_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "views using this are wrapped in login_required"
    return user


def get_client_for_user(request: HttpRequest, client_id: int) -> Client:
    return get_object_or_404(Client.objects.visible_to(staff_user(request)), pk=client_id)


def get_session_for_user(request: HttpRequest, session_id: int) -> TherapySession:
    sessions = TherapySession.objects.visible_to(staff_user(request))
    return get_object_or_404(sessions.select_related("episode__client"), pk=session_id)
