"""The core stays framework-free: importing it must not pull in Django."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import rapport.core
import rapport.core.instruments
import rapport.core.status
import rapport.core.alliance
import rapport.core.change
import rapport.core.plans
import rapport.core.prompts
import rapport.core.signals
import rapport.core.trajectory
import rapport.core.transcripts
from rapport.core.instruments import default_registry, score
score(default_registry().get("phq9"), {1: 1})
leaked = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print(",".join(leaked))
"""


class TestFrameworkFreeCore:
    def test_it_imports_and_scores_without_importing_django(self) -> None:
        """A fresh interpreter loads the registry and scores with no django module loaded."""
        result = subprocess.run(  # noqa: S603 - fixed argv: this interpreter and a literal probe
            [sys.executable, "-c", PROBE],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == ""
