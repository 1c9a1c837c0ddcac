"""The generated runtime at the limits of what a response may hold: bodies nested too deeply
to decode, map keys too long to echo; and the generated package's black settings.

Run against the committed Stytch SDK (``generated/stytch_api``) over httpx.MockTransport.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sdk_support import GENERATED, GOLDEN, import_committed_sdk

from generator.output.formatting import black_mode

PROJECT_ID = "project-test-6f3c2d1e-8a9b-4c0d-9e1f-2a3b4c5d6e7f"
SECRET = "secret-test-Zm9vYmFyYmF6cXV4PQ=="
DEPTH = 200_000


@pytest.fixture(scope="module")
def sdk() -> ModuleType:
    return import_committed_sdk()


def client_answering(sdk: ModuleType, status: int, content: bytes) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers={"content-type": "application/json"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return sdk.Client(project_id=PROJECT_ID, secret=SECRET, http_client=http, max_retries=0)


def nested(depth: int, kind: str) -> bytes:
    opening, closing = (b"[", b"]") if kind == "array" else (b'{"a":', b"}")
    return opening * depth + b"1" + closing * depth


# -- bodies nested too deeply to decode ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["array", "object"])
def test_a_2xx_body_nested_too_deeply_is_a_validation_error(sdk: ModuleType, kind: str) -> None:
    client = client_answering(sdk, 200, nested(DEPTH, kind))
    expected = "GET /v1/users/user-1 answered 200 with an unexpected body: the JSON body is nested"
    with pytest.raises(sdk.errors.APIResponseValidationError) as caught:
        client.users.get("user-1")
    assert str(caught.value).startswith(expected)
    assert isinstance(caught.value.__cause__, RecursionError)
    # The raw response defers decoding: .parse() and .json() raise the same error.
    raw = client.users.with_raw_response.get("user-1")
    assert raw.status_code == 200
    with pytest.raises(sdk.errors.APIResponseValidationError, match="nested too deeply"):
        raw.parse()
    with pytest.raises(sdk.errors.APIResponseValidationError, match="nested too deeply"):
        raw.json()


def test_an_error_body_nested_too_deeply_is_still_a_status_error(sdk: ModuleType) -> None:
    client = client_answering(sdk, 400, nested(DEPTH, "object"))
    with pytest.raises(sdk.errors.APIStatusError) as caught:
        client.users.get("user-1")
    assert caught.value.status_code == 400
    assert caught.value.body is None


def test_a_body_deep_but_decodable_still_parses(sdk: ModuleType) -> None:
    metadata = json.loads(nested(200, "object"))
    body = json.dumps({"user_id": "user-1", "trusted_metadata": metadata}).encode()
    client = client_answering(sdk, 200, body)
    raw = client.users.with_raw_response.get("user-1")
    assert raw.json()["trusted_metadata"] == metadata


# -- map keys in the error's field path -----------------------------------------------------------


def holder_of_scores(sdk: ModuleType) -> type[Any]:
    """A checked model with a typed map (``scores: map<str, int>``), from the SDK's runtime."""
    namespace = {"__annotations__": {"scores": dict[str, int]}, "__module__": __name__}
    cls = type("Scores", (sdk._models.CheckedModel,), namespace)
    return attrs.define(cls)  # type: ignore[no-any-return]


def rejected_path(sdk: ModuleType, scores: dict[str, Any]) -> str:
    """The message of the validation error for a body whose ``scores`` hold ``scores``."""
    content = json.dumps({"scores": scores}).encode()
    request = httpx.Request("GET", "https://api.example.com/v1/scores")
    response = httpx.Response(200, content=content, request=request)
    with pytest.raises(sdk.errors.APIResponseValidationError) as caught:
        sdk._response.APIResponse(response, holder_of_scores(sdk).from_dict).parse()
    return str(caught.value)


def test_a_short_key_is_named_in_full(sdk: ModuleType) -> None:
    message = rejected_path(sdk, {"ok": 1, "bad key": "x"})
    assert message.endswith("scores['bad key']: expected an integer, got a string")


@settings(max_examples=40, deadline=None)
@given(key=st.text(min_size=61, max_size=300) | st.just("a" * 100_000))
def test_a_long_key_is_cut_in_the_field_path(sdk: ModuleType, key: str) -> None:
    message = rejected_path(sdk, {key: "x"})
    assert message.endswith("]: expected an integer, got a string")
    assert f"scores[{key[:60] + '…'!r}]" in message
    assert len(message) < 1000  # 60 characters, each at most 10 in repr (`\U0001f600`)


@given(key=st.text(max_size=60))
@settings(max_examples=40, deadline=None)
def test_a_key_of_up_to_60_characters_is_kept(sdk: ModuleType, key: str) -> None:
    assert f"scores[{key!r}]: expected" in rejected_path(sdk, {key: None})


# -- the generated package's black settings ---------------------------------------------------


PACKAGES = [GENERATED, *sorted(path for path in GOLDEN.iterdir() if path.is_dir())]


@pytest.mark.parametrize("package", PACKAGES, ids=[path.name for path in PACKAGES])
def test_generated_pyproject_carries_lapgens_black_layout(package: Path) -> None:
    black_settings = tomllib.loads((package / "pyproject.toml").read_text())["tool"]["black"]
    mode = black_mode()
    assert black_settings["line-length"] == mode.line_length
    targets = {version.name.lower() for version in mode.target_versions}
    assert set(black_settings["target-version"]) == targets


def test_plain_black_check_agrees_with_the_generated_layout(tmp_path: Path) -> None:
    # A copy outside the checkout: there black would find lapgen's own pyproject.toml.
    package = tmp_path / "corners"
    shutil.copytree(GOLDEN / "corners", package)
    check = subprocess.run(
        [sys.executable, "-m", "black", "--check", "--quiet", "."],
        capture_output=True,
        text=True,
        cwd=package,
        env={**os.environ, "BLACK_CACHE_DIR": str(tmp_path / "black-cache")},
    )
    assert check.returncode == 0, check.stderr
