"""The demo clinic's treatment plans: valid, revised like real plans, and true to each story."""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import re
from dataclasses import replace

import pytest

from rapport.core.instruments import default_registry
from rapport.core.plans import (
    GAS_LEVELS,
    BenchmarkKind,
    ItemState,
    PlanSnapshot,
    RaisedBy,
    diff_plans,
    review_due,
)
from rapport.demo import NAMED_FOR_ALICE, DemoClient, DemoClinic, generate_demo_clinic
from rapport.demo.model import DemoPlan
from rapport.demo.plans import MAX_ACTIVE_GOALS, MEASURE_TARGETS, SAFETY_GOAL, outcome_totals

TODAY = datetime.date(2026, 3, 10)
SEEDS = (2026, 1, 7, 42, 31337)
IMPROVING = ("anxious_first_timer", "steady_improver", "early_recovery")
# Words that would put risk content into a plan's titles: the demo keeps those neutral.
RISK_WORDS = re.compile(
    r"self[- ]?harm|suicid|\bkill|\bdie\b|\bdying\b|overdose|hurt (?:myself|themselves)"
    r"|\bcut(?:ting)? (?:myself|themselves)|end (?:it|my life)|\bwant to die",
    re.IGNORECASE,
)


@pytest.fixture(scope="module", params=SEEDS)
def clinic(request: pytest.FixtureRequest) -> DemoClinic:
    return generate_demo_clinic(seed=request.param, today=TODAY)


def plan_of(client: DemoClient) -> DemoPlan:
    assert client.plan is not None, client.display_name
    return client.plan


def named(clinic: DemoClinic, story: str) -> DemoClient:
    (client,) = (c for c in clinic.clients if c.display_name == NAMED_FOR_ALICE[story])
    assert client.therapist == "alice"
    return client


def last_review(plan: DemoPlan) -> int | None:
    return max((v.session_number for v in plan.versions if v.reviewed), default=None)


def check_in_means(client: DemoClient) -> list[float]:
    means = []
    for session in client.sessions:
        (answers,) = (r.answers for r in session.responses if r.instrument == "checkin")
        means.append(sum(answers.values()) / len(answers))
    return means


class TestEveryPlan:
    def test_every_current_client_has_a_plan_and_past_clients_none(
        self, clinic: DemoClinic
    ) -> None:
        assert all(c.plan is not None and c.plan.versions for c in clinic.clients)
        assert all(c.plan is None for c in clinic.past_clients)

    def test_each_version_is_a_valid_snapshot_that_round_trips(self, clinic: DemoClinic) -> None:
        for client in clinic.clients:
            for version in plan_of(client).versions:
                data = json.loads(json.dumps(version.snapshot.to_dict()))
                assert PlanSnapshot.from_dict(data) == version.snapshot, client.display_name

    def test_versions_follow_the_sessions_one_per_session(self, clinic: DemoClinic) -> None:
        for client in clinic.clients:
            sessions = [v.session_number for v in plan_of(client).versions]
            assert sessions[0] in (1, 2), client.display_name
            assert sessions == sorted(set(sessions)), client.display_name
            assert sessions[-1] <= len(client.sessions), client.display_name
            assert not plan_of(client).versions[0].reviewed

    def test_first_plans_have_two_to_four_problems_and_few_goals(self, clinic: DemoClinic) -> None:
        for client in clinic.clients:
            first = plan_of(client).versions[0].snapshot
            assert 2 <= len(first.problems) <= 4, client.display_name
            for problem in first.problems:
                assert 1 <= len(first.goals_for(problem.key)) <= 3, problem.title
            for version in plan_of(client).versions:
                assert 1 <= len(version.snapshot.active_goals()) <= MAX_ACTIVE_GOALS

    def test_each_client_has_a_target_on_their_own_outcome_measure(
        self, clinic: DemoClinic
    ) -> None:
        registry = default_registry()
        for client in clinic.clients:
            cutoff, lower = MEASURE_TARGETS[client.outcome_measure]
            assert registry.get(client.outcome_measure).cutoff == cutoff
            first = plan_of(client).versions[0].snapshot
            targets = [g.target for g in first.active_goals() if g.target is not None]
            assert targets, client.display_name
            for target in targets:
                assert target.measure == client.outcome_measure
                assert target.comparison == "below"
                assert target.value in (cutoff, lower)
                # The cutoff unless the client starts below it already.
                start = outcome_totals(client)[0]
                assert target.value == (cutoff if start >= cutoff else lower)

    def test_gas_goals_describe_five_distinct_levels_from_a_low_baseline(
        self, clinic: DemoClinic
    ) -> None:
        gas = [
            goal
            for client in clinic.clients
            for version in plan_of(client).versions
            for goal in version.snapshot.goals
            if goal.ladder is not None
        ]
        assert gas
        for goal in gas:
            assert goal.ladder is not None
            assert len(set(goal.ladder.levels)) == len(GAS_LEVELS), goal.title
            assert goal.ladder.baseline in (-2, -1)

    def test_no_title_or_level_carries_risk_words(self, clinic: DemoClinic) -> None:
        for client in clinic.clients:
            for version in plan_of(client).versions:
                snapshot = version.snapshot
                texts = [p.title for p in snapshot.problems] + [g.title for g in snapshot.goals]
                texts += [t for g in snapshot.goals if g.ladder for t in g.ladder.levels]
                texts.append(version.summary)
                for text in texts:
                    assert not RISK_WORDS.search(text), (client.display_name, text)

    def test_summaries_say_what_changed(self, clinic: DemoClinic) -> None:
        for client in clinic.clients:
            versions = plan_of(client).versions
            assert versions[0].summary.startswith("First plan, written with the client")
            for old, new in itertools.pairwise(versions):
                if new.reviewed:
                    prefix = f"Reviewed with the client at session {new.session_number}"
                    assert new.summary.startswith(prefix)
                changes = diff_plans(old.snapshot, new.snapshot)
                if changes:
                    assert f"“{changes[0].title}”" in new.summary
                else:
                    assert new.reviewed  # an unchanged version is only ever a review

    def test_plans_are_revised_in_every_way_a_plan_is(self, clinic: DemoClinic) -> None:
        kinds: set[str] = set()
        for client in clinic.clients:
            versions = plan_of(client).versions
            for old, new in itertools.pairwise(versions):
                changes = diff_plans(old.snapshot, new.snapshot)
                if not changes:
                    kinds.add("unchanged review")
                for change in changes:
                    kinds.add(f"{change.kind} {change.item}")
                    kinds.update(
                        f"{change.item} {detail}"
                        for detail in change.details
                        if detail.startswith("state:")
                    )
        assert {"added goal", "added problem", "moved problem", "unchanged review"} <= kinds
        assert "goal state: active → achieved" in kinds
        assert "goal state: active → retired" in kinds

    def test_at_least_half_the_clients_have_a_revised_plan(self, clinic: DemoClinic) -> None:
        revised = [c for c in clinic.clients if len(plan_of(c).versions) >= 2]
        assert len(revised) * 2 >= len(clinic.clients)

    def test_the_review_reminder_shows_for_at_least_two_clients(self, clinic: DemoClinic) -> None:
        due = [
            c
            for c in clinic.clients
            if review_due(last_review(plan_of(c)), len(c.sessions), every=6)
        ]
        assert len(due) >= 2
        assert len(due) <= len(clinic.clients) // 3  # a reminder, not the norm


class TestRatings:
    def test_ratings_are_in_range_and_only_for_goals_in_force(self, clinic: DemoClinic) -> None:
        for client in clinic.clients:
            plan = plan_of(client)
            for rating in plan.ratings:
                assert 1 <= rating.session_number <= len(client.sessions)
                index = plan.version_at(rating.session_number)
                assert index is not None
                snapshot = plan.versions[index].snapshot
                goal = snapshot.goal(rating.goal_key)
                assert goal in snapshot.active_goals(), (client.display_name, rating)
                if goal.kind is BenchmarkKind.GAS:
                    assert rating.value in GAS_LEVELS
                else:
                    assert 0 <= rating.value <= 10
                    assert rating.value == int(rating.value)

    def test_every_active_goal_is_rated_at_every_session_after_the_first_plan(
        self, clinic: DemoClinic
    ) -> None:
        for client in clinic.clients:
            plan = plan_of(client)
            rated = [(r.session_number, r.goal_key) for r in plan.ratings]
            assert len(rated) == len(set(rated)), client.display_name
            expected = []
            for number in range(1, len(client.sessions) + 1):
                index = plan.version_at(number)
                if index is not None:
                    snapshot = plan.versions[index].snapshot
                    expected += [(number, g.key) for g in snapshot.active_goals()]
            assert sorted(rated) == sorted(expected), client.display_name

    def test_gas_goals_start_at_their_baseline(self, clinic: DemoClinic) -> None:
        for client in clinic.clients:
            plan = plan_of(client)
            seen: set[str] = set()
            for rating in plan.ratings:  # in session order
                if rating.goal_key in seen:
                    continue
                seen.add(rating.goal_key)
                index = plan.version_at(rating.session_number)
                assert index is not None
                goal = plan.versions[index].snapshot.goal(rating.goal_key)
                if goal.ladder is not None and goal.title != SAFETY_GOAL:
                    assert rating.value in (goal.ladder.baseline, goal.ladder.baseline + 1)

    def test_ratings_rise_for_improvers_and_stall_for_the_rest(self, clinic: DemoClinic) -> None:
        for client in clinic.clients:
            plan = plan_of(client)
            kinds = {g.key: g.kind for v in plan.versions for g in v.snapshot.goals}
            series: dict[str, list[float]] = {}
            for rating in plan.ratings:
                series.setdefault(rating.goal_key, []).append(rating.value)
            if client.story in IMPROVING:
                rated = [v for v in series.values() if len(v) >= 3]
                assert any(v[-1] > v[0] for v in rated), client.display_name
            long_enough = {key: v for key, v in series.items() if len(v) >= 5}
            if client.story not in ("deteriorating", "flat"):
                continue
            for key, values in long_enough.items():
                if kinds[key] is BenchmarkKind.GAS:
                    assert max(values) <= 0, (client.display_name, key, values)
                if client.story == "deteriorating":
                    assert values[-1] <= values[0], (client.display_name, key, values)
                else:
                    assert values[-1] <= values[0] + 2, (client.display_name, key, values)
            if client.story == "deteriorating":
                assert any(v[-1] < v[0] for v in long_enough.values()), client.display_name


class TestFeedback:
    def test_feedback_is_on_the_version_in_force(self, clinic: DemoClinic) -> None:
        for client in clinic.clients:
            plan = plan_of(client)
            for answer in plan.feedback:
                assert 1 <= answer.session_number <= len(client.sessions)
                assert plan.version_at(answer.session_number) == answer.version_index

    def test_most_clients_agree_to_their_first_plan_at_the_next_session(
        self, clinic: DemoClinic
    ) -> None:
        agreed = 0
        for client in clinic.clients:
            plan = plan_of(client)
            first = [a for a in plan.feedback if a.version_index == 0]
            if first and first[0].agreed:
                assert first[0].session_number == plan.versions[0].session_number + 1
                agreed += 1
        assert agreed * 10 >= len(clinic.clients) * 7
        comments = [a.comment for c in clinic.clients for a in plan_of(c).feedback if a.comment]
        assert len(comments) >= 2


class TestNamedStories:
    def test_daniels_plan_is_rewritten_in_his_words_after_session_3(
        self, clinic: DemoClinic
    ) -> None:
        daniel = named(clinic, "distrustful_then_trusting")
        plan = plan_of(daniel)
        first, second = plan.versions[0], plan.versions[1]
        assert (first.session_number, second.session_number) == (2, 3)
        (drinking,) = (p for p in first.snapshot.problems if "drinking" in p.title.lower())
        assert drinking.raised_by is RaisedBy.THERAPIST
        assert drinking.state is ItemState.ACTIVE
        # He said "not yet" at session 3, in his words, and agreed to the rewrite at session 4.
        not_yet, agreed = plan.feedback[0], plan.feedback[1]
        assert (not_yet.session_number, not_yet.version_index, not_yet.agreed) == (3, 0, False)
        assert "drinking" in not_yet.comment.lower()
        assert (agreed.session_number, agreed.version_index, agreed.agreed) == (4, 1, True)
        assert second.reviewed
        assert second.snapshot.problem(drinking.key).state is ItemState.RETIRED
        active = {g.problem_key for g in second.snapshot.active_goals()}
        assert drinking.key not in active
        added = [
            p
            for p in second.snapshot.problems
            if p.key not in {q.key for q in first.snapshot.problems}
        ]
        assert [p.raised_by for p in added] == [RaisedBy.CLIENT]
        assert added[0].key in active
        assert [v.session_number for v in plan.versions if v.reviewed][:2] == [3, 9]
        assert diff_plans(plan.versions[1].snapshot, plan.versions[2].snapshot) == ()

    def test_priyas_mum_goes_on_the_plan_after_the_rupture(self, clinic: DemoClinic) -> None:
        priya = named(clinic, "rupture_repair")
        means = check_in_means(priya)
        rupture = 1 + means.index(min(means))
        assert rupture == 7
        plan = plan_of(priya)
        (after,) = (v for v in plan.versions if v.session_number == rupture + 1)
        assert after.reviewed
        top = after.snapshot.problems[0]
        assert "mum" in top.title.lower()
        assert top.raised_by is RaisedBy.CLIENT
        assert after.snapshot.goals_for(top.key)
        before = plan.versions[plan.versions.index(after) - 1]
        assert not any("mum" in p.title.lower() for p in before.snapshot.problems)
        (answer,) = (a for a in plan.feedback if a.session_number == rupture + 2)
        assert answer.agreed
        assert "mum" in answer.comment.lower()

    def test_marcus_agrees_a_safety_plan_as_his_scores_rise(self, clinic: DemoClinic) -> None:
        marcus = named(clinic, "deteriorating")
        plan = plan_of(marcus)
        with_safety = [
            v
            for v in plan.versions
            if any(g.title == SAFETY_GOAL for g in v.snapshot.active_goals())
        ]
        assert with_safety
        added = with_safety[0]
        assert added is not plan.versions[0]
        assert added.reviewed
        assert added.session_number < len(marcus.sessions)  # before the risk item at the last
        totals = outcome_totals(marcus)
        assert totals[added.session_number - 1] > totals[0]
        assert added.snapshot.active_goals()[0].title == SAFETY_GOAL  # top priority

    def test_hannahs_plan_was_reordered_and_never_reviewed(self, clinic: DemoClinic) -> None:
        hannah = named(clinic, "recent_rupture")
        plan = plan_of(hannah)
        assert len(plan.versions) == 2
        first, second = plan.versions
        moved = [c for c in diff_plans(first.snapshot, second.snapshot) if c.kind == "moved"]
        assert moved
        assert first.snapshot.problems[0].title == "Panic in meetings at work"
        assert second.snapshot.problems[0].title != "Panic in meetings at work"
        assert last_review(plan) is None
        assert review_due(None, len(hannah.sessions), every=6)

    def test_maya_achieves_goals_and_agrees(self, clinic: DemoClinic) -> None:
        maya = named(clinic, "anxious_first_timer")
        plan = plan_of(maya)
        assert [v.session_number for v in plan.versions] == [1, 5, 10]
        final = plan.versions[-1].snapshot
        assert any(g.state is ItemState.ACHIEVED for g in final.goals)
        assert final.active_goals()
        assert plan.feedback[-1].agreed is True
        assert not review_due(last_review(plan), len(maya.sessions), every=6)

    def test_the_other_named_clients_are_not_due_a_review(self, clinic: DemoClinic) -> None:
        for story in ("distrustful_then_trusting", "rupture_repair", "deteriorating"):
            client = named(clinic, story)
            assert not review_due(last_review(plan_of(client)), len(client.sessions), every=6)


def _session_digest(clients: tuple[DemoClient, ...]) -> str:
    """A fingerprint of everything about the clients except their plans."""
    rows = [
        [
            c.display_name,
            c.story,
            c.story_text,
            c.therapist,
            c.outcome_measure,
            c.year_of_birth,
            c.episode_start.isoformat(),
            None if c.episode_end is None else c.episode_end.isoformat(),
            [
                [
                    s.number,
                    s.date.isoformat(),
                    s.modality,
                    [
                        [r.instrument, sorted(r.answers.items()), sorted(r.comments.items())]
                        for r in s.responses
                    ],
                ]
                for s in c.sessions
            ],
        ]
        for c in clients
    ]
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


# Digests of the clinic as generated before plans were added (seed, today 2026-11-23).
BEFORE_PLANS = {
    2026: (
        "f461952120c325685984ded574f6d0de50bc625261f80079f05b73a6220f180a",
        "ffde3b1306cc447430c42a3d46afecef7a5cb1ae64032c897cd511e0e135cea2",
    ),
    7: (
        "e850764e190cf85e428a66164621e661aad6d22963be7b3a2b071319d55be8ed",
        "aed3c8758f13fac5677099539301d8db9b660fa68f27c9ec2575d08f6cb8fe0d",
    ),
}


class TestPlansChangeNothingElse:
    @pytest.mark.parametrize("seed", sorted(BEFORE_PLANS))
    def test_sessions_and_answers_are_as_before_plans_existed(self, seed: int) -> None:
        """If a story is changed on purpose, regenerate these digests in the same commit."""
        clinic = generate_demo_clinic(seed=seed, today=datetime.date(2026, 11, 23))
        assert (_session_digest(clinic.clients), _session_digest(clinic.past_clients)) == (
            BEFORE_PLANS[seed]
        )

    def test_the_clinic_is_the_same_with_and_without_plans(self) -> None:
        with_plans = generate_demo_clinic(seed=42, today=TODAY)
        without = generate_demo_clinic(seed=42, today=TODAY, plans=False)
        assert all(c.plan is None for c in without.clients)
        assert tuple(replace(c, plan=None) for c in with_plans.clients) == without.clients
        assert with_plans.past_clients == without.past_clients

    def test_plans_are_reproducible_and_vary_with_the_seed(self) -> None:
        one = generate_demo_clinic(seed=5, today=TODAY)
        again = generate_demo_clinic(seed=5, today=TODAY)
        other = generate_demo_clinic(seed=6, today=TODAY)
        assert [c.plan for c in one.clients] == [c.plan for c in again.clients]
        assert [c.plan for c in one.clients] != [c.plan for c in other.clients]
