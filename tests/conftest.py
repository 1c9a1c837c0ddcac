"""Shared paths: the project's spec and the real LAP files in ``../shared/lap-samples``.

Module constants rather than fixtures: test parameters (one test per file) are built at import.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES_DIR = SHARED / "lap-samples"
STYTCH = REPO / "spec" / "stytch.lap"
# Every real LAP file, the samples and then Stytch: parametrise over these.
SPEC_FILES = [*sorted(SAMPLES_DIR.glob("*.lap")), STYTCH]
