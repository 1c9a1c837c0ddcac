"""Wire tests of the committed Stytch SDK (``generated/stytch_api``) over httpx.MockTransport.

Every one of the spec's endpoints is called through the generated client with values made from
the param types in the spec; the captured request is checked against the plan (method, URL,
where each param went, auth) and the response, synthesised from the endpoint's ``@returns``
shape, must come back as the response model with every field set. The runtime behaviour that
users rely on (errors, retries, timeouts, raw responses, pagination, credentials, servers) is
checked through the same generated package.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import httpx
import pytest
import sdk_support
from sdk_support import (
    Call,
    Wire,
    import_committed_sdk,
    plan_call,
    resolve,
    signature_of,
)

STYTCH = sdk_support.stytch()
ENDPOINTS: list[dict[str, Any]] = STYTCH.json["endpoints"]
BY_ACCESSOR = {endpoint["accessor"]: endpoint for endpoint in ENDPOINTS}
WIRE = Wire(STYTCH.api, STYTCH.model_fields)

PROJECT_ID = "project-test-6f3c2d1e-8a9b-4c0d-9e1f-2a3b4c5d6e7f"
SECRET = "secret-test-Zm9vYmFyYmF6cXV4PQ=="
TEST_BASE = "https://test.stytch.com"
LIVE_BASE = "https://api.stytch.com"
TELEMETRY_BASE = "https://telemetry.stytch.com"
# The fraud endpoints live on the telemetry host (spec/stytch.toml).
TELEMETRY_GROUPS = frozenset({"fingerprint", "rules", "verdict_reasons", "email"})
UNKNOWN = {"zz_field_added_later": {"nested": [1, "two", None]}}
ERROR_BODY = {
    "status_code": 0,
    "request_id": "request-id-test-0b8d3c1a-5e2f-4a6b-9c7d-1e2f3a4b5c6d",
    "error_type": "invalid_user_id",
    "error_message": "The user_id is not valid.",
    "error_url": "https://stytch.com/docs/api/errors/400",
}


def basic(project_id: str = PROJECT_ID, secret: str = SECRET) -> str:
    return "Basic " + base64.b64encode(f"{project_id}:{secret}".encode()).decode()


def test_the_plan_has_every_endpoint() -> None:
    assert len(ENDPOINTS) == STYTCH.api.declared_endpoints == 184
    assert len(BY_ACCESSOR) == 184, "two endpoints share an accessor"


# ---------------------------------------------------------------------------------------------
# The package and a recording transport
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sdk() -> ModuleType:
    return import_committed_sdk()


@pytest.fixture
def sleeps(sdk: ModuleType, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The retry delays, recorded instead of slept."""
    recorded: list[float] = []

    async def async_sleep(seconds: float) -> None:
        recorded.append(seconds)

    monkeypatch.setattr(sdk._base_client, "_sleep", recorded.append)
    monkeypatch.setattr(sdk._base_client, "_async_sleep", async_sleep)
    return recorded


@pytest.fixture(autouse=True)
def no_credentials_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STYTCH_PROJECT_ID", raising=False)
    monkeypatch.delenv("STYTCH_SECRET", raising=False)


Reply = Callable[[httpx.Request], httpx.Response]


class Server:
    """A MockTransport handler that records requests and plays back replies in order."""

    def __init__(self, *replies: Reply | httpx.Response) -> None:
        self.replies = list(replies)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        return reply(request) if callable(reply) else reply

    def client(self, sdk: ModuleType, **options: Any) -> Any:
        options.setdefault("project_id", PROJECT_ID)
        options.setdefault("secret", SECRET)
        http = httpx.Client(transport=httpx.MockTransport(self))
        return sdk.Client(http_client=http, **options)

    def async_client(self, sdk: ModuleType, **options: Any) -> Any:
        options.setdefault("project_id", PROJECT_ID)
        options.setdefault("secret", SECRET)
        http = httpx.AsyncClient(transport=httpx.MockTransport(self))
        return sdk.AsyncClient(http_client=http, **options)


def body_of(accessor: str, **fields: Any) -> dict[str, Any]:
    """A full 2xx body of ``accessor`` (every field its response declares), ``fields`` replaced."""
    _status, body = response_for(BY_ACCESSOR[accessor])
    assert body is not None, accessor
    return {**body, **fields}


def json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


# ---------------------------------------------------------------------------------------------
# Every endpoint
# ---------------------------------------------------------------------------------------------


def expected_base(call: Call) -> str:
    return TELEMETRY_BASE if call.endpoint.group in TELEMETRY_GROUPS else TEST_BASE


def response_for(method: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
    endpoint = STYTCH.endpoint_at(method["line"])
    success = endpoint.success
    assert success is not None, f"{method['accessor']}: no 2xx @returns"
    fields = STYTCH.api.response_fields(success)
    body = None if fields is None else {**WIRE.response_body(fields), **UNKNOWN}
    return int(success.code), body


def check_request(sdk: ModuleType, request: httpx.Request, call: Call) -> None:
    accessor = call.method["accessor"]
    assert request.method == call.method["method"], accessor
    base = httpx.URL(expected_base(call))
    assert (request.url.scheme, request.url.host) == (base.scheme, base.host), accessor
    raw_path, _, _ = request.url.raw_path.partition(b"?")
    assert raw_path.decode("ascii") == call.path, accessor
    # Query params in the query string only, exactly those passed.
    assert sorted(httpx.QueryParams(request.url.query).multi_items()) == call.query, accessor
    # Header params as headers only.
    for name, value in call.headers.items():
        assert request.headers.get(name) == value, f"{accessor}: header {name}"
    placed = {p["wire"]: p["in"] for p in call.method["params"]}
    for name in call.sent:
        if placed[name] != "header":
            assert name.lower() not in request.headers, f"{accessor}: {name} sent as a header"
    # Body params in the JSON body only, exactly those passed (UNSET ones absent).
    if call.body is None:
        assert request.content == b"", accessor
        assert "content-type" not in request.headers, accessor
    else:
        assert request.headers["content-type"] == "application/json", accessor
        assert json.loads(request.content) == call.body, accessor
    assert request.headers["authorization"] == basic(), accessor
    assert request.headers["user-agent"] == f"stytch_api/{sdk.__version__} (lapgen)"
    assert request.headers["user-agent"].startswith("stytch_api/")


def check_result(sdk: ModuleType, result: Any, method: dict[str, Any], body: Any) -> None:
    accessor = method["accessor"]
    if method["response_model"] is None:
        assert result == body, accessor
        return
    model = getattr(sdk.models, method["response_model"])
    assert type(result) is model, f"{accessor}: {type(result)!r}"
    endpoint = STYTCH.endpoint_at(method["line"])
    fields = STYTCH.api.response_fields(endpoint.success)
    assert fields is not None
    WIRE.check_model(result, fields, body, accessor)
    assert result.additional_properties == UNKNOWN, accessor


@pytest.mark.parametrize("accessor", sorted(BY_ACCESSOR))
def test_endpoint_over_the_wire(sdk: ModuleType, accessor: str) -> None:
    method = BY_ACCESSOR[accessor]
    status, body = response_for(method)
    server = Server(json_reply(status, body))
    client = server.client(sdk)
    function = resolve(client, accessor)
    call = plan_call(WIRE, method, STYTCH.method_plan(method["accessor"]), signature_of(function))
    result = function(*call.args, **call.kwargs)
    (request,) = server.requests
    check_request(sdk, request, call)
    check_result(sdk, result, method, body)


@pytest.mark.parametrize("optional", ["none", "all"])
def test_every_endpoint_with_no_or_every_optional_param(sdk: ModuleType, optional: str) -> None:
    """Each endpoint with its required params only (nothing else may be sent), then with
    every param it has (each must land in its place)."""
    failures = []
    for method in ENDPOINTS:
        status, body = response_for(method)
        server = Server(json_reply(status, body))
        function = resolve(server.client(sdk), method["accessor"])
        method_plan = STYTCH.method_plan(method["accessor"])
        call = plan_call(WIRE, method, method_plan, signature_of(function), optional=optional)
        try:
            result = function(*call.args, **call.kwargs)
            (request,) = server.requests
            check_request(sdk, request, call)
            check_result(sdk, result, method, body)
        except AssertionError as exc:
            failures.append(f"{method['accessor']}: {exc}")
    assert not failures, "\n".join(failures[:20])


def async_sample() -> list[str]:
    """Per top-level resource: its first endpoint and the one with the most params."""
    chosen: dict[str, list[str]] = {}
    for endpoint in ENDPOINTS:
        top = endpoint["accessor"].split(".")[0]
        picks = chosen.setdefault(top, [])
        if not picks:
            picks.append(endpoint["accessor"])
    for top, picks in chosen.items():
        richest = max(
            (e for e in ENDPOINTS if e["accessor"].split(".")[0] == top),
            key=lambda e: len(e["params"]),
        )
        if richest["accessor"] not in picks:
            picks.append(richest["accessor"])
    return [accessor for picks in chosen.values() for accessor in picks]


ASYNC_SAMPLE = async_sample()


def test_the_async_sample_covers_every_top_level_resource() -> None:
    tops = {e["accessor"].split(".")[0] for e in ENDPOINTS}
    assert {accessor.split(".")[0] for accessor in ASYNC_SAMPLE} == tops
    assert len(tops) == 18  # fraud.* holds the four telemetry groups


@pytest.mark.parametrize("accessor", ASYNC_SAMPLE)
def test_async_endpoint_over_the_wire(sdk: ModuleType, accessor: str) -> None:
    method = BY_ACCESSOR[accessor]
    status, body = response_for(method)
    server = Server(json_reply(status, body))

    async def scenario() -> tuple[Any, Call]:
        async with server.async_client(sdk) as client:
            function = resolve(client, accessor)
            call = plan_call(
                WIRE, method, STYTCH.method_plan(method["accessor"]), signature_of(function)
            )
            result = await function(*call.args, **call.kwargs)
            await client._http_client.aclose()
            return result, call

    result, call = asyncio.run(scenario())
    (request,) = server.requests
    check_request(sdk, request, call)
    check_result(sdk, result, method, body)


def test_every_optional_param_at_once(sdk: ModuleType) -> None:
    """users.create with all its params: each lands in the body under its wire name."""
    method = BY_ACCESSOR["users.create"]
    status, body = response_for(method)
    server = Server(json_reply(status, body))
    client = server.client(sdk)
    call = plan_call(
        WIRE,
        method,
        STYTCH.method_plan(method["accessor"]),
        signature_of(client.users.create),
        optional="all",
    )
    assert len(call.kwargs) == len(method["params"]) >= 9
    client.users.create(**call.kwargs)
    assert json.loads(server.requests[0].content) == call.body
    assert set(call.body or ()) == {p["wire"] for p in method["params"]}


def test_header_param_is_sent_as_a_header_only(sdk: ModuleType) -> None:
    server = Server(json_reply(200, body_of("b2b.organizations.members.search")))
    client = server.client(sdk)
    client.b2b.organizations.members.search(
        organization_ids=["organization-test-1"], x_stytch_member_session="session-token-1"
    )
    request = server.requests[0]
    assert request.headers["x-stytch-member-session"] == "session-token-1"
    assert json.loads(request.content) == {"organization_ids": ["organization-test-1"]}
    assert request.url.query == b""


def test_unset_optional_params_are_not_sent(sdk: ModuleType) -> None:
    server = Server(json_reply(200, body_of("users.create", request_id="r")))
    server.client(sdk).users.create()
    assert json.loads(server.requests[0].content) == {}


def test_none_is_sent_as_null(sdk: ModuleType) -> None:
    server = Server(json_reply(200, body_of("users.create", request_id="r")))
    server.client(sdk).users.create(email=None)  # type: ignore[arg-type]
    assert json.loads(server.requests[0].content) == {"email": None}


# ---------------------------------------------------------------------------------------------
# Errors and retries
# ---------------------------------------------------------------------------------------------

ERRORS = [
    (400, "BadRequestError", 1),
    (401, "AuthenticationError", 1),
    (403, "PermissionDeniedError", 1),
    (404, "NotFoundError", 1),
    (409, "ConflictError", 3),  # retried, like 408, 429 and 5xx (the Client docstring says so)
    (429, "RateLimitError", 3),
    (500, "InternalServerError", 3),
]


@pytest.mark.parametrize(("status", "error", "attempts"), ERRORS)
def test_error_status_raises_its_error(
    sdk: ModuleType, sleeps: list[float], status: int, error: str, attempts: int
) -> None:
    body = {**ERROR_BODY, "status_code": status}
    server = Server(json_reply(status, body))
    client = server.client(sdk)
    with pytest.raises(sdk.APIStatusError) as caught:
        client.users.get("user-test-1")
    exc = caught.value
    assert type(exc) is getattr(sdk.errors, error)
    assert exc.status_code == status
    assert exc.request_id == ERROR_BODY["request_id"]
    assert exc.error_type == ERROR_BODY["error_type"]
    assert exc.error_message == ERROR_BODY["error_message"]
    assert exc.body == body
    assert exc.response.status_code == status
    assert exc.request.url.path == "/v1/users/user-test-1"
    assert ERROR_BODY["error_message"] in str(exc)
    assert len(server.requests) == attempts
    assert len(sleeps) == attempts - 1


@pytest.mark.parametrize(("status", "error", "attempts"), ERRORS)
def test_async_error_status_raises_its_error(
    sdk: ModuleType, sleeps: list[float], status: int, error: str, attempts: int
) -> None:
    server = Server(json_reply(status, {**ERROR_BODY, "status_code": status}))

    async def scenario() -> None:
        async with server.async_client(sdk) as client:
            try:
                await client.users.get("user-test-1")
            finally:
                await client._http_client.aclose()

    with pytest.raises(getattr(sdk.errors, error)) as caught:
        asyncio.run(scenario())
    assert caught.value.request_id == ERROR_BODY["request_id"]
    assert caught.value.error_type == ERROR_BODY["error_type"]
    assert len(server.requests) == attempts


def test_429_with_retry_after_is_retried_after_that_delay(
    sdk: ModuleType, sleeps: list[float]
) -> None:
    limited = json_reply(429, {**ERROR_BODY, "status_code": 429}, {"Retry-After": "3"})
    ok = json_reply(200, body_of("users.get", request_id="r-ok", user_id="user-test-1"))
    server = Server(limited, limited, ok)
    result = server.client(sdk).users.get("user-test-1")
    assert result.user_id == "user-test-1"
    assert len(server.requests) == 3
    assert sleeps == [3.0, 3.0]


def test_429_with_retry_after_ms(sdk: ModuleType, sleeps: list[float]) -> None:
    server = Server(
        json_reply(429, ERROR_BODY, {"retry-after-ms": "1250"}),
        json_reply(200, body_of("users.get", request_id="r-ok")),
    )
    server.client(sdk).users.get("user-test-1")
    assert sleeps == [1.25]


def test_async_429_with_retry_after(sdk: ModuleType, sleeps: list[float]) -> None:
    server = Server(
        json_reply(429, ERROR_BODY, {"Retry-After": "2"}),
        json_reply(200, body_of("users.get", request_id="r-ok", user_id="u")),
    )

    async def scenario() -> Any:
        async with server.async_client(sdk) as client:
            result = await client.users.get("u")
            await client._http_client.aclose()
            return result

    assert asyncio.run(scenario()).user_id == "u"
    assert sleeps == [2.0]
    assert len(server.requests) == 2


def test_persistent_503_raises_after_bounded_retries(sdk: ModuleType, sleeps: list[float]) -> None:
    server = Server(json_reply(503, {**ERROR_BODY, "status_code": 503}))
    client = server.client(sdk, max_retries=4)
    with pytest.raises(sdk.errors.InternalServerError) as caught:
        client.users.get("user-test-1")
    assert caught.value.status_code == 503
    assert len(server.requests) == 5
    assert len(sleeps) == 4
    # Exponential backoff from 0.5 s with up to 25% jitter, capped at 8 s.
    for retry, delay in enumerate(sleeps):
        nominal = min(0.5 * 2**retry, 8.0)
        assert 0.75 * nominal <= delay <= nominal, (retry, delay)


def test_max_retries_zero_sends_once(sdk: ModuleType, sleeps: list[float]) -> None:
    server = Server(json_reply(503, ERROR_BODY))
    with pytest.raises(sdk.errors.InternalServerError):
        server.client(sdk, max_retries=0).users.get("user-test-1")
    assert len(server.requests) == 1
    assert sleeps == []


def test_timeout_raises_api_timeout_error(sdk: ModuleType, sleeps: list[float]) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    server = Server(timeout)
    with pytest.raises(sdk.APITimeoutError) as caught:
        server.client(sdk).users.get("user-test-1")
    assert isinstance(caught.value, sdk.APIConnectionError)
    assert caught.value.request.url.path == "/v1/users/user-test-1"
    assert len(server.requests) == 3  # timeouts are retried
    assert len(sleeps) == 2


def test_timeout_then_success(sdk: ModuleType, sleeps: list[float]) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    server = Server(timeout, json_reply(200, body_of("users.get", request_id="r", user_id="u")))
    assert server.client(sdk).users.get("u").user_id == "u"
    assert len(server.requests) == 2


def test_async_timeout_raises_api_timeout_error(sdk: ModuleType, sleeps: list[float]) -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("read timed out", request=request)

    server = Server(timeout)

    async def scenario() -> None:
        async with server.async_client(sdk, max_retries=0) as client:
            try:
                await client.users.get("user-test-1")
            finally:
                await client._http_client.aclose()

    with pytest.raises(sdk.APITimeoutError):
        asyncio.run(scenario())
    assert len(server.requests) == 1


# ---------------------------------------------------------------------------------------------
# Per-call options, raw responses, pagination
# ---------------------------------------------------------------------------------------------


def test_per_call_timeout_reaches_the_request(sdk: ModuleType) -> None:
    server = Server(json_reply(200, body_of("users.get", request_id="r")))
    client = server.client(sdk)
    client.users.get("u", timeout=3.5)
    client.users.get("u", timeout=httpx.Timeout(9.0, connect=1.0))
    client.users.get("u")
    first, second, default = (request.extensions["timeout"] for request in server.requests)
    assert first == {"connect": 3.5, "read": 3.5, "write": 3.5, "pool": 3.5}
    assert second == {"connect": 1.0, "read": 9.0, "write": 9.0, "pool": 9.0}
    assert default == {"connect": 5.0, "read": 60.0, "write": 60.0, "pool": 60.0}


def test_client_timeout_and_none(sdk: ModuleType) -> None:
    server = Server(json_reply(200, body_of("users.get", request_id="r")))
    client = server.client(sdk, timeout=12.0)
    client.users.get("u")
    client.users.get("u", timeout=None)
    assert server.requests[0].extensions["timeout"]["read"] == 12.0
    assert server.requests[1].extensions["timeout"] == {
        "connect": None,
        "read": None,
        "write": None,
        "pool": None,
    }


def test_extra_headers(sdk: ModuleType) -> None:
    server = Server(json_reply(200, body_of("users.get", request_id="r")))
    client = server.client(sdk, default_headers={"X-Team": "identity"})
    client.users.get("u", extra_headers={"X-Trace-Id": "trace-1", "X-Team": "override"})
    client.users.get("u")
    first, second = server.requests
    assert first.headers["x-trace-id"] == "trace-1"
    assert first.headers["x-team"] == "override"
    assert first.headers["authorization"] == basic()
    assert "x-trace-id" not in second.headers  # per call, not sticky
    assert second.headers["x-team"] == "identity"


def test_with_raw_response(sdk: ModuleType) -> None:
    body = body_of("users.get", request_id="request-id-raw", user_id="user-test-1")
    server = Server(json_reply(200, body, {"X-Custom": "yes"}))
    client = server.client(sdk)
    raw = client.users.with_raw_response.get("user-test-1")
    assert isinstance(raw, sdk.APIResponse)
    assert raw.status_code == 200
    assert raw.headers["x-custom"] == "yes"
    assert raw.request_id == "request-id-raw"
    assert raw.json() == body
    parsed = raw.parse()
    assert type(parsed) is sdk.models.UsersGetResponse
    assert parsed.user_id == "user-test-1"
    assert parsed.additional_properties == UNKNOWN
    assert raw.parse() is parsed
    assert raw.http_response.request.url == f"{TEST_BASE}/v1/users/user-test-1"
    # The wrapper does not leak: the plain method still returns the model.
    assert type(client.users.get("user-test-1")) is sdk.models.UsersGetResponse


def test_async_with_raw_response(sdk: ModuleType) -> None:
    server = Server(json_reply(200, body_of("users.get", request_id="r", user_id="u")))

    async def scenario() -> Any:
        async with server.async_client(sdk) as client:
            raw = await client.users.with_raw_response.get("u")
            await client._http_client.aclose()
            return raw

    raw = asyncio.run(scenario())
    assert raw.status_code == 200
    assert raw.parse().user_id == "u"


def search_page(cursor: str | None, *ids: str) -> dict[str, Any]:
    """A users.search page; the last one says so with a null ``next_cursor``, as Stytch's
    does (its spec types the field as a string: the planner makes a cursor field nullable)."""
    page = body_of("users.search", request_id=f"request-{cursor}")
    user, *_ = page["results"]
    page["results"] = [{**user, "user_id": user_id} for user_id in ids]
    page["results_metadata"] = {"total": 5, "next_cursor": cursor}
    return page


def test_search_pages_follows_next_cursor(sdk: ModuleType) -> None:
    server = Server(
        json_reply(200, search_page("cursor-2", "u1", "u2")),
        json_reply(200, search_page("cursor-3", "u3", "u4")),
        json_reply(200, search_page(None, "u5")),
    )
    client = server.client(sdk)
    pages = list(client.users.search_pages(limit=2))
    assert len(pages) == 3
    assert all(type(page) is sdk.models.UsersSearchResponse for page in pages)
    users = [user["user_id"] for page in pages for user in page.results]
    assert users == ["u1", "u2", "u3", "u4", "u5"]
    assert pages[-1].results_metadata.next_cursor is None
    bodies = [json.loads(request.content) for request in server.requests]
    assert bodies == [
        {"limit": 2},
        {"limit": 2, "cursor": "cursor-2"},
        {"limit": 2, "cursor": "cursor-3"},
    ]
    assert all(request.url.path == "/v1/users/search" for request in server.requests)


def test_search_pages_is_lazy(sdk: ModuleType) -> None:
    server = Server(json_reply(200, search_page("cursor-2", "u1")))
    pages = server.client(sdk).users.search_pages()
    assert server.requests == []
    next(iter(pages))
    assert len(server.requests) == 1


def test_search_pages_stops_on_an_empty_cursor(sdk: ModuleType) -> None:
    server = Server(json_reply(200, search_page("", "u1")))
    assert len(list(server.client(sdk).users.search_pages())) == 1


def test_search_pages_stops_when_a_cursor_repeats(sdk: ModuleType) -> None:
    """A server that keeps answering the same cursor must not make the helper loop forever."""
    server = Server(
        json_reply(200, search_page("cursor-2", "u1")),
        json_reply(200, search_page("cursor-2", "u2")),
        json_reply(200, search_page("cursor-2", "u3")),
    )
    pages = server.client(sdk).users.search_pages()
    collected = []
    for page in pages:
        collected.append(page)
        if len(collected) > 5:
            break
    assert len(collected) == 2
    assert len(server.requests) == 2


def test_async_search_pages(sdk: ModuleType) -> None:
    server = Server(
        json_reply(200, search_page("cursor-2", "u1")),
        json_reply(200, search_page("cursor-3", "u2")),
        json_reply(200, search_page(None, "u3")),
    )

    async def scenario() -> list[Any]:
        async with server.async_client(sdk) as client:
            pages = [page async for page in client.users.search_pages(limit=1)]
            await client._http_client.aclose()
            return pages

    pages = asyncio.run(scenario())
    assert [page.results[0]["user_id"] for page in pages] == ["u1", "u2", "u3"]
    cursors = [json.loads(request.content).get("cursor") for request in server.requests]
    assert cursors == [None, "cursor-2", "cursor-3"]


# ---------------------------------------------------------------------------------------------
# Credentials, environments and servers
# ---------------------------------------------------------------------------------------------


def test_credentials_from_the_environment(sdk: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STYTCH_PROJECT_ID", "project-live-0a1b2c3d")
    monkeypatch.setenv("STYTCH_SECRET", "secret-live-from-env")
    server = Server(json_reply(200, body_of("users.get", request_id="r")))
    client = sdk.Client(http_client=httpx.Client(transport=httpx.MockTransport(server)))
    client.users.get("u")
    request = server.requests[0]
    assert request.headers["authorization"] == basic(
        "project-live-0a1b2c3d", "secret-live-from-env"
    )
    assert str(request.url) == f"{LIVE_BASE}/v1/users/u"  # project-live- → live


def test_arguments_win_over_the_environment(
    sdk: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STYTCH_PROJECT_ID", "project-live-from-env")
    monkeypatch.setenv("STYTCH_SECRET", "secret-from-env")
    server = Server(json_reply(200, body_of("users.get", request_id="r")))
    server.client(sdk).users.get("u")
    assert server.requests[0].headers["authorization"] == basic()
    assert server.requests[0].url.host == "test.stytch.com"


@pytest.mark.parametrize("missing", ["STYTCH_PROJECT_ID", "STYTCH_SECRET"])
def test_missing_credential_names_the_variable(
    sdk: ModuleType, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.setenv("STYTCH_PROJECT_ID", "project-test-1")
    monkeypatch.setenv("STYTCH_SECRET", "secret-1")
    monkeypatch.delenv(missing)
    with pytest.raises(ValueError, match=missing):
        sdk.Client()


def test_explicit_environment(sdk: ModuleType) -> None:
    server = Server(json_reply(200, body_of("users.get", request_id="r")))
    server.client(sdk, environment="live").users.get("u")
    assert server.requests[0].url.host == "api.stytch.com"
    with pytest.raises(ValueError, match="staging"):
        sdk.Client(project_id=PROJECT_ID, secret=SECRET, environment="staging")


def test_base_url_override_wins_over_the_telemetry_server(sdk: ModuleType) -> None:
    server = Server(
        json_reply(200, {**body_of("fraud.fingerprint.lookup"), **body_of("users.get")})
    )
    client = server.client(sdk, base_url="https://proxy.example.com/stytch/")
    client.fraud.fingerprint.lookup(telemetry_id="telemetry-1")
    client.users.get("u")
    lookup, get = server.requests
    assert str(lookup.url) == "https://proxy.example.com/stytch/v1/fingerprint/lookup"
    assert str(get.url) == "https://proxy.example.com/stytch/v1/users/u"


def test_telemetry_groups_use_the_telemetry_server(sdk: ModuleType) -> None:
    server = Server(
        json_reply(200, {**body_of("fraud.fingerprint.lookup"), **body_of("users.get")})
    )
    client = server.client(sdk)
    client.fraud.fingerprint.lookup(telemetry_id="telemetry-1")
    client.users.get("u")
    assert server.requests[0].url.host == "telemetry.stytch.com"
    assert server.requests[1].url.host == "test.stytch.com"


def test_unknown_response_fields_are_kept(sdk: ModuleType) -> None:
    body = body_of("users.get", brand_new_top_level=[1, 2, 3])
    body["name"] = {**body["name"], "first_name": "Ada", "nickname": "countess"}
    server = Server(json_reply(200, body))
    user = server.client(sdk).users.get("u")
    assert user.additional_properties == {"brand_new_top_level": [1, 2, 3], **UNKNOWN}
    assert user.name.first_name == "Ada"
    assert user.name.additional_properties == {"nickname": "countess"}
    assert user.to_dict() == body  # nothing lost on the way back


def test_a_missing_response_field_names_the_endpoint_and_the_path(sdk: ModuleType) -> None:
    # spec/stytch.toml: [responses] declared_fields = "present"
    body = body_of("users.get")
    del body["user_id"]
    server = Server(json_reply(200, body))
    with pytest.raises(sdk.errors.APIResponseValidationError) as caught:
        server.client(sdk).users.get("u-1")
    assert caught.value.message == (
        "GET /v1/users/u-1 answered 200 with an unexpected body: user_id: missing"
    )
    # `Name` is also a param of users.create: its fields stay optional, so may be left out.
    del body["name"]["first_name"]
    server = Server(json_reply(200, {**body, "user_id": "u-1"}))
    assert server.client(sdk).users.get("u-1").name.first_name is sdk.UNSET


def test_a_response_value_of_the_wrong_type_names_the_path(sdk: ModuleType) -> None:
    body = body_of("users.get")
    body["name"] = {**body["name"], "first_name": None}
    server = Server(json_reply(200, body))
    with pytest.raises(sdk.errors.APIResponseValidationError) as caught:
        server.client(sdk).users.get("u")
    assert caught.value.message.endswith(": name.first_name: expected a string, got null")
