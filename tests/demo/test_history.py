"""The demo clinic's history: past clients whose closed episodes a model can learn from."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from rapport.core.change import ChangeCategory, classify_change
from rapport.core.instruments import default_registry, score
from rapport.demo import NAMED_FOR_ALICE, STORIES, DemoClient, DemoClinic, generate_demo_clinic
from rapport.demo.history import apportion

TODAY = datetime.date(2026, 3, 10)
SEEDS = (2026, 1, 7, 42, 31337)
MEASURES = ("phq9", "gad7", "core10")
MIN_EPISODES = 30  # rapport.core.trajectory needs 30 episodes with at least 3 scores
IMPROVED = {ChangeCategory.IMPROVED, ChangeCategory.RECOVERED}


def outcome_totals(client: DemoClient) -> list[float]:
    """The client's outcome totals as Rapport scores them, session by session."""
    instrument = default_registry().get(client.outcome_measure)
    totals = []
    for session in client.sessions:
        (answers,) = (r.answers for r in session.responses if r.instrument == instrument.code)
        total = score(instrument, answers).total
        assert total is not None
        totals.append(total)
    return totals


def change(client: DemoClient) -> ChangeCategory:
    """Jacobson & Truax category of the client's first-to-last outcome change."""
    instrument = default_registry().get(client.outcome_measure)
    return classify_change(instrument, outcome_totals(client)).category


@pytest.fixture(scope="module", params=SEEDS)
def clinic(request: pytest.FixtureRequest) -> DemoClinic:
    """The default demo clinic (30 current, 135 past clients) for one of several seeds."""
    return generate_demo_clinic(seed=request.param, today=TODAY)


def test_it_adds_135_past_clients_split_between_therapists_and_measures(
    clinic: DemoClinic,
) -> None:
    """135 past clients by default: 45 per outcome measure, half each therapist."""
    past = clinic.past_clients
    assert len(past) == 135
    assert Counter(c.outcome_measure for c in past) == {"phq9": 45, "gad7": 45, "core10": 45}
    assert Counter(c.therapist for c in past) == {"alice": 68, "bob": 67}
    for therapist in ("alice", "bob"):
        theirs = Counter(c.outcome_measure for c in past if c.therapist == therapist)
        assert set(theirs) == set(MEASURES)
        assert max(theirs.values()) - min(theirs.values()) <= 1
    assert all(c.alliance_measure == "checkin" for c in past)
    assert clinic.all_clients == clinic.clients + clinic.past_clients


def test_it_closes_past_episodes_3_to_24_months_ago(clinic: DemoClinic) -> None:
    """Every past episode ended after its last session and 3-24 months before today."""
    for client in clinic.past_clients:
        assert client.episode_end is not None
        last = client.sessions[-1].date
        assert client.episode_start == client.sessions[0].date
        assert last <= client.episode_end < TODAY
        assert (client.episode_end - last).days <= 14
        assert 91 <= (TODAY - client.episode_end).days <= 730
    assert all(client.episode_end is None for client in clinic.clients)


def test_it_draws_past_episode_lengths_from_each_storys_range(clinic: DemoClinic) -> None:
    """A past client has as many sessions as their story usually takes."""
    for client in clinic.past_clients:
        low, high = STORIES[client.story].sessions
        assert low <= len(client.sessions) <= high


def test_it_leaves_current_clients_unchanged_by_past_clients() -> None:
    """Adding the history changes no current client: past clients have their own streams."""
    for seed in SEEDS:
        without = generate_demo_clinic(seed=seed, today=TODAY, n_past_clients=0)
        default = generate_demo_clinic(seed=seed, today=TODAY)
        assert without.past_clients == ()
        assert without.clients == default.clients
        assert generate_demo_clinic(seed=seed, today=TODAY, n_past_clients=12).clients == (
            default.clients
        )


def test_it_reproduces_past_clients_for_the_same_seed() -> None:
    """Same seed and today give the same history; another seed gives another."""
    first = generate_demo_clinic(seed=5, today=TODAY)
    assert first.past_clients == generate_demo_clinic(seed=5, today=TODAY).past_clients
    assert first.past_clients != generate_demo_clinic(seed=6, today=TODAY).past_clients


def test_it_honours_n_past_clients_and_rejects_negative() -> None:
    """n_past_clients sets the size of the history, balanced across measures."""
    past = generate_demo_clinic(seed=3, today=TODAY, n_past_clients=9).past_clients
    assert Counter(c.outcome_measure for c in past) == {"phq9": 3, "gad7": 3, "core10": 3}
    assert len(generate_demo_clinic(seed=3, today=TODAY, n_past_clients=300).past_clients) == 300
    with pytest.raises(ValueError, match="cannot be negative"):
        generate_demo_clinic(n_past_clients=-1)


def test_it_keeps_display_names_unique_across_the_whole_clinic(clinic: DemoClinic) -> None:
    """No past client shares a display name with anyone, nor takes Alice's pinned names."""
    names = [c.display_name for c in clinic.all_clients]
    assert len(set(names)) == len(names) == 165
    assert not set(NAMED_FOR_ALICE.values()) & {c.display_name for c in clinic.past_clients}


def test_it_gives_each_measure_enough_history_for_a_trajectory_model(clinic: DemoClinic) -> None:
    """Each outcome measure has at least 30 closed episodes with three or more scores."""
    episodes = Counter(c.outcome_measure for c in clinic.past_clients if len(c.sessions) >= 3)
    assert all(episodes[measure] >= MIN_EPISODES for measure in MEASURES)


def test_it_mixes_past_stories_like_routine_care(clinic: DemoClinic) -> None:
    """Mostly improvers, some flat, a few deteriorating and some repaired ruptures."""
    stories = Counter(c.story for c in clinic.past_clients)
    improvers = stories["steady_improver"] + stories["slow_improver"]
    assert improvers + stories["early_recovery"] > len(clinic.past_clients) / 2
    assert stories["flat"] >= 10
    assert stories["rupture_repair"] >= 5
    assert 0.05 <= stories["deteriorating"] / len(clinic.past_clients) <= 0.1
    for measure in MEASURES:  # deterioration shows on every measure, not just PHQ-9/CORE-10
        assert any(
            c.story == "deteriorating" and c.outcome_measure == measure for c in clinic.past_clients
        )


def test_it_gives_a_realistic_share_of_reliable_improvement(clinic: DemoClinic) -> None:
    """Per measure 35-85% improve reliably or recover; a few (3-15%) reliably deteriorate."""
    for measure in MEASURES:
        past = [c for c in clinic.past_clients if c.outcome_measure == measure]
        categories = Counter(change(c) for c in past)
        improved = sum(categories[category] for category in IMPROVED)
        assert 0.35 <= improved / len(past) <= 0.85, (measure, categories)
        assert categories[ChangeCategory.RECOVERED] > 0
    overall = Counter(change(c) for c in clinic.past_clients)
    assert 0.03 <= overall[ChangeCategory.DETERIORATED] / len(clinic.past_clients) <= 0.15


def test_it_makes_past_deteriorating_clients_reliably_worse(clinic: DemoClinic) -> None:
    """Every past deteriorating client ends reliably worse than they started."""
    deteriorating = [c for c in clinic.past_clients if c.story == "deteriorating"]
    assert deteriorating
    assert all(change(c) is ChangeCategory.DETERIORATED for c in deteriorating)
    assert all("risk" not in c.story_text for c in deteriorating)


def test_it_leaves_no_risk_item_endorsed_in_a_closed_episode(clinic: DemoClinic) -> None:
    """No past outcome form endorses a risk item: nothing reads as an open emergency."""
    for client in clinic.past_clients:
        instrument = default_registry().get(client.outcome_measure)
        for session in client.sessions:
            (answers,) = (r.answers for r in session.responses if r.instrument == instrument.code)
            assert score(instrument, answers).risk_items == ()
            assert not any("risk" in r.comments.get("note", "").lower() for r in session.responses)


def test_apportion_splits_a_count_by_largest_remainder() -> None:
    """Shares follow the weights, add up to the count, and ties go to the earlier key."""
    assert apportion({"a": 1, "b": 1, "c": 1}, 4) == {"a": 2, "b": 1, "c": 1}
    assert apportion({"a": 26, "b": 8}, 45) == {"a": 34, "b": 11}
    assert apportion({"a": 3, "b": 1}, 0) == {"a": 0, "b": 0}
