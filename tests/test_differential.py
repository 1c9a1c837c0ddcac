"""Differential tests against the reference compiler, lapsh (the ``test`` extra).

Hypothesis draws OpenAPI documents shaped like real ones (awkward names, descriptions full of
punctuation and JSON, nested, nullable and array-of-object schemas, enums, defaults with
commas, path/query/header/body params, several operations per path, ``$ref``s); lapsh compiles
each to LAP in-process; lapgen must validate the result and read the same endpoints, param
names and status codes as lapsh's own parser. ``nox -s differential`` runs many more examples.

Where lapsh's parser itself reads its own output wrongly, ``LAPSH_MISREADS`` says so and the
comparison uses what the OpenAPI document says instead (see ``expected_from_openapi``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from generator import ir
from generator.frontend import read_spec
from generator.writer import write

lap_compilers = pytest.importorskip("lap.core.compilers")
lap_parser = pytest.importorskip("lap.core.parser")

EXAMPLES = int(os.environ.get("LAPGEN_DIFFERENTIAL_EXAMPLES", "120"))
# Shrinking a failure can take minutes; `LAPGEN_DIFFERENTIAL_SHRINK=0` reports it unshrunk.
PHASES = (
    list(Phase)
    if os.environ.get("LAPGEN_DIFFERENTIAL_SHRINK", "1") == "1"
    else [Phase.explicit, Phase.generate]
)

# lapsh's parser (lap.core.parser.parse_lap) misreads some of lapsh's own output. Each entry is
# a class of input and why lapsh is wrong; on such documents lapgen must instead read the routes,
# param names and status codes the OpenAPI document declares (``declared_by_openapi``).
LAPSH_MISREADS = {
    "param-name-charset": (
        "_parse_param only accepts names matching [$a-zA-Z_0-9][$\\w.:-]*: a name with a "
        "space, '/', '@' or '[' is dropped or misnamed"
    ),
    "unbalanced-brace-joins-lines": (
        "parse_lap joins the next lines onto any line with more '{' than '}' (its rule for "
        "blocks continued over lines), so a description holding a lone '{' swallows the "
        "endpoints that follow"
    ),
    "brace-in-an-error-description": (
        "parse_lap ends an @errors block at its first '}', though lapsh writes a description "
        "holding one ('a } b') verbatim: the cases after it are dropped"
    ),
}

# -- OpenAPI documents ------------------------------------------------------------------------

IDENTIFIER = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
AWKWARD_NAMES = st.sampled_from(
    [
        "X-Request-Id",
        "If-Match",
        "user.name",
        "$top",
        "from",
        "class",
        "type",
        "in",
        "global",
        "2fa_code",
        "filter:name",
        "page-size",
        "api_key",
    ]
)
# Names lapsh's own parser cannot read back (LAPSH_MISREADS["param-name-charset"]).
UNREADABLE_BY_LAPSH = st.sampled_from(["Tracking Number", "page[size]", "@type", "a/b"])
NAMES = st.one_of(IDENTIFIER, AWKWARD_NAMES, UNREADABLE_BY_LAPSH)

FRAGMENTS = st.sampled_from(
    [
        "Returns the user.",
        "hints: [jpg?dimensions=32x32][jpg?dimensions=64x64]",
        'e.g. {"something":{"nested":1,"other":2}}',
        "See https://example.com/docs?a=1&b=2#section",
        "**Bold** and `code` and _emphasis_",
        "(optional) one of: a, b, c",
        "Use #hashtags; 100% sure!",
        "<b>HTML</b> &amp; entities",
        "a {lone brace",
        "x = [1, 2, 3]",
        'It\'s "quoted"',
        "tab\there",
        "line one\nline two",
        "| table | cell |",
        "café → naïve",
        "a } b",
        "json {}",
    ]
)
DESCRIPTIONS = st.one_of(
    st.just(""),
    st.lists(FRAGMENTS, min_size=1, max_size=3).map(" ".join),
    # Random text without braces: an unopened `}` right before `, name: TYPE` is ambiguous in
    # LAP (the end of a nested block or text); the fragments above hold braces as real text does.
    st.text(
        st.characters(
            codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters="{}"
        ),
        max_size=30,
    ),
)
ENUM_VALUES = st.lists(
    st.sampled_from(["active", "in-progress", "v1.2", "200", "not set", "A_B", "x"]),
    min_size=2,
    max_size=4,
    unique=True,
)
DEFAULTS = st.one_of(
    st.sampled_from(["id,name", "#FF0000", "asc", "a b", "", "100%"]),
    st.integers(-5, 1000),
    st.booleans(),
    st.just(["A", "B"]),
)
SCALARS = st.one_of(
    st.builds(
        lambda fmt: {"type": "string", **fmt},
        st.sampled_from([{}, {"format": "uuid"}, {"format": "date-time"}]),
    ),
    st.builds(lambda fmt: {"type": "integer", **fmt}, st.sampled_from([{}, {"format": "int32"}])),
    st.just({"type": "number"}),
    st.just({"type": "boolean"}),
    st.builds(lambda values: {"type": "string", "enum": values}, ENUM_VALUES),
)


def with_extras(schema: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A schema, sometimes nullable, described, or with a default."""

    def add(schema: dict[str, Any], nullable: bool, description: str, default: Any) -> Any:
        extra: dict[str, Any] = {}
        if nullable:
            extra["nullable"] = True
        if description:
            extra["description"] = description
        if default is not None and schema.get("type") != "object":
            extra["default"] = default
        return {**schema, **extra}

    return st.builds(
        add, schema, st.booleans(), DESCRIPTIONS, st.one_of(st.none(), st.none(), DEFAULTS)
    )


def objects(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda props, required: {
            "type": "object",
            "properties": props,
            "required": [name for name in props if name in required],
        },
        st.dictionaries(NAMES, children, min_size=1, max_size=4),
        st.sets(NAMES, max_size=3),
    )


SCHEMAS = st.recursive(
    with_extras(SCALARS),
    lambda children: st.one_of(
        with_extras(objects(children)),
        st.builds(lambda items: {"type": "array", "items": items}, children),
        st.just({"$ref": "#/components/schemas/Shared"}),
    ),
    max_leaves=8,
)
SHARED = objects(with_extras(SCALARS))


@st.composite
def operations(draw: st.DrawFn, path_params: list[str], method: str) -> dict[str, Any]:
    parameters = [
        {"name": name, "in": "path", "required": True, "schema": draw(with_extras(SCALARS))}
        for name in path_params
    ]
    for name in draw(st.lists(NAMES, max_size=4, unique=True)):
        where = draw(st.sampled_from(["query", "header"]))
        parameters.append(
            {
                "name": name,
                "in": where,
                "required": draw(st.booleans()),
                "description": draw(DESCRIPTIONS),
                "schema": draw(SCHEMAS),
            }
        )
    operation: dict[str, Any] = {
        "summary": draw(DESCRIPTIONS),
        "parameters": parameters,
        "responses": {},
    }
    if method in ("post", "put", "patch") and draw(st.booleans()):
        body = draw(st.one_of(objects(SCHEMAS), st.just({"$ref": "#/components/schemas/Shared"})))
        operation["requestBody"] = {"content": {"application/json": {"schema": body}}}
    for code in draw(
        st.lists(
            st.sampled_from(["200", "201", "204", "400", "404", "422"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    ):
        response: dict[str, Any] = {"description": draw(DESCRIPTIONS)}
        if code.startswith("2") and draw(st.booleans()):
            schema = draw(
                st.one_of(objects(SCHEMAS), st.just({"$ref": "#/components/schemas/Shared"}))
            )
            response["content"] = {"application/json": {"schema": schema}}
        operation["responses"][code] = response
    return operation


@st.composite
def openapi_documents(draw: st.DrawFn) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for _ in range(draw(st.integers(1, 4))):
        segments = draw(st.lists(IDENTIFIER, min_size=1, max_size=3))
        path_params = draw(
            st.lists(st.one_of(IDENTIFIER, st.just("Tracking Number")), max_size=2, unique=True)
        )
        path = "/" + "/".join(segments + [f"{{{name}}}" for name in path_params])
        methods = draw(
            st.lists(
                st.sampled_from(["get", "post", "put", "patch", "delete"]),
                min_size=1,
                max_size=3,
                unique=True,
            )
        )
        paths[path] = {method: draw(operations(path_params, method)) for method in methods}
    return {
        "openapi": "3.0.0",
        "info": {
            "title": draw(st.sampled_from(["Drawn API", "Ünïcode API", "API (v2) #1"])),
            "version": "1.0",
        },
        "servers": [{"url": "https://api.example.test/v1"}],
        "paths": paths,
        "components": {"schemas": {"Shared": draw(SHARED)}},
    }


# -- the comparison ---------------------------------------------------------------------------


def compile_with_lapsh(document: dict[str, Any], lean: bool = False) -> str:
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "openapi.json"
        source.write_text(json.dumps(document), encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            text: str = lap_compilers.compile(str(source)).to_lap(lean=lean)
    return text


def lapsh_reads(text: str) -> list[tuple[str, str, list[str], list[str], list[str]]]:
    """What lapsh's parser reads: per endpoint, the route, param names, status codes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = lap_parser.parse_lap(text)
    common = [p.name for p in spec.common_fields]
    return [
        (
            endpoint.method.upper(),
            endpoint.path,
            [p.name for p in endpoint.required_params],
            [p.name for p in endpoint.optional_params] + common,
            [r.status_code for r in endpoint.response_schemas]
            + [e.code for e in endpoint.error_schemas],
        )
        for endpoint in spec.endpoints
    ]


def lapgen_reads(api: ir.API) -> list[tuple[str, str, list[str], list[str], list[str]]]:
    common = [f.name for f in api.common_fields]
    return [
        (
            endpoint.method,
            endpoint.path,
            [f.name for f in endpoint.required],
            [f.name for f in endpoint.optional] + common,
            [r.code for r in endpoint.responses] + [e.code for e in endpoint.errors],
        )
        for endpoint in api.endpoints
    ]


_LAPSH_NAME = re.compile(r"[$a-zA-Z_\d][$\w.:-]*")
Read = list[tuple[str, str, list[str], list[str], list[str]]]


def lapsh_misreads(text: str, document: dict[str, Any]) -> str | None:
    """Which LAPSH_MISREADS entry applies to this document, if any."""
    lines = text.split("\n")
    if any(line.count("{") > line.count("}") for line in lines):
        return "unbalanced-brace-joins-lines"
    if any(line.startswith("@errors") and line.count("}") > 1 for line in lines):
        return "brace-in-an-error-description"
    names = [name for operation in declared_by_openapi(document) for name in operation[2]]
    if not all(_LAPSH_NAME.fullmatch(name) for name in names):
        return "param-name-charset"
    return None


def declared_by_openapi(document: dict[str, Any]) -> list[tuple[str, str, list[str], list[str]]]:
    """Per operation, in lapsh's order: route, sorted param names, status codes."""
    found = []
    for path, operations_of_path in document["paths"].items():
        for method, operation in operations_of_path.items():
            names = [p["name"] for p in operation["parameters"]]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            schema = body.get("schema", {})
            if "$ref" in schema:
                schema = document["components"]["schemas"]["Shared"]
            names += [name for name in schema.get("properties", {}) if name.strip()]
            codes = list(operation["responses"])
            # lapsh: 2XX are @returns, then the others (but `default`) are @errors.
            codes = [c for c in codes if c.startswith("2")] + [
                c for c in codes if not c.startswith("2") and c != "default"
            ]
            found.append((method.upper(), path, sorted(names), codes))
    return found


def assert_agrees(text: str, document: dict[str, Any]) -> None:
    result = read_spec(text)
    assert result.errors == (), "\n".join(
        [f"{d.line}:{d.column}: {d.message}" for d in result.errors]
        + [f"{n:4} {line}" for n, line in enumerate(text.split("\n"), start=1)]
    )
    assert result.api is not None
    written = write(result.api)  # the writer keeps every drawn form
    assert read_spec(written).api == result.api, written
    ours = lapgen_reads(result.api)
    theirs = lapsh_reads(text)
    if lapsh_misreads(text, document) is None:
        assert ours == theirs
    else:
        # lapsh's reading is wrong here: lapgen must read what the OpenAPI document declares.
        common = [f.name for f in result.api.common_fields]
        assert [
            (method, path, sorted(set(required + optional)), codes)
            for method, path, required, optional, codes in ours
        ] == [
            (method, path, sorted(set(names + common)), codes)
            for method, path, names, codes in declared_by_openapi(document)
        ]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=PHASES,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(openapi_documents(), st.booleans())
def test_lapgen_reads_what_lapsh_compiles_as_lapsh_reads_it(
    document: dict[str, Any], lean: bool
) -> None:
    assert_agrees(compile_with_lapsh(document, lean), document)


@pytest.mark.parametrize("lean", [False, True], ids=["full", "lean"])
def test_a_document_with_every_drawn_form(lean: bool) -> None:
    """One fixed document with every hostile form at once, full and lean."""
    hints = 'hints: [a][b] {"x":{"y":1}}'
    hostile = {"type": "string", "default": "id,name"}
    document = {
        "openapi": "3.0.0",
        "info": {"title": "Fixed", "version": "1"},
        "paths": {
            "/tracking/{Tracking Number}": {
                "get": {
                    "parameters": [
                        {
                            "name": "Tracking Number",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "If-Match",
                            "in": "header",
                            "description": hints,
                            "schema": hostile,
                        },
                        {
                            "name": "color",
                            "in": "query",
                            "schema": {"type": "string", "default": "#FF0000"},
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "error": {
                                                "type": "object",
                                                "nullable": True,
                                                "properties": {"code": {"type": "string"}},
                                            }
                                        },
                                    }
                                }
                            },
                        }
                    },
                },
            }
        },
    }
    text = compile_with_lapsh(document, lean)
    assert "map?{" in text
    assert_agrees(text, document)
    api = read_spec(text).api
    assert api is not None
    (endpoint,) = api.endpoints
    by_name = {f.name: f for f in endpoint.params}
    color = by_name["color"].default
    assert color is not None and color.raw == "#FF0000"
    if_match = by_name["If-Match"]
    assert if_match.default is not None and if_match.default.raw == "id,name"
    if not lean:
        assert if_match.comment == hints
