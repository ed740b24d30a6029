"""Forms for editing a plan: each valid form becomes one edit of the plan snapshot."""

from __future__ import annotations

from typing import Any

from django import forms

from rapport.care.dates import GOAL_DAYS_AHEAD
from rapport.core.instruments import Kind
from rapport.core.instruments.formatting import parse_number
from rapport.core.plans import GasLadder, MeasureTarget, RaisedBy
from rapport.feedback.instruments import client_measures, registry
from rapport.web.forms import IsoDateField

GAS_LABELS = (
    ("gas_minus_2", "−2: much less than expected"),
    ("gas_minus_1", "−1: somewhat less than expected"),
    ("gas_0", "0: the expected outcome"),
    ("gas_plus_1", "+1: somewhat more than expected"),
    ("gas_plus_2", "+2: much more than expected"),
)


class ProblemForm(forms.Form):
    prefix = "problem"  # two forms share the page: prefixes keep field ids unique
    title = forms.CharField(
        max_length=200,
        label="Problem",
        help_text="In the client's words where you can, e.g. “I can't sleep before exams”.",
    )
    raised_by = forms.ChoiceField(
        choices=[(r.value, r.value.capitalize()) for r in RaisedBy], initial=RaisedBy.CLIENT
    )


class PlainNumberField(forms.FloatField):
    """A number field that reads only plain decimals (:func:`parse_number`): Django's FloatField
    calls ``float()``, which reads ``1_0`` as 10, ``1e1`` as 10 and ``٣`` as 3."""

    def to_python(self, value: Any) -> float | None:
        if isinstance(value, str) and value.strip():
            try:
                return parse_number(value)
            except ValueError as exc:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        return super().to_python(value)  # empty: None, or "required"


# A goal's weight in the GAS T-score: Turner-Stokes (2009) multiplies importance (0-3) by
# difficulty (1-3), so 1 to 9 in practice; the add form and the inline editor share the range.
GOAL_WEIGHT_MIN, GOAL_WEIGHT_MAX = 0.1, 10.0


class GoalForm(forms.Form):
    prefix = "goal"
    problem = forms.ChoiceField(label="For problem")
    title = forms.CharField(max_length=200, label="Goal")
    kind = forms.ChoiceField(
        label="Benchmark",
        choices=[
            ("measure", "A target on a measure"),
            ("gas", "Goal attainment scaling (5 levels)"),
        ],
        widget=forms.RadioSelect,
        initial="measure",
    )
    measure = forms.ChoiceField(required=False)
    comparison = forms.ChoiceField(
        required=False,
        choices=[
            ("below", "below"),
            ("at_most", "at most"),
            ("above", "above"),
            ("at_least", "at least"),
        ],
    )
    value = PlainNumberField(required=False, label="Target value")
    gas_minus_2 = forms.CharField(required=False, max_length=200, label=GAS_LABELS[0][1])
    gas_minus_1 = forms.CharField(required=False, max_length=200, label=GAS_LABELS[1][1])
    gas_0 = forms.CharField(required=False, max_length=200, label=GAS_LABELS[2][1])
    gas_plus_1 = forms.CharField(required=False, max_length=200, label=GAS_LABELS[3][1])
    gas_plus_2 = forms.CharField(required=False, max_length=200, label=GAS_LABELS[4][1])
    target_date = IsoDateField(required=False, days_ahead=GOAL_DAYS_AHEAD)
    weight = PlainNumberField(initial=1.0, min_value=GOAL_WEIGHT_MIN, max_value=GOAL_WEIGHT_MAX)

    def __init__(self, *args: Any, problems: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["problem"].choices = problems
        self.fields["measure"].choices = [(m.code, m.name) for m in client_measures(Kind.OUTCOME)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            self._benchmark(data)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data

    @staticmethod
    def _benchmark(data: dict[str, Any]) -> None:
        if data.get("kind") == "measure":
            if data.get("value") is None or not data.get("measure") or not data.get("comparison"):
                raise forms.ValidationError("Give the measure, the comparison and the value.")
            target = MeasureTarget(data["measure"], data["comparison"], data["value"])
            measure = registry().get(data["measure"])  # the field's choices are known codes
            try:
                target.check_range(measure.name, *measure.total_range)
            except ValueError as exc:
                raise forms.ValidationError({"value": str(exc)}) from exc
            data["target"] = target
            data["ladder"] = None
        else:
            texts = [(data.get(name) or "").strip() for name, _ in GAS_LABELS]
            if not all(texts):
                raise forms.ValidationError("Describe all five levels, from −2 to +2.")
            data["ladder"] = GasLadder(tuple(texts))  # type: ignore[arg-type]
            data["target"] = None
