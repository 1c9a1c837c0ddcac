"""The runtime's fast paths give what its general paths give.

- ``_models._parse_fields`` takes a fast path when every field is there with its usual type
  (nested models parsed directly, arrays of plain values checked in place); any other data
  goes through ``_parse_general``. Hypothesis draws payloads of every sort (valid ones, then
  wrong types, missing fields, nulls and extra keys at any depth) and holds the fast result,
  or error, to the one of the general path alone.
- ``_base_client._query_string`` writes the query string ``httpx.QueryParams`` writes.
- ``BaseAPIClient._build_request`` hands httpx its prepared headers with a stream; the
  request is the one ``httpx.Request(method, url, params=…, headers=…, content=…)`` builds:
  same method, URL, headers on the wire (in order) and body.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from itertools import repeat
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sdk_support import import_committed_sdk, models_package

from generator.config import Config

SPEC_TEXT = b"""@lap v0.3
@api Fast
@endpoints 1

@endpoint GET /things
@desc Get thing
@returns(200) {id: str, count: int, ratio: num, done: bool, note: str?, raw: any, labels: map, \
tags: [str], codes: [int]?, owner: map{id: int, name: str}, boss: map?{id: int, tags: [str]}, \
items: [map{id: int, tags: [str]}], grid: [[map{x: int}]], from: str}

@end
"""
# The response of GET /things: a scalar kind, an object, a one-item list (an array of that),
# a ("?", kind) pair (that or null) or None (any JSON value).
SCHEMA: dict[str, Any] = {
    "id": "str",
    "count": "int",
    "ratio": "num",
    "done": "bool",
    "note": ("?", "str"),
    "raw": None,
    "labels": "map",
    "tags": ["str"],
    "codes": ("?", ["int"]),
    "owner": {"id": "int", "name": "str"},
    "boss": ("?", {"id": "int", "tags": ["str"]}),
    "items": [{"id": "int", "tags": ["str"]}],
    "grid": [[{"x": "int"}]],
    "from": "str",
}

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=6,
)
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "str": st.text(max_size=4),
    "int": st.integers(),
    "num": st.floats(allow_nan=False) | st.integers(),
    "bool": st.booleans(),
    "map": st.dictionaries(st.text(max_size=4), JSON, max_size=3),
}
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def valid(schema: Any) -> st.SearchStrategy[Any]:
    if schema is None:
        return JSON
    if isinstance(schema, str):
        return SCALARS[schema]
    if isinstance(schema, tuple):
        return valid(schema[1])  # mostly not null: the fast path wants the usual type
    if isinstance(schema, list):
        return st.lists(valid(schema[0]), max_size=3)
    return st.fixed_dictionaries({key: valid(value) for key, value in schema.items()})


def spots(value: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) of every value inside ``value``, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield value, key
            yield from spots(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield value, index
            yield from spots(item)


@st.composite
def payloads(draw: st.DrawFn) -> Any:
    """A valid response, then up to three changes anywhere in it."""
    document = draw(valid(SCHEMA))
    for _ in range(draw(st.integers(0, 3))):
        places = list(spots(document))
        if not places:
            break
        container, key = draw(st.sampled_from(places))
        change = draw(st.sampled_from(["null", "other", "drop", "extra"]))
        if change == "null":
            container[key] = None
        elif change == "other":
            container[key] = draw(JSON)
        elif change == "drop" and isinstance(container, dict):
            del container[key]
        elif change == "extra" and isinstance(container, dict):
            container[draw(st.text(max_size=4))] = draw(JSON)
    return document


def generated_models(tmp_path: Path, config: Config, package: str) -> ModuleType:
    """The models module of SPEC_TEXT, with the runtime it imports, as an importable package."""
    return models_package(tmp_path, SPEC_TEXT, config, package)


@pytest.fixture(scope="module")
def modes(tmp_path_factory: pytest.TempPathFactory) -> list[ModuleType]:
    return [
        generated_models(tmp_path_factory.mktemp("checked"), config, package)
        for config, package in (
            (Config(response_fields="present"), "fast_checked_api"),
            (Config(), "fast_lenient_api"),
        )
    ]


def outcome(parse: Any, data: Any) -> tuple[str, Any]:
    try:
        return "parsed", parse(data)
    except ValueError as error:
        return type(error).__name__, str(error)


def general_only(runtime: ModuleType) -> Any:
    """A `_parse_fields` that always takes the general path, at every depth."""

    def parse_fields(cls: Any, data: dict[str, Any], checked: bool) -> Any:
        table = runtime._table(cls, checked)
        values = list(map(data.get, table.wires, repeat(runtime.UNSET)))
        return runtime._parse_general(cls, table, data, values, checked)

    return parse_fields


@SETTINGS
@given(document=payloads() | st.dictionaries(st.sampled_from(sorted(SCHEMA)), JSON))
def test_the_fast_path_gives_what_the_general_path_gives(
    modes: list[ModuleType], document: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for models in modes:
        runtime = sys.modules[models.__name__.rsplit(".", 1)[0] + "._models"]
        text = json.dumps(document)
        fast = outcome(models.ThingsListResponse.from_dict, json.loads(text))
        with monkeypatch.context() as patch:
            patch.setattr(runtime, "_parse_fields", general_only(runtime))
            general = outcome(models.ThingsListResponse.from_dict, json.loads(text))
        assert fast == general
        if fast[0] == "parsed":
            assert fast[1].to_dict() == document


# Fields of a drawn model: wire names from a small pool, so that two fields often read the
# same one (as `id` and `id_2` do for `{id: str, id: str}`).
WIRE_POOL = ("id", "name", "tags")
KINDS: dict[str, tuple[Any, st.SearchStrategy[Any]]] = {
    "str": (str, st.text(max_size=3)),
    "int": (int, st.integers()),
    "tags": (list[str], st.lists(st.text(max_size=3), max_size=2)),
}
FIELDS = st.lists(
    st.tuples(st.sampled_from(WIRE_POOL), st.sampled_from(sorted(KINDS)), st.booleans()),
    min_size=1,
    max_size=5,
)


def drawn_model(runtime: ModuleType, fields: list[tuple[str, str, bool]], checked: bool) -> Any:
    """A model class with `fields` (wire name, kind, optional), as the generator writes one:
    attributes `f0`, `f1`… reading their wire names; the optional ones last."""
    namespace: dict[str, Any] = {"__annotations__": {}, "__module__": runtime.__name__}
    for index, (wire, kind, optional) in enumerate(sorted(fields, key=lambda f: f[2])):
        hint = KINDS[kind][0]
        namespace["__annotations__"][f"f{index}"] = hint | runtime.Unset if optional else hint
        default = runtime.UNSET if optional else attrs.NOTHING
        namespace[f"f{index}"] = attrs.field(default=default, metadata={"wire": wire})
    base = runtime.CheckedModel if checked else runtime.Model
    return attrs.define(type("Drawn", (base,), namespace))


@SETTINGS
@given(fields=FIELDS, data=st.data())
def test_the_fast_path_is_right_when_fields_share_a_wire_name(
    modes: list[ModuleType],
    fields: list[tuple[str, str, bool]],
    data: st.DataObject,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tables where several fields read one wire name: the fast path gives what the general
    path gives, and the keys no field reads are the additional properties."""
    wires = {wire: KINDS[kind][1] for wire, kind, _ in reversed(fields)}
    document = data.draw(st.fixed_dictionaries(wires))
    extra = data.draw(st.dictionaries(st.sampled_from(["extra", "zz", "id", "name"]), JSON))
    document.update(extra)
    for models in modes:
        runtime = sys.modules[models.__name__.rsplit(".", 1)[0] + "._models"]
        model = drawn_model(runtime, fields, checked=models.__name__.startswith("fast_checked"))
        fast = outcome(model.from_dict, json.loads(json.dumps(document)))
        with monkeypatch.context() as patch:
            patch.setattr(runtime, "_parse_fields", general_only(runtime))
            general = outcome(model.from_dict, json.loads(json.dumps(document)))
        assert fast == general
        if fast[0] == "parsed":
            unknown = {key: value for key, value in document.items() if key not in wires}
            assert fast[1].additional_properties == unknown


def test_the_fast_path_is_taken_for_a_valid_response(
    modes: list[ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    document = {
        "id": "t",
        "count": 1,
        "ratio": 0.5,
        "done": True,
        "note": "n",
        "raw": [1],
        "labels": {},
        "tags": ["a"],
        "codes": [1, 2],
        "owner": {"id": 1, "name": "o"},
        "boss": {"id": 2, "tags": ["b"]},
        "items": [{"id": 3, "tags": []}],
        "grid": [[{"x": 4}]],
        "from": "f",
    }
    checked = modes[0]
    runtime = sys.modules["fast_checked_api._models"]

    def refuse(*args: Any) -> None:
        raise AssertionError("the general path ran")

    monkeypatch.setattr(runtime, "_parse_general", refuse)
    parsed = checked.ThingsListResponse.from_dict(document)
    assert parsed.boss.tags == ["b"] and parsed.to_dict() == document
    document["codes"] = [1, "2"]
    monkeypatch.undo()
    with pytest.raises(ValueError, match=r"^codes\[1\]: expected an integer, got a string$"):
        checked.ThingsListResponse.from_dict(document)


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sdk() -> ModuleType:
    return import_committed_sdk()


SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=6)
)
PARAMS = st.dictionaries(
    st.text(max_size=6),
    SCALAR | st.lists(SCALAR, max_size=3) | st.tuples(SCALAR, SCALAR),
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(params=PARAMS)
def test_the_query_string_is_the_one_httpx_writes(sdk: ModuleType, params: dict[str, Any]) -> None:
    assert sdk._base_client._query_string(params) == str(httpx.QueryParams(params))


HEADER_NAMES = st.sampled_from(
    ["x-a", "X-Session", "host", "Content-Length", "content-type", "transfer-encoding", "accept"]
)
# Values h11 sends (the others are refused before a request is built: test_runtime_headers).
HEADER_VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=8).map(
    lambda value: value.strip(" ")
)


@settings(max_examples=200, deadline=None)
@given(
    methods=st.lists(
        st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "post"]), min_size=1, max_size=4
    ),
    path=st.sampled_from(["/v1/users/u%2F1", "/v1/a?mode=x", "/v1/b#frag", ""]),
    query=st.none() | st.dictionaries(st.text(max_size=4), SCALAR, max_size=3),
    body=st.none() | st.dictionaries(st.text(max_size=4), SCALAR, max_size=3),
    headers=st.none() | st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=2),
    extra=st.none() | st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=2),
    server=st.sampled_from([None, "api_other"]),
)
def test_a_built_request_is_the_one_httpx_builds(
    sdk: ModuleType,
    methods: list[str],
    path: str,
    query: dict[str, Any] | None,
    body: dict[str, Any] | None,
    headers: dict[str, str] | None,
    extra: dict[str, str] | None,
    server: str | None,
) -> None:
    client = sdk.Client(project_id="project-test-1", secret="secret-test-1")
    client._server_urls["api_other"] = "https://other.test:8443/base"
    http = httpx.Client()
    client._merge_client_headers(http)
    for method in methods + methods:  # one client: later calls reuse the prepared headers
        built = client._build_request(http, method, path, query, headers, body, server, extra)
        expected = _httpx_request(client, method, path, query, headers, body, server, extra)
        assert (built.method, built.url, built.content) == (
            expected.method,
            expected.url,
            expected.content,
        )
        assert built.headers.raw == expected.headers.raw
        assert built.read() == expected.read()


def _httpx_request(
    client: Any,
    method: str,
    path: str,
    query: dict[str, Any] | None,
    headers: dict[str, str] | None,
    body: dict[str, Any] | None,
    server: str | None,
    extra: dict[str, str] | None,
) -> httpx.Request:
    """The request as httpx.Request builds it from the SDK's parts (the code before)."""
    base_url = client._base_url if server is None else client._server_urls[server]
    params = dict(client._auth_params)
    params.update({k: v for k, v in (query or {}).items() if v is not None})
    content = None
    request_headers = client._headers.copy()
    if body is not None:
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        request_headers["content-type"] = "application/json"
    for name, value in {**(headers or {}), **(extra or {})}.items():
        request_headers[name.lower()] = value
    return httpx.Request(
        method, base_url + path, params=params or None, headers=request_headers, content=content
    )
