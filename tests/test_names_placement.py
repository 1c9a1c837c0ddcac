"""benchmarks/placement.py: the planner's placement against the OpenAPI source's ``in``.

The figure itself is reported, not asserted (drawn documents put arbitrary names in headers,
which no LAP file shows); what is asserted is that the measurement counts right.
"""

from __future__ import annotations

import sys

import pytest
from regenerate import REPO

pytest.importorskip("lap.core.compilers")
sys.path.insert(0, str(REPO / "benchmarks"))

import placement  # noqa: E402


def test_the_handwritten_documents_are_placed_exactly_as_their_source_says() -> None:
    tally = placement.Tally()
    for document in placement.HANDWRITTEN:
        tally.add(document)
    # expand, Idempotency-Key, amount, currency, metadata; limit, starting_after,
    # X-Request-Id; id, description, tags.
    assert (tally.matched, tally.params) == (11, 11)
    assert not tally.misses


def test_a_misplaced_param_is_counted_as_a_miss_of_its_class() -> None:
    document = placement.HANDWRITTEN[0]
    get = document["paths"]["/v1/charges"]["get"]
    moved = {**get, "parameters": [*get["parameters"], {"name": "tenant", "in": "header"}]}
    changed = {**document, "paths": {"/v1/charges": {"get": moved}}}
    tally = placement.Tally()
    tally.add(changed)
    # `tenant` looks like a query param: the LAP file cannot say it is a header.
    assert (tally.matched, tally.params) == (3, 4)
    assert tally.misses == {"header → query": 1}


def test_the_quick_run_draws_documents_and_reports_a_figure() -> None:
    tally = placement.measure(5)
    assert tally.params > 11
    assert tally.report().startswith("placement: ")
