"""Transcript parsers: text, CSV/TSV, WebVTT, SRT, chat JSON, and choosing among them."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from rapport.core.transcripts import (
    MAX_BYTES,
    Role,
    TranscriptError,
    load,
    parse_chat_json,
    parse_delimited,
    parse_srt,
    parse_text,
    parse_webvtt,
)
from rapport.core.transcripts.parsing import MAX_SPEAKERS, MAX_UTTERANCES, parse_timestamp

TEXT = "T: How was your week?\nC: Hard.\nI barely slept.\n\nT: That sounds exhausting.\n"


class TestParseText:
    def test_it_reads_prefixes_and_appends_continuation_lines(self) -> None:
        """T:/C: prefixes become roles; a line without a prefix continues the utterance."""
        c = parse_text(TEXT, source="s.txt")
        assert [(u.index, u.role, u.text) for u in c] == [
            (0, Role.THERAPIST, "How was your week?"),
            (1, Role.CLIENT, "Hard. I barely slept."),
            (2, Role.THERAPIST, "That sounds exhausting."),
        ]
        assert c.id == "s.txt"

    def test_it_knows_the_long_labels(self) -> None:
        """Counsellor/Patient are recognised, case-insensitively."""
        c = parse_text("counsellor: hi\nPATIENT: hello", source="s")
        assert [u.role for u in c] == [Role.THERAPIST, Role.CLIENT]

    def test_it_infers_the_other_role_in_a_dyad(self) -> None:
        """Two named speakers and one known role: the other takes the other role."""
        c = parse_text("Alice: hi\nDana: hello", source="s", roles={"Alice": Role.THERAPIST})
        assert c.roles == {"Alice": Role.THERAPIST, "Dana": Role.CLIENT}

    def test_it_accepts_role_names_as_strings(self) -> None:
        """roles may give the role's value as a string."""
        c = parse_text("Alice: hi\nDana: hello", source="s", roles={"Dana": "client"})
        assert c.roles["Alice"] is Role.THERAPIST

    def test_it_names_the_speakers_that_need_a_role(self) -> None:
        """Unknown names without roles are an error naming each of them."""
        with pytest.raises(TranscriptError, match="'Alice', 'Dana'"):
            parse_text("Alice: hi\nDana: hello", source="s")

    def test_it_needs_roles_for_a_third_speaker(self) -> None:
        """With three speakers nothing is inferred."""
        with pytest.raises(TranscriptError, match="'Bob'"):
            parse_text("T: hi\nC: hello\nBob: hey", source="s")

    def test_it_rejects_an_unknown_role_value(self) -> None:
        """A role that is not a Role is reported."""
        with pytest.raises(TranscriptError, match="'boss'"):
            parse_text("Alice: hi\nDana: yo", source="s", roles={"Alice": "boss"})

    def test_it_rejects_text_before_the_first_speaker(self) -> None:
        """An unlabelled first line is an error naming the line."""
        with pytest.raises(TranscriptError, match="line 2: text before any speaker"):
            parse_text("\nhello there\nT: hi", source="s")

    def test_it_rejects_a_single_speaker(self) -> None:
        """One speaker is not a session."""
        with pytest.raises(TranscriptError, match="only one speaker"):
            parse_text("T: hi\nT: anyone?", source="s")

    @pytest.mark.parametrize("body", ["", "  \n\n", b"", b"\xef\xbb\xbf\n"])
    def test_it_rejects_an_empty_transcript(self, body: str | bytes) -> None:
        """Empty text or bytes are reported as empty."""
        with pytest.raises(TranscriptError, match="empty"):
            parse_text(body, source="s")

    def test_it_reports_no_speakers_when_every_turn_is_blank(self) -> None:
        """Prefixes with no words leave no speakers."""
        with pytest.raises(TranscriptError, match="no speakers"):
            parse_text("T:\nC:   ", source="s")


class TestDecoding:
    @pytest.mark.parametrize(
        "data",
        [
            TEXT.encode("utf-8"),
            codecs.BOM_UTF8 + TEXT.encode("utf-8"),
            TEXT.encode("utf-16"),  # with BOM
            codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        ],
    )
    def test_it_accepts_utf8_and_utf16_with_bom(self, data: bytes) -> None:
        """UTF-8 (with or without BOM) and UTF-16 with BOM give the same transcript."""
        assert len(parse_text(data, source="s")) == 3

    def test_it_reports_the_offset_of_undecodable_bytes(self) -> None:
        """Invalid UTF-8 names the byte offset and line."""
        with pytest.raises(TranscriptError, match=r"byte 15 \(line 2\)"):
            parse_text(b"T: hi there\nC: \xff\n", source="s")

    def test_it_rejects_a_file_over_the_size_limit(self, tmp_path: Path) -> None:
        """Oversized files are refused before they are read."""
        big = tmp_path / "big.txt"
        with big.open("wb") as f:
            f.truncate(MAX_BYTES + 1)
        with pytest.raises(TranscriptError, match="limit"):
            load(big)


class TestParseDelimited:
    def test_it_reads_csv_with_timestamps(self) -> None:
        """Speaker, text, start and end columns are found by name."""
        body = 'speaker,start,end,text\nT,00:00:01.5,3,"Hello, Dana"\nC,00:04,6,Hi\n'
        c = parse_delimited(body, source="s.csv")
        assert [(u.role, u.text, u.start, u.end) for u in c] == [
            (Role.THERAPIST, "Hello, Dana", 1.5, 3.0),
            (Role.CLIENT, "Hi", 4.0, 6.0),
        ]

    def test_it_reads_tsv_with_named_columns(self) -> None:
        """A tab in the header selects TSV; columns can be named explicitly."""
        body = "who said\twords\nAlice\thi\nDana\thello\n"
        c = parse_delimited(
            body,
            source="s.tsv",
            speaker_column="who said",
            text_column="words",
            roles={"Alice": Role.THERAPIST},
        )
        assert c.roles == {"Alice": Role.THERAPIST, "Dana": Role.CLIENT}

    def test_it_reports_missing_columns(self) -> None:
        """A header without a text column is an error on line 1."""
        with pytest.raises(TranscriptError, match="line 1: the header needs a text column"):
            parse_delimited("speaker,foo\nT,hi\n", source="s")

    def test_it_reports_a_malformed_timestamp_with_its_line(self) -> None:
        """A bad timestamp names the line it is on."""
        with pytest.raises(TranscriptError, match="line 3: malformed 'start'"):
            parse_delimited("speaker,text,start\nT,hi,1\nC,yo,soon\n", source="s")

    def test_it_reports_short_rows(self) -> None:
        """A row with too few fields names its line."""
        with pytest.raises(TranscriptError, match="line 3: 1 fields"):
            parse_delimited("speaker,text\nT,hi\nC\n", source="s")


VTT = """WEBVTT

NOTE a comment

1
00:00:01.000 --> 00:00:03.000
<v Therapist>How was the week?</v>

00:00:03.000 --> 00:00:04.500 align:start
<v Therapist>Anything new?

00:00:05.000 --> 00:00:07.250
<v.loud Client>Not <b>much</b>.
"""

SRT = """1
00:00:01,000 --> 00:00:03,000
Alice: How was the week?

2
00:00:04,000 --> 00:00:06,000
Dana: Quiet.
Really quiet.
"""


class TestParseCaptions:
    def test_it_reads_webvtt_voices_and_merges_a_speakers_cues(self) -> None:
        """Voice spans give speakers; consecutive cues by one speaker form one utterance."""
        c = parse_webvtt(VTT, source="s.vtt")
        assert [(u.role, u.text, u.start, u.end) for u in c] == [
            (Role.THERAPIST, "How was the week? Anything new?", 1.0, 4.5),
            (Role.CLIENT, "Not much.", 5.0, 7.25),
        ]

    def test_it_requires_the_webvtt_header(self) -> None:
        """A .vtt without WEBVTT is reported."""
        with pytest.raises(TranscriptError, match="must begin with 'WEBVTT'"):
            parse_webvtt(VTT.replace("WEBVTT", "VTT"), source="s")

    def test_it_reports_the_cue_of_a_malformed_timestamp(self) -> None:
        """A bad cue timing names the cue."""
        bad = VTT.replace("00:00:05.000 -->", "00:00:5x -->")
        with pytest.raises(TranscriptError, match="cue 3: malformed timestamp"):
            parse_webvtt(bad, source="s")

    def test_it_reports_a_cue_without_a_speaker(self) -> None:
        """The first cue must say who speaks."""
        with pytest.raises(TranscriptError, match="cue 1: no speaker"):
            parse_webvtt("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n", source="s")

    def test_it_reads_srt_name_prefixes(self) -> None:
        """SRT speakers come from Name: prefixes; cue lines are joined."""
        c = parse_srt(SRT, source="s.srt", roles={"Alice": Role.THERAPIST})
        assert [(u.speaker, u.role, u.text, u.start) for u in c] == [
            ("Alice", Role.THERAPIST, "How was the week?", 1.0),
            ("Dana", Role.CLIENT, "Quiet. Really quiet.", 4.0),
        ]

    def test_it_rejects_an_srt_cue_without_a_number(self) -> None:
        """An SRT block must start with its cue number."""
        with pytest.raises(TranscriptError, match="cue 2: expected a cue number"):
            parse_srt(SRT.replace("\n2\n", "\n"), source="s")

    @pytest.mark.parametrize(
        ("value", "seconds"),
        [("01:02:03.5", 3723.5), ("02:03", 123.0), ("00:00:01,250", 1.25), ("7.5", 7.5)],
    )
    def test_it_parses_timestamps_to_seconds(self, value: str, seconds: float) -> None:
        """Clock and plain-seconds forms give seconds."""
        assert parse_timestamp(value) == pytest.approx(seconds)

    @pytest.mark.parametrize("value", ["00:61:00", "abc", "-3", "1:2:3:4", "inf", "nan", "1e308"])
    def test_it_rejects_malformed_timestamps(self, value: str) -> None:
        """Out-of-range or non-time values raise ValueError."""
        with pytest.raises(ValueError, match=r"timestamp|60|seconds"):
            parse_timestamp(value)


class TestParseChatJson:
    def test_it_reads_senders_and_makes_times_relative(self) -> None:
        """ISO timestamps become seconds since the first message."""
        body = json.dumps(
            [
                {"sender": "Therapist", "text": "Hi", "timestamp": "2024-05-01T10:00:00+00:00"},
                {"speaker": "Client", "message": "Hello", "timestamp": "2024-05-01T10:00:42+00:00"},
            ]
        )
        c = parse_chat_json(body, source="chat.json")
        assert [(u.role, u.text, u.start) for u in c] == [
            (Role.THERAPIST, "Hi", 0.0),
            (Role.CLIENT, "Hello", 42.0),
        ]

    def test_it_accepts_a_messages_object_without_timestamps(self) -> None:
        """{"messages": [...]} works and times are optional."""
        body = '{"messages": [{"sender": "T", "text": "a"}, {"sender": "C", "text": "b"}]}'
        assert [u.start for u in parse_chat_json(body, source="s")] == [None, None]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ("[1, 2]", "message 1: expected an object"),
            ('[{"text": "x"}]', "message 1: needs a 'sender'"),
            ('[{"sender": "T", "text": "x"}, {"sender": "C"}]', "message 2: needs a 'text'"),
            ('[{"sender": "T", "text": "x", "timestamp": "noon"}]', "message 1: malformed"),
            ('[{"sender": "T",\n "text": }]', "line 2: not valid JSON"),
            ('"hi"', "expected a JSON list"),
            # Python's JSON reader accepts these; none is a time.
            ('[{"sender": "T", "text": "x", "timestamp": NaN}]', "message 1: malformed"),
            ('[{"sender": "T", "text": "x", "timestamp": -Infinity}]', "message 1: malformed"),
            ('[{"sender": "T", "text": "x", "timestamp": 1e308}]', "message 1: malformed"),
            ('[{"sender": "T", "text": "x", "timestamp": 1' + "0" * 400 + "}]", "message 1"),
            ('[{"sender": "T", "text": "x", "timestamp": "1' + "0" * 400 + ':00:00"}]', "1: mal"),
            ("[" * 5000 + "]" * 5000, "nested too deeply"),
            ("9" * 5000, "a number too long"),
        ],
    )
    def test_it_reports_bad_messages(self, body: str, message: str) -> None:
        """Each malformed message names its number."""
        with pytest.raises(TranscriptError, match=message):
            parse_chat_json(body, source="s")


class TestLimits:
    def test_it_refuses_more_utterances_than_one_session_has(self) -> None:
        """Ten thousand utterances pass; one more is not one session."""
        lines = "".join(f"{'TC'[i % 2]}: word {i}\n" for i in range(MAX_UTTERANCES))
        assert len(parse_text(lines, source="s.txt")) == MAX_UTTERANCES
        with pytest.raises(TranscriptError, match="10,001 utterances; the limit is 10,000"):
            parse_text(lines + "T: one more\n", source="s.txt")

    def test_it_refuses_more_speakers_than_a_group_has(self) -> None:
        """Fifty-one speaker names mean the prefixes were misread; the message shows some."""
        lines = "".join(f"Person {i}: hello\n" for i in range(MAX_SPEAKERS + 1))
        with pytest.raises(TranscriptError, match=r"51 different speakers.*Person 0, Person 1"):
            parse_text(lines, source="s.txt", roles={"Person 0": "therapist"})


class TestLoad:
    @pytest.mark.parametrize(
        ("name", "body"),
        [
            ("a.txt", TEXT),
            ("a.csv", "speaker,text\nT,hi\nC,hello\n"),
            ("a.vtt", VTT),
            ("a.srt", SRT.replace("Alice", "T").replace("Dana", "C")),
            ("a.json", '[{"sender": "T", "text": "a"}, {"sender": "C", "text": "b"}]'),
            ("noext", VTT),
            ("noext2", SRT.replace("Alice", "T").replace("Dana", "C")),
            ("noext3", '[{"sender": "T", "text": "a"}, {"sender": "C", "text": "b"}]'),
            ("noext4", TEXT),
        ],
    )
    def test_it_chooses_a_parser_by_extension_or_content(
        self, tmp_path: Path, name: str, body: str
    ) -> None:
        """Each format loads from a file, with the file stem as the id."""
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        c = load(path)
        assert c.id == path.stem
        assert c.source == name
        assert {Role.THERAPIST, Role.CLIENT} <= set(c.roles.values())

    def test_it_passes_roles_through(self, tmp_path: Path) -> None:
        """load() forwards the roles mapping."""
        path = tmp_path / "a.txt"
        path.write_text("Alice: hi\nDana: hey\n", encoding="utf-8")
        assert load(path, roles={"Dana": Role.CLIENT}).roles["Alice"] is Role.THERAPIST

    def test_it_reports_a_missing_file(self, tmp_path: Path) -> None:
        """A missing file is a TranscriptError, not an OSError."""
        with pytest.raises(TranscriptError, match="cannot be read"):
            load(tmp_path / "nope.txt")
