"""Signing in and out, two-factor set-up and the code step, and password reset.

Every page here answers the same whether or not an account exists: the login form and the
lockout page count and refuse unknown usernames exactly like known ones, and the reset form
always says a link may have been sent.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import django_otp
import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_totp.models import TOTPDevice

from rapport.accounts import idle, lockout, reset_limits
from rapport.accounts.forms import CodeForm
from rapport.accounts.models import User
from rapport.accounts.two_factor import (
    Step,
    clinic_requires_two_factor,
    confirmed_device,
    is_verified,
    pending_device,
    pending_step,
    secret_text,
    step_url,
)

WRONG_CODE = "That code is not right. Use the newest code your app shows for Rapport."
WAIT = "Too many wrong codes in a row: wait a few seconds, then enter the newest code."


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "views using this are wrapped in login_required"
    return user


def _given_next(request: HttpRequest) -> str:
    """A same-site ``next`` the request carries, or ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _next_url(request: HttpRequest) -> str:
    """The page to go on to: a same-site ``next``, or the caseload."""
    return _given_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL)


def _code_error(device: TOTPDevice, code: str) -> str | None:
    """Check ``code`` against ``device``: None when it is right, else what to tell the user."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:  # django-otp's own back-off after wrong codes (1 s, 2 s, 4 s, …)
        return WAIT
    return None if device.verify_token(code) else WRONG_CODE


class StaffLoginView(auth_views.LoginView):
    """Django's login, then the two-factor step where the user (or their clinic) has one."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if pending_step(self.request.user) is Step.DONE:
            lockout.signed_in(self.request, form.get_user().get_username())
        return response

    def get_success_url(self) -> str:
        url = super().get_success_url()
        step = pending_step(self.request.user)
        if step is Step.DONE:
            return url
        return f"{step_url(step)}?{urlencode({'next': url})}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        reason = self.request.session.pop(idle.SIGNED_OUT_KEY, None)
        context["signed_out_message"] = idle.signed_out_message(reason)
        return context


@sensitive_post_parameters("code")
@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """Second sign-in step: a code from the authenticator app confirmed at set-up."""
    user = _user(request)
    device = confirmed_device(user)
    if device is None or is_verified(user):
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = user.get_username()
        if lockout.is_locked_out(request, username):
            logout(request)
            return lockout.lockout_response(request, None, {"username": username})
        with transaction.atomic():  # one check at a time per device (django-otp's advice)
            device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
            error = _code_error(device, form.cleaned_data["code"])
        if error is None:
            django_otp.login(request, device)
            lockout.signed_in(request, username)
            return redirect(_next_url(request))
        if error == WRONG_CODE and lockout.record_failure(request, username):
            logout(request)
            return lockout.lockout_response(request, None, {"username": username})
        form.add_error("code", error)
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("code")
@never_cache
@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """The staff member's own two-factor page: set up an authenticator app, or remove it."""
    user = _user(request)
    device = confirmed_device(user)
    required = clinic_requires_two_factor(user)
    form = CodeForm(request.POST or None)
    if device is not None:
        if request.method == "POST" and form.is_valid():
            error = _code_error(device, form.cleaned_data["code"])
            if error is None:
                TOTPDevice.objects.filter(user=user).delete()
                messages.success(
                    request, "Two-factor sign-in is off: your app's codes no longer work."
                )
                return redirect("two-factor-setup")
            form.add_error("code", error)
        context = {"device": device, "form": form, "required": required}
        return render(
            request, "accounts/two_factor.html", context, status=400 if form.errors else 200
        )

    pending = pending_device(user)
    if request.method == "POST" and form.is_valid():
        error = _code_error(pending, form.cleaned_data["code"])
        if error is None:
            pending.confirmed = True
            pending.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            django_otp.login(request, pending)
            lockout.signed_in(request, user.get_username())
            messages.success(
                request,
                "Two-factor sign-in is on: Rapport now asks for a code after your password.",
            )
            return HttpResponseRedirect(_given_next(request) or request.path)
        form.add_error("code", error)
    uri = pending.config_url
    context = {
        "form": form,
        "required": required,
        "qr_svg": segno.make(uri, error="m").svg_inline(scale=4, dark="#1b1f24", light="#ffffff"),
        "secret": secret_text(pending),
        "otpauth_uri": uri,
        "next": _given_next(request),
    }
    return render(request, "accounts/two_factor.html", context, status=400 if form.errors else 200)


class PasswordResetView(auth_views.PasswordResetView):
    """Always the same answer: a link is sent only if an active account uses the address,
    and only within the hourly limits (:mod:`rapport.accounts.reset_limits`)."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form: Any) -> HttpResponse:
        if not reset_limits.may_send(self.request, form.cleaned_data["email"]):
            # The same answer as a link sent: the limit must not reveal an account either.
            return HttpResponseRedirect(self.get_success_url())
        self.extra_email_context = {
            "site_url": settings.SITE_URL,
            "valid_minutes": _valid_minutes(),
        }
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password (through the password validators) also lifts a lockout."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        lockout.clear_failures(form.user.get_username())
        return response


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "valid_minutes": _valid_minutes()}


def _valid_minutes() -> int:
    return int(settings.PASSWORD_RESET_TIMEOUT) // 60
