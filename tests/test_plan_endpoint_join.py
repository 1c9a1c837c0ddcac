"""Tools join a planned method to its IR endpoint by ``MethodPlan.endpoint``, not by line.

``diff`` keys methods by the identity of that endpoint, so every method must hold the very
object the IR lists (a copy would silently drop accessors from the report).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diff import diff
from generator.pipeline import load
from generator.plan import MethodPlan

REPO = Path(__file__).parent.parent
# Specs that cannot become an HTTP SDK: the v0.1 GraphQL layout, PUB/SUB and RPC methods.
REFUSED = {"example-graphql-github", "example-asyncapi-streetlights-mqtt", "example-protobuf-user"}
SPECS = [REPO / "spec" / "stytch.lap"] + [
    path
    for path in sorted(REPO.joinpath("tests", "corpus").glob("*.lap"))
    if path.stem not in REFUSED
]

THREE_ROUTES_SPEC = """@lap v0.3
@api Join API
@base https://api.example/v1
@auth Bearer token
@endpoints 3

@endpoint GET /items
@returns(200) ok

@endpoint GET /items/{item_id}
@required {item_id: str}
@returns(200) ok

@endpoint POST /items
@returns(200) ok

@end
"""


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_every_method_holds_an_endpoint_of_the_ir_itself(spec: Path) -> None:
    loaded = load(spec)
    listed = {id(endpoint) for endpoint in loaded.api.endpoints}
    methods = list(loaded.plan.all_methods())
    assert all(id(method.endpoint) in listed for method in methods)
    # One method per endpoint: no two methods share one, so the join is one to one.
    assert len({id(method.endpoint) for method in methods}) == len(methods)


def _accessors(spec_text: str, tmp_path: Path, name: str) -> tuple[list[MethodPlan], Path]:
    path = tmp_path / name
    path.write_text(spec_text, encoding="utf-8")
    return list(load(path).plan.all_methods()), path


def test_diff_names_the_method_of_a_removed_endpoint(tmp_path: Path) -> None:
    """Removing the middle endpoint (the next one moves up): the report names its accessor."""
    old_methods, old_path = _accessors(THREE_ROUTES_SPEC, tmp_path, "old.lap")
    new_text = THREE_ROUTES_SPEC.replace(
        "@endpoint GET /items/{item_id}\n@required {item_id: str}\n@returns(200) ok\n\n@endpoint POST",
        "@endpoint POST",
        1,
    ).replace("@endpoints 3", "@endpoints 2")
    new_methods, new_path = _accessors(new_text, tmp_path, "new.lap")
    assert len(old_methods) == 3 and len(new_methods) == 2
    report = diff(load(old_path), load(new_path))
    removed = [c for c in report.changes if c.kind == "endpoint-removed"]
    assert len(removed) == 1
    removed_accessor = {m.accessor for m in old_methods} - {m.accessor for m in new_methods}
    assert removed_accessor and f"`client.{removed_accessor.pop()}`" in removed[0].message
