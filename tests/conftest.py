"""Shared paths: the project's spec and the real LAP files in ``tests/corpus``.

Module constants rather than fixtures: test parameters (one test per file) are built at import.
"""

from __future__ import annotations

from regenerate import REPO
from regenerate import SPEC as STYTCH

# Real LAP files (see tests/corpus/README.md); the suite reads nothing outside the repo.
SAMPLES_DIR = REPO / "tests" / "corpus"
# Every real LAP file, the samples and then Stytch: parametrise over these.
SPEC_FILES = [*sorted(SAMPLES_DIR.glob("*.lap")), STYTCH]
