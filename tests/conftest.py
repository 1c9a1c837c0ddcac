"""Shared paths: the project's spec and the real LAP files in ``../shared/lap-samples``."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLES_DIR = SHARED / "lap-samples"
STYTCH = REPO / "spec" / "stytch.lap"
# Every real LAP file: parametrise over these (test ids are the file names).
SPEC_FILES = [*sorted(SAMPLES_DIR.glob("*.lap")), STYTCH]


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES_DIR


@pytest.fixture(scope="session")
def stytch_path() -> Path:
    return STYTCH
