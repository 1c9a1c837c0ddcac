"""Shared paths: the project's spec and the real LAP files in ``tests/corpus``; hypothesis profiles.

Module constants rather than fixtures: test parameters (one test per file) are built at import.

Hypothesis profiles, chosen by the ``HYPOTHESIS_PROFILE`` environment variable:

- unset (CI and everyday runs): every test's own ``@settings`` as written, random seeds. CI is
  never derandomised: a strategy that draws outside the space its property claims must show up.
- ``deep``: every ``@given`` test runs ``DEEP_FACTOR`` (20, or ``HYPOTHESIS_DEEP_FACTOR``) times
  its own example count, with no deadline. Use it to hunt latent strategy bugs before CI does,
  with several seeds::

      HYPOTHESIS_PROFILE=deep python -m pytest -q -n 2 -m hypothesis --hypothesis-seed=N

  (``-m hypothesis`` selects exactly the ``@given`` tests; ``nox -s deep`` runs this.)
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings
from regenerate import REPO
from regenerate import SPEC as STYTCH

# Real LAP files (see tests/corpus/README.md); the suite reads nothing outside the repo.
SAMPLES_DIR = REPO / "tests" / "corpus"
# Every real LAP file, the samples and then Stytch: parametrise over these.
SPEC_FILES = [*sorted(SAMPLES_DIR.glob("*.lap")), STYTCH]

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "")
DEEP_FACTOR = int(os.environ.get("HYPOTHESIS_DEEP_FACTOR", "20"))
# The deep profile itself only lifts the deadline; the hook below scales each test's own count
# (most tests set max_examples explicitly, which a profile alone would not override).
settings.register_profile("deep", deadline=None)
if PROFILE:
    settings.load_profile(PROFILE)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under the deep profile, multiply every hypothesis test's example count by DEEP_FACTOR."""
    if PROFILE != "deep":
        return
    scaled: set[int] = set()  # parametrised items share one function: scale it once
    for item in items:
        test = getattr(item, "obj", None)
        current = getattr(test, "_hypothesis_internal_use_settings", None)
        if current is None or id(test) in scaled:
            continue
        scaled.add(id(test))
        test._hypothesis_internal_use_settings = settings(  # type: ignore[union-attr]
            current, max_examples=current.max_examples * DEEP_FACTOR, deadline=None
        )
