"""Properties that hold for every bundled measure and every valid answer set."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from rapport.core.instruments import Instrument, Item, default_registry, score

MEASURES = list(default_registry().all())


def item_answers(item: Item) -> st.SearchStrategy[float]:
    """Any answer the item's scale allows."""
    scale = item.scale
    if scale.kind == "choice":
        return st.sampled_from([float(c.value) for c in scale.choices])
    positions = round((scale.maximum - scale.minimum) / scale.step)
    low, step = Decimal(str(scale.minimum)), Decimal(str(scale.step))
    return st.integers(0, positions).map(lambda k: float(low + k * step))


@st.composite
def complete_answers(draw: st.DrawFn, instrument: Instrument) -> dict[int, float]:
    return {item.number: draw(item_answers(item)) for item in instrument.items}


@st.composite
def measure_and_answers(draw: st.DrawFn) -> tuple[Instrument, dict[int, float]]:
    instrument = draw(st.sampled_from(MEASURES))
    return instrument, draw(complete_answers(instrument))


class TestScoringProperties:
    @given(measure_and_answers())
    def test_it_keeps_every_complete_total_inside_total_range(
        self, case: tuple[Instrument, dict[int, float]]
    ) -> None:
        """Any valid complete answers give a total within the measure's range."""
        instrument, answers = case
        result = score(instrument, answers)
        assert result.total is not None
        low, high = instrument.total_range
        assert low <= result.total <= high
        assert result.missing == ()
        assert result.prorated is False

    @given(measure_and_answers(), st.data())
    def test_it_keeps_a_prorated_total_inside_total_range(
        self, case: tuple[Instrument, dict[int, float]], data: st.DataObject
    ) -> None:
        """Prorating one gap never pushes a total out of range."""
        instrument, answers = case
        if instrument.max_missing == 0:
            return
        skipped = data.draw(st.sampled_from(sorted(answers)))
        result = score(instrument, answers | {skipped: None})
        assert result.total is not None
        assert instrument.total_range[0] <= result.total <= instrument.total_range[1]
        assert result.prorated is True

    @given(measure_and_answers())
    def test_it_keeps_subscales_inside_their_items_range(
        self, case: tuple[Instrument, dict[int, float]]
    ) -> None:
        """A subscale mean lies between its items' minimum and maximum."""
        instrument, answers = case
        result = score(instrument, answers)
        for sub in instrument.subscales:
            value = result.subscales[sub.key]
            assert value is not None
            scales = [instrument.item(n).scale for n in sub.items]
            assert min(s.minimum for s in scales) <= value <= max(s.maximum for s in scales)

    @given(complete_answers(default_registry().get("core10")), st.sampled_from([2, 3]))
    def test_it_lowers_the_core10_total_when_a_reversed_answer_rises(
        self, answers: dict[int, float], number: int
    ) -> None:
        """More support or coping (items 2, 3) means less distress: one step up, one point down."""
        core10 = default_registry().get("core10")
        if answers[number] == core10.item(number).scale.maximum:
            answers[number] -= 1
        before = score(core10, answers).total
        after = score(core10, answers | {number: answers[number] + 1}).total
        assert before is not None
        assert after == before - 1

    @given(complete_answers(default_registry().get("core10")), st.sampled_from([1, 4, 5, 9]))
    def test_it_raises_the_core10_total_when_a_plain_answer_rises(
        self, answers: dict[int, float], number: int
    ) -> None:
        """The other items count the usual way round."""
        core10 = default_registry().get("core10")
        if answers[number] == core10.item(number).scale.maximum:
            answers[number] -= 1
        before = score(core10, answers).total
        assert before is not None
        assert score(core10, answers | {number: answers[number] + 1}).total == before + 1
