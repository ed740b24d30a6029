"""The demo clinic's treatment plans load into the database and show on the plan pages."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from rapport.accounts.models import User
from rapport.care.demo_seed import seed_demo
from rapport.care.models import Client
from rapport.core.plans import PlanSnapshot
from rapport.demo import DemoClinic, generate_demo_clinic
from rapport.plans.models import GoalRating, PlanFeedback, PlanVersion

SEED = 2026
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[DemoClinic]:
    """Seed once for the module, rolled back at the end; yields the generated clinic."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(seed=SEED, today=TODAY)
        yield generate_demo_clinic(seed=SEED, today=TODAY)
        transaction.set_rollback(True)


def _browser(username: str = "alice") -> Browser:
    browser = Browser()
    browser.force_login(User.objects.get(username=username))
    return browser


@pytest.mark.django_db
class TestDemoPlans:
    def test_it_stores_every_version_rating_and_answer(self, demo: DemoClinic) -> None:
        plans = [c.plan for c in demo.clients if c.plan is not None]
        assert len(plans) == len(demo.clients)
        assert PlanVersion.objects.count() == sum(len(p.versions) for p in plans)
        assert GoalRating.objects.count() == sum(len(p.ratings) for p in plans)
        assert PlanFeedback.objects.count() == sum(len(p.feedback) for p in plans)
        per_client = Counter(PlanVersion.objects.values_list("client_id", flat=True))
        assert len(per_client) == len(demo.clients)  # current clients only
        assert sum(1 for n in per_client.values() if n >= 2) * 2 >= len(demo.clients)
        assert not PlanVersion.objects.filter(client__episodes__ended_on__isnull=False).exists()

    def test_versions_are_numbered_and_belong_to_the_clients_therapist(
        self, demo: DemoClinic
    ) -> None:
        for client in Client.objects.filter(plan_versions__isnull=False).distinct():
            versions = list(client.plan_versions.order_by("number"))
            assert [v.number for v in versions] == list(range(1, len(versions) + 1))
            assert {v.created_by_id for v in versions} == {client.therapist_id}
            times = [v.created_at for v in versions]
            assert times == sorted(times)
            for version in versions:
                assert timezone.localtime(version.created_at).hour == 17
                PlanSnapshot.from_dict(version.snapshot)
                if version.reviewed:
                    assert version.reviewed_at_session is not None
                else:
                    assert version.reviewed_at_session is None

    def test_ratings_and_answers_are_on_the_version_in_force(self, demo: DemoClinic) -> None:
        for rating in GoalRating.objects.select_related("session__episode", "version"):
            assert rating.version.client_id == rating.session.episode.client_id
            assert rating.version.created_at < rating.submitted_at
            assert rating.request_id is None
            later = PlanVersion.objects.filter(
                client_id=rating.version.client_id,
                number__gt=rating.version.number,
                created_at__lt=rating.submitted_at,
            )
            assert not later.exists()
            snapshot = PlanSnapshot.from_dict(rating.version.snapshot)
            assert rating.goal_key in {g.key for g in snapshot.active_goals()}
        for answer in PlanFeedback.objects.select_related("version"):
            assert answer.version.created_at < answer.submitted_at

    def test_mayas_plan_page_shows_her_goals_and_that_she_agreed(self, demo: DemoClinic) -> None:
        maya = Client.objects.get(display_name="Maya L.")
        page = _browser().get(reverse("plan", args=[maya.pk]))
        assert page.status_code == 200
        text = page.text
        (demo_maya,) = (c for c in demo.clients if c.display_name == "Maya L.")
        assert demo_maya.plan is not None
        for goal in demo_maya.plan.versions[-1].snapshot.goals:
            assert goal.title in text
        assert "<strong>Agreed</strong>" in text
        assert "GAD-7 below 10" in text
        assert "data-review-due" not in text

    def test_daniels_versions_page_compares_the_rewrite(self, demo: DemoClinic) -> None:
        daniel = Client.objects.get(display_name="Daniel K.")
        page = _browser().get(reverse("plan-versions", args=[daniel.pk]), {"a": 1, "b": 2})
        assert page.status_code == 200
        text = page.text
        assert "What changed from v1 to v2" in text
        assert "Drinking most evenings" in text
        assert "state: active → retired" in text
        assert "Evenings are the worst part of the day" in text
        assert "Reviewed with the client at session 3" in text

    def test_the_review_reminder_shows_where_a_review_is_overdue(self, demo: DemoClinic) -> None:
        hannah = Client.objects.get(display_name="Hannah B.")
        text = _browser().get(reverse("plan", args=[hannah.pk])).text
        assert "data-review-due" in text
        priya = Client.objects.get(display_name="Priya S.")
        assert "data-review-due" not in _browser().get(reverse("plan", args=[priya.pk])).text

    def test_every_current_clients_plan_pages_render(self, demo: DemoClinic) -> None:
        browsers = {name: _browser(name) for name in ("alice", "bob")}
        current = Client.objects.filter(episodes__ended_on__isnull=True).select_related("therapist")
        assert current.count() == len(demo.clients)
        for client in current:
            browser = browsers[client.therapist.username]
            for name in ("plan", "plan-versions", "plan-print"):
                page = browser.get(reverse(name, args=[client.pk]))
                assert page.status_code == 200, (client.display_name, name)
