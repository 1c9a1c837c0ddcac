"""``lapgen mock``: an HTTP server that plays an API from its LAP spec.

Requests are checked against the IR and the plan (the same param placement the generated SDK
uses): method and path, auth, required params in the right place, and their types. Valid
requests get the first 2xx ``@returns`` with a body synthesised from its shape, deterministic
for a seed. Faults (a forced status, latency, a dropped connection) are asked for per request
with the ``X-Lapgen-Mock`` header or per server with ``fail_rate`` and ``delay``.

Every request is hostile: a malformed control header is a 400, and ``Limits`` bounds what one
request or connection may cost (body size and JSON nesting, header size and count, the time to
send the headers and the body, delays, connections, the memory kept about refused requests).

Built on starlette (requests and responses) and uvicorn (the server). One catch-all route does
the routing, on the raw percent-encoded path, so that a path param may hold an encoded ``/``.
"""

# Split by responsibility into the modules below; every public name stays importable here.

from __future__ import annotations

from .app import (
    MockApp,
)
from .checking import (
    WHERE,
)
from .control import (
    CONTROL_KEYS,
    DECIMAL,
    DEPTH_STEP,
    HEADER_SAFE,
    HTTP_DATE,
    JSON_STRING,
    MAX_TIMES,
    NOT_BRACKETS,
    Fault,
    json_depth,
    parse_control,
)
from .model import (
    CONTROL_HEADER,
    DEFAULT_LIMITS,
    EPOCH,
    LOG,
    MAX_DEPTH,
    TRANSPORT_HEADERS,
    WARNING_HEADER,
    ControlError,
    Limits,
    MockError,
    MockParam,
    MockRoute,
    Problem,
    _routes,
    load_plan,
)
from .server import (
    RunningMock,
    bind,
    serve,
    serve_forever,
    server_for,
    url_of,
)

__all__ = [
    "CONTROL_HEADER",
    "CONTROL_KEYS",
    "ControlError",
    "DECIMAL",
    "DEFAULT_LIMITS",
    "DEPTH_STEP",
    "EPOCH",
    "Fault",
    "HEADER_SAFE",
    "HTTP_DATE",
    "JSON_STRING",
    "LOG",
    "Limits",
    "MAX_DEPTH",
    "MAX_TIMES",
    "MockApp",
    "MockError",
    "MockParam",
    "MockRoute",
    "NOT_BRACKETS",
    "Problem",
    "RunningMock",
    "TRANSPORT_HEADERS",
    "WARNING_HEADER",
    "WHERE",
    "_routes",
    "bind",
    "json_depth",
    "load_plan",
    "parse_control",
    "serve",
    "serve_forever",
    "server_for",
    "url_of",
]
