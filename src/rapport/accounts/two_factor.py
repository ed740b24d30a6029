"""Two-factor sign-in: a six-digit code from an authenticator app (TOTP, through django-otp).

Signing in is two steps for a staff member with a confirmed device: the password (Django's login,
throttled by django-axes), then a code from the app (``django_otp.login`` marks the session as
verified). Until the second step is done the session reaches only the code page, logging out and
the login page. In a clinic that requires two-factor, a staff member without a device is held on
the set-up page the same way until they have confirmed one.
"""

from __future__ import annotations

import enum
from base64 import b32encode
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from rapport.accounts.models import User

DEVICE_NAME = "Authenticator app"


class Step(enum.Enum):
    """What a signed-in session still has to do before it may use the app."""

    DONE = "done"
    CODE = "code"  # the user has a confirmed device; this session has not given a code yet
    SETUP = "setup"  # the clinic requires two-factor and the user has no confirmed device


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def clinic_requires_two_factor(user: User) -> bool:
    return user.clinic_id is not None and bool(user.clinic and user.clinic.require_two_factor)


def is_verified(user: Any) -> bool:
    """Whether this session gave a code (``OTPMiddleware`` sets ``otp_device``)."""
    return getattr(user, "otp_device", None) is not None


def pending_step(user: Any) -> Step:
    if not isinstance(user, User) or not user.is_authenticated or is_verified(user):
        return Step.DONE
    if has_confirmed_device(user):
        return Step.CODE
    if clinic_requires_two_factor(user):
        return Step.SETUP
    return Step.DONE


def step_url(step: Step) -> str:
    return reverse("two-factor-verify" if step is Step.CODE else "two-factor-setup")


def pending_device(user: User) -> TOTPDevice:
    """The not-yet-confirmed device being set up (the same one across reloads of the page)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key as an authenticator app expects it typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


class TwoFactorMiddleware:
    """Hold a half-signed-in session on the code (or set-up) page until it is done.

    Must come after ``django_otp.middleware.OTPMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = pending_step(getattr(request, "user", None))
        if step is not Step.DONE and not self._allowed(request.path, step):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Finish signing in with your two-factor code first."}, status=401
                )
            return redirect_to_login(request.get_full_path(), step_url(step))
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str, step: Step) -> bool:
        return path in {step_url(step), reverse("login"), reverse("logout")} or path.startswith(
            "/static/"
        )
