"""Definition files: what a valid one becomes, and how each mistake is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.core.instruments import (
    Aggregation,
    Better,
    DefinitionError,
    Kind,
    Respondent,
    TextSource,
    load_definition,
)
from rapport.core.instruments.formatting import EN_DASH

MINIMAL = """
code = "demo"
name = "DEMO-3"
title = "A three-item demonstration measure"
kind = "outcome"
respondent = "client"
timing = "start"
validated = false
text_source = "bundled"
citation = "Nobody (2024)."
aggregation = "sum"
total_range = [0, 6]
better = "lower"
cutoff = 3
max_missing = 1

[licence]
name = "Test only"

[scale]
kind = "choice"
choices = [
    { value = 0, label = "No" },
    { value = 1, label = "Somewhat" },
    { value = 2, label = "Yes" },
]

[[items]]
number = 1
key = "one"
label = "One"
text = "First question"

[[items]]
number = 2
key = "two"
label = "Two"
text = "Second question"
reverse = true

[[items]]
number = 3
key = "three"
label = "Three"
text = "Third question"
risk = true

[[subscales]]
key = "first_two"
name = "First two"
items = [1, 2]

[[bands]]
minimum = 0
maximum = 2
label = "Low"

[[bands]]
minimum = 3
maximum = 6
label = "High"
"""


def write(tmp_path: Path, text: str, name: str = "demo.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str, name: str = "demo.toml") -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        load_definition(write(tmp_path, text, name))
    return caught.value


class TestLoadDefinition:
    def test_it_builds_the_instrument_a_valid_file_describes(self, tmp_path: Path) -> None:
        """Every key lands on its dataclass field."""
        instrument = load_definition(write(tmp_path, MINIMAL))
        assert instrument.code == "demo"
        assert instrument.kind is Kind.OUTCOME
        assert instrument.respondent is Respondent.CLIENT
        assert instrument.aggregation is Aggregation.SUM
        assert instrument.better is Better.LOWER
        assert instrument.text_source is TextSource.BUNDLED
        assert instrument.total_range == (0.0, 6.0)
        assert [c.label for c in instrument.items[0].scale.choices] == ["No", "Somewhat", "Yes"]
        assert instrument.items[1].reverse is True
        assert instrument.items[2].risk is True
        assert instrument.subscales[0].items == (1, 2)
        assert instrument.subscales[0].aggregation is Aggregation.SUM
        assert [b.label for b in instrument.bands] == ["Low", "High"]
        assert instrument.max_missing == 1

    def test_it_names_the_file_in_every_error(self, tmp_path: Path) -> None:
        """A clinician's IT person must know which file to open."""
        error = load_error(tmp_path, MINIMAL.replace('name = "Test only"', ""))
        assert error.source.endswith("demo.toml")
        assert "demo.toml: licence.name" in str(error)

    def test_it_refuses_an_unknown_top_level_key(self, tmp_path: Path) -> None:
        """A misspelt key would otherwise drop a setting silently."""
        error = load_error(tmp_path, MINIMAL.replace("cutoff = 3", "cutof = 3"))
        assert error.field == "cutof"
        assert "unknown key" in str(error)

    def test_it_refuses_an_unknown_item_key(self, tmp_path: Path) -> None:
        """Item tables are checked key by key too."""
        error = load_error(tmp_path, MINIMAL.replace("reverse = true", "reversed = true"))
        assert error.field == "items[2].reversed"

    def test_it_requires_items_numbered_in_order(self, tmp_path: Path) -> None:
        """Items are numbered 1..n with no gaps, as on the printed form."""
        error = load_error(tmp_path, MINIMAL.replace("number = 2", "number = 4"))
        assert error.field == "items[2].number"
        assert "expected 2" in str(error)

    def test_it_refuses_a_duplicate_item_key(self, tmp_path: Path) -> None:
        """Keys identify items across versions, so they must be unique."""
        error = load_error(tmp_path, MINIMAL.replace('key = "three"', 'key = "one"'))
        assert error.field == "items[3].key"

    def test_it_refuses_a_subscale_naming_a_missing_item(self, tmp_path: Path) -> None:
        """A subscale may only list items that exist."""
        error = load_error(tmp_path, MINIMAL.replace("items = [1, 2]", "items = [1, 7]"))
        assert error.field == "subscales[1].items"
        assert "item 7 does not exist" in str(error)

    def test_it_refuses_a_band_outside_the_total_range(self, tmp_path: Path) -> None:
        """Bands live inside total_range."""
        error = load_error(tmp_path, MINIMAL.replace("maximum = 6", "maximum = 9"))
        assert error.field == "bands[2].maximum"

    def test_it_refuses_overlapping_bands(self, tmp_path: Path) -> None:
        """A total must fall into at most one band."""
        error = load_error(tmp_path, MINIMAL.replace("minimum = 3", "minimum = 2"))
        assert error.field == "bands[2].minimum"

    def test_it_refuses_a_total_range_the_items_cannot_produce(self, tmp_path: Path) -> None:
        """Three items scored 0-2 sum to 0-6, not 0-9."""
        error = load_error(
            tmp_path, MINIMAL.replace("total_range = [0, 6]", "total_range = [0, 9]")
        )
        assert error.field == "total_range"
        assert f"runs 0{EN_DASH}6" in str(error)

    def test_it_refuses_a_cutoff_outside_the_total_range(self, tmp_path: Path) -> None:
        """A cutoff nobody can reach is a typo."""
        error = load_error(tmp_path, MINIMAL.replace("cutoff = 3", "cutoff = 30"))
        assert error.field == "cutoff"

    def test_it_refuses_a_boolean_where_a_number_belongs(self, tmp_path: Path) -> None:
        """TOML true is not 1."""
        error = load_error(tmp_path, MINIMAL.replace("cutoff = 3", "cutoff = true"))
        assert error.field == "cutoff"

    def test_it_refuses_a_code_that_differs_from_the_file_name(self, tmp_path: Path) -> None:
        """The file name is the registry key; the code must agree."""
        error = load_error(tmp_path, MINIMAL, name="other.toml")
        assert error.field == "code"

    def test_it_refuses_an_unknown_kind(self, tmp_path: Path) -> None:
        """Kinds are outcome or alliance."""
        error = load_error(tmp_path, MINIMAL.replace('kind = "outcome"', 'kind = "mood"'))
        assert error.field == "kind"
        assert "outcome, alliance" in str(error)

    def test_it_refuses_a_risk_item_that_is_also_reversed(self, tmp_path: Path) -> None:
        """Risk means above the scale minimum, which reversal would turn upside down."""
        error = load_error(tmp_path, MINIMAL.replace("risk = true", "risk = true\nreverse = true"))
        assert error.field == "items[3].risk"

    def test_it_refuses_a_non_boolean_flag(self, tmp_path: Path) -> None:
        """reverse = "yes" is not a boolean."""
        error = load_error(tmp_path, MINIMAL.replace("reverse = true", 'reverse = "yes"'))
        assert error.field == "items[2].reverse"

    def test_it_requires_wording_for_a_bundled_measure(self, tmp_path: Path) -> None:
        """Bundled measures ship their text."""
        error = load_error(tmp_path, MINIMAL.replace('text = "Second question"', ""))
        assert error.field == "items[2].text"

    def test_it_refuses_wording_in_a_clinic_text_measure(self, tmp_path: Path) -> None:
        """Licensed wording must never be committed to the repository."""
        text = MINIMAL.replace('text_source = "bundled"', 'text_source = "clinic"')
        error = load_error(tmp_path, text)
        assert error.field == "scale.choices[1].label"

    def test_it_refuses_max_missing_of_every_item(self, tmp_path: Path) -> None:
        """At least one item must be answered for a total."""
        error = load_error(tmp_path, MINIMAL.replace("max_missing = 1", "max_missing = 3"))
        assert error.field == "max_missing"

    def test_it_refuses_a_slider_step_that_does_not_divide_its_range(self, tmp_path: Path) -> None:
        """A 0-10 slider cannot move in steps of 3."""
        slider = '[scale]\nkind = "slider"\nminimum = 0\nmaximum = 10\nstep = 3\n'
        text = MINIMAL[: MINIMAL.index("[scale]")] + slider + MINIMAL[MINIMAL.index("[[items]]") :]
        error = load_error(tmp_path, text)
        assert error.field == "scale.step"

    def test_it_reports_invalid_toml(self, tmp_path: Path) -> None:
        """Syntax errors name the file too."""
        error = load_error(tmp_path, MINIMAL + "\nthis is not = = toml")
        assert "is not valid TOML" in str(error)
        assert error.source.endswith("demo.toml")

    def test_it_copies_extra_keys_unvalidated(self, tmp_path: Path) -> None:
        """[extra] is free-form, for data the schema does not model yet."""
        instrument = load_definition(write(tmp_path, MINIMAL + '\n[extra]\nloinc = "44249-1"\n'))
        assert instrument.extra == {"loinc": "44249-1"}
