"""The direct callbacks (``frontend/callbacks.py``) give exactly what lark's own wrapped
callbacks give: the same IR and the same diagnostics, for every known spec and for damaged
ones, with lark-cython and with pure-Python lark."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from test_properties import SCALE, damaged_specs

from generator.frontend import _parser, read_spec
from generator.frontend.callbacks import specialise

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted(
    [
        *(ROOT / "tests" / "corpus").glob("*.lap"),
        *(ROOT / "tests" / "fixtures").glob("*.lap"),
        ROOT / "spec" / "stytch.lap",
    ]
)


@pytest.mark.parametrize("accelerate", [True, False], ids=["lark-cython", "pure-python"])
@pytest.mark.parametrize("spec", SPECS, ids=lambda path: path.name)
def test_every_known_spec_reads_the_same_either_way(spec: Path, accelerate: bool) -> None:
    data = spec.read_bytes()
    direct = read_spec(data, accelerate=accelerate)
    assert direct == read_spec(data, accelerate=accelerate, direct=False)


@settings(max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_specs())
def test_damaged_specs_read_the_same_either_way(data: bytes) -> None:
    assert read_spec(data) == read_spec(data, direct=False)


@pytest.mark.parametrize("accelerate", [True, False], ids=["lark-cython", "pure-python"])
def test_the_hot_rules_have_direct_callbacks(accelerate: bool) -> None:
    """The fields, their blocks and the inlined rules: what most reductions are."""
    parser = _parser(accelerate, False)
    callbacks = dict(parser.parser.parser_conf.callbacks)
    assert specialise(callbacks) >= 30
    direct = {
        rule.alias or rule.origin.name
        for rule, callback in callbacks.items()
        if callback is not parser.parser.parser_conf.callbacks[rule]
    }
    assert {"simple_field", "field_block", "_line", "_directive"} <= direct
