"""The generated runtime against hostile input: path values, response bodies, slow servers,
compression bombs and leaked credentials.

Run against the committed Stytch SDK (``generated/stytch_api``), over httpx.MockTransport
where the wire is not the point and over real 127.0.0.1 sockets where it is (dripping bodies,
gzip bombs).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
import time
import tracemalloc
import zlib
from types import ModuleType
from typing import Any, BinaryIO
from urllib.parse import unquote_to_bytes

import httpx
import pytest
import sdk_support
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_servers import Received, head, send_all, serving
from sdk_support import GENERATED, Wire, import_committed_sdk, plan_call, resolve, signature_of

STYTCH = sdk_support.stytch()
ENDPOINTS: list[dict[str, Any]] = STYTCH.json["endpoints"]
WIRE = Wire(STYTCH.api, STYTCH.model_fields)
PROJECT_ID = "project-test-6f3c2d1e-8a9b-4c0d-9e1f-2a3b4c5d6e7f"
SECRET = "secret-test-Zm9vYmFyYmF6cXV4PQ=="
WITH_PATH_PARAMS = [m for m in ENDPOINTS if any(p["in"] == "path" for p in m["params"])]
WITH_MODEL = [m for m in ENDPOINTS if m["response_model"] is not None]
# A users.get body with every declared field (spec/stytch.toml types them as present).
_USERS_GET = next(m for m in ENDPOINTS if m["accessor"] == "users.get")
USER = WIRE.response_body(
    STYTCH.api.response_fields(STYTCH.endpoint_at(_USERS_GET["line"]).success)
)


@pytest.fixture(scope="module")
def sdk() -> ModuleType:
    return import_committed_sdk()


@pytest.fixture(autouse=True)
def no_credentials_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STYTCH_PROJECT_ID", raising=False)
    monkeypatch.delenv("STYTCH_SECRET", raising=False)


def mock_client(sdk: ModuleType, handler: Any, **options: Any) -> Any:
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return sdk.Client(project_id=PROJECT_ID, secret=SECRET, http_client=http, **options)


def local_client(sdk: ModuleType, url: str, **options: Any) -> Any:
    return sdk.Client(project_id=PROJECT_ID, secret=SECRET, base_url=url, **options)


# ---------------------------------------------------------------------------------------------
# 1. Path values stay one segment
# ---------------------------------------------------------------------------------------------

HOSTILE_PATH_VALUES = [".", "..", "...", "/", "../..", "?", "#", "%", "%2E", "é", "日本", " "]


def segments(raw_path: bytes) -> list[bytes]:
    return raw_path.partition(b"?")[0].split(b"/")


def test_every_path_param_of_every_endpoint_stays_one_segment(sdk: ModuleType) -> None:
    """Each hostile value, in every path param of the 100+ endpoints that have one, reaches
    the server as exactly the one segment it was, never a dot segment."""
    assert len(WITH_PATH_PARAMS) > 50
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json={})

    client = mock_client(sdk, handler)
    failures: list[str] = []
    for method in WITH_PATH_PARAMS:
        template = method["path"]
        names = re.findall(r"\{+([^{}]+)\}+", template)
        expected = segments(re.sub(r"\{+[^{}]+\}+", "X", template).encode())
        function = resolve(client, method["accessor"])
        method_plan = STYTCH.method_plan(method["accessor"])
        call = plan_call(WIRE, method, method_plan, signature_of(function))
        assert len(call.args) == len(names), method["accessor"]
        for value in HOSTILE_PATH_VALUES:
            requests.clear()
            # Only the request matters here: `{}` is no valid response of most endpoints.
            with contextlib.suppress(sdk.errors.APIResponseValidationError):
                function(*[value] * len(names), **call.kwargs)
            (request,) = requests
            sent = segments(request.url.raw_path)
            where = f"{method['accessor']} with {value!r}: {request.url.raw_path!r}"
            if len(sent) != len(expected):
                failures.append(where)
                continue
            for part, model in zip(sent, expected, strict=True):
                if model == b"X":
                    ok = unquote_to_bytes(part) == value.encode() and part not in (b".", b"..")
                else:
                    ok = part == model
                if not ok:
                    failures.append(where)
    assert not failures, "\n".join(failures[:20])


def test_the_reported_delete_keeps_its_dot_dot_member(sdk: ModuleType) -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json={})

    with contextlib.suppress(sdk.errors.APIResponseValidationError):  # only the request matters
        mock_client(sdk, handler).b2b.organizations.members.delete("org-123", "..")
    assert requests[0].method == "DELETE"
    assert requests[0].url.raw_path == b"/v1/b2b/organizations/org-123/members/%2E%2E"


def test_an_empty_path_value_is_rejected_before_any_request(sdk: ModuleType) -> None:
    requests: list[httpx.Request] = []
    client = mock_client(sdk, requests.append)
    with pytest.raises(ValueError, match="path parameter cannot be empty"):
        client.b2b.organizations.members.delete("org-123", "")
    assert requests == []


@given(st.text(st.characters(exclude_categories=["Cs"])))
def test_path_param_round_trips_as_exactly_one_segment(text: str) -> None:
    path_param = _path_param()
    if not text:
        with pytest.raises(ValueError):
            path_param(text)
        return
    encoded = path_param(text)
    url = httpx.URL("https://api.test/a/" + encoded + "/b?q=1")
    parts = segments(url.raw_path)
    assert len(parts) == 4 and parts[1] == b"a" and parts[3] == b"b"
    assert unquote_to_bytes(parts[2]) == text.encode()
    assert parts[2] not in (b".", b"..")


@given(st.text(st.characters(categories=["Cs"]), min_size=1))
def test_path_param_rejects_text_that_is_not_unicode(text: str) -> None:
    with pytest.raises(ValueError):
        _path_param()(text)


def _path_param() -> Any:
    sys.path.insert(0, str(GENERATED))
    try:
        from stytch_api._base_client import path_param
    finally:
        sys.path.remove(str(GENERATED))
    return path_param


# ---------------------------------------------------------------------------------------------
# 2. A 2xx body that is not the expected object
# ---------------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
# A body as JSON, as JSON whose fields are those of the model with random values, or as
# bytes that may be anything at all.
BODIES = st.one_of(
    JSON.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=64),
    st.sampled_from([b"", b"<html><body>502 Bad Gateway</body></html>", b"null", b"[]", b"{"]),
)


def body_with_model_fields(method: dict[str, Any]) -> st.SearchStrategy[bytes]:
    names = list(STYTCH.model_fields[method["response_model"]]) or ["request_id"]
    return st.dictionaries(st.sampled_from(names), JSON, max_size=6).map(
        lambda d: json.dumps(d).encode()
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), status=st.sampled_from([200, 201, 204]))
def test_any_2xx_body_gives_the_model_or_a_validation_error(
    sdk: ModuleType, data: st.DataObject, status: int
) -> None:
    method = data.draw(st.sampled_from(WITH_MODEL), label="endpoint")
    body = data.draw(BODIES | body_with_model_fields(method), label="body")
    content_type = data.draw(st.sampled_from(["application/json", "text/html"]))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": content_type})

    client = mock_client(sdk, handler)
    function = resolve(client, method["accessor"])
    call = plan_call(WIRE, method, STYTCH.method_plan(method["accessor"]), signature_of(function))
    model = getattr(sdk.models, method["response_model"])
    try:
        result = function(*call.args, **call.kwargs)
    except sdk.errors.APIResponseValidationError as exc:
        assert isinstance(exc, sdk.errors.APIError)
        assert exc.response.status_code == status and exc.status_code == status
        assert exc.response.content == body
        endpoint_path = exc.request.url.path
        assert str(exc).startswith(f"{method['method']} {endpoint_path} answered {status}")
        assert SECRET not in str(exc)
    else:
        assert type(result) is model


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the body is empty"),
        (b"<html>oops</html>", "the body is text, not a JSON object (content-type text/html)"),
        (b"[1, 2]", "the body is JSON an array, not an object"),
        (b"null", "the body is JSON null, not an object"),
    ],
)
def test_validation_errors_say_what_was_wrong(
    sdk: ModuleType, content: bytes, problem: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers={"content-type": "text/html"})

    client = mock_client(sdk, handler)
    with pytest.raises(sdk.errors.APIResponseValidationError) as caught:
        client.users.get("user-1")
    assert str(caught.value).startswith(
        f"GET /v1/users/user-1 answered 200 with an unexpected body: {problem} ("
    )
    # The raw response defers parsing; .parse() raises the same error.
    raw = client.users.with_raw_response.get("user-1")
    with pytest.raises(sdk.errors.APIResponseValidationError):
        raw.parse()


def test_a_204_where_a_model_is_expected(sdk: ModuleType) -> None:
    client = mock_client(sdk, lambda request: httpx.Response(204))
    with pytest.raises(sdk.errors.APIResponseValidationError, match="the body is empty"):
        client.users.get("user-1")


# ---------------------------------------------------------------------------------------------
# 3. total_timeout: one deadline for the whole call
# ---------------------------------------------------------------------------------------------

DRIP_BYTES = 100


def dripping(delay: float) -> Any:
    """A server whose JSON body arrives one byte every `delay` seconds."""

    def respond(request: Received, wfile: BinaryIO) -> None:
        body = json.dumps({"request_id": "r", "pad": "x" * DRIP_BYTES}).encode()
        send_all(wfile, head(200, {"content-length": str(len(body))}))
        for byte in body:
            send_all(wfile, bytes([byte]))
            time.sleep(delay)

    return respond


def test_total_timeout_stops_a_dripping_body(sdk: ModuleType) -> None:
    """Each byte comes well within the per-read timeout; only the total deadline stops it."""
    with serving(dripping(0.05)) as server:
        client = local_client(sdk, server.url, timeout=5, total_timeout=0.5)
        with pytest.raises(sdk.errors.APITimeoutError, match="total_timeout") as caught:
            client.users.get("user-1")
        client.close()
    assert isinstance(caught.value, sdk.errors.APIConnectionError)
    assert len(server.requests) == 1  # a deadline is not retried


def test_async_total_timeout_stops_a_dripping_body(sdk: ModuleType) -> None:
    async def main() -> None:
        async with sdk.AsyncClient(
            project_id=PROJECT_ID, secret=SECRET, base_url=server.url, timeout=5
        ) as client:
            with pytest.raises(sdk.errors.APITimeoutError, match="total_timeout"):
                await client.users.get("user-1", total_timeout=0.5)

    with serving(dripping(0.05)) as server:
        asyncio.run(main())


def test_total_timeout_bounds_the_retries(sdk: ModuleType) -> None:
    """503 with Retry-After 0.3 s and ten retries allowed: a 0.5 s deadline leaves room for
    one retry at most, then the last error is raised instead of sleeping past it."""
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(503, headers={"retry-after": "0.3"})

    client = mock_client(sdk, handler, max_retries=10, total_timeout=0.5)
    with pytest.raises(sdk.errors.InternalServerError):
        client.users.get("user-1")
    assert 1 <= len(requests) <= 2
    # Per call, and on a client without the option, the same.
    requests.clear()
    client = mock_client(sdk, handler, max_retries=10)
    with pytest.raises(sdk.errors.InternalServerError):
        client.users.get("user-1", total_timeout=0.5)
    assert 1 <= len(requests) <= 2


@pytest.mark.parametrize("bad", [0, -1.0, float("nan")])
def test_total_timeout_must_be_positive(sdk: ModuleType, bad: float) -> None:
    with pytest.raises(ValueError, match="total_timeout"):
        sdk.Client(project_id=PROJECT_ID, secret=SECRET, total_timeout=bad)


def test_total_timeout_caps_each_phase_timeout(sdk: ModuleType) -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=USER)

    mock_client(sdk, handler, total_timeout=2.0).users.get("u")
    phases = requests[0].extensions["timeout"]
    assert set(phases) == {"connect", "read", "write", "pool"}
    assert all(0 < value <= 2.0 for value in phases.values())


# ---------------------------------------------------------------------------------------------
# 4. Decompression bombs
# ---------------------------------------------------------------------------------------------

MIB = 1024 * 1024


def compressed(size: int, wbits: int = 31) -> bytes:
    """`size` zero bytes compressed (gzip by default), without holding them in memory."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = bytes(MIB)
    parts = [compressor.compress(block) for _ in range(size // MIB)]
    return b"".join(parts) + compressor.flush()


BOMB = compressed(80 * MIB)  # about 80 KB on the wire, more than the default limit


def sending(body: bytes, encoding: str) -> Any:
    def respond(request: Received, wfile: BinaryIO) -> None:
        headers = {"content-length": str(len(body)), "content-encoding": encoding}
        send_all(wfile, head(200, {**headers, "content-type": "application/json"}) + body)

    return respond


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip"])
def test_a_gzip_bomb_is_cut_off_at_max_response_size(sdk: ModuleType, encoding: str) -> None:
    body = BOMB if encoding == "gzip" else zlib.compress(BOMB, wbits=31)
    assert len(body) < MIB
    with serving(sending(body, encoding)) as server:
        client = local_client(sdk, server.url, max_response_size=4 * MIB)
        tracemalloc.start()
        try:
            with pytest.raises(sdk.errors.APIResponseTooLargeError) as caught:
                client.users.get("user-1")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        client.close()
    error = caught.value
    assert isinstance(error, sdk.errors.APIError)
    assert error.limit == 4 * MIB and error.response.status_code == 200
    assert "max_response_size (4194304 bytes)" in str(error)
    # Loosely: the 80 MiB were never held, only about the limit.
    assert peak < 32 * MIB
    assert len(server.requests) == 1  # not retried


def test_the_default_limit_stops_a_bomb(sdk: ModuleType) -> None:
    assert sdk._base_client.DEFAULT_MAX_RESPONSE_SIZE == 64 * MIB
    with serving(sending(BOMB, "gzip")) as server:
        client = local_client(sdk, server.url)
        assert client.max_response_size == 64 * MIB
        with pytest.raises(sdk.errors.APIResponseTooLargeError):
            client.users.get("user-1")
        client.close()


@pytest.mark.parametrize(
    ("encoding", "wbits"),
    [("gzip", 31), ("x-gzip", 31), ("deflate", 15), ("deflate", -15), ("identity", None)],
)
def test_compressed_bodies_within_the_limit_are_decoded(
    sdk: ModuleType, encoding: str, wbits: int | None
) -> None:
    payload = json.dumps({**USER, "request_id": "r-1", "user_id": "u" * 5000}).encode()
    body = payload if wbits is None else zlib.compress(payload, wbits=wbits)
    with serving(sending(body, encoding)) as server:
        client = local_client(sdk, server.url)
        user = client.users.get("user-1")
        raw = client.users.with_raw_response.get("user-1")
        client.close()
    assert user.request_id == "r-1" and user.user_id == "u" * 5000
    assert raw.http_response.content == payload and raw.json()["request_id"] == "r-1"
    assert server.requests[0].headers["accept-encoding"] == "gzip, deflate"


def test_a_corrupt_or_unknown_encoding_is_a_clear_error(sdk: ModuleType) -> None:
    with serving(sending(b"\x1f\x8b not really gzip", "gzip")) as server:
        client = local_client(sdk, server.url)
        with pytest.raises(sdk.errors.APIResponseValidationError, match="cannot be decompressed"):
            client.users.get("user-1")
    with serving(sending(b"xx", "br")) as server:
        client = local_client(sdk, server.url)
        with pytest.raises(sdk.errors.APIResponseValidationError, match="content-encoding 'br'"):
            client.users.get("user-1")


def test_a_large_plain_body_is_cut_off_too(sdk: ModuleType) -> None:
    def respond(request: Received, wfile: BinaryIO) -> None:
        send_all(wfile, head(200, {"content-length": str(8 * MIB)}))
        for _ in range(8):
            send_all(wfile, bytes(MIB))

    with serving(respond) as server:
        client = local_client(sdk, server.url, max_response_size=MIB)
        with pytest.raises(sdk.errors.APIResponseTooLargeError):
            client.users.get("user-1")
        client.close()


def test_async_bomb_is_cut_off(sdk: ModuleType) -> None:
    async def main() -> None:
        async with sdk.AsyncClient(
            project_id=PROJECT_ID, secret=SECRET, base_url=server.url, max_response_size=MIB
        ) as client:
            with pytest.raises(sdk.errors.APIResponseTooLargeError):
                await client.users.get("user-1")

    with serving(sending(BOMB, "gzip")) as server:
        asyncio.run(main())
