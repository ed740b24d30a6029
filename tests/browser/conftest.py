"""Playwright drives Debian's Chromium (never a downloaded browser) against the live server."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        # The machine has no outside network: stop Chromium's background calls home.
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors (CSP violations included) seen by any page of the test."""
    return []


def _watch(page: Any, errors: list[str]) -> Any:
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page


@pytest.fixture
def phone(browser: Any, console_errors: list[str]) -> Any:
    """A 360 px wide phone-sized page."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    yield _watch(context.new_page(), console_errors)
    context.close()


@pytest.fixture
def desk(browser: Any, console_errors: list[str]) -> Any:
    """A desktop-sized page for the therapist."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield _watch(context.new_page(), console_errors)
    context.close()
