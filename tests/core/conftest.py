"""The core is framework-free, so its tests must not need Django either."""

from __future__ import annotations

import os

import pytest

from rapport.core.transcripts.embeddings import (
    SentenceEncoder,
    embeddings_available,
    load_encoder,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    """Override the project-wide autouse fixture, which asks pytest-django for ``settings``."""


@pytest.fixture(scope="session")
def sentence_encoder() -> SentenceEncoder:
    """The optional all-MiniLM-L6-v2 encoder: skipped without it on a developer's machine,
    a failure in CI, whose setup (`make test-setup`) installs it."""
    if not embeddings_available():
        if os.environ.get("CI"):
            pytest.fail("CI must install the embedding model (make test-setup runs it).")
        pytest.skip("The optional embedding model is not installed (make embeddings).")
    return load_encoder()
