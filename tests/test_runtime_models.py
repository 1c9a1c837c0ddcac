"""The generated models at run time: parsing, checking and dumping JSON through ``_models.py``.

One spec holds every kind of field; its models are generated twice, with response fields
``optional`` (the default, lenient) and ``present`` (checked). Hypothesis builds valid responses
from a schema written here by hand (an oracle independent of the runtime), then breaks one
field at a time and expects the error to name exactly that field's path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import black
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from regenerate import FIXTURES, REPO, SPEC
from sdk_support import models_package

from generator.config import Config, load_config
from generator.errors import ConfigError, SpecError
from generator.frontend import read_spec
from generator.output.formatting import BLACK_MODE
from generator.pipeline import load
from generator.plan import ModelPlan, Plan, build_plan
from generator.render import annotation_text, render

SPEC_TEXT = b"""@lap v0.3
@api Models
@endpoints 2

@endpoint GET /things
@desc Get thing
@returns(200) {id: str, count: int, ratio: num, done: bool, note: str?, raw: any, labels: map, \
tags: [str], owner: map{id: int, name: str}, items: [map{id: int, tags: [str]}], \
grid: [[map{x: int}]], from: str, userId: str, style: map{color: str}}

@endpoint POST /things
@desc Create thing
@required {style: map{color: str}}
@returns(200) {id: str}

@end
"""
# The response of GET /things, by hand: a scalar kind, a dict (an object whose fields are all
# declared), a one-item list (an array of that), or None (any JSON value: not checked).
SCHEMA: dict[str, Any] = {
    "id": "str",
    "count": "int",
    "ratio": "num",
    "done": "bool",
    "note": "str?",
    "raw": None,
    "labels": "map",
    "tags": ["str"],
    "owner": {"id": "int", "name": "str"},
    "items": [{"id": "int", "tags": ["str"]}],
    "grid": [[{"x": "int"}]],
    "from": "str",
    "userId": "str",
    "style": {"color": "str"},
}
# `style` is also a request param: its fields stay optional even when responses are checked.
SENT = {"style"}

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "str": st.text(max_size=5),
    "int": st.integers(),
    "num": st.floats(allow_nan=False) | st.integers(),
    "bool": st.booleans(),
    "str?": st.none() | st.text(max_size=5),
    "map": st.dictionaries(st.text(max_size=5), JSON, max_size=3),
}
# A value of the wrong JSON type for each kind, and the type the error names.
WRONG: dict[str, tuple[Any, str]] = {
    "str": (7, "a string"),
    "int": ("7", "an integer"),
    "num": ("7", "a number"),
    "bool": (0, "a boolean"),
    "str?": (7, "a string or null"),
    "map": ([], "a JSON object"),
    "list": ({}, "a JSON array"),
    "object": ("x", "a JSON object"),
}


def valid(schema: Any) -> st.SearchStrategy[Any]:
    if schema is None:
        return JSON
    if isinstance(schema, str):
        return SCALARS[schema]
    if isinstance(schema, list):
        return st.lists(valid(schema[0]), max_size=3)
    return st.fixed_dictionaries({key: valid(value) for key, value in schema.items()})


def leaves(schema: Any, value: Any, path: str = "") -> Iterator[tuple[str, Any, Any, Any]]:
    """(path, kind, container, key) of every checked value in ``value``, objects and lists too."""
    if isinstance(schema, list):
        for index, item in enumerate(value):
            yield f"{path}[{index}]", _kind(schema[0]), value, index
            yield from leaves(schema[0], item, f"{path}[{index}]")
    elif isinstance(schema, dict):
        for key, child in schema.items():
            where = f"{path}.{key}" if path else key
            if child is not None:
                yield where, _kind(child), value, key
            yield from leaves(child, value[key], where)


def _kind(schema: Any) -> str:
    return "list" if isinstance(schema, list) else "object" if isinstance(schema, dict) else schema


def generated_models(tmp_path: Path, config: Config, package: str) -> ModuleType:
    """The models module of SPEC_TEXT, with the runtime it imports, as an importable package."""
    return models_package(tmp_path, SPEC_TEXT, config, package)


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    config = Config(response_fields="present")
    return generated_models(tmp_path_factory.mktemp("checked"), config, "checked_models_api")


@pytest.fixture(scope="module")
def lenient(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generated_models(tmp_path_factory.mktemp("lenient"), Config(), "lenient_models_api")


SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(document=valid(SCHEMA))
def test_a_valid_response_parses_and_dumps_back_unchanged(
    checked: ModuleType, lenient: ModuleType, document: dict[str, Any]
) -> None:
    for models in (checked, lenient):
        parsed = models.ThingsListResponse.from_dict(document)
        assert parsed.to_dict() == document
    parsed = checked.ThingsListResponse.from_dict(document)
    assert type(parsed.owner) is checked.Owner and parsed.owner.id == document["owner"]["id"]
    assert all(type(row[0]) is checked.Grid for row in parsed.grid if row)
    assert (parsed.from_, parsed.user_id) == (document["from"], document["userId"])
    assert parsed.note is document["note"] or parsed.note == document["note"]


@SETTINGS
@given(document=valid(SCHEMA), data=st.data())
def test_a_wrong_type_at_any_depth_names_its_path(
    checked: ModuleType, lenient: ModuleType, document: dict[str, Any], data: st.DataObject
) -> None:
    path, kind, container, key = data.draw(st.sampled_from(list(leaves(SCHEMA, document))))
    wrong, expected = WRONG[kind]
    container[key] = wrong
    with pytest.raises(ValueError) as caught:
        checked.ThingsListResponse.from_dict(document)
    assert str(caught.value) == f"{path}: expected {expected}, got {_json_type(wrong)}"
    # Lenient models keep the value as it came, and lose nothing.
    assert lenient.ThingsListResponse.from_dict(document).to_dict() == document


@SETTINGS
@given(document=valid(SCHEMA), data=st.data())
def test_a_missing_field_names_its_path_unless_a_request_uses_its_model(
    checked: ModuleType, document: dict[str, Any], data: st.DataObject
) -> None:
    fields = [leaf for leaf in leaves(SCHEMA, document) if isinstance(leaf[3], str)]
    path, _kind, container, key = data.draw(st.sampled_from(fields))
    del container[key]
    if path.startswith(tuple(f"{name}." for name in SENT)):
        parsed = checked.ThingsListResponse.from_dict(document)
        assert parsed.style.color is checked.UNSET
        assert parsed.to_dict() == document
    else:
        with pytest.raises(ValueError, match=r"^.*: missing$") as caught:
            checked.ThingsListResponse.from_dict(document)
        assert str(caught.value) == f"{path}: missing"


@SETTINGS
@given(document=st.dictionaries(st.sampled_from(sorted(SCHEMA)) | st.text(max_size=4), JSON))
def test_any_json_object_parses_or_raises_the_shape_error(
    checked: ModuleType, lenient: ModuleType, document: dict[str, Any]
) -> None:
    # Lenient: nothing is rejected and nothing is lost.
    assert lenient.ThingsListResponse.from_dict(document).to_dict() == document
    try:
        parsed = checked.ThingsListResponse.from_dict(document)
    except ValueError as error:
        assert type(error).__name__ == "ResponseShapeError" and ": " in str(error)
    else:
        assert parsed.to_dict() == document


def test_unknown_fields_are_kept_at_every_depth_and_unset_is_not_none(
    lenient: ModuleType,
) -> None:
    document = {"id": "t1", "note": None, "owner": {"id": 1, "later": [1]}, "new": {"a": 1}}
    parsed = lenient.ThingsListResponse.from_dict(document)
    assert parsed.note is None and parsed.count is lenient.UNSET
    assert parsed.additional_properties == {"new": {"a": 1}}
    assert parsed.owner.additional_properties == {"later": [1]}
    assert parsed.owner.name is lenient.UNSET
    assert parsed.to_dict() == document


def test_a_top_level_value_that_is_not_an_object(checked: ModuleType, lenient: ModuleType) -> None:
    for models in (checked, lenient):
        with pytest.raises(ValueError, match="^expected a JSON object, got a JSON array$"):
            models.ThingsListResponse.from_dict([[1, 2]])
        assert models.Owner.from_dict({"id": 1, "name": "n"}) == models.Owner(1, "n")


def _json_type(value: Any) -> str:
    names = {int: "an integer", str: "a string", list: "a JSON array", dict: "a JSON object"}
    return names[type(value)]


# ---------------------------------------------------------------------------------------------
# The plan and the config
# ---------------------------------------------------------------------------------------------


def models_of(plan: Plan) -> dict[str, ModelPlan]:
    return {model.name: model for model in plan.models}


def plan_with(config: Config) -> Plan:
    result = read_spec(SPEC_TEXT)
    assert result.api is not None
    return build_plan(result.api, config, spec_name="t.lap", spec_bytes=SPEC_TEXT)


def test_present_fields_drop_unset_but_keep_none_and_request_models() -> None:
    present = models_of(plan_with(Config(response_fields="present")))
    fields = {f.wire: f for f in present["ThingsListResponse"].fields}
    assert (fields["id"].required, annotation_text(fields["id"].annotation)) == (True, "str")
    assert (fields["note"].required, annotation_text(fields["note"].annotation)) == (
        True,
        "str | None",
    )
    assert all(f.required for f in present["Owner"].fields)
    assert not any(f.required for f in present["Style"].fields)  # a param's shape
    assert all(model.checked for model in present.values())
    optional = models_of(plan_with(Config()))
    assert not any(f.required or m.checked for m in optional.values() for f in m.fields)


def test_the_config_key_takes_two_values(tmp_path: Path) -> None:
    path = tmp_path / "api.toml"
    path.write_text('[responses]\ndeclared_fields = "present"\n')
    assert load_config(path).response_fields == "present"
    path.write_text('[responses]\ndeclared_fields = "always"\n')
    with pytest.raises(ConfigError, match=r"responses\.declared_fields: 'always' is not one of"):
        load_config(path)
    path.write_text('[responses]\nfields = "present"\n')
    with pytest.raises(ConfigError, match=r"responses\.fields: unknown key"):
        load_config(path)


# ---------------------------------------------------------------------------------------------
# The template's output is what black would make of it
# ---------------------------------------------------------------------------------------------

SPECS = [SPEC, *sorted(FIXTURES.glob("*.lap")), *sorted((REPO / "tests" / "corpus").glob("*.lap"))]


@pytest.mark.parametrize("spec", SPECS, ids=[spec.name for spec in SPECS])
def test_models_py_renders_black_stable(spec: Path) -> None:
    assert (
        (REPO / "templates" / "sdk" / "models.py.jinja")
        .read_text()
        .startswith("{# black-stable #}\n")
    )
    try:
        plan = load(spec).plan  # with the config beside the spec, as `generate` reads it
    except SpecError:  # a dialect with non-HTTP methods: it validates, but has no SDK
        return
    raw = render(plan)[f"{plan.package}/models.py"]
    assert black.format_str(raw, mode=BLACK_MODE) == raw
