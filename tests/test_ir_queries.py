"""The IR's queries: the one definition of rules the planner, the mock, diff and tests share.

Each table gives a spec fragment and the answer; the planner and the mock are then checked to
agree with the IR on the method sets (they drifted once: the mock refused TRACE).
"""

from __future__ import annotations

import asyncio
import typing
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import ir
from generator.config import Config
from generator.frontend import parse
from generator.mock import MockApp
from generator.plan import build_plan, plan_json


def spec(body: str, header: str = "") -> ir.API:
    return parse(f"@lap v0.3\n@api Queries\n{header}{body}\n@end\n")


def endpoint_of(body: str, header: str = "") -> tuple[ir.API, ir.Endpoint]:
    api = spec(body, header)
    (endpoint,) = api.endpoints
    return api, endpoint


# ---------------------------------------------------------------------------------------------
# Path params
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/users", ()),
        ("/users/{id}", ("id",)),
        ("/users/{user_id}/posts/{post_id}", ("user_id", "post_id")),
        ("/{{baseUrl}}/collections/{{name}}", ("baseUrl", "name")),  # Postman variables
        ("/a/{x}{y}.json", ("x", "y")),  # two params in one segment
        ("/a/{}", ()),  # empty braces name nothing
        ("/files/{path}/{path}", ("path", "path")),  # repeats kept: the planner dedups
        ("/v1/{project-id}/keys", ("project-id",)),
    ],
)
def test_path_params(path: str, names: tuple[str, ...]) -> None:
    assert ir.path_params(path) == names
    _, endpoint = endpoint_of(f"@endpoint GET {path}")
    assert endpoint.path_params == names


@given(st.lists(st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,12}", fullmatch=True), max_size=4))
@settings(max_examples=60, deadline=None)
def test_path_params_finds_every_braced_name(names: list[str]) -> None:
    """Braced names between literal segments come back in order, one or two braces alike."""
    path = "/root" + "".join(
        f"/lit{index}/{'{{' if index % 2 else '{'}{name}{'}}' if index % 2 else '}'}"
        for index, name in enumerate(names)
    )
    assert ir.path_params(path) == tuple(names)


# ---------------------------------------------------------------------------------------------
# The success response
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("returns", "code"),
    [
        ([], None),
        (["404", "500"], None),
        (["200"], "200"),
        (["404", "201", "200"], "201"),  # the first 2xx in spec order
        (["OK"], "OK"),  # what some converters write
        (["default", "204"], "204"),
        (["2XX"], "2XX"),
        (["302"], None),
    ],
)
def test_success_response(returns: list[str], code: str | None) -> None:
    lines = "".join(f"\n@returns({c}) {{a: int}}" for c in returns)
    _, endpoint = endpoint_of(f"@endpoint GET /a{lines}")
    success = endpoint.success
    assert (success.code if success else None) == code
    assert ir.is_success_code(code) if code else True


# ---------------------------------------------------------------------------------------------
# Fields of a type, declared params, response fields
# ---------------------------------------------------------------------------------------------

TYPES = "@type User {id: str, name: str?}\n@type Empty {}\n"


@pytest.mark.parametrize(
    ("type_text", "names"),
    [
        ("User", ("id", "name")),
        ("Missing", None),  # an undefined reference: no fields known
        ("Empty", ()),
        ("map{a: int, b!: str}", ("a", "b")),
        ("map{}", ()),
        ("Point{x: num, y: num}", ("x", "y")),
        ("[User]", None),
        ("map<str,User>", None),
        ("str", None),
        ("str(a/b)", None),
        ("map", None),
    ],
)
def test_fields_of(type_text: str, names: tuple[str, ...] | None) -> None:
    api = spec(f"@type Holder {{value: {type_text}}}", TYPES)
    holder = api.type_named("Holder")
    assert holder is not None
    fields = api.fields_of(holder.fields[0].type.expr)
    assert (None if fields is None else tuple(f.name for f in fields)) == names
    assert api.fields_of(None) is None


@pytest.mark.parametrize(
    ("body", "header", "expected"),
    [
        # name → where its field comes from (its type's text tells them apart)
        ("@endpoint GET /a", "", {}),
        ("@endpoint GET /a\n@required {q: str}\n@optional {n: int}", "", {"q": "str", "n": "int"}),
        (
            "@endpoint GET /a\n@optional {n: int}",
            "@common_fields {api_key: str}\n",
            {"api_key": "str", "n": "int"},
        ),
        ("@endpoint POST /a\n@body → User", TYPES, {"id": "str", "name": "str?"}),
        ("@endpoint POST /a\n@body → Missing", TYPES, {}),
        ("@endpoint POST /a\n@body → map{x: int}", "", {"x": "int"}),
        # An endpoint param wins over a common field, which wins over a body field.
        (
            "@endpoint POST /a\n@body → map{id: bool, k: bool, z: bool}\n@required {id: int}",
            "@common_fields {k: num}\n",
            {"k": "num", "id": "int", "z": "bool"},
        ),
    ],
)
def test_declared_params(body: str, header: str, expected: dict[str, str]) -> None:
    api, endpoint = endpoint_of(body, header)
    declared = {
        name: ir.type_text(field.type) for name, field in api.declared_params(endpoint).items()
    }
    assert declared == expected
    # Common fields come first, then the endpoint's own params, then the body's.
    assert list(declared) == list(expected)


def test_declared_params_keep_the_ir_fields() -> None:
    api, endpoint = endpoint_of("@endpoint POST /a\n@body → User\n@required {q: str}", TYPES)
    declared = api.declared_params(endpoint)
    user = api.type_named("User")
    assert user is not None
    assert declared["id"] is user.fields[0] and declared["q"] is endpoint.required[0]
    assert api.body_fields(endpoint) == user.fields


@pytest.mark.parametrize(
    ("returns", "names"),
    [
        ("@returns(200) {a: int, b: str}", ("a", "b")),
        ("@returns(200) → User", ("id", "name")),
        ("@returns(200) → [User]", None),
        ("@returns(200) → Missing", None),
        ("@returns(200) plain text", None),
        ("@returns(404) {a: int}", None),  # no success response
    ],
)
def test_response_fields(returns: str, names: tuple[str, ...] | None) -> None:
    api, endpoint = endpoint_of(f"@endpoint GET /a\n{returns}", TYPES)
    fields = api.response_fields(endpoint.success)
    assert (None if fields is None else tuple(f.name for f in fields)) == names


# ---------------------------------------------------------------------------------------------
# Method sets: the planner and the mock follow the IR's
# ---------------------------------------------------------------------------------------------


def test_method_sets() -> None:
    assert ir.QUERY_METHODS < ir.HTTP_METHODS
    assert {"GET", "TRACE", "HEAD"} <= ir.QUERY_METHODS
    assert not {"POST", "PUT", "PATCH"} & ir.QUERY_METHODS


@pytest.mark.parametrize("method", sorted(ir.HTTP_METHODS))
def test_planner_places_params_by_the_query_method_set(method: str) -> None:
    api = spec(f"@endpoint {method} /things/{{id}}\n@optional {{q: str}}")
    plan = build_plan(api, Config(), spec_name="q.lap", spec_bytes=b"")
    (endpoint,) = plan_json(plan)["endpoints"]  # type: ignore[index]
    places = {p["wire"]: p["in"] for p in endpoint["params"]}
    assert places == {"id": "path", "q": "query" if method in ir.QUERY_METHODS else "body"}


@pytest.mark.parametrize("method", sorted(ir.HTTP_METHODS))
def test_mock_serves_every_http_method(method: str) -> None:
    api = spec(f"@endpoint {method} /things/{{id}}\n@returns(200) {{id: str}}")
    plan = build_plan(api, Config(), spec_name="q.lap", spec_bytes=b"")

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=MockApp(api, plan))
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            return await client.request(method, "/things/7")

    response = asyncio.run(call())
    assert response.status_code == 200, response.text
    if method != "HEAD":
        assert set(response.json()) == {"id"}


# ---------------------------------------------------------------------------------------------
# Types as text
# ---------------------------------------------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "id", "created_at", "x_1"])
PRIMITIVES = st.builds(
    ir.Primitive,
    st.sampled_from(sorted(ir.PRIMITIVES - {"map"})),
    st.sampled_from([None, None, "int64", "date-time", "uuid"]),
)
ENUMS = st.lists(
    st.sampled_from(["on", "off", "auto", "v2"]), min_size=1, max_size=3, unique=True
).map(lambda values: ir.EnumType("enum", tuple(values), f"enum({'/'.join(values)})"))


def _objects(children: st.SearchStrategy[ir.TypeExpr]) -> st.SearchStrategy[ir.TypeExpr]:
    field = st.builds(
        lambda name, expr, nullable, required, comment: ir.Field(
            name, ir.TypeSpec(expr, nullable), ir.Pos(1, 1), required, None, comment
        ),
        NAMES,
        children,
        st.booleans(),
        st.booleans(),
        st.sampled_from([None, "a note"]),
    )
    fields = st.lists(field, min_size=1, max_size=3, unique_by=lambda f: f.name).map(tuple)
    return st.builds(ir.ObjectType, fields, st.sampled_from([None, "Inline"]))


TYPE_EXPRS: st.SearchStrategy[ir.TypeExpr] = st.recursive(
    st.one_of(PRIMITIVES, ENUMS, st.sampled_from([ir.RefType("User"), ir.Primitive("map")])),
    lambda children: st.one_of(
        st.builds(ir.ArrayType, children),
        st.builds(ir.DictType, st.just(ir.Primitive("str")), children),
        _objects(children),
    ),
    max_leaves=8,
)


@given(TYPE_EXPRS, st.booleans())
@settings(max_examples=150, deadline=None)
def test_type_text_parses_back(expr: ir.TypeExpr, nullable: bool) -> None:
    """What ``type_text`` writes is LAP the front end reads back as the same type."""
    text = ir.type_text(ir.TypeSpec(expr, nullable))
    api = spec(f"@type Holder {{value: {text}}}", "@type User {id: str}\n")
    holder = api.type_named("Holder")
    assert holder is not None
    assert holder.fields[0].type == ir.TypeSpec(expr, nullable), text


def _without_notes(expr: ir.TypeExpr) -> ir.TypeExpr:
    match expr:
        case ir.ObjectType():
            return attrs.evolve(
                expr,
                fields=tuple(
                    attrs.evolve(
                        f,
                        comment=None,
                        type=attrs.evolve(f.type, expr=_without_notes(f.type.expr)),
                    )
                    for f in expr.fields
                ),
            )
        case ir.ArrayType():
            return ir.ArrayType(_without_notes(expr.items))
        case ir.DictType():
            return ir.DictType(expr.key, _without_notes(expr.value))
        case _:
            return expr


@given(TYPE_EXPRS)
@settings(max_examples=100, deadline=None)
def test_canonical_type_text_ignores_comments(expr: ir.TypeExpr) -> None:
    """``lapgen diff`` compares canonical text: a reworded comment is not a type change."""
    canonical = ir.type_text(expr, as_written=False)
    assert canonical == ir.type_text(_without_notes(expr), as_written=False)
    assert "#" not in canonical
    if "#" not in ir.type_text(expr):
        assert canonical == ir.type_text(expr)


@pytest.mark.parametrize(
    ("written", "as_written", "canonical"),
    [
        ("str(a/b)", "str(a/b)", "str(a/b)"),
        ("enum(x/y)", "enum(x/y)", "enum(x/y)"),
        ("map{a: int=3 # note}", "map{a: int=3 # note}", "map{a: int}"),
        ("[Foo]{f!: int}", "[Foo]{f!: int}", "[Foo]{f!: int}"),
        ("map<str,[int]>?", "map<str,[int]>?", "map<str,[int]>?"),
        ("str(date-time)", "str(date-time)", "str(date-time)"),
    ],
)
def test_type_text_table(written: str, as_written: str, canonical: str) -> None:
    api = spec(f"@type Holder {{value: {written}}}")
    holder = api.type_named("Holder")
    assert holder is not None
    value = holder.fields[0].type
    assert ir.type_text(value) == as_written
    assert ir.type_text(value, as_written=False) == canonical


def test_every_type_kind_has_a_text_and_an_unknown_kind_fails_loudly() -> None:
    """The dispatch is exhaustive (mypy checks it); at run time a new kind is an error."""
    samples: dict[type, Any] = {
        ir.Primitive: ir.Primitive("str"),
        ir.EnumType: ir.EnumType("enum", ("a",), "enum(a)"),
        ir.ArrayType: ir.ArrayType(ir.Primitive("int")),
        ir.DictType: ir.DictType(ir.Primitive("str"), ir.Primitive("int")),
        ir.ObjectType: ir.ObjectType(()),
        ir.RefType: ir.RefType("User"),
    }
    assert set(typing.get_args(ir.TypeExpr)) == set(samples)
    for sample in samples.values():
        assert ir.type_text(sample)

    @attrs.frozen
    class TupleType:  # a type syntax the IR does not know yet
        items: tuple[str, ...]

    with pytest.raises(AssertionError):
        ir.type_text(TupleType(("a",)))  # type: ignore[arg-type]
    with pytest.raises(AssertionError):
        ir.API("v0.3", "x", ir.Pos(1, 1)).fields_of(TupleType(("a",)))  # type: ignore[arg-type]
