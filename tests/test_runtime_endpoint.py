"""``Endpoint``: what a generated method's ``locals()`` become on the wire.

Run against the committed Stytch SDK's runtime. A property test draws methods of any shape
(params in the path, query, headers and body, wire names that differ from the Python names,
hostile path values) and holds ``Endpoint.request`` to the request the old one-dict-per-
location code built: every param under its wire name in its location, in signature order;
a location a method has gets a mapping even when every value is UNSET (a JSON body of
``{}``), one it has not gets None; path values are quoted one segment each; the per-call
options pass through untouched. test_wire.py checks the same on every Stytch method.
"""

from __future__ import annotations

from collections import Counter
from types import ModuleType
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sdk_support import import_committed_sdk

LOCATIONS = ("path", "query", "header", "body")


@pytest.fixture(scope="module")
def sdk() -> ModuleType:
    return import_committed_sdk()


NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True).filter(
    lambda name: name not in {"self", "options"}
)
WIRE_NAMES = st.text(st.characters(codec="utf-8", exclude_characters=":"), min_size=1)
VALUES = st.one_of(st.none(), st.integers(), st.text(), st.lists(st.integers(), max_size=3))
PATH_VALUES = st.text(min_size=1).filter(lambda text: text.strip("."))


@st.composite
def methods(draw: st.DrawFn) -> tuple[list[tuple[str, str, str]], dict[str, Any]]:
    """(name, location, wire) of each param in signature order, and the call's values."""
    names = draw(st.lists(NAMES, unique=True, max_size=8))
    params = []
    for name in names:
        location = draw(st.sampled_from(LOCATIONS))
        renamed = location != "path" and draw(st.booleans())
        params.append((name, location, draw(WIRE_NAMES) if renamed else name))
    params.sort(key=lambda param: param[1] != "path")  # path params come first
    values = {
        name: draw(PATH_VALUES if location == "path" else VALUES | st.just("UNSET"))
        for name, location, _ in params
    }
    return params, values


@settings(max_examples=200, deadline=None)
@given(
    method=methods(),
    server=st.none() | st.just("api"),
    options=st.dictionaries(
        st.sampled_from(["extra_headers", "timeout", "total_timeout"]), st.none() | st.floats(1, 9)
    ),
)
def test_request_args_put_each_param_where_its_endpoint_says(
    sdk: ModuleType,
    method: tuple[list[tuple[str, str, str]], dict[str, Any]],
    server: str | None,
    options: dict[str, Any],
) -> None:
    params, values = method
    values = {k: sdk.UNSET if v == "UNSET" else v for k, v in values.items()}
    outside = Counter(location for _, location, _ in params if location != "path")
    common = max(("body", "query", "header"), key=outside.__getitem__) if outside else None
    placed = {
        name: location if wire == name else f"{location}:{wire}"
        for name, location, wire in params
        if location != "path" and (location != common or wire != name)
    }
    template = "/v1/{{literal}}" + "".join(f"/{{{n}}}" for n, loc, _ in params if loc == "path")
    cast = object()
    endpoint = sdk._base_client.Endpoint("PATCH", template, cast, common, server, **placed)

    args = {"self": object(), **values, "options": options}
    method_, path_, cast_, query, headers, body, server_, *passed = endpoint.request(args)
    sent = {"method": method_, "path": path_, "query": query, "headers": headers, "body": body}
    sent |= {
        "server": server_,
        **dict(zip(("extra_headers", "timeout", "total_timeout"), passed, strict=True)),
    }

    path = "/v1/{literal}" + "".join(
        f"/{quote(str(values[n]), safe='')}" for n, loc, _ in params if loc == "path"
    )
    expected: dict[str, Any] = {
        "method": "PATCH",
        "path": path,
        "server": server,
        "extra_headers": options.get("extra_headers"),
        "timeout": options.get("timeout", sdk.NOT_GIVEN),
        "total_timeout": options.get("total_timeout", sdk.NOT_GIVEN),
    }
    for location, key in (("query", "query"), ("header", "headers"), ("body", "body")):
        here = [(wire, values[name]) for name, loc, wire in params if loc == location]
        expected[key] = dict(here) if here else None
    assert sent == expected
    for key in ("query", "headers", "body"):  # in signature order, as the old dicts were
        assert list(sent[key] or ()) == list(expected[key] or ())
    assert cast_ is cast


def test_a_call_sends_what_its_endpoint_describes(sdk: ModuleType) -> None:
    """End to end through the client: the B2B member update (path, header and body params)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"request_id": "r", "status_code": 200})

    client = sdk.Client(
        project_id="project-test-1",
        secret="secret-test-1",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    members = client.b2b.organizations.members.with_raw_response
    members.update(
        "org 1/..",
        member_id="m.1",
        name="Ada",
        x_stytch_member_session="session-1",
        extra_headers={"X-Trace": "t"},
        timeout=3.0,
    )
    (request,) = seen
    assert request.method == "PUT"
    assert request.url.raw_path == b"/v1/b2b/organizations/org%201%2F../members/m.1"
    assert request.headers["X-Stytch-Member-Session"] == "session-1"
    assert request.headers["X-Trace"] == "t"
    assert request.content == b'{"name":"Ada"}'
    assert request.extensions["timeout"]["read"] == 3.0


def test_a_misspelt_option_is_a_type_error_before_anything_is_sent(sdk: ModuleType) -> None:
    """``**options`` accepts any keyword at run time: the Endpoint refuses what is not one."""
    seen: list[httpx.Request] = []
    client = sdk.Client(
        project_id="project-test-1",
        secret="secret-test-1",
        http_client=httpx.Client(transport=httpx.MockTransport(seen.append)),
    )
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\): timout$"):
        client.users.get("user-1", timout=5.0)
    assert seen == []
