"""The core is framework-free, so its tests must not need Django either."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    """Override the project-wide autouse fixture, which asks pytest-django for ``settings``."""
