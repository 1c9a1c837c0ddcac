"""End-to-end tests: generated SDKs against ``lapgen mock`` over loopback HTTP.

The committed Stytch SDK, sync and async, calls every endpoint of the spec against the mock,
whose validation (auth, params in their place, types) every call must pass; deliberately wrong
requests must fail; faults injected by the mock must surface as the SDK's typed errors; load
through one client must leak neither connections nor file descriptors; and the SDK generated
from each HTTP sample in ``tests/corpus`` calls all of its endpoints.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import importlib
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import sdk_support
from mock_support import (
    PROJECT_ID,
    SECRET,
    closed_port,
    open_fds,
    settled_fds,
    stytch_mock,
    stytch_sdk,
)
from sdk_support import (
    Call,
    Target,
    Wire,
    plan_call,
    resolve,
    sample_slug,
    signature_of,
)
from test_samples_sdk import HTTP_SAMPLES

from generator.mock import RunningMock, serve

__all__ = ["stytch_mock", "stytch_sdk"]  # fixtures, used by name

STYTCH = sdk_support.stytch()
ENDPOINTS: list[dict[str, Any]] = STYTCH.json["endpoints"]
WIRE = Wire(STYTCH.api, STYTCH.model_fields)
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def group_of(method: dict[str, Any]) -> str:
    endpoint = STYTCH.endpoint_at(method["line"])
    return endpoint.group or method["accessor"].split(".")[0]


def client(sdk: ModuleType, mock: RunningMock, **options: Any) -> Any:
    return sdk.Client(project_id=PROJECT_ID, secret=SECRET, base_url=mock.url, **options)


def async_client(sdk: ModuleType, mock: RunningMock, **options: Any) -> Any:
    return sdk.AsyncClient(project_id=PROJECT_ID, secret=SECRET, base_url=mock.url, **options)


def calls(root: Any) -> list[tuple[dict[str, Any], Any, Call]]:
    """Every endpoint's method on ``root`` and a call with required params and one optional
    param of each location."""
    planned = []
    for method in ENDPOINTS:
        function = resolve(root, method["accessor"])
        method_plan = STYTCH.method_plan(method["accessor"])
        planned.append(
            (method, function, plan_call(WIRE, method, method_plan, signature_of(function)))
        )
    return planned


def check_result(sdk: ModuleType, mock: RunningMock, method: dict[str, Any], result: Any) -> None:
    """The result is the response model holding the body the mock synthesised."""
    where = f"{method['method']} {method['path']} ({method['accessor']})"
    endpoint = STYTCH.endpoint_at(method["line"])
    body = mock.app.body_for(endpoint.method, endpoint.path)
    if method["response_model"] is None:
        assert result == body, where
        return
    assert type(result) is getattr(sdk.models, method["response_model"]), where
    fields = STYTCH.api.response_fields(endpoint.success)
    assert fields is not None, where
    WIRE.check_model(result, fields, body, where)


def report(title: str, groups: Counter[str]) -> str:
    lines = [title, f"{'group':<28} endpoints"]
    lines += [f"{name:<28} {count:>9}" for name, count in sorted(groups.items())]
    lines.append(f"{'total':<28} {sum(groups.values()):>9}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Every endpoint, sync and async
# ---------------------------------------------------------------------------------------------


def test_sync_client_calls_every_endpoint(
    stytch_sdk: ModuleType, stytch_mock: RunningMock, record_property: Any
) -> None:
    refused_before = stytch_mock.app.refused_count
    groups: Counter[str] = Counter()
    with client(stytch_sdk, stytch_mock) as sdk_client:
        for method, function, call in calls(sdk_client):
            result = function(*call.args, **call.kwargs)
            check_result(stytch_sdk, stytch_mock, method, result)
            groups[group_of(method)] += 1
    assert stytch_mock.app.refused_count == refused_before, list(stytch_mock.app.refused)
    table = report("sync client, endpoints exercised per group:", groups)
    print(table)
    record_property("groups", dict(groups))
    assert sum(groups.values()) == len(ENDPOINTS) == 184
    assert groups == Counter(group_of(method) for method in ENDPOINTS)


def test_async_client_calls_every_endpoint(
    stytch_sdk: ModuleType, stytch_mock: RunningMock
) -> None:
    refused_before = stytch_mock.app.refused_count

    async def main() -> Counter[str]:
        groups: Counter[str] = Counter()
        async with async_client(stytch_sdk, stytch_mock) as sdk_client:
            for method, function, call in calls(sdk_client):
                result = await function(*call.args, **call.kwargs)
                check_result(stytch_sdk, stytch_mock, method, result)
                groups[group_of(method)] += 1
        return groups

    groups = asyncio.run(main())
    assert stytch_mock.app.refused_count == refused_before, list(stytch_mock.app.refused)
    print(report("async client, endpoints exercised per group:", groups))
    assert sum(groups.values()) == 184
    assert groups == Counter(group_of(method) for method in ENDPOINTS)


def test_bodies_are_deterministic_and_realistic() -> None:
    with serve(sdk_support.SPEC, config=sdk_support.SPEC_CONFIG, seed=7) as mock:
        body = mock.app.body_for("GET", "/v1/users/{user_id}")
        assert body == mock.app.body_for("GET", "/v1/users/{user_id}")
        seed_7 = httpx.get(f"{mock.url}/v1/users/u1", auth=(PROJECT_ID, SECRET), timeout=5).json()
        assert seed_7 == body
    with serve(sdk_support.SPEC, config=sdk_support.SPEC_CONFIG, seed=8) as mock:
        assert mock.app.body_for("GET", "/v1/users/{user_id}") != body
    assert body["status_code"] == 200
    assert re.fullmatch(f"request-id-test-{UUID}", body["request_id"])
    assert re.fullmatch(f"user-test-{UUID}", body["user_id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", body["created_at"])


def test_every_body_looks_real(stytch_mock: RunningMock) -> None:
    seen: Counter[str] = Counter()

    def walk(value: Any, key: str) -> None:
        if isinstance(value, dict):
            for inner_key, inner in value.items():
                walk(inner, inner_key)
        elif isinstance(value, list):
            assert len(value) <= 2, key
            for item in value:
                walk(item, key)
        elif isinstance(value, str):
            if key.endswith("_at"):
                dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
                seen["timestamps"] += 1
            elif key.endswith("_id"):
                assert re.fullmatch(f"[a-z0-9-]+-test-{UUID}", value), (key, value)
                seen["ids"] += 1
            elif "email" in key and "id" not in key:
                assert re.fullmatch(r"[a-z.0-9]+@example\.com", value), (key, value)
                seen["emails"] += 1

    for method in ENDPOINTS:
        endpoint = STYTCH.endpoint_at(method["line"])
        walk(stytch_mock.app.body_for(endpoint.method, endpoint.path), "")
    assert min(seen["timestamps"], seen["ids"], seen["emails"]) > 10, seen


# ---------------------------------------------------------------------------------------------
# The mock refuses wrong requests
# ---------------------------------------------------------------------------------------------


def raw_request(
    mock: RunningMock, method: dict[str, Any], call: Call, *, auth: bool = True
) -> httpx.Request:
    """The request ``call`` makes, built by hand so that tests can break it."""
    headers = dict(call.headers)
    if auth:
        token = base64.b64encode(f"{PROJECT_ID}:{SECRET}".encode()).decode()
        headers["authorization"] = f"Basic {token}"
    return httpx.Request(
        method["method"],
        httpx.URL(mock.url + call.path, params=call.query),
        headers=headers,
        json=call.body,
    )


def send(request: httpx.Request) -> httpx.Response:
    with httpx.Client(timeout=5) as http:
        return http.send(request)


def planned(accessor: str, optional: str = "none") -> tuple[dict[str, Any], Call]:
    method = next(m for m in ENDPOINTS if m["accessor"] == accessor)
    method_plan = STYTCH.method_plan(accessor)
    return method, plan_call(WIRE, method, method_plan, _signature(method), optional=optional)  # type: ignore[arg-type]


def first(predicate: Any) -> dict[str, Any]:
    return next(m for m in ENDPOINTS if predicate(m))


def test_a_valid_raw_request_passes(stytch_mock: RunningMock) -> None:
    method, call = planned("users.get")
    response = send(raw_request(stytch_mock, method, call))
    assert response.status_code == 200, response.text


def test_a_header_param_in_the_query_is_refused(stytch_mock: RunningMock) -> None:
    method = first(
        lambda m: any(p["in"] == "header" for p in m["params"])
        and all(p["in"] == "path" for p in m["params"] if p["required"])
    )
    header = next(p for p in method["params"] if p["in"] == "header")
    method_plan = STYTCH.method_plan(method["accessor"])
    call = plan_call(WIRE, method, method_plan, _signature(method), optional="none")
    call.query.append((header["wire"], "session-token-test"))
    response = send(raw_request(stytch_mock, method, call))
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error_type"] == "wrong_location"
    assert f"header param '{header['wire']}'" in body["error_message"]
    assert "found in the query" in body["error_message"]
    assert re.fullmatch(f"request-id-test-{UUID}", body["request_id"])
    assert body["status_code"] == 400


def test_a_missing_required_body_field_is_refused(stytch_mock: RunningMock) -> None:
    method = first(lambda m: any(p["in"] == "body" and p["required"] for p in m["params"]))
    missing = next(p for p in method["params"] if p["in"] == "body" and p["required"])
    method_plan = STYTCH.method_plan(method["accessor"])
    call = plan_call(WIRE, method, method_plan, _signature(method), optional="none")
    assert call.body is not None
    del call.body[missing["wire"]]
    response = send(raw_request(stytch_mock, method, call))
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error_type"] == "missing_param"
    assert f"'{missing['wire']}' is required in the JSON body" in body["error_message"]


def test_a_wrong_type_is_refused(stytch_mock: RunningMock) -> None:
    method, call = planned("users.search", optional="none")
    call.body = {"limit": "seven"}
    response = send(raw_request(stytch_mock, method, call))
    assert response.status_code == 400, response.text
    assert response.json()["error_type"] == "wrong_type"
    assert "'limit' must be an integer" in response.json()["error_message"]


def test_no_auth_is_refused(stytch_mock: RunningMock) -> None:
    method, call = planned("users.get")
    response = send(raw_request(stytch_mock, method, call, auth=False))
    assert response.status_code == 401
    assert response.json()["error_type"] == "unauthorized"
    request = raw_request(stytch_mock, method, call)
    request.headers["authorization"] = "Bearer token"
    assert send(request).status_code == 401


def test_unknown_paths_methods_and_fields(stytch_mock: RunningMock) -> None:
    auth = (PROJECT_ID, SECRET)
    with httpx.Client(base_url=stytch_mock.url, auth=auth, timeout=5) as http:
        assert http.get("/v1/nowhere").status_code == 404
        wrong = http.patch("/v1/users/search", json={})
        assert wrong.status_code == 405 and "POST" in wrong.headers["allow"]
        extra = http.post("/v1/users/search", json={"zz_later": 1})
        assert extra.status_code == 200
        assert "zz_later" in extra.headers["x-lapgen-mock-warning"]


def _signature(method: dict[str, Any]) -> dict[str, Any]:
    """Annotations for ``plan_call`` read from the SDK class, without a client instance."""
    sys.path.insert(0, str(sdk_support.GENERATED))
    try:
        import stytch_api
    finally:
        sys.path.remove(str(sdk_support.GENERATED))
    sdk_client = stytch_api.Client(project_id=PROJECT_ID, secret=SECRET, base_url="http://x")
    try:
        return signature_of(resolve(sdk_client, method["accessor"]))
    finally:
        sdk_client.close()


# ---------------------------------------------------------------------------------------------
# Faults through the SDK
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def sleeps(stytch_sdk: ModuleType, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(stytch_sdk._base_client, "_sleep", recorded.append)
    return recorded


def test_429_with_retry_after_is_retried(
    stytch_sdk: ModuleType, stytch_mock: RunningMock, sleeps: list[float]
) -> None:
    control = "status=429; retry-after=0.1; times=1; id=retry-after-test"
    before = stytch_mock.app.requests
    with client(stytch_sdk, stytch_mock) as sdk_client:
        user = sdk_client.users.get("user-1", extra_headers={"X-Lapgen-Mock": control})
    assert user.status_code == 200
    assert sleeps == [0.1]
    assert stytch_mock.app.requests - before == 2


def test_a_persistent_503_raises_after_the_retries(
    stytch_sdk: ModuleType, stytch_mock: RunningMock, sleeps: list[float]
) -> None:
    before = stytch_mock.app.requests
    with (
        client(stytch_sdk, stytch_mock) as sdk_client,
        pytest.raises(stytch_sdk.errors.InternalServerError) as caught,
    ):
        sdk_client.users.get("user-1", extra_headers={"X-Lapgen-Mock": "status=503"})
    assert caught.value.status_code == 503
    assert stytch_mock.app.requests - before == 3  # DEFAULT_MAX_RETRIES = 2
    assert len(sleeps) == 2


def test_latency_above_the_timeout_raises_a_timeout(
    stytch_sdk: ModuleType, stytch_mock: RunningMock
) -> None:
    with (
        client(stytch_sdk, stytch_mock, timeout=0.2, max_retries=0) as sdk_client,
        pytest.raises(stytch_sdk.errors.APITimeoutError),
    ):
        sdk_client.users.get("user-1", extra_headers={"X-Lapgen-Mock": "delay=1"})


def test_a_refused_connection_raises_a_connection_error(stytch_sdk: ModuleType) -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    with (
        stytch_sdk.Client(
            project_id=PROJECT_ID, secret=SECRET, base_url=url, max_retries=0
        ) as sdk_client,
        pytest.raises(stytch_sdk.errors.APIConnectionError) as caught,
    ):
        sdk_client.users.get("user-1")
    assert not isinstance(caught.value, stytch_sdk.errors.APITimeoutError)


def test_a_dropped_connection_raises_a_connection_error(
    stytch_sdk: ModuleType, stytch_mock: RunningMock, sleeps: list[float]
) -> None:
    with (
        client(stytch_sdk, stytch_mock) as sdk_client,
        pytest.raises(stytch_sdk.errors.APIConnectionError),
    ):
        sdk_client.users.get("user-1", extra_headers={"X-Lapgen-Mock": "drop"})
    assert len(sleeps) == 2  # retried, then given up


def test_a_400_raises_bad_request_with_the_body(
    stytch_sdk: ModuleType, stytch_mock: RunningMock
) -> None:
    with (
        client(stytch_sdk, stytch_mock) as sdk_client,
        pytest.raises(stytch_sdk.errors.BadRequestError) as caught,
    ):
        sdk_client.users.search(limit="seven")
    error = caught.value
    assert error.status_code == 400
    assert re.fullmatch(f"request-id-test-{UUID}", error.request_id)
    assert error.error_type == "wrong_type"
    assert "'limit' must be an integer" in error.error_message
    assert error.request_id in str(error)


def test_server_wide_faults() -> None:
    with serve(sdk_support.SPEC, config=sdk_support.SPEC_CONFIG, fail_rate=1.0, delay=0.05) as mock:
        response = httpx.get(f"{mock.url}/v1/users/u1", auth=(PROJECT_ID, SECRET), timeout=5)
        assert response.status_code == 503
        assert response.elapsed.total_seconds() >= 0.05


# ---------------------------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------------------------


def test_load_through_one_client_leaks_nothing(
    stytch_sdk: ModuleType, stytch_mock: RunningMock
) -> None:
    baseline = open_fds()
    refused_before = stytch_mock.app.refused_count

    async def async_load() -> list[Any]:
        limit = asyncio.Semaphore(100)
        async with async_client(stytch_sdk, stytch_mock) as sdk_client:

            async def one(index: int) -> Any:
                async with limit:
                    return await sdk_client.users.get(f"user-{index}")

            return await asyncio.gather(*(one(index) for index in range(1000)))

    results = asyncio.run(async_load())
    assert len(results) == 1000 and all(r.status_code == 200 for r in results)
    assert settled_fds(baseline) <= baseline

    with client(stytch_sdk, stytch_mock) as sdk_client, ThreadPoolExecutor(16) as pool:
        threaded = list(pool.map(lambda i: sdk_client.users.get(f"user-{i}"), range(200)))
    assert len(threaded) == 200 and all(r.status_code == 200 for r in threaded)
    assert settled_fds(baseline) <= baseline
    assert stytch_mock.app.refused_count == refused_before, list(stytch_mock.app.refused)


# ---------------------------------------------------------------------------------------------
# The HTTP samples
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root, records = sdk_support.sample_outputs(tmp_path_factory, HTTP_SAMPLES)
    sys.path.insert(0, str(root))
    yield records
    sys.path.remove(str(root))


@pytest.mark.parametrize("sample", HTTP_SAMPLES, ids=lambda sample: sample.stem)
def test_each_sample_sdk_calls_every_endpoint(
    sample: Path, sample_packages: dict[str, Any]
) -> None:
    package = sample_packages[sample.name]["package"]
    assert package, sample_packages[sample.name]["stderr"]
    module = importlib.import_module(f"{sample_slug(sample)}.{package}")
    loaded = sdk_support.load(sample)
    target = Target.of(module, loaded)
    wire = Wire(loaded.api, loaded.model_fields)
    failures = []
    with serve(sample) as mock:
        sdk_client = module.Client(**target.credentials, base_url=mock.url, max_retries=0)
        for method in loaded.json["endpoints"]:
            function = resolve(sdk_client, method["accessor"])
            method_plan = loaded.method_plan(method["accessor"])
            call = plan_call(wire, method, method_plan, signature_of(function))
            try:
                function(*call.args, **call.kwargs)
            except Exception as exc:  # noqa: BLE001 - report them all together
                failures.append(f"{method['accessor']}: {type(exc).__name__}: {exc}")
        sdk_client.close()
        assert failures == [], "\n".join(failures)
        assert not mock.app.refused, list(mock.app.refused)
        assert mock.app.requests == len(loaded.json["endpoints"])


# ---------------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------------


def test_lapgen_mock_prints_its_url_serves_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "mock", str(sdk_support.SPEC), "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=sdk_support.REPO,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.fullmatch(
            r"Mock server for Stytch API listening on (http://127\.0\.0\.1:(\d+))\n", line
        )
        assert match, line
        response = httpx.get(f"{match[1]}/v1/users/u1", auth=(PROJECT_ID, SECRET), timeout=5)
        assert response.status_code == 200 and response.json()["status_code"] == 200
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(10)
    assert code == 0, process.stderr.read() if process.stderr else ""


def test_lapgen_mock_refuses_a_missing_spec(tmp_path: Path) -> None:
    run = sdk_support.run_lapgen("mock", tmp_path / "absent.lap")
    assert run.code == 2 and "cannot read" in run.stderr
