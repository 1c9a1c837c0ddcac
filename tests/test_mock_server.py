"""``lapgen mock`` over real loopback sockets: what only the HTTP server layer can get wrong.

Forced statuses h11 cannot send, control-character keys in a header, headers over the size
limit, connections that never finish their headers or body (slowloris), a client that
disconnects mid-request, and shutdown with a long delay in flight (in process and as the
``lapgen mock`` command under SIGTERM).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import sdk_support
from mock_support import PROJECT_ID, SECRET

from generator.mock import Limits, RunningMock, serve

AUTH = (PROJECT_ID, SECRET)
# Short enough that the tests do not wait long for the server to give up on a client.
QUICK = Limits(header_timeout=0.5, body_timeout=0.5)


@pytest.fixture(scope="module")
def quick_mock() -> Iterator[RunningMock]:
    with serve(sdk_support.SPEC, config=sdk_support.SPEC_CONFIG, limits=QUICK) as mock:
        yield mock


def connect(mock: RunningMock) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", mock.port), timeout=10)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (10 s at most)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def status_of(reply: bytes) -> int:
    match = re.match(rb"HTTP/1\.1 (\d{3}) ", reply)
    assert match, reply[:200]
    return int(match[1])


def test_every_forced_status_is_answered_or_refused(quick_mock: RunningMock) -> None:
    with httpx.Client(base_url=quick_mock.url, auth=AUTH, timeout=5) as http:
        for status in [*range(90, 610), -1, 1000, 10**12]:
            control = {"X-Lapgen-Mock": f"status={status}"}
            response = http.get("/v1/users/u1", headers=control)
            if 200 <= status <= 599:
                assert response.status_code == status
            else:
                assert response.status_code == 400, status
                assert "status must be an HTTP status 200-599" in response.text


def test_control_characters_in_a_key_reach_the_warning_header_encoded(
    quick_mock: RunningMock,
) -> None:
    body = json.dumps({"a\r\nSet-Cookie: x=1": 1, "\x00\x7f": 2, "é€": 3}).encode()
    with httpx.Client(base_url=quick_mock.url, auth=AUTH, timeout=5) as http:
        response = http.post("/v1/users/search", content=body, params={"q\r\n\x01": "1"})
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    warning = response.headers["x-lapgen-mock-warning"]
    assert "a%0D%0ASet-Cookie: x=1" in warning and "%00%7F" in warning
    assert "%C3%A9%E2%82%AC" in warning and "q%0D%0A%01" in warning


@pytest.mark.parametrize("where", ["path", "header"])
def test_a_request_head_over_the_size_limit_is_a_431(quick_mock: RunningMock, where: str) -> None:
    big = "x" * (QUICK.max_header_bytes + 1)
    with connect(quick_mock) as sock:
        path, header = (
            (f"/v1/{big}", "X-A: 1") if where == "path" else ("/v1/users/u1", f"X-A: {big}")
        )
        head = f"GET {path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n{header}\r\n\r\n"
        sock.sendall(head.encode())
        reply = read_all(sock)
    assert status_of(reply) == 431 and b"over 16384 bytes" in reply


def test_a_request_head_sent_slowly_over_the_size_limit_is_a_431(quick_mock: RunningMock) -> None:
    with connect(quick_mock) as sock:
        sock.sendall(b"GET /v1/users/u1 HTTP/1.1\r\nHost: a\r\nX-A: ")
        sock.sendall(b"x" * (QUICK.max_header_bytes + 1))  # and never the end of the headers
        reply = read_all(sock)
    assert status_of(reply) == 431 and b"size limit" in reply


def test_half_sent_requests_are_closed_with_a_408(quick_mock: RunningMock) -> None:
    partial = [connect(quick_mock) for _ in range(20)]
    silent = [connect(quick_mock) for _ in range(20)]
    try:
        for index, sock in enumerate(partial):
            sock.sendall(b"GET /v1/users/u1 HTTP/1.1\r\nHost: a\r\n" if index % 2 else b"GE")
        # The server is not stuck behind them.
        assert httpx.get(f"{quick_mock.url}/v1/users/u1", auth=AUTH, timeout=5).status_code == 200
        for sock in partial:
            reply = read_all(sock)
            assert status_of(reply) == 408 and b"did not arrive within 0.5 seconds" in reply
        for sock in silent:
            assert read_all(sock) == b""  # nothing asked, nothing answered: just closed
    finally:
        for sock in partial + silent:
            sock.close()


@pytest.mark.parametrize("pipelined", [False, True])
def test_a_keep_alive_connection_gets_the_header_deadline_again(
    quick_mock: RunningMock, pipelined: bool
) -> None:
    first = b"GET /v1/nowhere HTTP/1.1\r\nHost: a\r\n\r\n"
    second = b"GET /v1/nowhere HTTP/1.1\r\n"
    with connect(quick_mock) as sock:
        if pipelined:
            sock.sendall(first + second)
        else:
            sock.sendall(first)
            reply = b""
            while b"no endpoint at /v1/nowhere" not in reply:
                reply += sock.recv(65536)
            sock.sendall(second)
            reply += read_all(sock)
        replies = read_all(sock) if pipelined else reply
    assert [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", replies)] == [404, 408]


def test_a_body_that_never_finishes_is_a_408(quick_mock: RunningMock) -> None:
    with connect(quick_mock) as sock:
        sock.sendall(
            b"POST /v1/users/search HTTP/1.1\r\nHost: a\r\nAuthorization: Basic "
            + httpx.BasicAuth(*AUTH)._auth_header.split(" ")[1].encode()
            + b"\r\nContent-Length: 100\r\n\r\n{"
        )
        reply = read_all(sock)
    assert status_of(reply) == 408 and b"request_timeout" in reply


def test_a_client_gone_mid_body_is_one_log_line(
    quick_mock: RunningMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    with connect(quick_mock) as sock:
        sock.sendall(
            b"POST /v1/users/search HTTP/1.1\r\nHost: a\r\nAuthorization: Basic "
            + httpx.BasicAuth(*AUTH)._auth_header.split(" ")[1].encode()
            + b"\r\nContent-Length: 100\r\n\r\n{"
        )
        time.sleep(0.1)  # let the server start reading the body before the client goes
    for _ in range(100):
        if any(record.name == "lapgen.mock" for record in caplog.records):
            break
        time.sleep(0.05)
    lines = [(record.name, record.getMessage()) for record in caplog.records]
    assert lines == [
        (
            "lapgen.mock",
            "lapgen mock: the client of POST '/v1/users/search' disconnected before sending "
            "its body",
        )
    ]
    assert not any(record.exc_info for record in caplog.records)


def test_leaving_serve_with_a_long_delay_in_flight_stops_the_server() -> None:
    with (
        ThreadPoolExecutor(1) as pool,
        serve(sdk_support.SPEC, config=sdk_support.SPEC_CONFIG) as mock,
    ):
        control = {"X-Lapgen-Mock": "delay=30"}
        waiting = pool.submit(httpx.get, f"{mock.url}/v1/users/u1", headers=control, timeout=60)
        while not mock.server.server_state.tasks:  # until the request is being handled
            time.sleep(0.01)
    assert not mock.thread.is_alive()
    response = waiting.result(timeout=10)
    assert response.status_code == 503 and response.json()["error_type"] == "shutting_down"


def test_lapgen_mock_exits_on_sigterm_with_a_long_delay_in_flight() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", "mock", str(sdk_support.SPEC)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=sdk_support.REPO,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        in_flight = socket.create_connection(url.removeprefix("http://").split(":"), timeout=10)
        in_flight.sendall(
            b"GET /v1/users/u1 HTTP/1.1\r\nHost: a\r\nX-Lapgen-Mock: delay=30\r\n\r\n"
        )
        # Wait until the server holds the request (its headers are in: no 408 for it).
        assert httpx.get(f"{url}/v1/users/u1", auth=AUTH, timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(10)
        assert process.poll() is not None, "lapgen mock still runs 10 s after SIGTERM"
        assert process.returncode == 0
        assert process.stderr is not None and "Traceback" not in process.stderr.read()
        reply = read_all(in_flight)  # the delayed request was cut short
        assert status_of(reply) == 503 and b"shutting down" in reply
        in_flight.close()
    finally:
        process.kill()
        process.wait(10)


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--delay", "31", "delay must be from 0 to 30 seconds"),
        ("--delay", "nan", "delay must be from 0 to 30 seconds"),
        ("--fail-rate", "1.5", "fail rate must be from 0 to 1"),
    ],
)
def test_lapgen_mock_refuses_options_out_of_range(option: str, value: str, words: str) -> None:
    run = sdk_support.run_lapgen("mock", sdk_support.SPEC, option, value)
    assert run.code == 2 and words in run.stderr and "Traceback" not in run.stderr
