"""The ``lapgen mock`` server inside tests: fixtures and a few helpers.

``stytch_mock`` serves ``spec/stytch.lap`` (with ``spec/stytch.toml``) for a test module;
``stytch_sdk`` is the committed ``generated/stytch_api`` package.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator
from types import ModuleType

import pytest
from sdk_support import GENERATED, SPEC, SPEC_CONFIG

from generator.mock import RunningMock, serve

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
