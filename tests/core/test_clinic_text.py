"""Licensed wording installed by a clinic: it fills gaps and never replaces bundled text."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.core.instruments import DefinitionError, Registry
from rapport.core.instruments.registry import BUNDLED_DEFINITIONS

# Placeholder wording: the real SRS and WAI-SR text is copyrighted and never enters the repo.
SRS_TEXT = """
instructions = "Placeholder instructions"
notice = "© Placeholder licence line"

[items]
1 = "Placeholder relationship wording"
2 = "Placeholder goals wording"
3 = "Placeholder approach wording"
4 = "Placeholder overall wording"

[anchors]
1 = { low = "Low one", high = "High one" }
2 = { low = "Low two", high = "High two" }
3 = { low = "Low three", high = "High three" }
4 = { low = "Low four", high = "High four" }
"""


def registry_with(tmp_path: Path, files: dict[str, str]) -> Registry:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return Registry(BUNDLED_DEFINITIONS, tmp_path)


def refusal(tmp_path: Path, files: dict[str, str]) -> DefinitionError:
    with pytest.raises(DefinitionError) as caught:
        registry_with(tmp_path, files)
    return caught.value


class TestClinicText:
    def test_it_fills_srs_wording_from_the_clinic_folder(self, tmp_path: Path) -> None:
        """Items, anchors, instructions and the copyright line all come from the file."""
        srs = registry_with(tmp_path, {"srs.toml": SRS_TEXT}).get("srs")
        assert srs.text_missing is False
        assert srs.items[0].text == "Placeholder relationship wording"
        assert srs.items[3].scale.low_anchor == "Low four"
        assert srs.items[3].scale.high_anchor == "High four"
        assert srs.instructions == "Placeholder instructions"
        assert srs.licence.notice == "© Placeholder licence line"

    def test_it_leaves_other_measures_untouched(self, tmp_path: Path) -> None:
        """Only the measure named by the file changes."""
        registry = registry_with(tmp_path, {"srs.toml": SRS_TEXT})
        assert registry.get("ors").text_missing is True
        assert registry.get("srs").items[0].label == "Relationship"

    def test_it_keeps_text_missing_when_the_file_is_partial(self, tmp_path: Path) -> None:
        """Wording for one item does not complete the form."""
        srs = registry_with(tmp_path, {"srs.toml": '[items]\n1 = "Only one"\n'}).get("srs")
        assert srs.items[0].text == "Only one"
        assert srs.text_missing is True

    def test_it_fills_choice_labels_for_every_item(self, tmp_path: Path) -> None:
        """WAI-SR response labels apply to all twelve items."""
        items = "\n".join(f'{n} = "Item {n}"' for n in range(1, 13))
        choices = "\n".join(f'{v} = "Label {v}"' for v in range(1, 6))
        text = f"[items]\n{items}\n[choices]\n{choices}\n"
        wai = registry_with(tmp_path, {"wai_sr.toml": text}).get("wai_sr")
        assert wai.text_missing is False
        assert [c.label for c in wai.items[11].scale.choices] == [f"Label {v}" for v in range(1, 6)]

    def test_it_refuses_to_replace_bundled_phq9_wording(self, tmp_path: Path) -> None:
        """Bundled wording is fixed; CORE-10's licence forbids changes and scores must compare."""
        error = refusal(tmp_path, {"phq9.toml": '[items]\n3 = "Sleep problems"\n'})
        assert error.field == "items.3"
        assert "already ships this wording" in str(error)

    def test_it_refuses_to_replace_core10_instructions(self, tmp_path: Path) -> None:
        """The CORE-10 instructions are part of the NoDerivatives text."""
        error = refusal(tmp_path, {"core10.toml": 'instructions = "Please answer"\n'})
        assert error.field == "instructions"

    def test_it_refuses_an_item_the_measure_does_not_have(self, tmp_path: Path) -> None:
        """The SRS has four items."""
        error = refusal(tmp_path, {"srs.toml": '[items]\n5 = "Extra"\n'})
        assert error.field == "items.5"

    def test_it_refuses_anchors_on_a_choice_item(self, tmp_path: Path) -> None:
        """Anchors belong to sliders."""
        error = refusal(tmp_path, {"wai_sr.toml": '[anchors]\n1 = { low = "a" }\n'})
        assert error.field == "anchors.1"

    def test_it_refuses_an_unknown_key(self, tmp_path: Path) -> None:
        """A misspelt section would leave wording silently missing."""
        error = refusal(tmp_path, {"srs.toml": '[item]\n1 = "x"\n'})
        assert error.field == "item"

    def test_it_refuses_a_file_named_after_no_measure(self, tmp_path: Path) -> None:
        """srs_v3.toml is a typo, not a new measure."""
        error = refusal(tmp_path, {"srs_v3.toml": '[items]\n1 = "x"\n'})
        assert "no measure 'srs_v3'" in str(error)
        assert "srs" in str(error)
