"""Staff forms: new client, new session, new therapist."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator

from rapport.accounts.models import Role, User
from rapport.care.dates import SESSION_DAYS_AHEAD, implausible
from rapport.care.models import Client, Modality
from rapport.core.instruments import Kind
from rapport.feedback.instruments import client_measures


class IsoDateInput(forms.DateInput):
    """``<input type=date>`` accepts only ISO dates, whatever the site's locale formats."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class IsoDateField(forms.DateField):
    """A date as YYYY-MM-DD only, within a plausible span.

    The locale's other input formats would read a typed "01/02/2026" as 2 January, where a
    clinician in most of the world means 1 February: an ambiguous date is refused, not guessed
    (browsers' date pickers send ISO dates anyway). A year mistyped as 0202 or 9999 would slip
    into a client's record and sort it to the ends of every list.
    """

    widget = IsoDateInput
    input_formats = ["%Y-%m-%d"]
    default_error_messages = {"invalid": "Enter the date as YYYY-MM-DD, e.g. 2026-03-01."}

    def __init__(self, *, days_ahead: int = SESSION_DAYS_AHEAD, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.days_ahead = days_ahead

    def validate(self, value: Any) -> None:
        super().validate(value)
        problem = None if value is None else implausible(value, self.days_ahead)
        if problem:
            raise forms.ValidationError(problem)


def _measure_choices(kind: Kind) -> list[tuple[str, str]]:
    choices = []
    for inst in client_measures(kind):
        suffix = " (licensed text not installed)" if inst.text_missing else ""
        suffix += "" if inst.validated else " (project-authored)"
        choices.append((inst.code, f"{inst.name}{suffix}"))
    return choices


class ClientForm(forms.ModelForm):  # type: ignore[type-arg]
    started_on = IsoDateField(initial=date.today, label="Episode starts on")

    class Meta:
        model = Client
        fields = ["display_name", "year_of_birth", "outcome_measure", "alliance_measure"]
        help_texts = {"display_name": "A name or initials your team will recognise."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(MeasuresForm().fields)

    def clean_year_of_birth(self) -> int | None:
        year = self.cleaned_data.get("year_of_birth")
        if year is not None and not 1900 <= year <= date.today().year:
            raise forms.ValidationError("Enter a year between 1900 and this year.")
        return year


class MeasuresForm(forms.ModelForm):  # type: ignore[type-arg]
    """Change which measures a client is asked from the next feedback request on."""

    class Meta:
        model = Client
        fields = ["outcome_measure", "alliance_measure"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome_measure"] = forms.ChoiceField(
            choices=_measure_choices(Kind.OUTCOME), help_text="Asked at the start of each session."
        )
        self.fields["alliance_measure"] = forms.ChoiceField(
            choices=_measure_choices(Kind.ALLIANCE), help_text="Asked at the end of each session."
        )


class SessionForm(forms.Form):
    date = IsoDateField(initial=date.today)
    modality = forms.ChoiceField(choices=Modality.choices)


class TherapistForm(forms.Form):
    # The model's own rule (letters, digits and @ . + - _), which a plain CharField skipped.
    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only.",
    )
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.THERAPIST)
    password = forms.CharField(widget=forms.PasswordInput, help_text="At least 12 characters.")

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken.")
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("password")
        if password:
            candidate = User(
                username=cleaned.get("username", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
                email=cleaned.get("email", ""),
            )
            try:
                validate_password(password, candidate)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned
