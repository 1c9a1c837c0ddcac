"""Models: a field's type in, its annotation, parse and dump out (the planner's model decision)."""

from __future__ import annotations

import pytest

from generator.config import Config
from generator.frontend import read_spec
from generator.plan import ModelField, ModelPlan, Plan, build_plan


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
    # (field as written, annotation, parse, dump)
    ("count: int", "int", "get('count', UNSET)", "self.count"),
    ("ratio: num", "float", "get('ratio', UNSET)", "self.ratio"),
    ("done: bool", "bool", "get('done', UNSET)", "self.done"),
    ("note: str?", "str | None", "get('note', UNSET)", "self.note"),
    ("raw: any", "Any", "get('raw', UNSET)", "self.raw"),
    ("labels: map", "Dict[str, Any]", "get('labels', UNSET)", "self.labels"),
    ("tags: [str]", "List[str]", "get('tags', UNSET)", "self.tags"),
    ("role: enum(ADMIN/VIEWER)", "str", "get('role', UNSET)", "self.role"),  # lenient reading
    (
        "owner: map{id: int}",
        "Owner",
        "parse_object(Owner.from_dict, get('owner', UNSET))",
        "dump(self.owner)",
    ),
    (
        "items: [map{id: int}]",
        "List[Item]",
        "parse_object_list(Item.from_dict, get('items', UNSET))",
        "dump(self.items)",
    ),
    (
        "grid: [[map{x: int}]]",
        "List[List[Grid]]",
        "parse_list(lambda item: parse_object_list(Grid.from_dict, item), get('grid', UNSET))",
        "dump(self.grid)",
    ),
]


@pytest.mark.parametrize(("written", "annotation", "parse", "dump"), FIELD_CASES)
def test_field_type_decides_annotation_parse_and_dump(
    written: str, annotation: str, parse: str, dump: str
) -> None:
    wire = written.split(":")[0]
    field = response_field(plan_returning(written), wire)
    assert (field.annotation, field.parse, field.dump) == (annotation, parse, dump)


def test_one_shape_is_one_model_and_a_second_shape_of_the_name_is_numbered() -> None:
    plan = plan_returning("a: map{id: int}, b: map{id: int}, owner: map{id: int}, c: [map{n: str}]")
    names = set(models_of(plan))
    # `a`, `b` and `owner` share a shape: one class, named by the first hint.
    assert names == {"A", "C", "ThingsListResponse"}
    response = models_of(plan)["ThingsListResponse"]
    assert [f.annotation for f in response.fields] == ["A", "A", "A", "List[C]"]


def test_same_hint_different_shapes_number_the_less_used_one() -> None:
    plan = plan_returning(
        "x: map{owner: map{id: int}}, y: map{owner: map{name: str}}, owner: map{id: int}"
    )
    owners = sorted(name for name in models_of(plan) if name.startswith("Owner"))
    assert owners == ["Owner", "Owner2"]
    by_fields = {tuple(f.wire for f in models_of(plan)[n].fields): n for n in owners}
    assert by_fields[("name",)] == "Owner2"  # `{id}` is used twice: it keeps the plain name


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
