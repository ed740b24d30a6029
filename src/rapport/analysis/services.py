"""Turning an uploaded transcript into a stored analysis, with nothing half-imported.

The flow: :func:`read_upload` parses the bytes. When every speaker's role is known the
analysis is stored at once (:func:`store_analysis`); when not, the text waits in a
``PendingTranscript`` (:func:`hold_pending`) until the therapist answers, then
:func:`analyse_pending` parses it again with their roles. Any problem raises
``TranscriptError`` before anything is written.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from rapport.accounts.models import User
from rapport.analysis.models import PENDING_LIFETIME, PendingTranscript, TranscriptAnalysis
from rapport.care.models import TherapySession
from rapport.core.transcripts import Conversation, Role, TranscriptError, UnknownRoles
from rapport.core.transcripts.analysis import analyse
from rapport.core.transcripts.labels import UtteranceLabels
from rapport.core.transcripts.parsing import MAX_BYTES, decode, detect_format, parse_bytes

logger = logging.getLogger(__name__)

Labeller = Callable[[Conversation], Sequence[UtteranceLabels]]


@dataclass(frozen=True, slots=True)
class Upload:
    """An uploaded file as read: its name, text, format and fingerprint."""

    name: str
    text: str
    detected_format: str
    sha256: str


@dataclass(frozen=True, slots=True)
class Labelling:
    """Where utterance labels will come from: a trained model's ``predict``, or nothing."""

    labeller: Labeller | None
    model_info: dict[str, Any] | None


def read_upload(data: bytes, name: str) -> Upload:
    """Decode ``data`` (size and encoding checked, problems named) and note its format."""
    text = decode(data, source=name)
    return Upload(name, text, detect_format(name, text), hashlib.sha256(data).hexdigest())


def parse_upload(upload: Upload, roles: Mapping[str, Role] | None = None) -> Conversation:
    """The conversation in ``upload``; raises UnknownRoles when speakers need a role."""
    # Parsed from the decoded text re-encoded as UTF-8, so a held upload parses identically.
    return parse_bytes(upload.text.encode("utf-8"), upload.name, roles=roles)


def _model_info(classifier: object) -> dict[str, Any]:
    """What identifies the model: its manifest's JSON-ready parts when it has one."""
    info: dict[str, Any] = {"class": type(classifier).__qualname__}
    manifest = getattr(classifier, "manifest", None)
    if isinstance(manifest, Mapping):
        info.update(
            {
                str(k): v
                for k, v in manifest.items()
                if isinstance(v, str | int | float | bool | type(None))
            }
        )
    return info


def default_labelling() -> Labelling:
    """The locally trained utterance classifier, if one exists; else lexical markers only.

    Trained models are never shipped, so no trained model, or an unreadable one, means "no
    labels" rather than a failed upload.
    """
    # Imported here: scikit-learn is heavy, and only an upload needs it.
    from rapport.core.transcripts.classifiers import load_default_classifier  # noqa: PLC0415

    try:
        classifier = load_default_classifier()
    except (ValueError, OSError):
        logger.exception("The trained utterance classifier could not be loaded; using none")
        return Labelling(None, None)
    if classifier is None:
        return Labelling(None, None)
    return Labelling(classifier.predict, _model_info(classifier))


@transaction.atomic
def store_analysis(
    session: TherapySession,
    user: User,
    upload: Upload,
    conversation: Conversation,
    labelling: Labelling,
) -> TranscriptAnalysis:
    """Analyse ``conversation`` and store the result (only the analysis, never the file)."""
    result = analyse(conversation, labeller=labelling.labeller)
    report = result.to_dict()
    return TranscriptAnalysis.objects.create(
        session=session,
        uploaded_by=user,
        original_name=upload.name,
        sha256=upload.sha256,
        detected_format=upload.detected_format,
        utterances=len(conversation),
        words=report["talk_balance"]["total_words"],
        report=report,
        labels_from=result.labels_from,
        model_info=labelling.model_info if result.labels_from == "model" else None,
    )


def purge_expired(now: datetime | None = None) -> int:
    """Delete every held upload past its hour; returns how many went."""
    deleted, _ = PendingTranscript.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def hold_pending(session: TherapySession, user: User, upload: Upload) -> PendingTranscript:
    """Keep ``upload`` (encrypted) for an hour while its owner says who each speaker is."""
    purge_expired()
    now = timezone.now()
    return PendingTranscript.objects.create(
        session=session,
        owner=user,
        created_at=now,
        expires_at=now + PENDING_LIFETIME,
        original_name=upload.name,
        sha256=upload.sha256,
        text=upload.text,
    )


def pending_for(session: TherapySession, user: User, pending_id: object) -> PendingTranscript:
    """``user``'s live held upload for ``session``; TranscriptError when gone or expired."""
    purge_expired()
    try:
        number = int(str(pending_id))
    except ValueError:
        number = -1
    pending = PendingTranscript.objects.filter(pk=number, session=session, owner=user).first()
    if pending is None:
        raise TranscriptError(
            "This upload is no longer waiting (uploads wait one hour for the speakers' roles, "
            "and are used once). Please upload the file again."
        )
    return pending


def upload_of(pending: PendingTranscript) -> Upload:
    """The held upload as read the first time."""
    return Upload(
        pending.original_name,
        pending.text,
        detect_format(pending.original_name, pending.text),
        pending.sha256,
    )


def speakers_of(pending: PendingTranscript) -> UnknownRoles:
    """The speakers of a held upload and the roles recognised for them."""
    try:
        conversation = parse_upload(upload_of(pending))
    except UnknownRoles as unknown:
        return unknown
    # Not expected (it was held because roles were missing), but answer the same way.
    return UnknownRoles("", conversation.speakers, conversation.roles)


@transaction.atomic
def analyse_pending(
    pending: PendingTranscript, user: User, roles: Mapping[str, Role], labelling: Labelling
) -> TranscriptAnalysis:
    """Parse the held upload with ``roles``, store its analysis and drop the held text."""
    upload = upload_of(pending)
    conversation = parse_upload(upload, roles)
    stored = store_analysis(pending.session, user, upload, conversation, labelling)
    pending.delete()
    return stored


__all__ = [
    "MAX_BYTES",
    "Labelling",
    "Upload",
    "analyse_pending",
    "default_labelling",
    "hold_pending",
    "parse_upload",
    "pending_for",
    "purge_expired",
    "read_upload",
    "speakers_of",
    "store_analysis",
    "upload_of",
]
