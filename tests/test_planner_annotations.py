"""Annotations as typed data: a LAP type in → annotation data out (the planner), annotation
data in → text out (the one macro per kind in templates/sdk/_annotations.jinja)."""

from __future__ import annotations

import ast
import keyword
from pathlib import Path
from typing import get_args

import pytest
from conftest import SPEC_FILES
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.config import Config
from generator.errors import SpecError
from generator.frontend import read_spec
from generator.pipeline import load
from generator.plan import MethodPlan, Plan, build_plan
from generator.planner.annotations import (
    ANY,
    JSON_OBJECT,
    NONE,
    Annotation,
    AnyValue,
    DictOf,
    ListOf,
    LiteralOf,
    ModelRef,
    Nullable,
    Scalar,
    ScalarName,
    model_names,
    nullable,
    renamed,
    walk,
)
from generator.render import annotation_text

STR, INT = Scalar("str"), Scalar("int")


def plan_of(endpoint: str, types: str = "") -> Plan:
    text = f"@lap v0.3\n@api Annotations\n@endpoints 1\n{types}\n{endpoint}\n\n@end\n".encode()
    result = read_spec(text)
    assert result.api is not None, [d.message for d in result.diagnostics]
    return build_plan(result.api, Config(), spec_name="t.lap", spec_bytes=text)


def only_method(plan: Plan) -> MethodPlan:
    (method,) = plan.all_methods()
    return method


# ---------------------------------------------------------------------------------------------
# The planner: a param's type as written → its annotation
# ---------------------------------------------------------------------------------------------

TYPES = "@type Address {city: str}"
PARAM_CASES = [
    ("int", INT),
    ("num", Scalar("float")),
    ("bool", Scalar("bool")),
    ("bytes", STR),
    ("file", Scalar("bytes")),
    ("any", ANY),
    ("any?", ANY),  # Any already admits None
    ("str?", Nullable(STR)),
    ("map", JSON_OBJECT),
    ("[str]", ListOf(STR)),
    ("[[int]]", ListOf(ListOf(INT))),
    ("map<str,int>", DictOf(STR, INT)),
    ("map<any,int>", DictOf(STR, INT)),  # a JSON object's keys are strings
    ("enum(A/B)", LiteralOf(("A", "B"))),  # a request sends one of the values
    ("Address", ModelRef("Address")),
    ("Address?", Nullable(ModelRef("Address"))),
    ("[Address]", ListOf(ModelRef("Address"))),
    ("Nowhere", ANY),  # a reference to no declared type: any JSON
    ("map{}", JSON_OBJECT),
    ("map{n: int}", ModelRef("Thing")),  # an inline object is a model named by its param
    ("[map{n: int}]", ListOf(ModelRef("Thing"))),
]


@pytest.mark.parametrize(("written", "expected"), PARAM_CASES)
def test_param_type_decides_its_annotation(written: str, expected: Annotation) -> None:
    plan = plan_of(f"@endpoint POST /things\n@required {{thing: {written}}}", TYPES)
    (param,) = only_method(plan).params
    assert param.annotation == expected
    assert model_names(param.annotation) <= {model.name for model in plan.models}


RETURN_CASES = [
    ("@returns(204)", NONE, "discard"),
    ("@returns(200) Some text", ANY, "passthrough"),
    ("@returns(200) → Address", ModelRef("Address"), "model"),
    ("@returns(200) → [Address]", ListOf(ModelRef("Address")), "model_list"),
    ("@returns(200) → [str]", ListOf(STR), "passthrough"),
    ("@returns(200) {id: str}", ModelRef("ThingsCreateResponse"), "model"),
]


@pytest.mark.parametrize(("returns", "expected", "cast"), RETURN_CASES)
def test_response_decides_the_return_annotation(
    returns: str, expected: Annotation, cast: str
) -> None:
    method = only_method(plan_of(f"@endpoint POST /things\n{returns}", TYPES))
    assert (method.returns, method.cast.kind) == (expected, cast)


def test_enum_in_a_response_field_is_read_as_any_string() -> None:
    plan = plan_of("@endpoint GET /things\n@returns(200) {role: enum(A/B)?}")
    (model,) = plan.models
    assert [field.annotation for field in model.fields] == [Nullable(STR)]


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda path: path.name)
def test_every_model_reference_names_a_generated_model(spec: Path) -> None:
    """Final names, no placeholders: what an annotation refers to is a class models.py has."""
    try:
        plan = load(spec).plan
    except SpecError:  # a spec with no HTTP SDK (test_planner_types checks why)
        return
    models = {model.name for model in plan.models}
    annotations = [field.annotation for model in plan.models for field in model.fields]
    for method in plan.all_methods():
        annotations += [method.returns, *(p.annotation for p in method.params)]
        if method.cast.kind in ("model", "model_list"):
            assert method.cast.model in models
    for annotation in annotations:
        assert model_names(annotation) <= models, annotation


# ---------------------------------------------------------------------------------------------
# The templates: annotation data → text
# ---------------------------------------------------------------------------------------------

TEXT_CASES = [
    (STR, "str", "str"),
    (NONE, "None", "None"),
    (ANY, "Any", "Any"),
    (ModelRef("User"), "models.User", "User"),
    (ListOf(ModelRef("User")), "List[models.User]", "List[User]"),
    (DictOf(STR, ListOf(ANY)), "Dict[str, List[Any]]", "Dict[str, List[Any]]"),
    (Nullable(ModelRef("User")), "models.User | None", "User | None"),
    (ListOf(Nullable(INT)), "List[int | None]", "List[int | None]"),
    # Through escape.python_string: a control character is an escape, never a raw byte.
    # Quoted as black writes them: the quote that needs fewer escapes.
    (LiteralOf(("a", 'b"\n')), r"""Literal["a", 'b"\x0a']""", r"""Literal["a", 'b"\x0a']"""),
]


@pytest.mark.parametrize(("annotation", "qualified", "bare"), TEXT_CASES)
def test_annotation_text(annotation: Annotation, qualified: str, bare: str) -> None:
    assert annotation_text(annotation) == qualified
    assert annotation_text(annotation, qualified=False) == bare


def test_every_kind_has_a_macro_and_an_unknown_one_is_refused() -> None:
    samples = {type(a) for a, _, _ in TEXT_CASES} | {AnyValue}
    assert samples == set(get_args(Annotation))

    class Unknown:  # a kind added to the union without a macro
        kind = "tuple"

    with pytest.raises(TypeError, match="no macro"):
        annotation_text(Unknown())  # type: ignore[arg-type]


def test_a_model_reference_must_be_a_class_name() -> None:
    for bad in ("", "models.User", "A B", "x)]; import os; ("):
        with pytest.raises(ValueError, match="class name"):
            ModelRef(bad)
    with pytest.raises(ValueError):
        LiteralOf(())


def test_nullable_leaves_any_none_and_nullable_alone() -> None:
    assert [nullable(a) for a in (ANY, NONE, Nullable(STR))] == [ANY, NONE, Nullable(STR)]
    assert nullable(ListOf(STR)) == Nullable(ListOf(STR))


def test_renamed_renames_model_references_only() -> None:
    before = DictOf(STR, Nullable(ListOf(ModelRef("Old"))))
    after = renamed(before, {"Old": "New", "str": "Nope"})
    assert after == DictOf(STR, Nullable(ListOf(ModelRef("New"))))
    assert renamed(LiteralOf(("Old",)), {"Old": "New"}) == LiteralOf(("Old",))


# ---------------------------------------------------------------------------------------------
# Property: any annotation tree prints as a Python expression that reads back as the same tree
# ---------------------------------------------------------------------------------------------

SCALARS: tuple[ScalarName, ...] = get_args(ScalarName)
TYPING_NAMES = {"Any", "List", "Dict", "Literal", "models"}
model_name = st.from_regex(r"[A-Z][A-Za-z0-9_]{0,12}", fullmatch=True).filter(
    lambda name: name not in TYPING_NAMES and not keyword.iskeyword(name)
)
leaves = st.one_of(
    st.sampled_from(SCALARS).map(Scalar),
    st.just(ANY),
    model_name.map(ModelRef),
    st.lists(st.text(max_size=6), min_size=1, max_size=3).map(lambda v: LiteralOf(tuple(v))),
)
annotations = st.recursive(
    leaves,
    lambda inner: st.one_of(
        inner.map(ListOf),
        st.tuples(inner, inner).map(lambda kv: DictOf(*kv)),
        inner.map(Nullable),
    ),
    max_leaves=8,
)


def read_back(node: ast.expr, qualified: bool) -> Annotation:
    """The annotation a printed expression stands for (the inverse of the macros)."""
    match node:
        case ast.Constant(value=None):
            return NONE
        case ast.Name(id="Any"):
            return ANY
        case ast.Name(id=name) if name in SCALARS:
            return Scalar(name)  # type: ignore[arg-type]
        case ast.Attribute(value=ast.Name(id="models"), attr=name) if qualified:
            return ModelRef(name)
        case ast.Name(id=name) if not qualified:
            return ModelRef(name)
        case ast.Subscript(value=ast.Name(id="List"), slice=item):
            return ListOf(read_back(item, qualified))
        case ast.Subscript(value=ast.Name(id="Dict"), slice=ast.Tuple(elts=[key, value])):
            return DictOf(read_back(key, qualified), read_back(value, qualified))
        case ast.Subscript(value=ast.Name(id="Literal"), slice=ast.Tuple(elts=values)):
            return LiteralOf(tuple(ast.literal_eval(value) for value in values))
        case ast.Subscript(value=ast.Name(id="Literal"), slice=value):
            return LiteralOf((ast.literal_eval(value),))
        case ast.BinOp(left=inner, op=ast.BitOr(), right=ast.Constant(value=None)):
            return Nullable(read_back(inner, qualified))
    raise AssertionError(f"not an annotation: {ast.dump(node)}")


@settings(max_examples=150, deadline=None)
@given(annotations, st.booleans())
def test_rendered_annotations_parse_and_round_trip(annotation: Annotation, qualified: bool) -> None:
    text = annotation_text(annotation, qualified=qualified)
    tree = ast.parse(text, mode="eval")
    assert read_back(tree.body, qualified) == annotation, text
    names = {a.name for a in walk(annotation) if isinstance(a, ModelRef)}
    assert names == model_names(annotation)
