"""Forms that real LAP files hold (lapsh output), read and then generated into a working SDK.

Each case is a class of held-out real file the front end used to reject or misread: nullable
inline objects, comments holding brackets and JSON, path params with spaces, repeated routes,
defaults with commas or `#`, and a param name used twice in one endpoint.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import sdk_support

from generator import ir
from generator.frontend import read_spec

HEAD = "@lap v0.3\n@api {name}\n@base https://api.example.test\n"


def lap(name: str, *lines: str) -> str:
    return HEAD.format(name=name) + "\n".join(lines) + "\n@end\n"


def one_endpoint(*lines: str) -> ir.Endpoint:
    result = read_spec(lap("T", *lines))
    assert result.errors == (), [str(d) for d in result.errors]
    assert result.api is not None
    (endpoint,) = result.api.endpoints
    return endpoint


def test_nullable_inline_object() -> None:
    endpoint = one_endpoint(
        "@endpoint GET /a", "@returns(200) {error: map?{code: str, message: str}, n: int}"
    )
    error, count = endpoint.responses[0].fields or ()
    assert error.type.nullable and isinstance(error.type.expr, ir.ObjectType)
    assert [f.name for f in error.type.expr.fields] == ["code", "message"]
    assert count.name == "n" and not count.type.nullable


def test_nullable_map_without_fields_is_still_a_nullable_map() -> None:
    (param,) = one_endpoint("@endpoint GET /a", "@optional {m: map?}").optional
    assert param.type == ir.TypeSpec(ir.Primitive("map"), nullable=True)


@pytest.mark.parametrize(
    "comment",
    [
        "hints: [jpg?dimensions=32x32][jpg?dimensions=64x64]",
        'e.g. {"something":{"nested":1,"other":2}}',
        'hints [a][b] {"x":1}',
        '{"a":{"b":{"c":{"d":1}}}}, and then some',
        "a lone { brace, and text",
    ],
)
def test_comments_holding_brackets_braces_and_json(comment: str) -> None:
    endpoint = one_endpoint("@endpoint GET /a", f"@optional {{q: str # {comment}, x: int}}")
    first, second = endpoint.optional
    assert (first.comment, second.name) == (comment, "x")


def test_a_closing_brace_in_a_comment_is_text_unless_it_can_end_a_block() -> None:
    # lapsh writes descriptions verbatim: "a } b" is text; `}` before `,` or `}` ends a block.
    param, other = one_endpoint("@endpoint GET /a", "@optional {q: str # a } b, r: int}").optional
    assert (param.comment, other.name) == ("a } b", "r")
    response = one_endpoint("@endpoint GET /a", "@returns(200) {a: map{b: str # c}, d: int}")
    a, d = response.responses[0].fields or ()
    assert isinstance(a.type.expr, ir.ObjectType) and a.type.expr.fields[0].comment == "c"
    assert d.name == "d"


def test_error_descriptions_hold_json_and_braces() -> None:
    line = '@errors {400: e.g. {"a":{"b":1,"c":2}}, 404: a } b, 409: {, 500: x, y, 502: ,z}'
    errors = one_endpoint("@endpoint GET /a", line).errors
    assert [(e.code, e.description) for e in errors] == [
        ("400", 'e.g. {"a":{"b":1,"c":2}}'),
        ("404", "a } b"),
        ("409", "{"),
        ("500", "x, y"),
        ("502", ",z"),
    ]


@pytest.mark.parametrize(
    "default, raw, comment",
    [
        ("=id,name # comma list", "id,name", "comma list"),
        ("=#FF0000", "#FF0000", None),
        ("=#FF0000 # red", "#FF0000", "red"),
        ("=a b", "a b", None),
        ("=['A', 'B']", "['A', 'B']", None),
        ("=[{{}}]", "[{{}}]", None),
        ("=", "", None),
    ],
)
def test_defaults_with_commas_and_hashes(default: str, raw: str, comment: str | None) -> None:
    first, second = one_endpoint(
        "@endpoint GET /a", f"@optional {{f: str{default}, y: int}}"
    ).optional
    assert first.default is not None and first.default.raw == raw
    assert first.comment == comment
    assert second.name == "y"


def test_list_defaults_are_frozen_and_dicts_stay_raw() -> None:
    (param,) = one_endpoint("@endpoint GET /a", "@optional {f: [[int]]=[[1], [2, 3]]}").optional
    assert param.default == ir.Default("[[1], [2, 3]]", ((1,), (2, 3)))
    (param,) = one_endpoint("@endpoint GET /a", "@optional {f: any=[{'a': 1}]}").optional
    assert param.default == ir.Default("[{'a': 1}]", "[{'a': 1}]")


def test_path_param_with_a_space() -> None:
    endpoint = one_endpoint(
        "@endpoint GET /tracking/v3/tracking/{Tracking Number}", "@required {Tracking Number: str}"
    )
    assert endpoint.path == "/tracking/v3/tracking/{Tracking Number}"
    assert endpoint.required[0].name == "Tracking Number"


# -- generated SDKs ---------------------------------------------------------------------------

REALWORLD = lap(
    "Inline Realworld Forms",
    "@endpoint PUT /component/{id}",
    "@desc Update",
    "@required {id: str, id: int, name: str}",
    "@returns(200) {id: str, error: map?{code: str, message: str}}",
    "@endpoint GET /tracking/{Tracking Number}",
    "@desc Track",
    "@required {Tracking Number: str}",
    "@optional {fields: str=id,name # comma list, color: str=#FF0000}",
    '@returns(200) {status: str # one of [a][b] {"x":{"y":1}}}',
    "@endpoint POST /items",
    "@required {a: str}",
    "@endpoint POST /items",
    "@required {a: str}",
)


@pytest.fixture(scope="module")
def realworld(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    root = tmp_path_factory.mktemp("realworld")
    spec = root / "realworld.lap"
    spec.write_text(REALWORLD, encoding="utf-8")
    run = sdk_support.generate(spec, root / "out")
    assert run.code == 0, run.stderr
    package = sdk_support.package_dir(root / "out")
    assert package is not None
    sys.path.insert(0, str(package.parent))
    try:
        return importlib.import_module(package.name)
    finally:
        sys.path.remove(str(package.parent))


def client(sdk: ModuleType, sent: list[httpx.Request], reply: object) -> object:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=reply)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return sdk.Client(http_client=http)


def test_a_repeated_param_name_is_sent_in_both_places(realworld: ModuleType) -> None:
    sent: list[httpx.Request] = []
    api = client(realworld, sent, {"id": "c1", "error": None})
    result = api.component.update("path-7", body_id=7, name="n")  # type: ignore[attr-defined]
    (request,) = sent
    assert request.method == "PUT"
    assert request.url.path == "/component/path-7"
    assert json.loads(request.content) == {"id": 7, "name": "n"}
    assert result.id == "c1" and result.error is None


def test_a_path_param_with_a_space_and_defaults_with_commas(realworld: ModuleType) -> None:
    sent: list[httpx.Request] = []
    api = client(realworld, sent, {"status": "ok"})
    api.tracking.get("1Z 99", fields="id,name")  # type: ignore[attr-defined]
    (request,) = sent
    assert request.url.raw_path.split(b"?")[0] == b"/tracking/1Z%2099"
    assert httpx.QueryParams(request.url.query).get("fields") == "id,name"


def test_a_repeated_route_still_generates_a_callable_method(realworld: ModuleType) -> None:
    sent: list[httpx.Request] = []
    api = client(realworld, sent, {})
    items = api.items  # type: ignore[attr-defined]
    items.create(a="x")
    # Identical variants are one method: the planner drops the repeat.
    assert not hasattr(items, "create_2")
    assert [(r.method, r.url.path, json.loads(r.content)) for r in sent] == [
        ("POST", "/items", {"a": "x"}),
    ]


def test_the_repeated_forms_are_warnings_with_positions() -> None:
    result = read_spec(REALWORLD)
    assert result.errors == ()
    assert sorted((d.line, d.message.split(" (")[0]) for d in result.warnings) == [
        (6, "duplicate param 'id'"),
        (15, "route repeated: POST /items"),
    ]


def test_the_fixture_file_shapes_are_read_identically_by_the_writer(tmp_path: Path) -> None:
    from generator.writer import write

    api = read_spec(REALWORLD).api
    assert api is not None
    again = read_spec(write(api)).api
    assert again == api


def test_toc_and_group_names_with_spaces_and_braces() -> None:
    # lapsh names groups after the first path segment, which may be a `{Path Param}`.
    text = lap(
        "T",
        "@toc {Tracking Number}(1), g(1)",
        "@group {Tracking Number}",
        "@endpoint GET /{Tracking Number}",
        "@required {Tracking Number: str}",
        "@endgroup",
        "@group g",
        "@endpoint GET /g",
        "@endgroup",
    )
    result = read_spec(text)
    assert result.diagnostics == ()
    assert result.api is not None
    assert [(e.name, e.count) for e in result.api.toc] == [("{Tracking Number}", 1), ("g", 1)]
