"""Parsing an upload's bytes (the web's path), and asking for roles when speakers are unknown."""

from __future__ import annotations

import pytest

from rapport.core.transcripts import (
    MAX_BYTES,
    Role,
    TranscriptError,
    UnknownRoles,
    parse_bytes,
)
from rapport.core.transcripts.parsing import FORMATS, detect_format

VTT = (
    "WEBVTT\n\n"
    "00:00:01.000 --> 00:00:03.000\n<v Sam Okafor>How has the week been?\n\n"
    "00:00:03.500 --> 00:00:06.000\n<v Robin>Long. I kept putting things off.\n"
)


class TestParseBytes:
    @pytest.mark.parametrize(
        ("filename", "data"),
        [
            ("week.txt", b"T: How was it?\nC: Fine, mostly.\n"),
            ("week.csv", b"speaker,text\nT,How was it?\nC,Fine.\n"),
            ("week.tsv", b"speaker\ttext\nT\tHow was it?\nC\tFine.\n"),
            (
                "week.srt",
                b"1\n00:00:01,000 --> 00:00:02,000\nT: Hi\n\n"
                b"2\n00:00:02,500 --> 00:00:03,000\nC: Hello\n",
            ),
            ("week.json", b'[{"sender": "T", "text": "Hi"}, {"sender": "C", "text": "Hey"}]'),
            ("upload", b"T: How was it?\nC: Fine, mostly.\n"),
        ],
    )
    def test_it_parses_each_format_from_bytes(self, filename: str, data: bytes) -> None:
        """Bytes and a file name give a conversation whose id is the name's stem."""
        c = parse_bytes(data, filename)
        assert c.id == filename.split(".", maxsplit=1)[0]
        assert c.source == filename
        assert [u.role for u in c] == [Role.THERAPIST, Role.CLIENT]

    def test_it_uses_a_given_conversation_id(self) -> None:
        """conversation_id overrides the name's stem."""
        c = parse_bytes(b"T: hi\nC: hello\n", "a.txt", conversation_id="session-4")
        assert c.id == "session-4"

    def test_it_names_the_file_in_decoding_errors(self) -> None:
        """Bad bytes are reported with the file name and line."""
        with pytest.raises(TranscriptError, match=r"notes\.txt: byte 14 \(line 2\)"):
            parse_bytes(b"T: hi\nC: hello\xff\n", "notes.txt")

    def test_it_refuses_data_over_the_limit(self) -> None:
        """More than MAX_BYTES is refused before decoding, naming the limit."""
        with pytest.raises(TranscriptError, match="the limit is"):
            parse_bytes(b"T: x\n" * (MAX_BYTES // 5 + 1), "big.txt")

    def test_it_refuses_an_empty_upload(self) -> None:
        """Whitespace only is 'empty', with the file name."""
        with pytest.raises(TranscriptError, match=r"blank\.vtt: the file is empty"):
            parse_bytes(b" \n\n", "blank.vtt")


class TestUnknownRoles:
    def test_it_lists_every_speaker_when_roles_are_missing(self) -> None:
        """Named voices without roles raise UnknownRoles with all speakers in order."""
        with pytest.raises(UnknownRoles) as caught:
            parse_bytes(VTT.encode(), "s.vtt")
        assert caught.value.speakers == ("Sam Okafor", "Robin")
        assert caught.value.detected == {}
        assert "'Sam Okafor', 'Robin'" in str(caught.value)

    def test_it_reports_the_roles_it_did_recognise(self) -> None:
        """With a third, unknown speaker the recognised labels come back as detected."""
        with pytest.raises(UnknownRoles) as caught:
            parse_bytes(b"T: hi\nC: hello\nMum: hey\n", "s.txt")
        assert caught.value.speakers == ("T", "C", "Mum")
        assert caught.value.detected == {"T": Role.THERAPIST, "C": Role.CLIENT}

    def test_it_is_a_transcript_error(self) -> None:
        """Callers that only catch TranscriptError still get the message."""
        assert issubclass(UnknownRoles, TranscriptError)

    def test_it_parses_once_the_roles_are_given(self) -> None:
        """Parsing again with the answers gives each speaker its role."""
        c = parse_bytes(
            VTT.encode(), "s.vtt", roles={"Sam Okafor": Role.THERAPIST, "Robin": "client"}
        )
        assert c.roles == {"Sam Okafor": Role.THERAPIST, "Robin": Role.CLIENT}

    def test_it_is_not_raised_for_a_single_speaker(self) -> None:
        """One speaker is a plain TranscriptError: no role answer would fix it."""
        with pytest.raises(TranscriptError, match="only one speaker") as caught:
            parse_bytes(b"Robin: hello\nRobin: anyone?\n", "s.txt")
        assert not isinstance(caught.value, UnknownRoles)


class TestDetectFormat:
    @pytest.mark.parametrize(
        ("filename", "body", "expected"),
        [
            ("a.VTT", "anything", "webvtt"),
            ("a.tsv", "speaker\ttext", "tsv"),
            ("a.md", "T: hi", "text"),
            ("upload", "\ufeffWEBVTT\n\n", "webvtt"),
            ("upload", ' [{"sender": "T"}]', "chat_json"),
            ("upload", "1\n00:00:01,000 --> 00:00:02,000\nT: hi", "srt"),
            ("upload", "T: hi\nC: hello", "text"),
        ],
    )
    def test_it_names_the_format_by_ending_then_content(
        self, filename: str, body: str, expected: str
    ) -> None:
        """A known ending decides; otherwise the opening of the text does."""
        assert detect_format(filename, body) == expected
        assert expected in FORMATS
