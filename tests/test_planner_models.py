"""Models: a field's type in, its annotation, parse and dump out (the planner's model decision)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from regenerate import REPO

from generator.config import Config
from generator.frontend import read_spec
from generator.plan import ModelField, ModelPlan, Plan, build_plan
from generator.planner.annotations import (
    ANY,
    JSON_OBJECT,
    Annotation,
    ListOf,
    ModelRef,
    Nullable,
    Scalar,
)
from generator.render import render


def plan_returning(fields: str) -> Plan:
    """The plan of one endpoint whose 200 response is the object ``{fields}``."""
    text = (
        "@lap v0.3\n@api Models\n@endpoints 1\n\n@endpoint GET /things\n@desc List things\n"
        f"@returns(200) {{{fields}}}\n\n@end\n"
    ).encode()
    result = read_spec(text)
    assert result.api is not None, [d.message for d in result.diagnostics]
    return build_plan(result.api, Config(), spec_name="t.lap", spec_bytes=text)


def models_of(plan: Plan) -> dict[str, ModelPlan]:
    return {model.name: model for model in plan.models}


def response_field(plan: Plan, wire: str) -> ModelField:
    (method,) = plan.all_methods()
    assert method.response_model is not None
    model = models_of(plan)[method.response_model]
    return next(field for field in model.fields if field.wire == wire)


FIELD_CASES = [
    # (field as written, annotation: the runtime parses and dumps by it)
    ("count: int", Scalar("int")),
    ("ratio: num", Scalar("float")),
    ("done: bool", Scalar("bool")),
    ("note: str?", Nullable(Scalar("str"))),
    ("raw: any", ANY),
    ("labels: map", JSON_OBJECT),
    ("tags: [str]", ListOf(Scalar("str"))),
    ("role: enum(ADMIN/VIEWER)", Scalar("str")),  # a response is read leniently
    ("owner: map{id: int}", ModelRef("Owner")),
    ("items: [map{id: int}]", ListOf(ModelRef("Item"))),
    ("grid: [[map{x: int}]]", ListOf(ListOf(ModelRef("Grid")))),
    ("matrix: [[int]]", ListOf(ListOf(Scalar("int")))),
]


@pytest.mark.parametrize(("written", "annotation"), FIELD_CASES)
def test_field_type_decides_annotation(written: str, annotation: Annotation) -> None:
    wire = written.split(":")[0]
    field = response_field(plan_returning(written), wire)
    assert field.annotation == annotation


def test_generated_model_decodes_and_dumps_nested_objects(tmp_path: Path) -> None:
    """Nested models, lists of them and lists of lists, as generated, round-trip real JSON."""
    plan = plan_returning("owner: map{id: int}, grid: [[map{x: int}]], tags: [str], n: int")
    source = render(plan)[f"{plan.package}/models.py"]
    package = tmp_path / plan.package
    package.mkdir()
    runtime = REPO / "templates" / "sdk" / "runtime"
    for module in ("_models.py", "_types.py", "errors.py"):
        (package / module).write_text((runtime / module).read_text())
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(source)
    sys.path.insert(0, str(tmp_path))
    try:
        models = importlib.import_module(f"{plan.package}.models")
        data = {"owner": {"id": 1}, "grid": [[{"x": 2}], []], "tags": ["a"], "n": 3}
        parsed = models.ThingsListResponse.from_dict(data)
        assert parsed.owner == models.Owner(id=1)
        assert parsed.grid == [[models.Grid(x=2)], []]
        assert parsed.to_dict() == data
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == plan.package]:
            del sys.modules[name]


def test_one_field_name_and_shape_is_one_model_named_by_the_field() -> None:
    plan = plan_returning("a: map{id: int}, b: map{id: int}, owner: map{id: int}, c: [map{n: str}]")
    names = set(models_of(plan))
    # The same shape under three field names: three classes, each named by its field (a
    # shared class would be named by whichever field came first).
    assert names == {"A", "B", "Owner", "C", "ThingsListResponse"}
    response = models_of(plan)["ThingsListResponse"]
    assert [f.annotation for f in response.fields] == [
        ModelRef("A"),
        ModelRef("B"),
        ModelRef("Owner"),
        ListOf(ModelRef("C")),
    ]


def test_two_shapes_of_one_field_name_are_both_named_by_their_place() -> None:
    plan = plan_returning(
        "x: map{owner: map{id: int}}, y: map{owner: map{name: str}}, owner: map{id: int}"
    )
    owners = sorted(name for name in models_of(plan) if name.endswith("Owner"))
    by_fields = {tuple(f.wire for f in models_of(plan)[n].fields): n for n in owners}
    # Neither is *the* owner, and use counts decide nothing: both are qualified by the
    # places they share (`things.list/owner` and `things.list/x/owner`: the resource).
    assert by_fields == {("id",): "ThingsOwner", ("name",): "YOwner"}
    assert not plan.warnings


def test_required_fields_come_first_for_attrs() -> None:
    plan = plan_returning("a: int, b!: str, c: int, d!: bool")
    (method,) = plan.all_methods()
    assert method.response_model is not None
    fields = models_of(plan)[method.response_model].fields
    assert [(f.wire, f.required) for f in fields] == [
        ("b", True),
        ("d", True),
        ("a", False),
        ("c", False),
    ]
