"""Reading and recording consent; the checks that features needing consent call."""

from __future__ import annotations

from django.utils import timezone

from rapport.accounts.models import User
from rapport.care.models import Client
from rapport.consent.models import ConsentRecord, Method, Purpose


class ConsentMissing(Exception):
    """A feature was asked for without the client's consent; the message says what is missing."""


def current_consent(client: Client) -> dict[str, ConsentRecord | None]:
    """The latest decision per purpose (None when never asked), in one query."""
    latest: dict[str, ConsentRecord | None] = {p.value: None for p in Purpose}
    for record in client.consents.order_by("recorded_at", "pk"):
        latest[record.purpose] = record
    return latest


def record_consent(
    client: Client, purpose: Purpose, granted: bool, method: Method, user: User
) -> ConsentRecord:
    return ConsentRecord.objects.create(
        client=client,
        purpose=purpose,
        granted=granted,
        method=method,
        recorded_by=user,
        recorded_at=timezone.now(),
    )


def require_consent(client: Client, purpose: Purpose) -> None:
    """Refuse unless the client's latest decision for ``purpose`` is a grant.

    Session feedback is the exception that proves the rule: it is Rapport's core routine, so
    only an explicit withdrawal blocks it (clinics obtain it at intake). Transcript analysis
    and research use need an explicit, current grant.
    """
    record = current_consent(client)[purpose.value]
    label = Purpose(purpose).label
    if purpose == Purpose.FEEDBACK:
        if record is not None and not record.granted:
            raise ConsentMissing(
                f"{client.display_name} withdrew consent to {label.lower()} on "
                f"{record.recorded_at:%d %b %Y}; no feedback link can be issued."
            )
        return
    if record is None or not record.granted:
        raise ConsentMissing(
            f"{client.display_name} has not consented to {label.lower()}"
            + ("" if record is None else f" (withdrawn on {record.recorded_at:%d %b %Y})")
            + "."
        )
