"""Write side of plans: each edit stores a new version; the client's answers come by link."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max

from rapport.accounts.models import User
from rapport.care.models import Client
from rapport.core.instruments.formatting import parse_number
from rapport.core.plans import BenchmarkKind, PlanSnapshot, diff_plans
from rapport.feedback.models import FeedbackRequest, Purpose
from rapport.feedback.services import SubmissionError
from rapport.plans.models import GoalRating, PlanFeedback, PlanVersion

MAX_COMMENT_LENGTH = 2000
EMPTY_PLAN = PlanSnapshot(problems=(), goals=())


def current_version(client: Client) -> PlanVersion | None:
    return client.plan_versions.order_by("-number").first()


def current_plan(client: Client) -> tuple[PlanVersion | None, PlanSnapshot]:
    """The latest version and its snapshot (an empty plan before the first edit)."""
    version = current_version(client)
    if version is None:
        return None, EMPTY_PLAN
    return version, PlanSnapshot.from_dict(version.snapshot)


def _summary(old: PlanSnapshot, new: PlanSnapshot) -> str:
    changes = diff_plans(old, new)
    if not changes:
        return "No changes"
    first = changes[0]
    text = f"{first.kind.capitalize()} {first.item} “{first.title}”"
    if len(changes) > 1:
        text += f" and {len(changes) - 1} more change{'s' if len(changes) > 2 else ''}"
    return text[:300]


def save_version(
    client: Client,
    edit: Callable[[PlanSnapshot], PlanSnapshot],
    user: User,
    *,
    reviewed_at_session: int | None = None,
) -> PlanVersion:
    """Apply ``edit`` to the current plan and store the result as the next version.

    The client row is locked so two tabs editing at once get consecutive versions, each built
    on the other's result, rather than one silently overwriting the other. A ``ValueError``
    from the edit (an invalid title, a missing problem) propagates unchanged for the form.
    """
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        previous, old = current_plan(client)
        new = edit(old)
        reviewed = reviewed_at_session is not None
        if previous is not None and new == old and not reviewed:
            return previous  # nothing changed: no new version
        number = (client.plan_versions.aggregate(n=Max("number"))["n"] or 0) + 1
        summary = _summary(old, new)
        if reviewed:
            summary = f"Reviewed with the client at session {reviewed_at_session}" + (
                "" if summary == "No changes" else f"; {summary[0].lower()}{summary[1:]}"
            )
        return PlanVersion.objects.create(
            client=client,
            number=number,
            snapshot=new.to_dict(),
            summary=summary[:300],
            created_by=user,
            reviewed=reviewed,
            reviewed_at_session=reviewed_at_session,
        )


@dataclass(frozen=True)
class ClientPlanAnswers:
    """What the client said about their plan on an end-of-session form."""

    version: PlanVersion
    ratings: dict[str, float]  # goal key -> 0-10 or GAS level
    agreed: bool | None
    comment: str


def plan_for_link(request: FeedbackRequest) -> tuple[PlanVersion, PlanSnapshot] | None:
    """The plan a client sees on an end-of-session link: only with at least one active goal."""
    if request.purpose != Purpose.END:
        return None
    version, snapshot = current_plan(request.session.episode.client)
    if version is None or not snapshot.active_goals():
        return None
    return version, snapshot


def goal_field(key: str) -> str:
    return f"goal-{key}"


def parse_plan_answers(
    request: FeedbackRequest, data: Mapping[str, str]
) -> ClientPlanAnswers | None:
    """Goal ratings, agreement and comment from the posted form; clear errors for bad values."""
    shown = plan_for_link(request)
    if shown is None:
        return None
    version, snapshot = shown
    ratings: dict[str, float] = {}
    for goal in snapshot.active_goals():
        raw = (data.get(goal_field(goal.key)) or "").strip()
        if not raw:
            continue
        try:
            value = parse_number(raw)  # float() would read 1_0 as 10
        except ValueError as exc:
            raise SubmissionError(f"Goal “{goal.title}”: {raw[:20]!r} is not a number.") from exc
        if goal.kind is BenchmarkKind.GAS:
            if value not in (-2, -1, 0, 1, 2):
                raise SubmissionError(f"Goal “{goal.title}”: choose one of the five levels.")
        elif not 0 <= value <= 10:
            raise SubmissionError(f"Goal “{goal.title}”: {value:g} is outside 0–10.")
        ratings[goal.key] = value
    agreed = {"yes": True, "not_yet": False}.get(data.get("plan-agree", ""))
    comment = (data.get("plan-comment") or "").strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise SubmissionError(
            f"Please keep your comment on the plan under {MAX_COMMENT_LENGTH} characters."
        )
    return ClientPlanAnswers(version, ratings, agreed, comment)


def store_plan_answers(answers: ClientPlanAnswers | None) -> Callable[[FeedbackRequest], None]:
    """A hook for ``feedback.services.submit``: stores the plan answers in its transaction."""

    def store(request: FeedbackRequest) -> None:
        if answers is None:
            return
        GoalRating.objects.bulk_create(
            GoalRating(
                session_id=request.session_id,
                request=request,
                version=answers.version,
                goal_key=key,
                value=value,
                submitted_at=request.completed_at or request.created_at,
            )
            for key, value in answers.ratings.items()
        )
        if answers.agreed is not None or answers.comment:
            try:
                with transaction.atomic():
                    PlanFeedback.objects.create(
                        version=answers.version,
                        request=request,
                        agreed=answers.agreed,
                        comment=answers.comment,
                    )
            except IntegrityError:  # a retried submission: already stored
                pass

    return store
