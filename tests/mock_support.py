"""The ``lapgen mock`` server inside tests: fixtures and a few helpers.

``stytch_mock`` serves ``spec/stytch.lap`` (with ``spec/stytch.toml``) for a test module;
``stytch_sdk`` is the committed ``generated/stytch_api`` package. ``call`` sends one request
straight into a ``MockApp`` (``stytch_app``), no sockets.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import os
import socket
import sys
import time
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import attrs
import pytest
from sdk_support import GENERATED, SPEC, SPEC_CONFIG

from generator import ir
from generator.mock import DEFAULT_LIMITS, Limits, MockApp, RunningMock, load_plan, serve
from generator.plan import Plan

PROJECT_ID = "project-test-6f3c2d1e-8a9b-4c0d-9e1f-2a3b4c5d6e7f"
SECRET = "secret-test-Zm9vYmFyYmF6cXV4PQ=="


@pytest.fixture(scope="module")
def stytch_mock() -> Iterator[RunningMock]:
    with serve(SPEC, config=SPEC_CONFIG, seed=0) as mock:
        yield mock


@pytest.fixture(scope="module")
def stytch_sdk() -> Iterator[ModuleType]:
    sys.path.insert(0, str(GENERATED))
    try:
        import stytch_api
        import stytch_api._base_client
        import stytch_api.errors
        import stytch_api.models
    finally:
        sys.path.remove(str(GENERATED))
    yield stytch_api


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def settled_fds(baseline: int, timeout: float = 5.0) -> int:
    """The open file descriptors, once they are back to ``baseline`` or ``timeout`` passed.

    The server closes its side of a connection a moment after the client closes its own.
    """
    deadline = time.monotonic() + timeout
    count = open_fds()
    while count > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
        count = open_fds()
    return count


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------------------------------------
# In-process requests (no sockets: fast enough for property tests and floods)
# ---------------------------------------------------------------------------------------------

AUTH_HEADER = (
    b"authorization",
    b"Basic " + base64.b64encode(f"{PROJECT_ID}:{SECRET}".encode()),
)


@attrs.frozen
class Answer:
    """What an ASGI app sent back for one request."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        values = [v for k, v in self.headers if k.lower() == name.lower().encode()]
        return values[-1].decode("latin-1") if values else None

    def json(self) -> Any:
        return json.loads(self.body)


async def asgi_call(
    app: MockApp,
    method: str,
    path: str,
    *,
    headers: Sequence[tuple[bytes, bytes]] = (AUTH_HEADER,),
    body_chunks: Sequence[bytes] = (),
    query: bytes = b"",
) -> Answer:
    """One request straight into ``app``; the body arrives in ``body_chunks``."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": unquote(path),
        "raw_path": path.encode("latin-1"),
        "root_path": "",
        "query_string": query,
        "headers": list(headers),
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 50000),
    }
    pending = list(body_chunks) or [b""]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if pending:
            chunk = pending.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return Answer(start["status"], tuple(start.get("headers", ())), body)


def call(app: MockApp, method: str, path: str, **options: Any) -> Answer:
    return asyncio.run(asgi_call(app, method, path, **options))


@functools.cache
def stytch_plan() -> tuple[ir.API, Plan]:
    return load_plan(SPEC, SPEC_CONFIG)


def stytch_app(limits: Limits = DEFAULT_LIMITS, **options: Any) -> MockApp:
    api, plan = stytch_plan()
    return MockApp(api, plan, limits=limits, **options)
