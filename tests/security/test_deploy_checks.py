"""Production settings pass Django's deployment checks and send the security headers."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.test import Client as Browser

from tests.conftest import People

RAPPORT = Path(sys.executable).with_name("rapport")


def _production_env() -> dict[str, str]:
    # The test process sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment never would.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **inherited,
        "RAPPORT_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "rapport.example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
        "RAPPORT_FIELD_KEYS": Fernet.generate_key().decode(),
    }


class TestDeployment:
    def test_check_deploy_is_clean_with_production_settings(self) -> None:
        """`manage.py check --deploy` reports nothing, warnings included."""
        run = subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
            [str(RAPPORT), "manage", "check", "--deploy", "--fail-level", "WARNING"],
            env=_production_env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "no issues" in run.stdout

    def test_pages_send_the_security_headers(self, people: People) -> None:
        """CSP allows only the app's own origin; no sniffing; no framing; no referrer leaks."""
        page = Browser().get("/login/")
        csp = page["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "http" not in csp.replace("'self'", "")  # no other origin is allowed
        assert page["X-Content-Type-Options"] == "nosniff"
        assert page["X-Frame-Options"] == "DENY"
        assert page["Referrer-Policy"] == "same-origin"
