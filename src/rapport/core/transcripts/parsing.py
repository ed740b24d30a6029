"""Read session transcripts: plain text, CSV/TSV, WebVTT, SRT and chat-export JSON.

Every parser returns a complete :class:`~rapport.core.transcripts.model.Conversation` or raises
:class:`~rapport.core.transcripts.model.TranscriptError` naming the problem and the line, cue or
message where it was found; nothing half-parsed is returned. Formats follow their specifications:
WebVTT (W3C Candidate Recommendation, "WebVTT: The Web Video Text Tracks Format", 2019: cue
timings ``hh:mm:ss.ttt`` with optional hours, voice spans ``<v Name>``) and SubRip (numbered
cues, ``hh:mm:ss,ttt --> hh:mm:ss,ttt``).

Speakers become roles through common labels (``T``/``Therapist``/``Counsellor`` → therapist,
``C``/``Client``/``Patient`` → client) or an explicit ``roles`` mapping. When a transcript has
exactly two speakers and one role is known, the other speaker takes the other role. When roles
are still missing, :class:`UnknownRoles` (a TranscriptError) lists every speaker, so a caller
such as the web upload can ask the user and parse again with a ``roles`` mapping.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

from rapport.core.transcripts.model import Conversation, Role, TranscriptError, Utterance

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "MAX_SPEAKERS",
    "MAX_UTTERANCES",
    "SUFFIXES",
    "RoleMap",
    "UnknownRoles",
    "decode",
    "detect_format",
    "load",
    "parse_bytes",
    "parse_chat_json",
    "parse_delimited",
    "parse_srt",
    "parse_text",
    "parse_timestamp",
    "parse_webvtt",
    "resolve_roles",
]

MAX_BYTES = 20 * 1024 * 1024  # a long session's transcript is well under 1 MB
# A three-hour session has a few thousand utterances and a group a dozen speakers; far more
# means the file is not one session (or its speaker prefixes were misread), and analysing it
# would take minutes.
MAX_UTTERANCES = 10_000
MAX_SPEAKERS = 50
# Timestamps are seconds; chat exports may count from 1970, in milliseconds. Beyond this a
# number is no time of a session.
_MAX_SECONDS = 1e15

RoleMap = Mapping[str, Role | str]

_ALIASES: dict[str, Role] = {
    "t": Role.THERAPIST,
    "therapist": Role.THERAPIST,
    "counsellor": Role.THERAPIST,
    "counselor": Role.THERAPIST,
    "c": Role.CLIENT,
    "client": Role.CLIENT,
    "patient": Role.CLIENT,
}
_OPPOSITE = {Role.THERAPIST: Role.CLIENT, Role.CLIENT: Role.THERAPIST}


class UnknownRoles(TranscriptError):
    """Some speakers' roles could not be worked out; the caller should ask and parse again.

    ``speakers`` holds every speaker in order of first appearance, ``detected`` the roles that
    were known (given or recognised from a label), so a form can preselect them.
    """

    def __init__(self, message: str, speakers: Sequence[str], detected: Mapping[str, Role]) -> None:
        super().__init__(message)
        self.speakers: tuple[str, ...] = tuple(speakers)
        self.detected: dict[str, Role] = dict(detected)


# --- decoding ---------------------------------------------------------------------------------


def decode(data: bytes, *, source: str) -> str:
    """Text of ``data``: UTF-8 with or without a BOM, or UTF-16 with a BOM.

    Raises TranscriptError for an empty or oversized file, or bytes that are not valid text
    (naming the byte offset and line).
    """
    if len(data) > MAX_BYTES:
        raise TranscriptError(
            f"{source}: the file is {len(data):,} bytes; the limit is {MAX_BYTES:,} bytes."
        )
    if not data.strip():
        raise TranscriptError(f"{source}: the file is empty.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, skip = "utf-16", 0
    elif data.startswith(codecs.BOM_UTF8):
        encoding, skip = "utf-8", len(codecs.BOM_UTF8)
    else:
        encoding, skip = "utf-8", 0
    try:
        text = data[skip:].decode(encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        line = data[:offset].count(b"\n") + 1 if encoding == "utf-8" else None
        where = f" (line {line})" if line else ""
        raise TranscriptError(
            f"{source}: byte {offset}{where} is not valid {encoding.upper()} text; "
            "save the transcript as UTF-8."
        ) from None
    if not text.strip():
        raise TranscriptError(f"{source}: the file is empty.")
    return text


def _as_text(data: str | bytes, source: str) -> str:
    if isinstance(data, bytes):
        return decode(data, source=source)
    if len(data) > MAX_BYTES:
        raise TranscriptError(
            f"{source}: the transcript is {len(data):,} characters; the limit is {MAX_BYTES:,}."
        )
    if not data.strip():
        raise TranscriptError(f"{source}: the transcript is empty.")
    return data.removeprefix("\ufeff")


# --- roles ------------------------------------------------------------------------------------


def _lookup(speaker: str, roles: RoleMap) -> Role | None:
    value = roles.get(speaker)
    if value is None:
        folded = {k.casefold(): v for k, v in roles.items()}
        value = folded.get(speaker.casefold())
    if value is None:
        return None
    try:
        return Role(value)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise TranscriptError(
            f"The role {value!r} given for {speaker!r} is not one of: {choices}."
        ) from None


def resolve_roles(
    speakers: Sequence[str], roles: RoleMap | None, *, source: str
) -> dict[str, Role]:
    """Each speaker's role, from ``roles`` first, then the common labels (``T``, ``Client``...).

    With exactly two speakers and one role known, the other speaker takes the other role.
    Raises TranscriptError for no speakers or one speaker, and its subclass UnknownRoles for
    speakers whose role is unknown.
    """
    if not speakers:
        raise TranscriptError(f"{source}: no speakers found.")
    if len(speakers) == 1:
        raise TranscriptError(
            f"{source}: only one speaker ({speakers[0]!r}) was found; a session needs two."
        )
    given = roles or {}
    found: dict[str, Role | None] = {}
    for s in speakers:
        found[s] = _lookup(s, given) or _ALIASES.get(s.casefold())
    unknown = [s for s, r in found.items() if r is None]
    if len(speakers) == 2 and len(unknown) == 1:
        (known,) = (r for r in found.values() if r is not None)
        if known in _OPPOSITE:
            found[unknown[0]] = _OPPOSITE[known]
            unknown = []
    if unknown:
        names = ", ".join(repr(s) for s in unknown)
        raise UnknownRoles(
            f"{source}: these speakers need a role: {names}. Pass roles, e.g. "
            f"roles={{{unknown[0]!r}: Role.THERAPIST}}.",
            speakers,
            {s: r for s, r in found.items() if r is not None},
        )
    return {s: r for s, r in found.items() if r is not None}


@dataclass(slots=True)
class _Turn:
    speaker: str
    text: str
    start: float | None = None
    end: float | None = None


def _build(
    turns: Sequence[_Turn], *, source: str, roles: RoleMap | None, conversation_id: str | None
) -> Conversation:
    kept = [t for t in turns if t.text.strip()]
    if len(kept) > MAX_UTTERANCES:
        raise TranscriptError(
            f"{source}: {len(kept):,} utterances; the limit is {MAX_UTTERANCES:,} for one "
            "session (a three-hour session has a few thousand). Split the file by session."
        )
    speakers = list(dict.fromkeys(t.speaker for t in kept))
    if len(speakers) > MAX_SPEAKERS:
        raise TranscriptError(
            f"{source}: {len(speakers):,} different speakers; the limit is {MAX_SPEAKERS}. "
            f"Are the speaker names read correctly? The first are: {', '.join(speakers[:5])}."
        )
    role_of = resolve_roles(speakers, roles, source=source)
    utterances = tuple(
        Utterance(i, t.speaker, role_of[t.speaker], " ".join(t.text.split()), t.start, t.end)
        for i, t in enumerate(kept)
    )
    return Conversation(conversation_id or source, utterances, source)


# --- timestamps -------------------------------------------------------------------------------

_CLOCK_RE = re.compile(r"(?:(\d{1,6}):)?(\d{1,2}):(\d{2})(?:[.,](\d{1,3}))?")


def parse_timestamp(value: str) -> float:
    """Seconds in ``value``: ``hh:mm:ss[.ttt]``, ``mm:ss[.ttt]`` (``,`` allowed) or plain seconds.

    Raises ValueError when it is none of these or minutes/seconds are 60 or more.
    """
    value = value.strip()
    m = _CLOCK_RE.fullmatch(value)
    if m:
        hours, minutes, seconds, frac = m.groups()
        if int(minutes) >= 60 or int(seconds) >= 60:
            raise ValueError(f"{value!r} has minutes or seconds of 60 or more")
        return (
            int(hours or 0) * 3600
            + int(minutes) * 60
            + int(seconds)
            + (int(frac.ljust(3, "0")) / 1000 if frac else 0.0)
        )
    try:
        seconds_only = float(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a timestamp like 00:01:23.456 or 83.456") from None
    if not 0 <= seconds_only <= _MAX_SECONDS:  # also refuses NaN
        raise ValueError(f"{value[:20]!r} is not a non-negative number of seconds")
    return seconds_only


# --- plain text -------------------------------------------------------------------------------

# "T: ...", "Therapist: ...", "Dr Smith: ..." - a short label starting with a letter.
_PREFIX_RE = re.compile(r"^\s*([^\W\d_][\w .'\-]{0,39}?)\s*:\s*(.*)$")


def parse_text(
    text: str | bytes,
    *,
    source: str,
    roles: RoleMap | None = None,
    conversation_id: str | None = None,
) -> Conversation:
    """Parse ``Speaker: words`` lines; other lines continue the previous utterance."""
    body = _as_text(text, source)
    turns: list[_Turn] = []
    for number, line in enumerate(body.splitlines(), start=1):
        if not line.strip():
            continue
        m = _PREFIX_RE.match(line)
        if m and len(m.group(1).split()) <= 3:
            turns.append(_Turn(m.group(1), m.group(2)))
        elif turns:
            turns[-1].text += " " + line.strip()
        else:
            raise TranscriptError(
                f"{source}, line {number}: text before any speaker; start lines with a speaker "
                "label such as 'T:' or 'Client:'."
            )
    return _build(turns, source=source, roles=roles, conversation_id=conversation_id)


# --- CSV / TSV --------------------------------------------------------------------------------

_SPEAKER_COLUMNS = ("speaker", "interlocutor", "role", "sender", "name", "who")
_TEXT_COLUMNS = ("text", "utterance", "utterance_text", "message", "content", "transcript")
_START_COLUMNS = ("start", "start_time", "begin", "timestamp", "time")
_END_COLUMNS = ("end", "end_time", "stop")


def _pick(header: Sequence[str], wanted: str | None, guesses: Sequence[str]) -> int | None:
    folded = [h.strip().casefold() for h in header]
    for name in [wanted] if wanted else guesses:
        if name.casefold() in folded:
            return folded.index(name.casefold())
    return None


def parse_delimited(
    text: str | bytes,
    *,
    source: str,
    roles: RoleMap | None = None,
    conversation_id: str | None = None,
    delimiter: str | None = None,
    speaker_column: str | None = None,
    text_column: str | None = None,
    start_column: str | None = None,
    end_column: str | None = None,
) -> Conversation:
    """Parse CSV or TSV with a header row naming a speaker and a text column.

    Columns are found by name (``speaker``/``interlocutor``/``sender``..., ``text``/
    ``utterance``/``message``..., optional ``start``/``timestamp`` and ``end``) unless named.
    The delimiter is a tab when the header has one, else a comma, unless given.
    """
    body = _as_text(text, source)
    first = body.splitlines()[0] if body.splitlines() else ""
    sep = delimiter or ("\t" if "\t" in first else ",")
    reader = csv.reader(io.StringIO(body), delimiter=sep)
    try:
        header = next(reader)
        speaker_at = _pick(header, speaker_column, _SPEAKER_COLUMNS)
        text_at = _pick(header, text_column, _TEXT_COLUMNS)
        start_at = _pick(header, start_column, _START_COLUMNS)
        end_at = _pick(header, end_column, _END_COLUMNS)
        missing = [
            f"a {kind} column ({wanted or ', '.join(guesses)})"
            for kind, at, wanted, guesses in (
                ("speaker", speaker_at, speaker_column, _SPEAKER_COLUMNS),
                ("text", text_at, text_column, _TEXT_COLUMNS),
            )
            if at is None
        ]
        if missing or speaker_at is None or text_at is None:
            raise TranscriptError(f"{source}, line 1: the header needs {' and '.join(missing)}.")
        if start_column and start_at is None:
            raise TranscriptError(f"{source}, line 1: no column named {start_column!r}.")
        if end_column and end_at is None:
            raise TranscriptError(f"{source}, line 1: no column named {end_column!r}.")
        turns: list[_Turn] = []
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                raise TranscriptError(
                    f"{source}, line {line}: {len(row)} fields where the header has {len(header)}."
                )
            speaker = row[speaker_at].strip()
            if not speaker:
                raise TranscriptError(f"{source}, line {line}: the speaker is blank.")
            turn = _Turn(speaker, row[text_at])
            for attr, at in (("start", start_at), ("end", end_at)):
                if at is not None and row[at].strip():
                    try:
                        setattr(turn, attr, parse_timestamp(row[at]))
                    except ValueError as exc:
                        raise TranscriptError(
                            f"{source}, line {line}: malformed {header[at]!r} timestamp: {exc}."
                        ) from None
            if turn.start is not None and turn.end is not None and turn.end < turn.start:
                raise TranscriptError(f"{source}, line {line}: the end is before the start.")
            turns.append(turn)
    except csv.Error as exc:
        raise TranscriptError(f"{source}, line {reader.line_num}: {exc}.") from None
    return _build(turns, source=source, roles=roles, conversation_id=conversation_id)


# --- WebVTT and SRT ---------------------------------------------------------------------------

_TIMING_RE = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")
_VOICE_RE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG_RE = re.compile(r"</?[^>]*>")


def _cue_speaker(payload: str) -> tuple[str | None, str]:
    m = _VOICE_RE.search(payload)
    if m:
        return m.group(1).strip(), _TAG_RE.sub("", payload)
    plain = _TAG_RE.sub("", payload)
    p = _PREFIX_RE.match(plain)
    if p and len(p.group(1).split()) <= 3:
        return p.group(1), p.group(2)
    return None, plain


def _cues_to_turns(
    cues: Sequence[tuple[int, str, list[str]]], *, source: str, kind: str
) -> list[_Turn]:
    """Cues (number, timing line, payload lines) to turns; a cue without a speaker continues
    the previous speaker, and consecutive cues by one speaker merge into one turn."""
    turns: list[_Turn] = []
    for number, timing, payload in cues:
        m = _TIMING_RE.match(timing)
        if not m:
            raise TranscriptError(
                f"{source}, {kind} {number}: expected a timing line like "
                f"'00:00:01.000 --> 00:00:04.000', found {timing.strip()!r}."
            )
        try:
            start, end = parse_timestamp(m.group(1)), parse_timestamp(m.group(2))
        except ValueError as exc:
            raise TranscriptError(
                f"{source}, {kind} {number}: malformed timestamp: {exc}."
            ) from None
        if end < start:
            raise TranscriptError(f"{source}, {kind} {number}: the cue ends before it starts.")
        speaker, words = _cue_speaker(" ".join(payload))
        if speaker is None:
            if not turns:
                raise TranscriptError(
                    f"{source}, {kind} {number}: no speaker; use a voice tag '<v Name>' or a "
                    "'Name:' prefix."
                )
            speaker = turns[-1].speaker
        if turns and turns[-1].speaker == speaker:
            turns[-1].text += " " + words
            turns[-1].end = end
        else:
            turns.append(_Turn(speaker, words, start, end))
    return turns


def _blocks(body: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in body.splitlines():
        if line.strip():
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def parse_webvtt(
    text: str | bytes,
    *,
    source: str,
    roles: RoleMap | None = None,
    conversation_id: str | None = None,
) -> Conversation:
    """Parse WebVTT captions; speakers from ``<v Name>`` voice spans or ``Name:`` prefixes."""
    body = _as_text(text, source)
    blocks = _blocks(body)
    if not blocks or not blocks[0][0].lstrip("\ufeff").startswith("WEBVTT"):
        raise TranscriptError(f"{source}, line 1: a WebVTT file must begin with 'WEBVTT'.")
    cues: list[tuple[int, str, list[str]]] = []
    for block in blocks[1:]:
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        has_id = "-->" not in block[0]
        timing = block[1] if has_id and len(block) > 1 else block[0]
        cues.append((len(cues) + 1, timing, block[2:] if has_id else block[1:]))
    return _build(
        _cues_to_turns(cues, source=source, kind="cue"),
        source=source,
        roles=roles,
        conversation_id=conversation_id,
    )


def parse_srt(
    text: str | bytes,
    *,
    source: str,
    roles: RoleMap | None = None,
    conversation_id: str | None = None,
) -> Conversation:
    """Parse SubRip subtitles; speakers from ``Name:`` prefixes (or ``<v Name>`` tags)."""
    body = _as_text(text, source)
    cues: list[tuple[int, str, list[str]]] = []
    for ordinal, block in enumerate(_blocks(body), start=1):
        number = int(block[0]) if block[0].strip().isdigit() else ordinal
        if not block[0].strip().isdigit() or len(block) < 2:
            raise TranscriptError(
                f"{source}, cue {ordinal}: expected a cue number and a timing line, found "
                f"{block[0].strip()!r}."
            )
        cues.append((number, block[1], block[2:]))
    return _build(
        _cues_to_turns(cues, source=source, kind="cue"),
        source=source,
        roles=roles,
        conversation_id=conversation_id,
    )


# --- chat JSON --------------------------------------------------------------------------------


def _json_time(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a timestamp")
    if isinstance(value, int | float):
        # NaN, Infinity and 400-digit numbers are valid to Python's JSON reader.
        if not (isinstance(value, int) or math.isfinite(value)) or abs(value) > _MAX_SECONDS:
            raise ValueError(f"{str(value)[:20]} is not a number of seconds")
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return parse_timestamp(value)
    raise ValueError(f"{value!r} is not a timestamp")


def _json_messages(body: str, source: str) -> list[Any]:
    """The list of messages in a chat export's JSON text."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"{source}, line {exc.lineno}: not valid JSON ({exc.msg}).") from None
    except (ValueError, RecursionError):  # a number of thousands of digits; deep nesting
        raise TranscriptError(
            f"{source}: not a chat export (a number too long or lists nested too deeply)."
        ) from None
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        data = data["messages"]
    if not isinstance(data, list):
        raise TranscriptError(f"{source}: expected a JSON list of messages.")
    return data


def parse_chat_json(
    text: str | bytes,
    *,
    source: str,
    roles: RoleMap | None = None,
    conversation_id: str | None = None,
) -> Conversation:
    """Parse a chat export: a JSON list (or ``{"messages": [...]}``) of objects with
    ``sender``/``speaker``, ``text``/``message`` and an optional ``timestamp`` (seconds, or ISO
    8601). Times become seconds since the first timestamped message."""
    turns: list[_Turn] = []
    for number, item in enumerate(_json_messages(_as_text(text, source), source), start=1):
        if not isinstance(item, dict):
            raise TranscriptError(f"{source}, message {number}: expected an object.")
        speaker = item.get("sender", item.get("speaker"))
        words = item.get("text", item.get("message"))
        if not isinstance(speaker, str) or not speaker.strip():
            raise TranscriptError(f"{source}, message {number}: needs a 'sender' or 'speaker'.")
        if not isinstance(words, str):
            raise TranscriptError(f"{source}, message {number}: needs a 'text' or 'message'.")
        turn = _Turn(speaker.strip(), words)
        if item.get("timestamp") is not None:
            try:
                turn.start = _json_time(item["timestamp"])
            except ValueError as exc:
                raise TranscriptError(
                    f"{source}, message {number}: malformed timestamp: {exc}."
                ) from None
        turns.append(turn)
    times = [t.start for t in turns if t.start is not None]
    if times:
        origin = times[0]
        for t in turns:
            if t.start is not None:
                t.start -= origin
                t.end = t.start  # a chat message has no duration
    return _build(turns, source=source, roles=roles, conversation_id=conversation_id)


# --- choosing a parser ------------------------------------------------------------------------

# Every parser's signature: text or bytes, then keyword arguments.
Parser = Callable[..., Conversation]
_SRT_START_RE = re.compile(r"\A\s*\d+\s*\r?\n\s*\S+\s+-->\s+\S+")


# Format names (stored with an upload, shown to people) and the parser of each.
FORMATS: dict[str, Parser] = {
    "text": parse_text,
    "csv": parse_delimited,
    "tsv": parse_delimited,
    "webvtt": parse_webvtt,
    "srt": parse_srt,
    "chat_json": parse_chat_json,
}
_SUFFIX_FORMATS = {
    ".txt": "text",
    ".md": "text",
    ".csv": "csv",
    ".tsv": "tsv",
    ".vtt": "webvtt",
    ".srt": "srt",
    ".json": "chat_json",
}
# The file name endings read by name; any other file is recognised by its content.
SUFFIXES: tuple[str, ...] = tuple(_SUFFIX_FORMATS)


def detect_format(filename: str, body: str) -> str:
    """The format (a key of ``FORMATS``) of a transcript: by its name's ending, else content.

    Content: ``WEBVTT`` first is WebVTT, ``[`` or ``{`` chat JSON, a number line then a timing
    line SubRip; anything else is read as ``Speaker: words`` text.
    """
    by_name = _SUFFIX_FORMATS.get(PurePath(filename).suffix.casefold())
    if by_name is not None:
        return by_name
    head = body.lstrip("\ufeff \t\r\n")
    if head.startswith("WEBVTT"):
        return "webvtt"
    if head.startswith(("[", "{")):
        return "chat_json"
    if _SRT_START_RE.match(head):
        return "srt"
    return "text"


def parse_bytes(
    data: bytes,
    filename: str,
    roles: RoleMap | None = None,
    conversation_id: str | None = None,
) -> Conversation:
    """Parse an uploaded or read file's bytes, choosing the parser by extension, else content.

    ``.txt``/``.md`` text, ``.csv``/``.tsv`` delimited, ``.vtt`` WebVTT, ``.srt`` SubRip,
    ``.json`` chat export. Errors name ``filename``; the conversation id defaults to its stem.
    Raises TranscriptError (UnknownRoles when speakers need a role) for anything unreadable.
    """
    name = PurePath(filename).name or "transcript"
    body = decode(data, source=name)
    parser = FORMATS[detect_format(name, body)]
    return parser(
        body,
        source=name,
        roles=roles,
        conversation_id=conversation_id or PurePath(name).stem or name,
    )


def load(path: str | Path, roles: RoleMap | None = None) -> Conversation:
    """Read a transcript file and parse it with :func:`parse_bytes`.

    The file's size is checked before it is read, so a huge file is refused without loading
    it. The conversation id is the file's stem.
    """
    p = Path(path)
    source = p.name
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise TranscriptError(
                f"{source}: the file is {size:,} bytes; the limit is {MAX_BYTES:,} bytes."
            )
        data = p.read_bytes()
    except OSError as exc:
        raise TranscriptError(f"{source}: cannot be read ({exc.strerror}).") from None
    return parse_bytes(data, source, roles=roles, conversation_id=p.stem)
