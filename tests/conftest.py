"""Shared fixtures: fast password hashing, the named test people, and the AnnoMI data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rapport.core.transcripts.embeddings import (
    SentenceEncoder,
    embeddings_available,
    load_encoder,
)
from tests.factory import Factory

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from
# such a thread unless told that the test owns it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _no_saved_model(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A model the developer trained (`rapport model train`) must not change what the tests
    see: the default model folder is an empty one of the run's own (tests that want a model
    set RAPPORT_MODEL_DIR themselves, with monkeypatch, which puts this one back)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAPPORT_MODEL_DIR", str(tmp_path_factory.mktemp("no-saved-model")))
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def sentence_encoder() -> SentenceEncoder:
    """The optional all-MiniLM-L6-v2 encoder: skipped without it on a developer's machine,
    a failure in CI, whose setup (`make test-setup`) installs it."""
    if not embeddings_available():
        if os.environ.get("CI"):
            pytest.fail("CI must install the embedding model (make test-setup runs it).")
        pytest.skip("The optional embedding model is not installed (make embeddings).")
    return load_encoder()


@pytest.fixture
def factory() -> Factory:
    return Factory()


@dataclass
class People:
    """The cast every permission test reads like a sentence with."""

    factory: Factory

    def __post_init__(self) -> None:
        f = self.factory
        self.riverside = f.make_clinic(name="Riverside")
        self.elsewhere = f.make_clinic(name="Elsewhere")
        self.alice = f.make_user("alice", self.riverside)
        self.bob = f.make_user("bob", self.riverside)
        self.ada = f.make_user("ada", self.riverside, role="admin")
        self.charlie = f.make_user("charlie", self.elsewhere)
        self.dana = f.make_client(self.alice, display_name="Dana R.")
        self.eli = f.make_client(self.bob, display_name="Eli K.")


@pytest.fixture
def people(db: None, factory: Factory) -> People:
    return People(factory)


# AnnoMI is read at run time from beside the repository (../shared/data/annomi), never copied
# into it; a clone without it skips the tests that need it.
ANNOMI_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "annomi"


@pytest.fixture(scope="session")
def annomi_dir() -> Path:
    """The AnnoMI folder (``AnnoMI-simple.csv``, perhaps ``AnnoMI-full.csv``)."""
    if not (ANNOMI_DIR / "AnnoMI-simple.csv").is_file():
        pytest.skip(f"AnnoMI is not present at {ANNOMI_DIR}; download it to run this test.")
    return ANNOMI_DIR


@pytest.fixture(scope="session")
def annomi_path(annomi_dir: Path) -> Path:
    """AnnoMI's main-label file, ``AnnoMI-simple.csv``."""
    return annomi_dir / "AnnoMI-simple.csv"
