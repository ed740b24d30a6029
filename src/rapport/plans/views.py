"""The therapist's plan pages: edit (each edit a new version), compare versions, print."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rapport.care.dates import GOAL_DAYS_AHEAD
from rapport.core.instruments.formatting import parse_number
from rapport.core.plans import ItemState, PlanSnapshot, RaisedBy, diff_plans
from rapport.plans.forms import GOAL_WEIGHT_MAX, GOAL_WEIGHT_MIN, GoalForm, ProblemForm
from rapport.plans.reading import latest_session_number, plan_view
from rapport.plans.services import current_plan, save_version
from rapport.web.access import get_client_for_user, staff_user
from rapport.web.forms import IsoDateField


def _problem_choices(snapshot: PlanSnapshot) -> list[tuple[str, str]]:
    return [(p.key, p.title) for p in snapshot.problems if p.state == ItemState.ACTIVE]


def _page(
    request: HttpRequest,
    client_id: int,
    *,
    problem_form: ProblemForm | None = None,
    goal_form: GoalForm | None = None,
    status: int = 200,
) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    version, snapshot = current_plan(client)
    context: dict[str, Any] = {
        "client": client,
        "plan": plan_view(client, version, snapshot),
        "problem_form": problem_form or ProblemForm(),
        "goal_form": goal_form
        or GoalForm(
            problems=_problem_choices(snapshot),
            initial={"measure": client.outcome_measure, "comparison": "below"},
        ),
    }
    return render(request, "plans/plan.html", context, status=status)


@login_required
def plan_page(request: HttpRequest, client_id: int) -> HttpResponse:
    return _page(request, client_id)


@login_required
@require_POST
def plan_edit(request: HttpRequest, client_id: int, action: str) -> HttpResponse:
    """One edit of the plan. Unknown actions are a 404; invalid input re-shows the page (400)."""
    client = get_client_for_user(request, client_id)
    user = staff_user(request)
    _, snapshot = current_plan(client)
    post = request.POST
    key = post.get("key", "")
    today = timezone.localdate()
    try:
        if action == "add-problem":
            form = ProblemForm(post)
            if not form.is_valid():
                return _page(request, client_id, problem_form=form, status=400)
            data = form.cleaned_data
            save_version(
                client,
                lambda s: s.add_problem(data["title"], RaisedBy(data["raised_by"]), today),
                user,
            )
        elif action == "add-goal":
            goal_form = GoalForm(post, problems=_problem_choices(snapshot))
            if not goal_form.is_valid():
                return _page(request, client_id, goal_form=goal_form, status=400)
            d = goal_form.cleaned_data
            save_version(
                client,
                lambda s: s.add_goal(
                    d["problem"],
                    d["title"],
                    target=d["target"],
                    ladder=d["ladder"],
                    target_date=d["target_date"],
                    weight=d["weight"],
                ),
                user,
            )
        elif action in ("move-up", "move-down"):
            offset = -1 if action == "move-up" else 1
            save_version(client, lambda s: s.move_problem(key, offset), user)
        elif action == "rename-problem":
            title = _title(post)
            save_version(client, lambda s: s.edit_problem(key, title=title), user)
        elif action == "edit-goal":
            title, day, weight = _goal_edits(post)
            save_version(
                client,
                lambda s: s.edit_goal(key, title=title, target_date=day, weight=weight),
                user,
            )
        elif action in ("retire-problem", "restore-problem"):
            state = ItemState.RETIRED if action == "retire-problem" else ItemState.ACTIVE
            save_version(client, lambda s: s.edit_problem(key, state=state), user)
        elif action in ("goal-achieved", "goal-retired", "goal-active"):
            state = ItemState(action.removeprefix("goal-"))
            save_version(client, lambda s: s.edit_goal(key, state=state), user)
        elif action == "reviewed":
            # Only the session number is needed, not the whole page's progress and charts.
            session = latest_session_number(client.episode_in_view) or 0
            save_version(client, lambda s: s, user, reviewed_at_session=session)
        else:
            return render(request, "web/not_found.html", status=404)
    except (ValueError, KeyError) as exc:
        messages.error(request, str(exc).strip("'\""))
        return redirect("plan", client_id=client.pk)
    messages.success(request, "Plan saved as a new version.")
    return redirect("plan", client_id=client.pk)


@login_required
def plan_versions(request: HttpRequest, client_id: int) -> HttpResponse:
    """Every version, and two of them side by side with what changed."""
    client = get_client_for_user(request, client_id)
    versions = list(client.plan_versions.select_related("created_by").order_by("number"))
    compare: dict[str, Any] | None = None
    if len(versions) >= 2:
        by_number = {v.number: v for v in versions}
        a = _number(request.GET.get("a"), versions[-2].number)
        b = _number(request.GET.get("b"), versions[-1].number)
        if a in by_number and b in by_number:
            old = PlanSnapshot.from_dict(by_number[a].snapshot)
            new = PlanSnapshot.from_dict(by_number[b].snapshot)
            compare = {
                "a": by_number[a],
                "b": by_number[b],
                "old": old,
                "new": new,
                "changes": diff_plans(old, new),
            }
    context = {"client": client, "versions": versions, "compare": compare}
    return render(request, "plans/versions.html", context)


def _title(post: Any) -> str:
    """A title from an inline editor, refused if it holds a control character such as NUL
    (the add forms' fields refuse NUL too). Non-breaking spaces, joiners and direction marks
    pasted with a title are kept."""
    title = str(post.get("title", ""))
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in title):
        raise ValueError("The title holds a control character; type it again.")
    return title


def _goal_edits(post: Any) -> tuple[str, date | None, float]:
    """Title, target date (empty clears it) and weight from the inline goal editor."""
    # The add form's field, so both read the same dates (date.fromisoformat would also take
    # "20270131" and week dates such as "2027-W05-7").
    field = IsoDateField(days_ahead=GOAL_DAYS_AHEAD, required=False)
    try:
        day = field.clean((post.get("target_date") or "").strip())
    except forms.ValidationError as exc:
        raise ValueError(" ".join(exc.messages)) from exc
    try:
        weight = parse_number(str(post.get("weight") or 1))
    except ValueError as exc:
        raise ValueError("The weight must be a number, e.g. 1 or 2.") from exc
    if not GOAL_WEIGHT_MIN <= weight <= GOAL_WEIGHT_MAX:
        raise ValueError(
            f"The weight must be from {GOAL_WEIGHT_MIN:g} to {GOAL_WEIGHT_MAX:g}, not {weight:g}."
        )
    return _title(post), day, weight


def _number(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw else default
    except ValueError:
        return default


@login_required
def plan_print(request: HttpRequest, client_id: int) -> HttpResponse:
    """A one-page summary to hand to the client (print it from the browser or save as PDF)."""
    client = get_client_for_user(request, client_id)
    version, snapshot = current_plan(client)
    context = {"client": client, "plan": plan_view(client, version, snapshot)}
    return render(request, "plans/print.html", context)
