"""Forms for signing in: the username and password, and the two-factor code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's login form, refusing a username longer than any account's before it is
    checked: Django's form does not enforce the length, and django-axes then fails to store
    the attempt (PostgreSQL refuses 256+ characters). The answer is the usual wrong-password
    one, so the form reveals nothing either way."""

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if len(username) > self.username_field.max_length:
            raise self.get_invalid_login_error()
        return super().clean()


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Six-digit code",
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]{6,7}",
                "maxlength": "7",
                "autofocus": True,
            }
        ),
        help_text="The code your authenticator app shows now for Rapport.",
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].replace(" ", "")
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError("Enter the six digits your app shows.")
        return code
