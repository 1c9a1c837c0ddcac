"""The typed plan: each method carries its IR endpoint, each param its IR type and placement."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import get_args

import pytest
from conftest import SPEC_FILES

from generator.errors import SpecError
from generator.pipeline import load
from generator.placement import LOCATIONS, Location, as_location


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda path: path.name)
def test_methods_carry_their_endpoint_and_params_their_ir_type(spec: Path) -> None:
    try:
        loaded = load(spec)
    except SpecError as error:  # MQTT or GraphQL: no HTTP SDK, so no plan to check
        assert "is not HTTP" in str(error) or "unsupported LAP dialect" in str(error)
        return
    methods = list(loaded.plan.all_methods())
    # One method per endpoint, each joined to its own (not by line or METHOD+PATH lookups).
    assert sorted(id(m.endpoint) for m in methods) == sorted(id(e) for e in loaded.api.endpoints)
    for method in methods:
        endpoint = method.endpoint
        assert (method.http_method, method.path) == (endpoint.method, endpoint.path)
        assert method.line == endpoint.pos.line
        declared = loaded.api.declared_params(endpoint)
        repeated = {field.name: field.type for field in endpoint.repeated_params}
        for param in method.params:
            assert param.location in get_args(Location)
            if param.wire in declared:
                expected = {declared[param.wire].type}
                expected |= {repeated[param.wire]} if param.wire in repeated else set()
                assert param.type in expected, (method.accessor, param.wire)
            else:  # a path param the spec never declared: a string
                assert param.location == "path"
                assert param.type.expr.name == "str"  # type: ignore[union-attr]


def test_as_location_accepts_exactly_the_four_locations() -> None:
    assert [as_location(name) for name in LOCATIONS] == list(get_args(Location))
    for bad in ("", "Path", "cookie", "query "):
        with pytest.raises(ValueError, match="is not one of"):
            as_location(bad)


def test_each_planner_decision_stays_small() -> None:
    """One module per decision, each readable in one sitting (issue 9: plan.py was 1,228 lines)."""
    package = Path(__file__).resolve().parent.parent / "generator" / "planner"
    modules = sorted(package.glob("*.py"))
    assert {m.stem for m in modules} >= {"build", "models", "resource_names", "runtime", "types"}
    for module in modules:
        source = module.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 600, module.name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                assert length <= 80, f"{module.name}: {node.name} has {length} lines"
