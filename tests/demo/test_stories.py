"""The synthetic demo clinic: reproducible, well-formed, and each named story visible."""

from __future__ import annotations

import datetime
import itertools
from collections import Counter
from statistics import mean

import pytest

from rapport.demo import (
    NAMED_FOR_ALICE,
    DemoClient,
    DemoClinic,
    DemoResponse,
    DemoSession,
    generate_demo_clinic,
)

TODAY = datetime.date(2026, 3, 10)
SEEDS = (2026, 1, 7, 42, 31337)

# code -> (number of items, lowest answer, highest answer)
RANGES = {
    "phq9": (9, 0, 3),
    "gad7": (7, 0, 3),
    "core10": (10, 0, 4),
    "checkin": (5, 0, 10),
    "checkin_therapist": (5, 0, 10),
}
CORE10_REVERSED = (2, 3)
ALLIANCE_CUTOFF = 9.0
PHQ9_RELIABLE_CHANGE = 6


def scored_total(instrument_code: str, answers: dict[int, float]) -> float:
    """Total as the form is scored: sums, CORE-10 items 2-3 reversed, check-ins averaged."""
    if instrument_code == "core10":
        return sum(4 - v if k in CORE10_REVERSED else v for k, v in answers.items())
    if instrument_code.startswith("checkin"):
        return mean(answers.values())
    return sum(answers.values())


def response(session: DemoSession, instrument: str) -> DemoResponse:
    """The one response of this instrument in a session."""
    (found,) = (r for r in session.responses if r.instrument == instrument)
    return found


def outcome_totals(client: DemoClient) -> list[float]:
    """The client's outcome-measure totals, session by session."""
    return [
        scored_total(client.outcome_measure, response(s, client.outcome_measure).answers)
        for s in client.sessions
    ]


def alliance_means(client: DemoClient, instrument: str = "checkin") -> list[float]:
    """The check-in means, session by session (client's unless told otherwise)."""
    return [scored_total(instrument, response(s, instrument).answers) for s in client.sessions]


def named(clinic: DemoClinic, story: str) -> DemoClient:
    """Alice's pinned client for a named story."""
    (client,) = (
        c
        for c in clinic.clients
        if c.therapist == "alice" and c.display_name == NAMED_FOR_ALICE[story]
    )
    assert client.story == story
    return client


@pytest.fixture(scope="module", params=SEEDS)
def clinic(request: pytest.FixtureRequest) -> DemoClinic:
    """The demo clinic for one of several seeds, so stories hold for any seed."""
    return generate_demo_clinic(seed=request.param, today=TODAY)


def test_it_is_reproducible_for_the_same_seed_and_today() -> None:
    """Same seed and today give an identical clinic."""
    assert generate_demo_clinic(seed=5, today=TODAY) == generate_demo_clinic(seed=5, today=TODAY)


def test_it_differs_between_seeds() -> None:
    """Different seeds give different clinics."""
    assert generate_demo_clinic(seed=5, today=TODAY) != generate_demo_clinic(seed=6, today=TODAY)


def test_it_has_two_therapists_alice_and_bob(clinic: DemoClinic) -> None:
    """The clinic has Alice Moreno and Bob Okafor with demo emails."""
    assert clinic.name == "Riverside Counselling (demo)"
    people = {(t.username, t.first_name, t.last_name) for t in clinic.therapists}
    assert people == {("alice", "Alice", "Moreno"), ("bob", "Bob", "Okafor")}
    assert all(t.email.endswith("@demo.rapport.invalid") for t in clinic.therapists)


def test_it_splits_about_thirty_clients_between_therapists(clinic: DemoClinic) -> None:
    """Thirty clients by default, half each, with unique display names."""
    assert len(clinic.clients) == 30
    assert Counter(c.therapist for c in clinic.clients) == {"alice": 15, "bob": 15}
    assert len({c.display_name for c in clinic.clients}) == 30


def test_it_gives_every_client_six_to_twenty_sessions(clinic: DemoClinic) -> None:
    """Each episode has 6-20 sessions numbered 1..n."""
    for client in clinic.all_clients:
        assert 6 <= len(client.sessions) <= 20
        assert [s.number for s in client.sessions] == list(range(1, len(client.sessions) + 1))


def test_it_honours_n_clients_and_rejects_too_few() -> None:
    """n_clients sets the caseload size; fewer than Alice's five named stories is refused."""
    assert len(generate_demo_clinic(seed=3, today=TODAY, n_clients=9).clients) == 9
    assert len(generate_demo_clinic(seed=3, today=TODAY, n_clients=50).clients) == 50
    with pytest.raises(ValueError, match="at least 5"):
        generate_demo_clinic(n_clients=4)


def test_it_keeps_answers_integer_and_within_item_ranges(clinic: DemoClinic) -> None:
    """Every answer is an integer inside its item's range, with all items present."""
    for client in clinic.all_clients:
        for session in client.sessions:
            for r in session.responses:
                n_items, low, high = RANGES[r.instrument]
                assert sorted(r.answers) == list(range(1, n_items + 1))
                for value in r.answers.values():
                    assert float(value).is_integer()
                    assert low <= value <= high


def test_it_fills_outcome_then_client_then_therapist_forms(clinic: DemoClinic) -> None:
    """Each session has the outcome measure, the client check-in and the therapist check-in."""
    for client in clinic.all_clients:
        assert client.alliance_measure == "checkin"
        assert client.outcome_measure in {"phq9", "gad7", "core10"}
        expected = [client.outcome_measure, "checkin", "checkin_therapist"]
        for session in client.sessions:
            assert [r.instrument for r in session.responses] == expected


def test_it_lays_dates_strictly_increasing_and_not_after_today(clinic: DemoClinic) -> None:
    """Session dates increase, weekly-ish, never after today; the episode starts at session 1."""
    for client in clinic.all_clients:
        dates = [s.date for s in client.sessions]
        gaps = [(b - a).days for a, b in itertools.pairwise(dates)]
        assert all(5 <= gap <= 15 for gap in gaps)
        assert dates[-1] <= TODAY
        assert client.episode_start == dates[0]


def test_it_keeps_the_demo_current(clinic: DemoClinic) -> None:
    """Alice's named clients and several others were seen within the last week."""
    recent = [c for c in clinic.clients if (TODAY - c.sessions[-1].date).days < 7]
    assert len(recent) >= 10
    assert set(NAMED_FOR_ALICE.values()) <= {c.display_name for c in recent}


def test_it_defaults_today_to_the_current_date() -> None:
    """Without today, the latest session is on or before the real current date."""
    clinic = generate_demo_clinic(seed=9, n_clients=6)
    assert max(s.date for c in clinic.all_clients for s in c.sessions) <= datetime.date.today()


def test_it_gives_adult_years_of_birth(clinic: DemoClinic) -> None:
    """Clients are adults aged 18-75."""
    assert all(18 <= TODAY.year - c.year_of_birth <= 75 for c in clinic.all_clients)


def test_it_uses_mostly_one_modality_per_client(clinic: DemoClinic) -> None:
    """Each client mostly keeps one modality; the clinic mixes several."""
    allowed = {"in_person", "video", "phone", "text_chat"}
    usual = set()
    for client in clinic.all_clients:
        counts = Counter(s.modality for s in client.sessions)
        assert set(counts) <= allowed
        modality, n = counts.most_common(1)[0]
        assert n >= len(client.sessions) / 2
        usual.add(modality)
    assert len(usual) >= 3


def test_it_writes_comments_in_about_a_third_of_sessions(clinic: DemoClinic) -> None:
    """Clients leave a "next_time" comment in roughly a third of sessions; notes are rarer."""
    sessions = [s for c in clinic.all_clients for s in c.sessions]
    said = [response(s, "checkin").comments for s in sessions]
    notes = [response(s, "checkin_therapist").comments for s in sessions]
    assert all(set(c) <= {"next_time"} for c in said)
    assert all(set(n) <= {"note"} for n in notes)
    assert 0.2 <= sum(bool(c) for c in said) / len(sessions) <= 0.5
    assert 0.05 <= sum(bool(n) for n in notes) / len(sessions) <= 0.3


def test_it_keeps_risk_items_zero_outside_the_deteriorating_story(clinic: DemoClinic) -> None:
    """PHQ-9 item 9 and CORE-10 item 6 are 0 unless the story is deterioration."""
    for client in clinic.all_clients:
        if client.story == "deteriorating":
            continue
        for session in client.sessions:
            outcome = response(session, client.outcome_measure)
            if client.outcome_measure == "phq9":
                assert outcome.answers[9] == 0
            if client.outcome_measure == "core10":
                assert outcome.answers[6] == 0


def test_it_gives_alice_each_named_story(clinic: DemoClinic) -> None:
    """Alice has one client of each named story; Bob has some of them too."""
    stories = {"anxious_first_timer", "distrustful_then_trusting", "rupture_repair"}
    stories |= {"recent_rupture", "deteriorating"}
    assert set(NAMED_FOR_ALICE) == stories
    for story in stories:
        assert named(clinic, story).story_text
    bob = {c.story for c in clinic.clients if c.therapist == "bob"}
    assert {"distrustful_then_trusting", "rupture_repair", "deteriorating"} <= bob
    assert {"steady_improver", "slow_improver", "flat", "early_recovery"} <= {
        c.story for c in clinic.clients
    }


def test_it_ends_the_recent_rupture_with_a_sharp_drop_at_the_latest_session(
    clinic: DemoClinic,
) -> None:
    """Check-in 9+ throughout, then at least 2.5 lower at the last session: repair pending."""
    client = named(clinic, "recent_rupture")
    alliance = alliance_means(client)
    assert min(alliance[:-1]) >= ALLIANCE_CUTOFF - 0.5
    assert alliance[-2] - alliance[-1] >= 2.5
    assert client.sessions[-1].responses[1].comments["next_time"].startswith("Felt rushed")


def test_it_keeps_the_anxious_first_timer_alliance_high_from_session_1(
    clinic: DemoClinic,
) -> None:
    """GAD-7 starts moderate-severe and improves; the check-in is 9+ from session 1."""
    client = named(clinic, "anxious_first_timer")
    assert client.outcome_measure == "gad7"
    totals, alliance = outcome_totals(client), alliance_means(client)
    assert totals[0] >= 15
    assert totals[0] - totals[-1] >= 8
    assert alliance[0] >= ALLIANCE_CUTOFF
    assert min(alliance) >= ALLIANCE_CUTOFF


def test_it_starts_the_distrustful_alliance_low_and_raises_it(clinic: DemoClinic) -> None:
    """The check-in starts ~5-6, rises steadily to ~9, with guarded then warmer comments."""
    client = named(clinic, "distrustful_then_trusting")
    alliance = alliance_means(client)
    assert 5.0 <= alliance[0] <= 6.2
    assert alliance[-1] >= 8.8
    assert all(b >= a - 0.6 for a, b in itertools.pairwise(alliance))
    said = {s.number: response(s, "checkin").comments.get("next_time") for s in client.sessions}
    assert said[1] == "Not sure this is for me."
    assert "drinking" in (said[3] or "")
    assert said[len(said)] == "I actually look forward to these now."


def test_it_improves_the_distrustful_client_only_after_the_alliance_rises(
    clinic: DemoClinic,
) -> None:
    """No reliable PHQ-9 improvement while the alliance is low; reliable improvement after."""
    client = named(clinic, "distrustful_then_trusting")
    totals, alliance = outcome_totals(client), alliance_means(client)
    turn = next(i for i, a in enumerate(alliance) if a >= 8.0)
    assert all(t > totals[0] - PHQ9_RELIABLE_CHANGE for t in totals[: turn + 1])
    assert totals[0] - totals[-1] >= PHQ9_RELIABLE_CHANGE


def test_it_repairs_the_rupture_within_two_sessions(clinic: DemoClinic) -> None:
    """At session 7 the check-in drops by 2+ and is back at its pre-drop level within two."""
    client = named(clinic, "rupture_repair")
    alliance = alliance_means(client)
    drops = [i for i in range(1, len(alliance)) if alliance[i - 1] - alliance[i] >= 2]
    assert drops == [6]  # session 7, 0-based index 6
    assert max(alliance[7:9]) >= alliance[5]
    assert alliance[5] >= ALLIANCE_CUTOFF
    rupture = response(client.sessions[6], "checkin")
    assert "mum" in rupture.comments["next_time"]
    assert rupture.answers[1] == min(rupture.answers.values())  # feeling unheard drives it
    assert "session 7" in client.story_text


def test_it_shows_reliable_deterioration_and_a_risk_endorsement(clinic: DemoClinic) -> None:
    """PHQ-9 rises by 6+ with a lukewarm alliance; item 9 is 1 at one late session only."""
    client = named(clinic, "deteriorating")
    assert client.outcome_measure == "phq9"
    totals = outcome_totals(client)
    assert totals[-1] - totals[0] >= PHQ9_RELIABLE_CHANGE
    assert all(6.0 <= a < ALLIANCE_CUTOFF for a in alliance_means(client))
    item9 = [response(s, "phq9").answers[9] for s in client.sessions]
    endorsed = [i for i, value in enumerate(item9) if value]
    assert len(endorsed) == 1
    assert item9[endorsed[0]] == 1
    assert endorsed[0] >= len(item9) - 3


def test_it_makes_every_deteriorating_client_reliably_worse(clinic: DemoClinic) -> None:
    """Every current deteriorating client (either therapist) worsens by 6+, endorses risk once."""
    risk_item = {"phq9": 9, "core10": 6}
    for client in (c for c in clinic.clients if c.story == "deteriorating"):
        totals = outcome_totals(client)
        assert totals[-1] - totals[0] >= 6
        answers = [response(s, client.outcome_measure).answers for s in client.sessions]
        assert sum(a[risk_item[client.outcome_measure]] for a in answers) == 1


def test_it_moderates_therapist_alliance_ratings(clinic: DemoClinic) -> None:
    """Therapists rate below very satisfied clients and above dissatisfied ones."""
    high, low = [], []
    for client in clinic.all_clients:
        theirs = alliance_means(client, "checkin_therapist")
        for own, therapist in zip(alliance_means(client), theirs, strict=True):
            if own >= 9.4:
                high.append(therapist - own)
            elif own <= 6.6:
                low.append(therapist - own)
    assert mean(high) < 0 < mean(low)
