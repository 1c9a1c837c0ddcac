"""The front end (``generator.frontend``): real files, every corner of the format, broken input.

Issue #2. Inline specs are built with ``lap(...)``: line 1 is ``@lap v0.3``, line 2 ``@api Test``,
so the first line passed in is line 3.
"""

from __future__ import annotations

import itertools
import re
from functools import cache
from pathlib import Path

import pytest
from conftest import SAMPLES_DIR, SPEC_FILES, STYTCH

from generator import frontend, ir
from generator.diagnostics import Diagnostic, LapError
from generator.frontend import HTTP_METHODS, ParseResult, parse, read_spec, source_lines

# The samples that are not plain HTTP: which methods each uses.
NON_HTTP = {
    "example-protobuf-user.lap": {"UNARY", "CLIENT-STREAM"},
    "example-asyncapi-streetlights-mqtt.lap": {"PUB", "SUB"},
}
GRAPHQL = {"example-graphql-github.lap"}  # `@lap v0.1`
LAP_FILES = [path for path in SPEC_FILES if path.name not in GRAPHQL]
HTTP_FILES = [path for path in LAP_FILES if path.name not in NON_HTTP]


def ids(paths: list[Path]) -> list[str]:
    return [path.name for path in paths]


@cache
def read_file(path: Path, accelerate: bool = True) -> ParseResult:
    return read_spec(path.read_bytes(), accelerate=accelerate)


def lap(*lines: str) -> str:
    return "\n".join(["@lap v0.3", "@api Test", *lines, "@end"]) + "\n"


def valid(text: str) -> ir.API:
    """The IR of a spec that must have no errors (warnings allowed)."""
    result = read_spec(text)
    assert result.errors == ()
    assert result.api is not None
    return result.api


def clean(text: str) -> ir.API:
    """The IR of a spec that must have no diagnostic at all."""
    result = read_spec(text)
    assert result.diagnostics == ()
    assert result.api is not None
    return result.api


def one_endpoint(*lines: str) -> ir.Endpoint:
    (endpoint,) = valid(lap("@endpoint GET /x", *lines)).endpoints
    return endpoint


def only(result: ParseResult, severity: str) -> Diagnostic:
    found = [d for d in result.diagnostics if d.severity == severity]
    assert len(found) == 1, result.diagnostics
    return found[0]


def field(name: str, expr: ir.TypeExpr, **kwargs: object) -> ir.Field:
    """A Field to compare with (positions do not take part in equality)."""
    spec = ir.TypeSpec(expr, bool(kwargs.pop("nullable", False)))
    return ir.Field(name, spec, ir.Pos(0, 0), **kwargs)  # type: ignore[arg-type]


STR, INT = ir.Primitive("str"), ir.Primitive("int")


def endpoint_lines(text: str) -> list[tuple[int, str]]:
    """(line, method) of every `@endpoint`, read from the text without the front end."""
    return [
        (number, line.split()[1])
        for number, line in enumerate(text.split("\n"), start=1)
        if line.startswith("@endpoint ")
    ]


# ---------------------------------------------------------------------------------------------
# 1. Real files
# ---------------------------------------------------------------------------------------------


def test_the_samples_are_there() -> None:
    names = set(ids(SPEC_FILES))
    assert len(names) >= 23
    assert set(NON_HTTP) | GRAPHQL | {"stytch.lap", "openapi-petstore.lean.lap"} <= names


@pytest.mark.parametrize("path", LAP_FILES, ids=ids(LAP_FILES))
def test_every_file_has_its_declared_endpoint_count(path: Path) -> None:
    text = path.read_text("utf-8")
    declared_line = re.search(r"^@endpoints (\d+)$", text, re.MULTILINE)
    assert declared_line is not None
    declared = int(declared_line.group(1))
    lines = endpoint_lines(text)
    assert len(lines) == declared  # the file itself is complete

    result = read_file(path)
    assert result.api is not None
    assert result.api.declared_endpoints == declared
    assert [endpoint.pos.line for endpoint in result.api.endpoints] == [n for n, _ in lines]
    assert [endpoint.method for endpoint in result.api.endpoints] == [m for _, m in lines]
    assert not [d for d in result.diagnostics if "@endpoints says" in d.message]


@pytest.mark.parametrize("path", HTTP_FILES, ids=ids(HTTP_FILES))
def test_http_files_are_valid(path: Path) -> None:
    result = read_file(path)
    assert result.errors == ()
    assert result.api is not None
    assert {endpoint.method for endpoint in result.api.endpoints} <= HTTP_METHODS
    assert not [d for d in result.warnings if "non-HTTP" in d.message]


@pytest.mark.parametrize("name", sorted(NON_HTTP))
def test_non_http_files_are_valid_with_a_warning_per_endpoint(name: str) -> None:
    path = next(path for path in SPEC_FILES if path.name == name)
    result = read_file(path)
    assert result.errors == ()
    assert result.api is not None
    warned = [d for d in result.warnings if "non-HTTP method" in d.message]
    expected = endpoint_lines(path.read_text("utf-8"))
    assert {method for _, method in expected} == NON_HTTP[name]
    assert [d.line for d in warned] == [line for line, _ in expected]
    for diagnostic, (_, method) in zip(warned, expected, strict=True):
        assert f"non-HTTP method {method}:" in diagnostic.message
        assert diagnostic.column == len("@endpoint ") + 1


def test_the_graphql_dialect_is_rejected() -> None:
    (path,) = [path for path in SPEC_FILES if path.name in GRAPHQL]
    result = read_file(path)
    assert result.api is None
    assert len(result.diagnostics) == 1
    (error,) = result.errors
    assert "unsupported LAP dialect" in error.message
    assert "'v0.1'" in error.message
    assert (error.line, error.column) == (1, len("@lap ") + 1)
    with pytest.raises(LapError, match="unsupported LAP dialect"):
        parse(path.read_bytes())


def test_stytch() -> None:
    result = read_file(STYTCH)
    assert result.diagnostics == ()
    api = result.api
    assert api is not None
    assert (api.name, api.lap_version, api.base_url) == (
        "Stytch API",
        "v0.3",
        "https://api.stytch.com",
    )
    assert len(api.endpoints) == api.declared_endpoints == 184
    assert len(api.groups) == 21
    assert {group.name: len(group.endpoints) for group in api.groups} == {
        entry.name: entry.count for entry in api.toc
    }
    b2b = next(group for group in api.groups if group.name == "b2b")
    assert len(b2b.endpoints) == 97
    assert b2b.endpoints == tuple(e for e in api.endpoints if e.group == "b2b")
    # b2b is reopened: its endpoints come from several runs in document order.
    runs = [name for name, _ in itertools.groupby(e.group for e in api.endpoints)]
    assert runs.count("b2b") == 6
    assert STYTCH.read_text("utf-8").count("\n@group b2b\n") == 6
    assert len(runs) > len(api.groups)
    assert api.auth is not None and api.auth.schemes[0].kind == "basic"


# The hand-written fixtures hold the forms the real files lack (tests/fixtures/realworld.lap).
BACKEND_FILES = SPEC_FILES + sorted((Path(__file__).parent / "fixtures").glob("*.lap"))


@pytest.mark.parametrize("path", BACKEND_FILES, ids=ids(BACKEND_FILES))
def test_lark_cython_and_pure_python_give_the_same_ir(path: Path) -> None:
    pytest.importorskip("lark_cython")
    # The comparison means something only if the accelerated parser is lark-cython's.
    assert type(frontend._parser(True).parser.parser).__module__.startswith("lark_cython")
    assert type(frontend._parser(False).parser.parser).__module__.startswith("lark.")
    fast, slow = read_file(path, True), read_file(path, False)
    assert fast.diagnostics == slow.diagnostics
    assert fast.api == slow.api
    assert repr(fast.api) == repr(slow.api)  # repr shows the positions that == ignores


# ---------------------------------------------------------------------------------------------
# 2. Every corner of lap-format.md
# ---------------------------------------------------------------------------------------------

# -- document-level directives ---------------------------------------------------------------


def test_header_directives() -> None:
    api = clean(
        "@lap v0.3\n# a comment line, with: anything {\n@api Stytch API\n"
        "@base https://api.stytch.com\n@version 1.0.0\n@end\n"
    )
    assert (api.lap_version, api.name, api.base_url, api.version) == (
        "v0.3",
        "Stytch API",
        "https://api.stytch.com",
        "1.0.0",
    )
    assert api.endpoints == api.groups == ()


def test_lap_v02_is_read() -> None:
    assert clean("@lap v0.2\n@api Old\n@end\n").lap_version == "v0.2"


def test_common_fields_are_kept_and_count_as_params_of_every_endpoint() -> None:
    api = clean(
        lap(
            "@common_fields {project_id: str # Your project, X-Trace-Id: str?}",
            "@endpoint GET /projects/{project_id}",  # path param given by @common_fields
        )
    )
    assert api.common_fields == (
        field("project_id", STR, comment="Your project"),
        field("X-Trace-Id", STR, nullable=True),
    )
    assert api.endpoints[0].required == ()


def test_hints() -> None:
    api = clean(lap("@hint download_for_search", "@hint another hint"))
    assert api.hints == ("download_for_search", "another hint")


def test_toc() -> None:
    api = clean(
        lap(
            "@toc users(1), b2b(2)",
            "@group users",
            "@endpoint GET /u",
            "@endgroup",
            "@group b2b",
            "@endpoint GET /b1",
            "@endpoint GET /b2",
            "@endgroup",
        )
    )
    assert [(entry.name, entry.count) for entry in api.toc] == [("users", 1), ("b2b", 2)]
    assert [entry.pos for entry in api.toc] == [ir.Pos(3, 6), ir.Pos(3, 16)]


def test_type_definitions() -> None:
    api = clean(
        lap(
            "@type User {id: str, tags: [str], address: Address?}",
            "@type Address {city: str}",
            "@endpoint GET /u",
            "@returns(200) {user: User}",
        )
    )
    assert [named.name for named in api.types] == ["User", "Address"]
    user = api.type_named("User")
    assert user is not None and user.pos == ir.Pos(3, 7)
    assert user.fields == (
        field("id", STR),
        field("tags", ir.ArrayType(STR)),
        field("address", ir.RefType("Address"), nullable=True),
    )
    assert api.endpoints[0].responses[0].fields == (field("user", ir.RefType("User")),)
    assert api.type_named("Nope") is None


def test_body_names_a_type() -> None:
    api = clean(
        lap(
            "@type CreateUser {email: str}",
            "@endpoint POST /users",
            "@body → CreateUser",
            "@endpoint PUT /users",
            "@body -> CreateUser",  # the ASCII arrow
        )
    )
    assert [endpoint.body for endpoint in api.endpoints] == [ir.RefType("CreateUser")] * 2


def test_example_request_is_kept_verbatim() -> None:
    example = '{"a": [1, 2], "b": {"c": "d, e: f"}, "url": "https://x.io/#y"}'
    assert one_endpoint(f"@example_request {example}").example_request == example


def test_desc() -> None:
    assert one_endpoint("@desc Loginorcreate").desc == "Loginorcreate"
    assert one_endpoint().desc is None  # lean files have no @desc


def test_per_endpoint_auth_overrides_the_document_auth() -> None:
    api = clean(
        lap(
            "@auth Bearer basic",
            "@endpoint GET /a",
            "@desc A",
            "@auth ApiKey X-Key in header | OAuth2",
            "@required {q: str}",
            "@returns(200) ok",
            "@endpoint GET /b",
        )
    )
    assert api.auth is not None and api.auth.raw == "Bearer basic"
    first, second = api.endpoints
    assert first.auth is not None
    assert first.auth.raw == "ApiKey X-Key in header | OAuth2"
    assert [scheme.kind for scheme in first.auth.schemes] == ["apikey", "oauth2"]
    assert first.auth.pos == ir.Pos(6, 7)
    # The directives after @auth still belong to the endpoint.
    assert (first.desc, first.required, len(first.responses)) == ("A", (field("q", STR),), 1)
    assert second.auth is None


def test_unknown_directive_inside_an_endpoint_does_not_close_it() -> None:
    result = read_spec(lap("@endpoint GET /a", "@x-new something", "@desc A", "@required {q: str}"))
    warning = only(result, "warning")
    assert "unknown directive @x-new" in warning.message
    assert (warning.line, warning.column) == (4, 1)
    assert result.api is not None
    (endpoint,) = result.api.endpoints
    assert (endpoint.desc, endpoint.required) == ("A", (field("q", STR),))
    assert result.api.unknown_directives == (ir.Directive("x-new", "something", ir.Pos(0, 0)),)


# -- types -----------------------------------------------------------------------------------

User = ir.RefType("User")

TYPE_FORMS = [
    *[(name, ir.TypeSpec(ir.Primitive(name))) for name in sorted(ir.PRIMITIVES)],
    ("[str]", ir.TypeSpec(ir.ArrayType(STR))),
    ("[[int]]", ir.TypeSpec(ir.ArrayType(ir.ArrayType(INT)))),
    ("[User]", ir.TypeSpec(ir.ArrayType(User))),
    (
        "map{a: str, b: [int]}",
        ir.TypeSpec(ir.ObjectType((field("a", STR), field("b", ir.ArrayType(INT))))),
    ),
    ("map<str,int>", ir.TypeSpec(ir.DictType(STR, INT))),
    (
        "map<str, map<str,[User]>>",
        ir.TypeSpec(ir.DictType(STR, ir.DictType(STR, ir.ArrayType(User)))),
    ),
    ("int(int32)", ir.TypeSpec(ir.Primitive("int", "int32"))),
    ("str(date-time)", ir.TypeSpec(ir.Primitive("str", "date-time"))),
    ("str(uuid)", ir.TypeSpec(ir.Primitive("str", "uuid"))),
    ("num(f32)", ir.TypeSpec(ir.Primitive("num", "f32"))),
    (
        "str(active/inactive)",
        ir.TypeSpec(ir.EnumType("str", ("active", "inactive"), "str(active/inactive)")),
    ),
    ("int(1/2/3)", ir.TypeSpec(ir.EnumType("int", ("1", "2", "3"), "int(1/2/3)"))),
    (
        "enum(ADMIN/EDITOR)",
        ir.TypeSpec(ir.EnumType("enum", ("ADMIN", "EDITOR"), "enum(ADMIN/EDITOR)")),
    ),
    (
        "enum(v1.0/v2-beta/in progress/42)",
        ir.TypeSpec(
            ir.EnumType(
                "enum",
                ("v1.0", "v2-beta", "in progress", "42"),
                "enum(v1.0/v2-beta/in progress/42)",
            )
        ),
    ),
    ("str(ipv4/prefix_length)", ir.TypeSpec(ir.Primitive("str", "ipv4/prefix_length"))),
    (
        "str(application/json/application/yaml/text/plain)",
        ir.TypeSpec(
            ir.EnumType(
                "str",
                ("application/json", "application/yaml", "text/plain"),
                "str(application/json/application/yaml/text/plain)",
            )
        ),
    ),
    ("str?", ir.TypeSpec(STR, nullable=True)),
    ("str(uuid)?", ir.TypeSpec(ir.Primitive("str", "uuid"), nullable=True)),
    ("[str]?", ir.TypeSpec(ir.ArrayType(STR), nullable=True)),
    ("User", ir.TypeSpec(User)),
    ("User?", ir.TypeSpec(User, nullable=True)),
    ("google.rpc.Status", ir.TypeSpec(ir.RefType("google.rpc.Status"))),
    (
        "CityCoordinates{latitude: num(f32), longitude: num(f32)}",
        ir.TypeSpec(
            ir.ObjectType(
                (
                    field("latitude", ir.Primitive("num", "f32")),
                    field("longitude", ir.Primitive("num", "f32")),
                ),
                "CityCoordinates",
            )
        ),
    ),
    ("[Item]{id: str}", ir.TypeSpec(ir.ArrayType(ir.ObjectType((field("id", STR),), "Item")))),
    ("[map{id: str}]", ir.TypeSpec(ir.ArrayType(ir.ObjectType((field("id", STR),))))),
    (
        "map{role_id!: str, name: str}",
        ir.TypeSpec(
            ir.ObjectType((field("role_id", STR, required_marker=True), field("name", STR)))
        ),
    ),
    (
        "map{a: map{b!: [map{c!: int}]}}",
        ir.TypeSpec(
            ir.ObjectType(
                (
                    field(
                        "a",
                        ir.ObjectType(
                            (
                                field(
                                    "b",
                                    ir.ArrayType(
                                        ir.ObjectType((field("c", INT, required_marker=True),))
                                    ),
                                    required_marker=True,
                                ),
                            )
                        ),
                    ),
                )
            )
        ),
    ),
]


@pytest.mark.parametrize(
    "written, expected", TYPE_FORMS, ids=[written for written, _ in TYPE_FORMS]
)
def test_type_forms(written: str, expected: ir.TypeSpec) -> None:
    endpoint = one_endpoint(f"@optional {{v: {written}, after: int}}")
    assert endpoint.optional == (
        field("v", expected.expr, nullable=expected.nullable),
        field("after", INT),
    )


def test_enum_keeps_the_raw_text_and_a_format_keeps_its_slash() -> None:
    enum, prefix = one_endpoint("@optional {a: str(a/b), b: str(ipv6/prefix_length)}").optional
    assert isinstance(enum.type.expr, ir.EnumType) and enum.type.expr.raw == "str(a/b)"
    assert prefix.type.expr == ir.Primitive("str", "ipv6/prefix_length")


def test_decode_args_rule() -> None:
    assert frontend.decode_args("int", "int64") == ir.Primitive("int", "int64")
    assert frontend.decode_args("str", "ipv4/prefix_length") == ir.Primitive(
        "str", "ipv4/prefix_length"
    )
    assert frontend.decode_args("str", "x/y") == ir.EnumType("str", ("x", "y"), "str(x/y)")
    # Not a MIME list (an odd count, or a part that is no top-level type): values as written.
    assert frontend.decode_args("str", "text/plain/x").values == ("text", "plain", "x")
    assert frontend.decode_args("str", "json/xml/csv/tsv").values == ("json", "xml", "csv", "tsv")


DEFAULTS = [
    ("int=5", "5", 5),
    ("int=-3", "-3", -3),
    ("num=1.5", "1.5", 1.5),
    ("float=0.25", "0.25", 0.25),
    ("str=abc", "abc", "abc"),
    ("str=en-US", "en-US", "en-US"),
    ("bool=True", "True", True),
    ("bool=False", "False", False),
    ("bool=true", "true", True),
    ("[str]=['A', 'B']", "['A', 'B']", ("A", "B")),
    ("[str]=[]", "[]", ()),
    ("str=", "", ""),
    ("int?=5", "5", 5),
    ("str=id,name", "id,name", "id,name"),
    ("str=#FF0000", "#FF0000", "#FF0000"),
    ("str=a b", "a b", "a b"),
    ("[[int]]=[[1], [2]]", "[[1], [2]]", ((1,), (2,))),
    ("any=[{{}}]", "[{{}}]", "[{{}}]"),
]


@pytest.mark.parametrize("written, raw, value", DEFAULTS, ids=[d[0] for d in DEFAULTS])
def test_defaults(written: str, raw: str, value: object) -> None:
    first, after = one_endpoint(f"@optional {{v: {written}, after: int=1}}").optional
    assert first.default == ir.Default(raw, value)
    assert type(first.default.value) is type(value)
    assert first.type.nullable is written.startswith("int?")
    assert after.default == ir.Default("1", 1)


def test_default_then_comment() -> None:
    (param,) = one_endpoint("@optional {limit: int=10 # at most 100, e.g. 50}").optional
    assert (param.default, param.comment) == (ir.Default("10", 10), "at most 100, e.g. 50")


def test_the_ir_is_hashable_with_list_defaults() -> None:
    endpoint = one_endpoint("@optional {tags: [str]=['A', 'B']}")
    assert hash(endpoint) == hash(one_endpoint("@optional {tags: [str]=['A', 'B']}"))


# -- names -----------------------------------------------------------------------------------

NAMES = [
    "X-Stytch-Member-Session",
    "filter.created_at",
    "urn:ietf:params:scim",
    "$ref",
    "@type",
    "path/to",
    "ids[]",
    "display name",
    "2fa_enabled",
    "from",
    "class",
    "type",
    "in",
    "global",
]


@pytest.mark.parametrize("name", NAMES)
def test_param_names(name: str) -> None:
    endpoint = one_endpoint(f"@optional {{{name}: str, next: int}}")
    assert [param.name for param in endpoint.optional] == [name, "next"]
    assert endpoint.optional[0].type == ir.TypeSpec(STR)


def test_param_positions() -> None:
    endpoint = one_endpoint("@required {a: str,   b: int}", "@optional {c: map{d: str}}")
    assert [param.pos for param in endpoint.params] == [ir.Pos(4, 12), ir.Pos(4, 22), ir.Pos(5, 12)]
    inner = endpoint.optional[0].type.expr
    assert isinstance(inner, ir.ObjectType) and inner.fields[0].pos == ir.Pos(5, 19)


# -- comments --------------------------------------------------------------------------------

COMMENTS = [
    "Output format: json, xml, csv (default: json)",
    "see https://example.com/a?b=1#frag, or the docs",
    "use `code`, \"double\" and 'single' quotes",
    "issue #42 (see notes) # and a second hash",
    "a {balanced, brace: block} inside",
    "key: value, other: thing, mode: fast",
    "ratio 3:2, 1:1",
    "one, two, three",
    "Search query — supports “quoted phrases” & AND/OR/NOT",
    "hints: [jpg?dimensions=32x32][jpg?dimensions=64x64]",
    'e.g. {"something":{"nested":1,"other":2}}',
    '{"a":{"b":{"c":{"d":1}}}}, deep',
    "one of: a, b, c hints: [jpg?x=1]",
    "a lone { brace",
    "a } b",
]


@pytest.mark.parametrize("comment", COMMENTS)
def test_comments(comment: str) -> None:
    first, after = one_endpoint(f"@optional {{v: str # {comment}, after: int}}").optional
    assert first.comment == comment
    assert after == field("after", INT)


def test_comment_ends_at_a_field_of_any_recognised_type() -> None:
    fields = one_endpoint(
        "@optional {a: str # x, b: str, c: int # y, d: [str], e: str # z, f: User, g: str # w, "
        "h: google.rpc.Status, i: str # v, j: enum(a/b), k: str # last}"
    ).optional
    assert [(f.name, f.comment) for f in fields] == [
        ("a", "x"),
        ("b", None),
        ("c", "y"),
        ("d", None),
        ("e", "z"),
        ("f", None),
        ("g", "w"),
        ("h", None),
        ("i", "v"),
        ("j", None),
        ("k", "last"),
    ]


# -- returns and errors ----------------------------------------------------------------------


def test_returns_forms() -> None:
    api = valid(
        lap(
            "@type User {id: str}",
            "@endpoint GET /x",
            "@returns(200) {id: str, n: int} # Success, with a comma",
            "@returns(201)",
            "@returns(OK) → User",
            "@returns(404) Not found: really, truly",
            "@returns(default) {}",
        )
    )
    assert api.endpoints[0].responses == (
        ir.Response(
            "200",
            ir.Pos(0, 0),
            fields=(field("id", STR), field("n", INT)),
            description="Success, with a comma",
        ),
        ir.Response("201", ir.Pos(0, 0)),
        ir.Response("OK", ir.Pos(0, 0), type=User),
        ir.Response("404", ir.Pos(0, 0), description="Not found: really, truly"),
        ir.Response("default", ir.Pos(0, 0), fields=()),
    )
    assert [response.pos for response in api.endpoints[0].responses] == [
        ir.Pos(line, 10) for line in range(5, 10)
    ]


ERROR_FORMS = [
    (
        "{400: Bad request, 401: Unauthorized}",
        [("400", None, "Bad request"), ("401", None, "Unauthorized")],
    ),
    ("{400, 404}", [("400", None, None), ("404", None, None)]),
    ("{404:NoSuchResource: Resource not found}", [("404", "NoSuchResource", "Resource not found")]),
    ("{4XX: Client error, 5XX}", [("4XX", None, "Client error"), ("5XX", None, None)]),
    (
        "{400: Invalid: field a, b missing, 404: Gone, default: Other: x}",
        [
            ("400", None, "Invalid: field a, b missing"),
            ("404", None, "Gone"),
            ("default", None, "Other: x"),
        ],
    ),
    ("{}", []),
]


@pytest.mark.parametrize("written, expected", ERROR_FORMS, ids=[w for w, _ in ERROR_FORMS])
def test_errors_forms(written: str, expected: list[tuple[str, str | None, str | None]]) -> None:
    errors = one_endpoint(f"@errors {written}").errors
    assert [(case.code, case.type_name, case.description) for case in errors] == expected


# -- groups, line endings, methods -----------------------------------------------------------


def test_reopened_groups_are_merged_in_document_order() -> None:
    api = clean(
        lap(
            "@endpoint GET /loose",
            "@group a",
            "@endpoint GET /a1",
            "@endgroup",
            "@group b",
            "@endpoint GET /b1",
            "@endgroup",
            "@group a",
            "@endpoint GET /a2",
            "@endgroup",
        )
    )
    assert [(e.path, e.group) for e in api.endpoints] == [
        ("/loose", None),
        ("/a1", "a"),
        ("/b1", "b"),
        ("/a2", "a"),
    ]
    assert [(g.name, [e.path for e in g.endpoints]) for g in api.groups] == [
        ("a", ["/a1", "/a2"]),
        ("b", ["/b1"]),
    ]
    assert api.groups[0].pos.line == 4


CRLF_SPEC = lap(
    "@auth Bearer",
    "@endpoints 3",
    "@group g",
    "@endpoint GET /a/{id}",
    "@desc Get",
    "@optional {q: str # a comment, x: int=5}",
    "@returns(200) free text",
    "@errors {404: Not found}",
    "@endgroup",
)


@pytest.mark.parametrize(
    "text",
    [CRLF_SPEC, (SAMPLES_DIR / "openapi-petstore.lap").read_text("utf-8")],
    ids=["inline", "petstore"],
)
def test_crlf_gives_the_same_ir_and_diagnostics(text: str) -> None:
    lf, crlf = read_spec(text), read_spec(text.replace("\n", "\r\n"))
    assert lf.api is not None
    assert crlf.diagnostics == lf.diagnostics
    assert repr(crlf.api) == repr(lf.api)
    assert lf.diagnostics  # the inline spec has warnings, so their positions are compared too


def test_a_utf8_bom_is_ignored() -> None:
    text = lap("@endpoint GET /a", "@required {q: %%}")
    plain, with_bom = read_spec(text.encode()), read_spec(b"\xef\xbb\xbf" + text.encode())
    assert with_bom.diagnostics == plain.diagnostics
    assert (plain.errors[0].line, plain.errors[0].column) == (4, 12)


@pytest.mark.parametrize("method", sorted(frontend.NON_HTTP_METHODS))
def test_non_http_methods_parse_with_a_warning(method: str) -> None:
    result = read_spec(lap(f"@endpoint {method} /Svc/Call", "@returns(OK) {a: str}"))
    warning = only(result, "warning")
    assert warning.message == f"non-HTTP method {method}: no SDK can be generated for it"
    assert (warning.line, warning.column) == (3, 11)
    assert result.api is not None and result.api.endpoints[0].method == method


@pytest.mark.parametrize("method", sorted(HTTP_METHODS))
def test_http_methods(method: str) -> None:
    assert clean(lap(f"@endpoint {method} /a")).endpoints[0].method == method


# -- auth ------------------------------------------------------------------------------------

AUTH_FORMS = [
    ("Bearer", [("bearer", None, None, None)]),
    ("Bearer token", [("bearer", "token", None, None)]),
    ("Bearer bearer", [("bearer", "bearer", None, None)]),
    ("Bearer basic", [("basic", "basic", None, None)]),
    ("Basic", [("basic", None, None, None)]),
    ("Basic username:password", [("basic", "username:password", None, None)]),
    ("OAuth2", [("oauth2", None, None, None)]),
    ("ApiKey X-API-Key in header", [("apikey", None, "X-API-Key", "header")]),
    ("ApiKey api_key in query", [("apikey", None, "api_key", "query")]),
    ("ApiKey token in path", [("apikey", None, "token", "path")]),
    ("AWS SigV4", [("sigv4", "SigV4", None, None)]),
    ("digest", [("digest", None, None, None)]),
    ("Bearer (inferred from docs)", [("bearer", "(inferred from docs)", None, None)]),
    ("ApiKey (inferred from docs)", [("apikey", "(inferred from docs)", None, None)]),
    ("mqtt", [("other", None, None, None)]),
    ("Signed partner requests only", [("other", "partner requests only", None, None)]),
    (
        "Bearer | ApiKey X-API-Key in header | OAuth2",
        [
            ("bearer", None, None, None),
            ("apikey", None, "X-API-Key", "header"),
            ("oauth2", None, None, None),
        ],
    ),
]


@pytest.mark.parametrize("written, expected", AUTH_FORMS, ids=[w for w, _ in AUTH_FORMS])
def test_auth_forms(
    written: str, expected: list[tuple[str, str | None, str | None, str | None]]
) -> None:
    auth = clean(lap(f"@auth {written}")).auth
    assert auth is not None
    assert auth.raw == written
    assert [(s.kind, s.param, s.key_name, s.key_in) for s in auth.schemes] == expected
    assert " | ".join(scheme.raw for scheme in auth.schemes) == written


# ---------------------------------------------------------------------------------------------
# 3. Broken input: the message, the line and the column
# ---------------------------------------------------------------------------------------------

ENDPOINT = "@endpoint GET /x"
BROKEN = [
    # (id, text, distinctive part of the message, line, column)
    ("missing-brace", lap(ENDPOINT, "@required {a: str"), "'{' is not closed", 4, 18),
    ("extra-brace", lap(ENDPOINT, "@required {a: str}}"), "'}' without a matching '{'", 4, 19),
    ("untyped-only-param", lap(ENDPOINT, "@required {b}"), "param 'b' has no type", 4, 12),
    (
        "untyped-second-param",
        lap(ENDPOINT, "@required {a: str, b}"),
        "param 'b' has no type",
        4,
        18,
    ),
    ("empty-type", lap(ENDPOINT, "@required {b: }"), "param 'b' has no type after ':'", 4, 12),
    (
        "unknown-type-syntax",
        lap(ENDPOINT, "@required {a: %%}"),
        "unknown type syntax '%%' for param 'a'",
        4,
        12,
    ),
    (
        "unclosed-type-args",
        lap(ENDPOINT, "@required {a: str(}"),
        "unknown type syntax 'str(' for param 'a'",
        4,
        18,
    ),
    (
        "junk-after-type",
        lap(ENDPOINT, "@required {a: str, b: int) # x}"),
        "unknown type syntax 'int)' for param 'b'",
        4,
        18,
    ),
    (
        "nameless-param",
        lap(ENDPOINT, "@required {a: str, : int}"),
        "a param has no name before ':'",
        4,
        18,
    ),
    (
        "double-comma",
        lap(ENDPOINT, "@required {a: str,, b: int}"),
        "expected a param 'name: TYPE' after ','",
        4,
        18,
    ),
    ("unclosed-array", lap(ENDPOINT, "@required {a: [str}"), "unexpected '}'; expected ']'", 4, 19),
    ("unknown-method", lap("@endpoint GETT /x"), "unknown HTTP method 'GETT'", 3, 11),
    (
        "lowercase-method",
        lap("@endpoint get /x"),
        "expected an HTTP method and a path after @endpoint",
        3,
        10,
    ),
    ("endpoint-without-path", lap("@endpoint GET"), "expected a path", 3, 14),
    ("not-a-directive", lap("users are great"), "expected '# comment' or a directive", 3, 1),
    ("bad-count", lap("@endpoints many"), "expected a number", 3, 11),
    ("huge-count", lap("@endpoints " + "9" * 40), "expected a number (at most 18 digits)", 3, 11),
    ("unclosed-status", lap(ENDPOINT, "@returns(200 {a: str}"), "expected ')'", 4, 13),
    ("no-end", "@lap v0.3\n@api Test\n@endpoint GET /x\n\n", "missing @end", 3, 1),
    (
        "cut-mid-line",
        "@lap v0.3\n@api Test\n@endpoint GET /x\n@required {a: st",
        "may be truncated",
        4,
        17,
    ),
    ("not-utf8", b"@lap v0.3\n@api Caf\xe9\n@end\n", "not UTF-8 text: byte 0xe9", 2, 9),
    # A PNG: the first byte is not UTF-8; its NUL on line 3 must not be what is reported.
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a LAP document", 1, 1),
    ("binary-utf8", "GIF89a\n\x00\x01", "expected '@lap v0.3' as the first line", 1, 1),
    ("path-param-quote", lap('@endpoint GET /a/{x"y}'), "path param name holds '\"'", 3, 20),
    ("path-param-backslash", lap("@endpoint GET /a/{x\\y}"), "path param name holds", 3, 20),
    ("path-control", lap("@endpoint GET /a/{x\x1by}"), "invisible character \\x1b", 3, 20),
    ("path-bidi", lap("@endpoint GET /a\u202e/b"), "invisible character \\u202e", 3, 17),
    (
        "not-utf8-column-in-characters",
        "@lap v0.3\n@api Café →".encode() + b"\xff\n@end\n",
        "not UTF-8 text: byte 0xff",
        2,
        12,
    ),
    ("nul-byte", b"@lap v0.3\n@api T\x00\n@end\n", "binary input: NUL byte", 2, 7),
    (
        "nul-byte-after-cr",
        b"@lap v0.3\r@api \xe2\x86\x92\x00\n@end\n",
        "binary input: NUL byte",
        2,
        7,
    ),
    ("nul-byte-text", "@lap v0.3\n@api T\x00\n@end\n", "binary input: NUL byte", 2, 7),
    ("empty-file", "", "empty file", 1, 1),
    ("whitespace-only", "  \n\n\t\r\n \n", "empty file", 1, 1),
    ("no-lap-line", "@api T\n@end\n", "expected '@lap v0.3' as the first line", 1, 1),
    ("lap-v0.1", "@lap v0.1\n@api Github\n", "unsupported LAP dialect 'v0.1'", 1, 6),
    ("lap-v9", "\n@lap v9\n@api X\n@end\n", "unsupported LAP dialect 'v9'", 2, 6),
    (
        "desc-before-endpoint",
        lap("@desc Early", ENDPOINT),
        "@desc outside an @endpoint block",
        3,
        1,
    ),
    (
        "required-after-endgroup",
        lap("@group g", ENDPOINT, "@endgroup", "@required {a: str}"),
        "@required outside an @endpoint block",
        6,
        1,
    ),
    ("errors-outside", lap("@errors {}"), "@errors outside an @endpoint block", 3, 9),
    ("no-api", "@lap v0.3\n@end\n", "missing @api", 1, 6),
    (
        "too-deep",
        lap(ENDPOINT, "@required {a: " + "[" * 70 + "str" + "]" * 70 + "}"),
        "nesting too deep",
        4,
        78,
    ),
]


@pytest.mark.parametrize(
    "text, message, line, column", [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN]
)
def test_broken_input(text: str | bytes, message: str, line: int, column: int) -> None:
    result = read_spec(text)
    assert result.api is None
    error = result.errors[0]
    assert message in error.message
    assert (error.line, error.column) == (line, column)
    with pytest.raises(LapError) as raised:
        parse(text)
    assert raised.value.diagnostics[0] == error


def test_a_cut_stytch_names_the_cut_line() -> None:
    lines = STYTCH.read_text("utf-8").split("\n")
    number = next(
        n for n, line in enumerate(lines, start=1) if n > 300 and line.startswith("@required {")
    )
    cut = "\n".join(lines[: number - 1] + [lines[number - 1][: len(lines[number - 1]) // 2]])
    (error,) = read_spec(cut).diagnostics
    assert error.line == number
    assert "may be truncated" in error.message


def test_the_same_route_with_another_desc_is_a_warning() -> None:
    result = read_spec(lap(ENDPOINT, "@desc Create authors", ENDPOINT, "@desc Create books"))
    warning = only(result, "warning")
    assert warning.message == "route repeated with another @desc: GET /x (first at line 3)"
    assert (warning.line, warning.column) == (5, 11)
    assert result.api is not None and len(result.api.endpoints) == 2


def test_every_error_is_collected_and_sorted() -> None:
    result = read_spec("@lap v0.3\n@desc a\n@endpoint GETT /x\n")
    assert [(d.line, d.message.split(":")[0]) for d in result.errors] == [
        (1, "missing @api"),
        (2, "@desc outside an @endpoint block"),
        (3, "missing @end"),
        (3, "unknown HTTP method 'GETT'"),
    ]


WARNINGS = [
    # (id, text, message, line, column)
    (
        "endpoints-count",
        lap("@endpoints 2", ENDPOINT),
        "@endpoints says 2 but the document has 1 endpoints",
        3,
        1,
    ),
    (
        "toc-count",
        lap("@toc g(3)", "@group g", ENDPOINT, "@endgroup"),
        "@toc says group 'g' has 3 endpoints; it has 1",
        3,
        6,
    ),
    (
        "toc-unknown-group",
        lap("@toc g(1), h(1)", "@group g", ENDPOINT, "@endgroup"),
        "@toc lists group 'h', which has no endpoints",
        3,
        12,
    ),
    (
        "undefined-type",
        lap(ENDPOINT, "@optional {a: [Missing]}"),
        "type 'Missing' is not defined by any @type; read as 'any'",
        4,
        12,
    ),
    (
        "undefined-body-type",
        lap("@endpoint POST /x", "@body → Missing"),
        "type 'Missing' is not defined",
        4,
        7,
    ),
    (
        "undefined-returns-type",
        lap(ENDPOINT, "@returns(OK) → Missing"),
        "type 'Missing' is not defined",
        4,
        10,
    ),
    (
        "path-param",
        lap("@endpoint GET /users/{user_id}", "@optional {user_id: str}"),
        "path param 'user_id' is not in @required",
        3,
        11,
    ),
    (
        "unknown-directive",
        lap("@deprecated since 2.0"),
        "unknown directive @deprecated is ignored",
        3,
        1,
    ),
    ("non-http", lap("@endpoint BIDI-STREAM /Chat/Talk"), "non-HTTP method BIDI-STREAM", 3, 11),
    (
        "second-desc",
        lap(ENDPOINT, "@desc A", "@desc B"),
        "second @desc in one endpoint; the first is kept",
        5,
        1,
    ),
    ("second-api", lap("@api Other"), "second @api; the first is kept", 3, 1),
    ("after-end", "@lap v0.3\n@api T\n@end\n@api U\n", "content after @end is ignored", 4, 1),
    (
        "same-route-same-desc",
        lap(ENDPOINT, "@desc Get", ENDPOINT, "@desc Get"),
        "route repeated: GET /x (first at line 3)",
        5,
        11,
    ),
    (
        "same-route-lean",
        lap(ENDPOINT, "@required {a: str}", ENDPOINT, "@required {a: str}"),
        "route repeated: GET /x (first at line 3)",
        5,
        11,
    ),
    (
        "duplicate-param",
        lap("@endpoint PUT /component/{id}", "@required {id: str, id: int}"),
        "duplicate param 'id' (first at line 4, column 12); both are kept",
        4,
        21,
    ),
]


@pytest.mark.parametrize(
    "text, message, line, column", [w[1:] for w in WARNINGS], ids=[w[0] for w in WARNINGS]
)
def test_warnings(text: str, message: str, line: int, column: int) -> None:
    result = read_spec(text)
    assert result.api is not None
    warning = only(result, "warning")
    assert result.errors == ()
    assert message in warning.message
    assert (warning.line, warning.column) == (line, column)


def test_duplicate_params_are_all_kept_with_a_warning_each() -> None:
    result = read_spec(
        lap(ENDPOINT, "@required {id: str, id: int}", "@optional {id: bool, q: str}")
    )
    assert [(d.line, d.column, d.message) for d in result.diagnostics] == [
        (4, 21, "duplicate param 'id' (first at line 4, column 12); both are kept"),
        (5, 12, "duplicate param 'id' (first at line 4, column 12); both are kept"),
    ]
    assert result.api is not None
    endpoint = result.api.endpoints[0]
    assert [(f.name, f.type.expr) for f in endpoint.required] == [
        ("id", ir.Primitive("str")),
        ("id", ir.Primitive("int")),
    ]
    assert [f.name for f in endpoint.optional] == ["id", "q"]


def test_the_first_of_two_header_directives_is_kept() -> None:
    assert valid(lap("@api Other")).name == "Test"


def test_second_desc_keeps_the_first() -> None:
    assert valid(lap(ENDPOINT, "@desc A", "@desc B")).endpoints[0].desc == "A"


def test_an_undefined_type_is_read_as_a_reference() -> None:
    assert one_endpoint("@optional {a: Missing}").optional[0].type.expr == ir.RefType("Missing")


# -- rendering -------------------------------------------------------------------------------


def test_an_error_renders_compiler_style_with_the_line_and_a_caret() -> None:
    text = lap(ENDPOINT, "@required {a: str, b: %%}")
    (error,) = read_spec(text).diagnostics
    rendered = error.render("api.lap", source_lines(text))
    head, quoted, caret = rendered.split("\n")
    assert head == f"api.lap:4:{error.column}: error: {error.message}"
    assert quoted == "    @required {a: str, b: %%}"
    assert caret == " " * (4 + error.column - 1) + "^"
    assert quoted[caret.index("^")] == text.split("\n")[3][error.column - 1]


def test_the_caret_stays_under_the_column_on_a_clipped_long_line() -> None:
    line = "@required {" + ", ".join(f"p{i}: str" for i in range(60)) + ", bad: %%}"
    text = lap(ENDPOINT, line)
    (error,) = read_spec(text).diagnostics
    assert error.column > 200
    head, quoted, caret = error.render("x.lap", source_lines(text)).split("\n")
    assert quoted.startswith("    ...") and len(quoted) < 140
    assert quoted[caret.index("^")] == line[error.column - 1]


def test_a_warning_renders_as_a_warning() -> None:
    text = lap("@frob x")
    (warning,) = read_spec(text).diagnostics
    assert warning.render("a.lap", source_lines(text)).startswith(
        "a.lap:3:1: warning: unknown directive @frob is ignored\n    @frob x\n    ^"
    )
    assert warning.render("a.lap") == "a.lap:3:1: warning: unknown directive @frob is ignored"


def test_source_lines_number_lines_like_the_front_end() -> None:
    text = "\ufeff@lap v0.3\r\n@api T\x0c\r@end\n"
    assert source_lines(text) == ["@lap v0.3", "@api T\x0c", "@end", ""]
