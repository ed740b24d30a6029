"""The upload form and the per-speaker role form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from rapport.core.transcripts import Role
from rapport.core.transcripts.parsing import SUFFIXES

# What the file picker offers; other names are still read, by their content.
ACCEPT = ",".join([*SUFFIXES, "text/plain", "text/csv", "text/vtt", "application/json"])
ROLE_CHOICES = [
    (Role.THERAPIST.value, "Therapist"),
    (Role.CLIENT.value, "Client"),
    (Role.OTHER.value, "Someone else (interpreter, relative…)"),
]


class UploadForm(forms.Form):
    transcript = forms.FileField(
        label="Transcript file",
        help_text=(
            "Plain text with speaker labels (T:, C: or names), CSV/TSV, WebVTT (.vtt), "
            "SRT captions or a chat export (.json)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": "Choose a transcript file to upload.",
            "empty": "The file is empty.",
        },
    )


class RolesForm(forms.Form):
    """One role choice per speaker (``role-0``, ``role-1``... in order of first appearance).

    Fields are numbered, not named after speakers, because a speaker's name can be anything.
    """

    def __init__(
        self,
        speakers: Sequence[str],
        detected: Mapping[str, Role],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.speakers = tuple(speakers)
        for number, speaker in enumerate(self.speakers):
            known = detected.get(speaker)
            self.fields[f"role-{number}"] = forms.ChoiceField(
                label=speaker,
                choices=[("", "Choose…"), *ROLE_CHOICES],
                initial=known.value if known is not None else "",
                error_messages={"required": f"Choose a role for {speaker}."},
            )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        chosen = [cleaned.get(f"role-{n}") for n in range(len(self.speakers))]
        if None not in chosen and not {Role.THERAPIST.value, Role.CLIENT.value} <= set(chosen):
            raise forms.ValidationError(
                "Choose at least one therapist and one client: the analysis compares them."
            )
        return cleaned

    def roles(self) -> dict[str, Role]:
        """Each speaker's chosen role (after ``is_valid()``)."""
        return {
            speaker: Role(self.cleaned_data[f"role-{number}"])
            for number, speaker in enumerate(self.speakers)
        }

    def rows(self) -> list[forms.BoundField]:
        """The role fields in speaker order, for the template."""
        return [self[f"role-{n}"] for n in range(len(self.speakers))]
