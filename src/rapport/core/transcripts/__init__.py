"""Transcript analysis: parse session transcripts and compute conversational markers.

Pure Python (no Django). The data model is a small cousin of ConvoKit's ``Corpus`` /
``Conversation`` / ``Utterance`` (Chang JP et al. ConvoKit: A Toolkit for the Analysis of
Conversations. SIGDIAL 2020): immutable, typed, and just big enough for alliance markers.
"""

from __future__ import annotations

from rapport.core.transcripts.affect import Affect, AffectPoint, RoleAffect
from rapport.core.transcripts.analysis import SessionAnalysis, analyse
from rapport.core.transcripts.annomi import read_annomi
from rapport.core.transcripts.directives import DirectiveUtterance, directive_language
from rapport.core.transcripts.markers import (
    LSM_EPSILON,
    LsmWindow,
    RoleBalance,
    TalkBalance,
    language_style_matching,
    lsm_by_category,
    lsm_rolling,
    response_latencies,
    talk_balance,
)
from rapport.core.transcripts.mi import (
    Benchmark,
    BenchmarkResult,
    MiSummary,
    mi_benchmarks,
    mi_summary,
)
from rapport.core.transcripts.model import (
    Conversation,
    Corpus,
    Role,
    TranscriptError,
    Utterance,
    tokenize,
)
from rapport.core.transcripts.parsing import (
    MAX_BYTES,
    UnknownRoles,
    load,
    parse_bytes,
    parse_chat_json,
    parse_delimited,
    parse_srt,
    parse_text,
    parse_webvtt,
)
from rapport.core.transcripts.ruptures import RuptureKind, RuptureMarker, rupture_markers
from rapport.core.transcripts.summary import SummaryPoint, session_summary

__all__ = [
    "LSM_EPSILON",
    "MAX_BYTES",
    "Affect",
    "AffectPoint",
    "Benchmark",
    "BenchmarkResult",
    "Conversation",
    "Corpus",
    "DirectiveUtterance",
    "LsmWindow",
    "MiSummary",
    "Role",
    "RoleAffect",
    "RoleBalance",
    "RuptureKind",
    "RuptureMarker",
    "SessionAnalysis",
    "SummaryPoint",
    "TalkBalance",
    "TranscriptError",
    "UnknownRoles",
    "Utterance",
    "analyse",
    "directive_language",
    "language_style_matching",
    "load",
    "lsm_by_category",
    "lsm_rolling",
    "mi_benchmarks",
    "mi_summary",
    "parse_bytes",
    "parse_chat_json",
    "parse_delimited",
    "parse_srt",
    "parse_text",
    "parse_webvtt",
    "read_annomi",
    "response_latencies",
    "rupture_markers",
    "session_summary",
    "talk_balance",
    "tokenize",
]
