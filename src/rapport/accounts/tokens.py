"""Issuing and checking personal API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from rapport.accounts.models import ApiToken, User

PREFIX = "rpt_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue_token(user: User, name: str) -> str:
    """Create a token for ``user`` and return the key; it cannot be shown again."""
    key = PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=_hash(key))
    return key


def user_for_token(key: str) -> User | None:
    """The active user owning ``key``, or None for unknown, revoked or inactive."""
    if not key.startswith(PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
