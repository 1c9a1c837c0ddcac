"""Placement: a param in, where it goes on the wire out (README "Placement")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from regenerate import REPO

from generator import ir
from generator.pipeline import load
from generator.placement import (
    STANDARD_HEADERS,
    is_header_name,
    is_structured,
    listed_before_the_body,
    place,
)

AT = ir.Pos(1, 1)
STR = ir.Primitive("str")
POINT = ir.ObjectType((ir.Field("x", ir.TypeSpec(ir.Primitive("int")), AT),))


def field(name: str, expr: ir.TypeExpr = STR) -> ir.Field:
    return ir.Field(name, ir.TypeSpec(expr), AT)


CASES = [
    # (method, name, type, expected)
    ("GET", "id", STR, "path"),
    ("GET", "limit", STR, "query"),
    ("POST", "name", STR, "body"),
    # Standard request headers, in any case.
    ("GET", "If-None-Match", STR, "header"),
    ("PUT", "If-Match", STR, "header"),
    ("GET", "if-modified-since", STR, "header"),
    ("GET", "Range", STR, "header"),
    ("PUT", "Content-MD5", STR, "header"),
    ("POST", "Digest", STR, "header"),
    ("GET", "Accept", STR, "header"),
    ("GET", "accept-language", STR, "header"),
    ("POST", "Idempotency-Key", STR, "header"),
    ("GET", "X-Request-Id", STR, "header"),
    ("GET", "Notion-Version", STR, "header"),
    ("GET", "api-key", STR, "header"),
    ("GET", "access-token", STR, "header"),
    # Not headers: ordinary query names, even ones that look like header words.
    ("GET", "from", STR, "query"),
    ("GET", "date", STR, "query"),
    ("GET", "range_start", STR, "query"),
    ("GET", "token", STR, "query"),  # unless @auth says it is a header (below)
    # A header-named param that holds an object cannot be a header.
    ("POST", "X-Filter", POINT, "body"),
    # Objects and arrays of objects never go in a query string.
    ("GET", "filter", POINT, "body"),
    ("DELETE", "filters", ir.ArrayType(POINT), "body"),
    ("HEAD", "point", ir.RefType("Point"), "body"),
    # A map without fields, a list of scalars, an unknown ref: the query can carry them.
    ("GET", "tags", ir.ArrayType(STR), "query"),
    ("GET", "meta", ir.Primitive("map"), "query"),
    ("GET", "thing", ir.RefType("Unknown"), "query"),
]


@pytest.mark.parametrize(("method", "name", "expr", "expected"), CASES, ids=[c[1] for c in CASES])
def test_placement_rule(method: str, name: str, expr: ir.TypeExpr, expected: str) -> None:
    got = place(method, field(name, expr), ["id"], named_types={"Point"})
    assert got == expected


def test_the_auth_header_name_is_a_header() -> None:
    assert place("GET", field("token"), [], auth_headers=["token"]) == "header"
    assert place("GET", field("Token"), [], auth_headers=["token"]) == "header"


SCALARS = st.sampled_from([STR, ir.Primitive("int"), ir.EnumType("str", ("a", "b"), "str(a/b)")])


@st.composite
def structured(draw: st.DrawFn) -> ir.TypeExpr:
    base = draw(st.sampled_from([POINT, ir.RefType("Point")]))
    for _ in range(draw(st.integers(0, 2))):
        base = ir.ArrayType(base)
    return base


NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,20}", fullmatch=True)
METHODS = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])


@given(METHODS, NAMES, structured())
def test_models_never_go_in_the_query_or_a_header(
    method: str, name: str, expr: ir.TypeExpr
) -> None:
    assert is_structured(expr, {"Point"})
    assert place(method, field(name, expr), [], named_types={"Point"}) == "body"


@given(METHODS, NAMES, SCALARS)
def test_scalars_go_by_name_then_method(method: str, name: str, expr: ir.TypeExpr) -> None:
    got = place(method, field(name, expr), [])
    if is_header_name(name):
        assert got == "header"
    else:
        assert got == ("query" if method in ("GET", "DELETE", "HEAD", "OPTIONS") else "body")


@given(st.sampled_from(sorted(STANDARD_HEADERS)), st.lists(st.booleans(), min_size=40))
def test_standard_headers_are_recognised_in_any_case(header: str, upper: list[bool]) -> None:
    written = "".join(c.upper() if up else c for c, up in zip(header, upper, strict=False))
    assert place("GET", field(written), []) == "header"


COMPILED = REPO / "tests" / "corpus" / "lapsh-names-placement.lap"
# Where the OpenAPI source (lapsh-names-placement.openapi.yaml) puts each non-path param.
# `opt_fields`, a query param of a POST, is listed before the header `If-Match`, so before the
# body's fields: the query. (`channel` of `POST /chat.postMessage` is in the query there too,
# which nothing in the LAP shows: it goes in the body, the one documented miss.)
COMPILED_LOCATIONS = {
    "GET /rest/api/3/goals": {"limit": "query", "If-None-Match": "header", "token": "header"},
    "POST /rest/api/3/goals": {
        "opt_fields": "query",
        "If-Match": "header",
        "name": "body",
        "owner": "body",
    },
    "DELETE /rest/api/3/goals/{goal_gid}": {"filters": "body"},
    "GET /v1/reports/{report_id}/download": {
        "Range": "header",
        "Accept": "header",
        "If-Modified-Since": "header",
    },
    "GET /v1/reports": {"filter": "query", "tags": "query"},
    "PUT /v1/uploads/{upload_id}": {
        "Content-MD5": "header",
        "Digest": "header",
        "Idempotency-Key": "header",
        "data": "body",
    },
}


def test_compiled_openapi_params_land_where_the_rule_says() -> None:
    plan = load(COMPILED).plan
    got = {
        f"{m.http_method} {m.path}": {p.wire: p.location for p in m.params if p.location != "path"}
        for m in plan.all_methods()
    }
    assert {route: got[route] for route in COMPILED_LOCATIONS} == COMPILED_LOCATIONS


def endpoint(method: str, path: str, required: list[str], optional: list[str]) -> ir.Endpoint:
    return ir.Endpoint(
        method,
        path,
        AT,
        required=tuple(field(name) for name in required),
        optional=tuple(field(name) for name in optional),
    )


@pytest.mark.parametrize(
    ("route", "required", "optional", "expected"),
    [
        # lapsh's order: parameters, then body fields; a header or path param ends the first.
        ("POST /goals", [], ["opt_fields", "If-Match", "name"], {"opt_fields"}),
        ("PUT /goals/{id}", ["fields", "id", "name"], [], {"fields"}),
        ("PATCH /goals/{id}", ["id", "name"], ["expand", "Prefer", "note"], {"expand"}),
        # No marker: nothing to go by, everything stays in the body.
        ("POST /goals", ["name"], ["opt_fields"], set()),
        # Each list on its own: a header in @optional says nothing of @required.
        ("POST /goals", ["name"], ["If-Match", "note"], set()),
        # GET and DELETE send their params in the query anyway.
        ("GET /goals", [], ["limit", "If-None-Match"], set()),
    ],
)
def test_params_listed_before_a_header_or_path_param_are_query_params(
    route: str, required: list[str], optional: list[str], expected: set[str]
) -> None:
    method, path = route.split()
    assert listed_before_the_body(endpoint(method, path, required, optional)) == expected


PLAIN = st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True).filter(lambda n: not is_header_name(n))


@given(
    st.lists(PLAIN, max_size=4, unique=True),
    st.lists(PLAIN, max_size=4, unique=True),
    st.sampled_from(["If-Match", "X-Trace", "Idempotency-Key"]),
    st.sampled_from(["POST", "PUT", "PATCH"]),
)
def test_lapsh_order_recovers_the_query_params(
    query: list[str], body: list[str], header: str, method: str
) -> None:
    body = [name for name in body if name not in query]
    listed = endpoint(method, "/things", [], [*query, header, *body])
    assert listed_before_the_body(listed) == set(query)
    placed = {f.name: place(method, f, [], query_names=set(query)) for f in listed.optional}
    assert placed == {
        **dict.fromkeys(query, "query"),
        header: "header",
        **dict.fromkeys(body, "body"),
    }
