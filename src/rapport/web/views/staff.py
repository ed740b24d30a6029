"""Clinic admins manage their clinic's staff accounts (never other clinics')."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

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
    staff = User.objects.filter(clinic=admin.clinic).order_by("-is_active", "last_name")
    status = 400 if request.method == "POST" else 200
    return render(request, "web/staff_list.html", {"staff": staff, "form": form}, status=status)


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
