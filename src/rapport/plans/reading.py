"""Read side of plans: each goal's progress, the GAS T-score, charts and the review reminder."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from rapport.care.models import Client, Episode
from rapport.core.plans import (
    BenchmarkKind,
    Goal,
    GoalProgress,
    PlanSnapshot,
    gas_t_score,
    goal_progress,
    review_due,
)
from rapport.feedback.instruments import instrument_or_none
from rapport.feedback.models import Respondent, Response
from rapport.plans.models import GoalRating, PlanFeedback, PlanVersion

STATUS_LABELS = {
    "achieved": "Achieved",
    "on_track": "On track",
    "stalled": "Stalled",
    "not_rated": "Not rated yet",
}


@dataclass(frozen=True)
class GoalView:
    goal: Goal
    benchmark: str
    progress: GoalProgress
    ratings: list[tuple[int, float]]
    scores: list[tuple[int, float]]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.progress.status.value]


@dataclass(frozen=True)
class PlanView:
    version: PlanVersion | None
    snapshot: PlanSnapshot
    goals: dict[str, list[GoalView]]  # problem key -> its goals
    gas_t: float | None  # over active GAS goals with a rated level
    latest_session: int | None
    review_due: bool
    review_every: int
    last_review: PlanVersion | None
    client_feedback: PlanFeedback | None
    chart: dict[str, Any]


def _measure_names(snapshot: PlanSnapshot) -> dict[str, str]:
    names = {}
    for goal in snapshot.goals:
        if goal.target is not None:
            inst = instrument_or_none(goal.target.measure)
            names[goal.target.measure] = inst.name if inst else goal.target.measure
    return names


def latest_session_number(episode: Episode | None) -> int | None:
    """The number of the episode's latest session (None before the first)."""
    if episode is None:
        return None
    return episode.sessions.order_by("-number").values_list("number", flat=True).first()


def plan_view(client: Client, version: PlanVersion | None, snapshot: PlanSnapshot) -> PlanView:
    """Everything the plan page shows, in a fixed number of queries."""
    episode = client.episode_in_view
    latest_session = latest_session_number(episode)
    ratings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    rating_rows = GoalRating.objects.filter(session__episode=episode).order_by(
        "session__number", "submitted_at"
    )
    for row in rating_rows.values_list("goal_key", "session__number", "value"):
        ratings[row[0]].append((row[1], row[2]))
    codes = {g.target.measure for g in snapshot.goals if g.target is not None}
    scores: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for code, number, total in (
        Response.objects.filter(
            session__episode=episode,
            instrument__in=codes,
            respondent=Respondent.CLIENT,
            total__isnull=False,
        )
        .order_by("session__number", "submitted_at")
        .values_list("instrument", "session__number", "total")
    ):
        scores[code].append((number, total))
    names = _measure_names(snapshot)
    today = timezone.localdate()
    goals: dict[str, list[GoalView]] = defaultdict(list)
    for goal in snapshot.goals:
        code = goal.target.measure if goal.target is not None else None
        progress = goal_progress(
            goal,
            ratings.get(goal.key, []),
            scores.get(code, []) if code else [],
            today=today,
            measure_name=names.get(code) if code else None,
        )
        goals[goal.problem_key].append(
            GoalView(
                goal,
                goal.benchmark(names),
                progress,
                ratings.get(goal.key, []),
                scores.get(code, []) if code else [],
            )
        )
    gas = [
        (view.goal.weight, view.progress.latest_level)
        for views in goals.values()
        for view in views
        if view.goal.kind is BenchmarkKind.GAS
        and view.goal.state == "active"
        and view.progress.latest_level is not None
    ]
    last_review = (
        client.plan_versions.filter(reviewed=True).order_by("-number").first() if version else None
    )
    last_reviewed_at = last_review.reviewed_at_session if last_review else None
    feedback = PlanFeedback.objects.filter(version__client=client).order_by("-submitted_at").first()
    return PlanView(
        version=version,
        snapshot=snapshot,
        goals=goals,
        gas_t=gas_t_score(gas) if gas else None,  # type: ignore[arg-type]
        latest_session=latest_session,
        review_due=version is not None
        and review_due(last_reviewed_at, latest_session, settings.PLAN_REVIEW_SESSIONS),
        review_every=settings.PLAN_REVIEW_SESSIONS,
        last_review=last_review,
        client_feedback=feedback,
        chart=_chart(goals, latest_session),
    )


def _chart(goals: dict[str, list[GoalView]], latest_session: int | None) -> dict[str, Any]:
    """Per goal: the client's ratings and linked measure scores by session, and the benchmark."""
    sessions = list(range(1, (latest_session or 0) + 1))
    charts = []
    for views in goals.values():
        for view in views:
            rated = dict(view.ratings)
            scored = dict(view.scores)
            target = view.goal.target
            charts.append(
                {
                    "key": view.goal.key,
                    "title": view.goal.title,
                    "gas": view.goal.kind is BenchmarkKind.GAS,
                    "ratings": [rated.get(s) for s in sessions],
                    "scores": [scored.get(s) for s in sessions] if target else [],
                    "target": target.value if target else None,
                    "benchmark": view.benchmark,
                }
            )
    return {"labels": [f"S{s}" for s in sessions], "goals": charts}
