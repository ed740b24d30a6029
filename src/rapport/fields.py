"""Model fields whose values are encrypted at rest (see ``rapport.crypto`` for the keys).

The database column holds a Fernet token as text, so a dump of the database alone shows no
client's words. Values read back transparently through the ORM. A stored value that no
configured key opens raises ``DecryptionError`` naming the model and field: never ciphertext,
never a blank.

Encrypted values cannot be searched or compared in SQL (each encryption of the same text
differs), so every lookup except ``isnull`` is refused with a ``FieldError``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from cryptography.fernet import InvalidToken
from django import forms
from django.apps import apps
from django.core import checks, exceptions
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _

from rapport import crypto
from rapport.crypto import DecryptionError

__all__ = [
    "DecryptionError",
    "EncryptedJSONField",
    "EncryptedTextField",
    "decrypt_column",
    "encrypt_column",
    "encrypted_fields",
    "rotate_column",
]

_SEARCHABLE = frozenset({"isnull"})


class _Encrypted:
    """What both encrypted fields share; mixed into a ``TextField`` subclass."""

    model: Any
    name: str
    empty_strings_allowed: bool

    def _label(self) -> str:
        model = getattr(self, "model", None)
        return f"{model._meta.label}.{self.name}" if model is not None else "An encrypted field"

    def to_plaintext(self, value: Any) -> str:
        raise NotImplementedError

    def from_plaintext(self, text: str) -> Any:
        raise NotImplementedError

    def get_db_prep_value(
        self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False
    ) -> Any:
        if not prepared:
            value = self.get_prep_value(value)  # type: ignore[attr-defined]
        if value is None or (value == "" and self.empty_strings_allowed):
            return value
        return crypto.encrypt(self.to_plaintext(value))

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        if value is None or (value == "" and self.empty_strings_allowed):
            return value
        try:
            text = crypto.decrypt(value)
        except InvalidToken:
            raise DecryptionError(
                f"{self._label()}: a stored value cannot be decrypted with any key in "
                f"{crypto.KEYS_VARIABLE}. Was a key removed before `rapport rotate-keys` "
                "re-encrypted the data, or is this data from another installation?"
            ) from None
        return self.from_plaintext(text)

    def _refuse(self, name: str) -> None:
        raise exceptions.FieldError(
            f"{self._label()} is encrypted at rest and cannot be searched or compared in the "
            f"database (lookup {name!r}); load the rows and test the value in Python."
        )

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name in _SEARCHABLE:
            return super().get_lookup(lookup_name)  # type: ignore[misc]
        self._refuse(lookup_name)
        return None

    def get_transform(self, lookup_name: str) -> Any:
        self._refuse(lookup_name)
        return None

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors: list[checks.CheckMessage] = super().check(**kwargs)  # type: ignore[misc]
        if getattr(self, "unique", False) or getattr(self, "db_index", False):
            errors.append(
                checks.Error(
                    "An encrypted field cannot be unique or indexed: every encryption of a "
                    "value differs, so the database cannot compare them.",
                    obj=self,
                    id="rapport.E001",
                )
            )
        return errors


class EncryptedTextField(_Encrypted, models.TextField):  # type: ignore[misc]
    """Free text (a comment, a note, a transcript) stored as a Fernet token.

    Behaves like ``TextField``: ``max_length`` limits forms (not the column, which holds the
    longer token), ``blank`` and ``null`` as usual. An empty string is stored as an empty string
    (it says nothing a token's length would not).
    """

    description = _("Text (encrypted at rest)")

    def to_plaintext(self, value: Any) -> str:
        return str(value)

    def from_plaintext(self, text: str) -> str:
        return text


class EncryptedJSONField(_Encrypted, models.TextField):  # type: ignore[misc]
    """A JSON value (e.g. a dict of free-text answers) serialised, then stored as a token.

    Behaves like ``JSONField`` for Python code and forms, including ``default=dict`` and
    ``blank=True`` for an empty ``{}``. Python ``None`` is SQL ``NULL`` (needs ``null=True``);
    any other value, ``{}`` included, is encrypted.
    """

    description = _("A JSON object (encrypted at rest)")
    empty_strings_allowed = False
    default_error_messages = {"invalid": _("Value must be valid JSON.")}

    def __init__(
        self,
        *args: Any,
        encoder: type[json.JSONEncoder] | None = None,
        decoder: type[json.JSONDecoder] | None = None,
        **kwargs: Any,
    ) -> None:
        self.encoder = encoder
        self.decoder = decoder
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.encoder is not None:
            kwargs["encoder"] = self.encoder
        if self.decoder is not None:
            kwargs["decoder"] = self.decoder
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        return value  # like JSONField: Python values are already what they are

    def to_plaintext(self, value: Any) -> str:
        return json.dumps(value, cls=self.encoder, ensure_ascii=False)

    def from_plaintext(self, text: str) -> Any:
        return json.loads(text, cls=self.decoder)

    def validate(self, value: Any, model_instance: models.Model | None) -> None:
        super().validate(value, model_instance)
        try:
            json.dumps(value, cls=self.encoder)
        except TypeError as exc:
            raise exceptions.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from exc

    def value_to_string(self, obj: models.Model) -> Any:
        return self.value_from_object(obj)  # serialisers write the JSON value itself

    def formfield(self, **kwargs: Any) -> Any:
        return models.Field.formfield(
            self,
            form_class=forms.JSONField,
            encoder=self.encoder,
            decoder=self.decoder,
            **kwargs,
        )


# Column-level helpers, shared by the data migrations and `rotate_field_keys`. They work on the
# stored text directly (not through the field), because the stored text is what they change.


def encrypted_fields() -> Iterator[tuple[type[models.Model], Any]]:
    """Every (model, field) pair in the installed apps whose field is encrypted."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, _Encrypted):
                yield model, field


def _rewrite_column(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    column: str,
    change: Callable[[str], str | None],
    batch_size: int,
) -> tuple[int, int]:
    """Apply ``change(stored_text) -> new_text | None`` to each non-empty value, in batches.

    Rows are read in primary-key order, ``batch_size`` at a time, each batch written in its
    own transaction. A row is only written if it still holds what was read, so a value the app
    saves meanwhile (already under the current key) is never overwritten with an older one.
    Returns (rows changed, rows left as they were).
    """
    quote = connection.ops.quote_name
    table, pk, col = quote(model._meta.db_table), quote(model._meta.pk.column), quote(column)
    # Names come from the model's metadata and are quoted; values are parameters.
    first = f"SELECT {pk}, {col} FROM {table} WHERE {col} IS NOT NULL ORDER BY {pk} LIMIT %s"  # noqa: S608
    after = (
        f"SELECT {pk}, {col} FROM {table} "  # noqa: S608
        f"WHERE {col} IS NOT NULL AND {pk} > %s ORDER BY {pk} LIMIT %s"
    )
    update = f"UPDATE {table} SET {col} = %s WHERE {pk} = %s AND {col} = %s"  # noqa: S608
    changed = unchanged = 0
    last: Any = None
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            if last is None:
                cursor.execute(first, [batch_size])
            else:
                cursor.execute(after, [last, batch_size])
            rows = cursor.fetchall()
            if not rows:
                return changed, unchanged
            updates = []
            for row_pk, stored in rows:
                new = change(stored) if stored != "" else None
                if new is None:
                    unchanged += 1
                else:
                    updates.append((new, row_pk, stored))
            if updates:
                cursor.executemany(update, updates)
            changed += len(updates)
            last = rows[-1][0]


def encrypt_column(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    field_name: str,
    batch_size: int = 500,
) -> tuple[int, int]:
    """Encrypt plaintext values in place (a data migration's forward step); idempotent."""

    def encrypt(stored: str) -> str | None:
        try:
            crypto.decrypt(stored)
        except InvalidToken:
            return crypto.encrypt(stored)
        return None  # already encrypted

    return _rewrite_column(
        connection, model, model._meta.get_field(field_name).column, encrypt, batch_size
    )


def decrypt_column(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    field_name: str,
    batch_size: int = 500,
) -> tuple[int, int]:
    """Turn tokens back into plaintext (a data migration's reverse step); idempotent."""

    def decrypt(stored: str) -> str | None:
        try:
            return crypto.decrypt(stored)
        except InvalidToken:
            return None  # plaintext already, or under a key no longer configured

    return _rewrite_column(
        connection, model, model._meta.get_field(field_name).column, decrypt, batch_size
    )


def rotate_column(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    field_name: str,
    batch_size: int = 500,
) -> tuple[int, int]:
    """Re-encrypt every token not already under the primary key; idempotent.

    A token that no key opens raises ``DecryptionError`` before anything in its batch changes.
    """
    field = model._meta.get_field(field_name)
    label = f"{model._meta.label}.{field.name}"

    def rotate(stored: str) -> str | None:
        if crypto.is_current(stored):
            return None
        try:
            return crypto.rotate(stored)
        except InvalidToken:
            raise DecryptionError(
                f"{label}: a stored value cannot be decrypted with any key in "
                f"{crypto.KEYS_VARIABLE}; nothing in this batch was changed. Add the key it "
                "was encrypted with (after the new first key) and run the rotation again."
            ) from None

    return _rewrite_column(connection, model, field.column, rotate, batch_size)
