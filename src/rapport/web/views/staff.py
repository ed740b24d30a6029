"""Clinic admins manage their clinic's staff accounts (never other clinics')."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from rapport.accounts import lockout
from rapport.accounts.models import User
from rapport.web.access import staff_user
from rapport.web.forms import TherapistForm

View = Callable[..., HttpResponse]


def clinic_admin_required(view: View) -> View:
    """Staff pages for clinic admins; everyone else gets a 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not staff_user(request).is_clinic_admin:
            return render(request, "web/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


@clinic_admin_required
def staff_list(request: HttpRequest) -> HttpResponse:
    admin = staff_user(request)
    form = TherapistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        User.objects.create_user(
            username=data["username"],
            password=data["password"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            role=data["role"],
            clinic=admin.clinic,
        )
        messages.success(request, f"{data['first_name']} {data['last_name']} can now log in.")
        return redirect("staff-list")
    staff = list(User.objects.filter(clinic=admin.clinic).order_by("-is_active", "last_name"))
    usernames = [member.username for member in staff]
    with_two_factor = set(
        TOTPDevice.objects.filter(user__in=staff, confirmed=True).values_list("user_id", flat=True)
    )
    locked = set(
        AccessAttempt.objects.filter(
            username__in=usernames,
            attempt_time__gte=timezone.now() - lockout.cool_off(),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        ).values_list("username", flat=True)
    )
    for member in staff:
        member.has_two_factor = member.pk in with_two_factor  # type: ignore[attr-defined]
        member.locked_out = member.username in locked  # type: ignore[attr-defined]
    status = 400 if request.method == "POST" else 200
    context = {"staff": staff, "form": form, "clinic": admin.clinic}
    return render(request, "web/staff_list.html", context, status=status)


@clinic_admin_required
@require_POST
def clinic_two_factor(request: HttpRequest) -> HttpResponse:
    """Require (or stop requiring) two-factor sign-in for everyone in the admin's clinic."""
    admin = staff_user(request)
    clinic = admin.clinic
    assert clinic is not None  # clinic admins belong to a clinic
    require = request.POST.get("require") == "on"
    if require and not TOTPDevice.objects.filter(user=admin, confirmed=True).exists():
        messages.error(
            request, "Set up two-factor sign-in for your own account first (Two-factor, above)."
        )
        return redirect("staff-list")
    clinic.require_two_factor = require
    clinic.save(update_fields=["require_two_factor"])
    if clinic.require_two_factor:
        messages.success(
            request,
            "Two-factor sign-in is now required: staff without an authenticator app are asked "
            "to set one up at their next page.",
        )
    else:
        messages.success(request, "Two-factor sign-in is now each staff member's choice.")
    return redirect("staff-list")


@clinic_admin_required
@require_POST
def staff_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    """Lift a lockout after too many failed sign-ins."""
    member = get_object_or_404(User, pk=user_id, clinic=staff_user(request).clinic)
    lockout.clear_failures(member.username)
    messages.success(request, f"{member.display_name} can try signing in again.")
    return redirect("staff-list")


@clinic_admin_required
@require_POST
def staff_two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Remove a staff member's authenticator app (a lost phone); they set up a new one."""
    admin = staff_user(request)
    member = get_object_or_404(User, pk=user_id, clinic=admin.clinic)
    if member.pk == admin.pk:
        raise Http404("Change your own two-factor sign-in from your account page.")
    TOTPDevice.objects.filter(user=member).delete()
    messages.success(request, f"{member.display_name}'s authenticator app is removed.")
    return redirect("staff-list")


@clinic_admin_required
@require_POST
def staff_toggle_active(request: HttpRequest, user_id: int) -> HttpResponse:
    admin = staff_user(request)
    member = get_object_or_404(User, pk=user_id, clinic=admin.clinic)
    if member.pk == admin.pk:
        raise Http404("You cannot deactivate your own account.")
    member.is_active = not member.is_active
    member.save(update_fields=["is_active"])
    state = "reactivated" if member.is_active else "deactivated"
    messages.success(request, f"{member.display_name} is {state}.")
    return redirect("staff-list")
