"""The registry of bundled measures and the guarantees every bundled definition keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.core.instruments import (
    DefinitionError,
    Instrument,
    Kind,
    Respondent,
    TextSource,
    UnknownInstrument,
    default_registry,
)

BUNDLED = ["checkin", "checkin_therapist", "core10", "gad7", "ors", "phq9", "sai", "srs", "wai_sr"]


class TestRegistry:
    def test_it_lists_the_bundled_measures_sorted_by_code(self) -> None:
        """all() and codes() agree and are sorted."""
        registry = default_registry()
        assert registry.codes() == BUNDLED
        assert [inst.code for inst in registry.all()] == BUNDLED
        assert len(registry) == len(BUNDLED)

    def test_it_knows_which_codes_it_holds(self) -> None:
        """`in` works with codes."""
        assert "phq9" in default_registry()
        assert "beck" not in default_registry()

    def test_it_raises_unknown_instrument_listing_known_codes(self) -> None:
        """The message tells the reader what would have worked."""
        with pytest.raises(UnknownInstrument) as caught:
            default_registry().get("phq8")
        message = str(caught.value)
        assert message.startswith("Unknown measure 'phq8'; known measures: checkin, ")
        assert "wai_sr" in message

    def test_it_raises_an_error_that_is_also_a_key_error(self) -> None:
        """Callers that catch KeyError keep working."""
        with pytest.raises(KeyError):
            default_registry().get("nope")

    def test_it_caches_one_registry_per_text_folder(self, tmp_path: Path) -> None:
        """The same folder, as str or Path, gives the same registry object."""
        assert default_registry() is default_registry(None)
        assert default_registry(str(tmp_path)) is default_registry(tmp_path)
        assert default_registry(tmp_path) is not default_registry()

    def test_it_treats_an_empty_folder_setting_as_none(self) -> None:
        """An unset environment variable reads as an empty string."""
        assert default_registry("") is default_registry()

    def test_it_refuses_a_text_folder_that_does_not_exist(self, tmp_path: Path) -> None:
        """A wrong path must fail at start-up, not leave wording missing."""
        with pytest.raises(DefinitionError, match="does not exist"):
            default_registry(tmp_path / "missing")


def bundled() -> list[Instrument]:
    return list(default_registry().all())


class TestBundledDefinitions:
    @pytest.mark.parametrize("instrument", bundled(), ids=lambda i: i.code)
    def test_it_cites_a_source_and_a_licence(self, instrument: Instrument) -> None:
        """Every measure says where it comes from and on what terms it is used."""
        assert instrument.citation
        assert instrument.licence.name
        assert instrument.notes

    @pytest.mark.parametrize(
        "code", [i.code for i in bundled() if i.text_source is TextSource.CLINIC]
    )
    def test_it_ships_no_wording_for_licensed_measures(self, code: str) -> None:
        """Copyrighted wording never enters the repository."""
        instrument = default_registry().get(code)
        assert instrument.instructions is None
        assert instrument.text_missing is True
        for item in instrument.items:
            assert item.text is None
            assert item.scale.low_anchor is None
            assert item.scale.high_anchor is None
            assert all(choice.label is None for choice in item.scale.choices)

    def test_it_marks_only_the_project_check_ins_as_unvalidated(self) -> None:
        """Project-authored measures must never pass as validated ones."""
        unvalidated = [i.code for i in bundled() if not i.validated]
        assert unvalidated == ["checkin", "checkin_therapist"]

    def test_it_times_outcomes_at_the_start_and_alliance_at_the_end(self) -> None:
        """Outcome before the session, alliance after it."""
        for instrument in bundled():
            expected = "start" if instrument.kind is Kind.OUTCOME else "end"
            assert instrument.timing == expected, instrument.code

    def test_it_asks_only_the_therapist_check_in_of_the_therapist(self) -> None:
        """Every other measure is the client's own rating."""
        therapist = [i.code for i in bundled() if i.respondent is Respondent.THERAPIST]
        assert therapist == ["checkin_therapist"]

    def test_it_marks_the_self_harm_items_as_risk_items(self) -> None:
        """PHQ-9 item 9 and CORE-10 item 6 are the only risk items."""
        risks = {i.code: [it.number for it in i.items if it.risk] for i in bundled()}
        assert {code: items for code, items in risks.items() if items} == {
            "phq9": [9],
            "core10": [6],
        }

    def test_it_reproduces_the_core10_licence_line(self) -> None:
        """The CORE System Trust requires its copyright line on the form."""
        notice = default_registry().get("core10").licence.notice
        assert notice == "© CORE System Trust: https://www.coresystemtrust.org.uk/copyright.pdf"
