"""Read settings from environment variables, failing loudly on bad values.

Every variable may instead be given as ``NAME_FILE`` pointing at a file holding the value, so
secrets can come from Docker/Kubernetes secret mounts rather than the process environment.
"""

from __future__ import annotations

import os
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or malformed; raised at start-up, never at request time."""


def env(name: str, default: str | None = None) -> str | None:
    """Return ``name`` from the environment or from the file named by ``name_FILE``."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Parse a yes/no variable; anything unrecognised is an error rather than a guess."""
    value = env(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean (use true/false)")


def env_int(name: str, default: int) -> int:
    """Parse an integer variable."""
    value = env(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name}={value!r} is not an integer") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    """Parse a comma-separated list."""
    value = env(name)
    if value is None or value.strip() == "":
        return default
    return [part.strip() for part in value.split(",") if part.strip()]
