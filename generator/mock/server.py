"""Serving a ``MockApp`` with uvicorn: binding, connection limits and lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .. import ir
from ..naming import api_name
from ..plan import Plan
from .app import MockApp
from .model import DEFAULT_LIMITS, Limits, MockError, load_plan

# ---------------------------------------------------------------------------------------------
# Serving
# ---------------------------------------------------------------------------------------------


def bind(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket; port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle off only on sockets that say they are TCP.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _RecordingConnection(h11.Connection):
    """An h11 connection that keeps the last protocol error (uvicorn answers every one with a
    plain 400; the error knows the better status, e.g. 431 for headers over the limit)."""

    last_error: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as exc:
            self.last_error = exc
            raise


class _MockProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for the request line and headers.

    uvicorn waits forever for the headers of a request (slowloris). Here the clock starts when
    the connection opens or a request's first byte arrives; at ``header_timeout`` a connection
    that sent part of a request gets a 408, an idle one is just closed.
    """

    header_timeout = DEFAULT_LIMITS.header_timeout

    def __init__(self, config: uvicorn.Config, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        self.conn = _RecordingConnection(
            h11.SERVER, max_incomplete_event_size=config.h11_max_incomplete_event_size or 16384
        )
        self._header_deadline: asyncio.TimerHandle | None = None
        self._partial = False  # part of a request arrived since the deadline was set

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self._start_header_clock()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            if self._header_deadline is None:
                self._start_header_clock()
            self._partial = True
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:  # the headers are in (or it failed)
            self._stop_header_clock()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # A pipelined request already partly in the buffer: its clock starts now.
        pending = self.conn.trailing_data[0]
        if pending and self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._stop_header_clock()
            self._start_header_clock()
            self._partial = True

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_clock()
        super().connection_lost(exc)

    def _start_header_clock(self) -> None:
        self._partial = False
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_late)

    def _stop_header_clock(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_late(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if self._partial and self.conn.our_state is h11.IDLE:
            message = f"the request headers did not arrive within {self.header_timeout:g} seconds"
            self._send_plain(408, message)
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        error = self.conn.last_error if isinstance(self.conn, _RecordingConnection) else None
        status = error.error_status_hint if error is not None else 400
        if status == 431:
            msg = "the request line and headers are over the size limit"
        self._send_plain(status, msg)
        self.transport.close()

    def _send_plain(self, status: int, message: str) -> None:
        headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]
        try:
            for event in (
                h11.Response(status_code=status, headers=headers),
                h11.Data(data=message.encode("ascii", "replace")),
                h11.EndOfMessage(),
            ):
                self.transport.write(self.conn.send(event) or b"")
        except h11.LocalProtocolError:
            pass  # the connection is past answering: it is closed without a response


def server_for(app: MockApp, **options: Any) -> uvicorn.Server:
    limits = app.limits
    protocol = type("MockProtocol", (_MockProtocol,), {"header_timeout": limits.header_timeout})
    config = uvicorn.Config(
        app,
        http=protocol,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=limits.keep_alive,
        timeout_graceful_shutdown=limits.shutdown_grace,
        limit_concurrency=limits.max_connections,
        h11_max_incomplete_event_size=limits.max_header_bytes,
        backlog=2048,
        **options,
    )
    return uvicorn.Server(config)


@attrs.define
class RunningMock:
    """A mock server running in a background thread."""

    url: str
    app: MockApp
    server: uvicorn.Server
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@contextlib.contextmanager
def serve(
    spec: str | Path | ir.API,
    *,
    seed: int = 0,
    host: str = "127.0.0.1",
    port: int = 0,
    config: Path | None = None,
    delay: float = 0.0,
    fail_rate: float = 0.0,
    limits: Limits = DEFAULT_LIMITS,
) -> Iterator[RunningMock]:
    """Serve ``spec`` on ``host:port`` in a background thread for the ``with`` block."""
    api, plan = load_plan(spec, config)
    app = MockApp(api, plan, seed=seed, delay=delay, fail_rate=fail_rate, limits=limits)
    sock = bind(host, port)
    server = server_for(app)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="lapgen-mock", daemon=True
    )
    thread.start()
    try:
        for _ in range(500):
            if server.started or not thread.is_alive():
                break
            threading.Event().wait(0.01)
        if not server.started:
            raise MockError("the mock server did not start")
        yield RunningMock(url_of(sock), app, server, thread)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


class _AnnouncingServer(uvicorn.Server):
    """Prints the URL once uvicorn is ready to answer."""

    announcement = ""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            print(self.announcement, flush=True)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # Ctrl-C and SIGTERM shut down gracefully and exit 0 (uvicorn re-raises the signal).
        stops = (signal.SIGINT, signal.SIGTERM)
        previous = {stop: signal.signal(stop, self.handle_exit) for stop in stops}
        try:
            yield
        finally:
            for stop, handler in previous.items():
                signal.signal(stop, handler)


def serve_forever(
    api: ir.API,
    plan: Plan,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int = 0,
    delay: float = 0.0,
    fail_rate: float = 0.0,
    limits: Limits = DEFAULT_LIMITS,
) -> int:
    """``lapgen mock``: serve until Ctrl-C or SIGTERM; the exit status."""
    try:
        app = MockApp(api, plan, seed=seed, delay=delay, fail_rate=fail_rate, limits=limits)
    except MockError as exc:
        print(f"lapgen mock: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind(host, port)
    except OSError as exc:
        print(
            f"lapgen mock: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr
        )
        return 2
    config = server_for(app).config
    server = _AnnouncingServer(config)
    server.announcement = f"Mock server for {api_name(app.title)} listening on {url_of(sock)}"
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
