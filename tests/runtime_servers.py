"""Tiny HTTP/1.1 servers on 127.0.0.1 for the runtime tests that need a real socket.

``LocalServer(respond)`` runs in a thread; ``respond(request, wfile)`` writes the raw response
bytes, so a test can drip a body, send a gzip bomb or redirect elsewhere. Every request it
received is kept in ``requests`` (method, target, headers). Connections are closed after each
response, which keeps the byte streams simple.
"""

from __future__ import annotations

import re
import socketserver
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

import attrs
import h11._abnf  # the rule itself, as the installed h11 writes it


@attrs.frozen
class Received:
    method: str
    target: str  # the raw request target, e.g. "/v1/users/%2E%2E?key=v"
    headers: dict[str, str]  # lower-cased names

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


_H11_VALUE = re.compile(h11._abnf.field_value.encode("ascii"))


def h11_sends(value: str) -> bool:
    """Whether h11 sends `value` as a header value (rather than raise LocalProtocolError)."""
    return value.isascii() and _H11_VALUE.fullmatch(value.encode("ascii")) is not None


Respond = Callable[[Received, BinaryIO], None]


class LocalServer:
    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.requests: list[Received] = []
        self.errors: list[BaseException] = []
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline().decode("latin-1").rstrip("\r\n")
                if not line:
                    return
                method, target, _ = line.split(" ", 2)
                headers: dict[str, str] = {}
                while (header := self.rfile.readline().decode("latin-1").rstrip("\r\n")) != "":
                    name, _, value = header.partition(":")
                    # Only the optional whitespace of HTTP (spaces, tabs) around the value.
                    headers[name.lower()] = value.strip(" \t")
                self.rfile.read(int(headers.get("content-length", "0")))
                received = Received(method, target, headers)
                owner.requests.append(received)
                try:
                    owner.respond(received, self.wfile)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as some tests want it to
                except BaseException as exc:  # pragma: no cover - reported by the test
                    owner.errors.append(exc)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serving(respond: Respond) -> Iterator[LocalServer]:
    with LocalServer(respond) as server:
        yield server
    assert not server.errors, server.errors


def head(status: int, headers: dict[str, str] | None = None, reason: str = "OK") -> bytes:
    """A response head; `connection: close` is added so that each request has its socket."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [
        f"{name}: {value}" for name, value in {**(headers or {}), "connection": "close"}.items()
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def send_all(wfile: BinaryIO, data: bytes) -> None:
    wfile.write(data)
    wfile.flush()
