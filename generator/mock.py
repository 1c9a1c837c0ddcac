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

from __future__ import annotations

import asyncio
import base64
import collections
import contextlib
import datetime as dt
import hashlib
import itertools
import json
import logging
import math
import random
import re
import signal
import socket
import sys
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import attrs
import h11
import uvicorn
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from . import ir
from .config import Config, load_config
from .pipeline import LoadError, load
from .plan import Plan, build_plan

CONTROL_HEADER = "x-lapgen-mock"
WARNING_HEADER = "X-Lapgen-Mock-Warning"
# Headers any HTTP client sends: never mistaken for a misplaced param.
TRANSPORT_HEADERS = frozenset(
    {
        "host",
        "accept",
        "accept-encoding",
        "connection",
        "user-agent",
        "content-type",
        "content-length",
        "authorization",
        CONTROL_HEADER,
    }
)
MAX_DEPTH = 6
EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
LOG = logging.getLogger("lapgen.mock")


class MockError(Exception):
    """The spec cannot be served (unreadable, invalid or not HTTP), or a bad server option."""


class ControlError(ValueError):
    """A malformed ``X-Lapgen-Mock`` control header (answered with a 400)."""


@attrs.frozen
class Limits:
    """What one request or connection may cost; the README's mock section lists the defaults."""

    max_body_bytes: int = 1024 * 1024  # larger: 413
    max_json_depth: int = 64  # deeper arrays/objects in the body: 400
    max_header_bytes: int = 16 * 1024  # request line plus headers (h11's buffer): 431
    max_headers: int = 100  # more header lines: 431
    header_timeout: float = 10.0  # seconds from connect (or a request's first byte) to its headers
    body_timeout: float = 10.0  # seconds to receive the body once the headers are in: 408
    max_delay: float = 30.0  # seconds a request may be delayed (control header plus --delay)
    max_connections: int = 1000  # beyond: 503 (uvicorn's limit_concurrency)
    keep_alive: int = 5  # seconds an idle keep-alive connection stays open
    shutdown_grace: int = 1  # seconds in-flight requests get after SIGTERM, then cancelled
    max_refused: int = 1000  # refused requests remembered (the newest)
    max_fault_keys: int = 10_000  # distinct `times=N` control headers counted (the newest)
    max_warning_chars: int = 2000  # length of the X-Lapgen-Mock-Warning header

    def __attrs_post_init__(self) -> None:
        numbers = attrs.asdict(self)
        if not all(
            isinstance(v, (int, float)) and math.isfinite(v) and v > 0 for v in numbers.values()
        ):
            raise MockError(f"every mock limit must be a positive number, got {numbers}")


DEFAULT_LIMITS = Limits()


@attrs.frozen
class MockParam:
    wire: str
    location: str  # path | query | header | body
    required: bool
    type: ir.TypeSpec


@attrs.frozen
class MockRoute:
    method: str
    template: str
    pattern: re.Pattern[str]
    path_names: tuple[str, ...]
    params: tuple[MockParam, ...]
    response: ir.Response | None
    group: str
    accessor: str


@attrs.frozen
class Problem:
    """Why a request is refused."""

    status: int
    error_type: str
    message: str


def load_plan(spec: str | Path | ir.API, config: Path | None = None) -> tuple[ir.API, Plan]:
    """The IR and the plan of a spec (its config found as ``lapgen generate`` does)."""
    if isinstance(spec, ir.API):
        config_data = load_config(config) if config is not None else Config()
        return spec, build_plan(spec, config_data, spec_name=f"{spec.name}.lap", spec_bytes=b"")
    try:
        loaded = load(Path(spec), config)
    except LoadError as exc:
        raise MockError(str(exc)) from None
    return loaded.api, loaded.plan


def _routes(api: ir.API, plan: Plan) -> tuple[MockRoute, ...]:
    by_line = {endpoint.pos.line: endpoint for endpoint in api.endpoints}
    routes = []
    for method in plan.all_methods():
        endpoint = by_line[method.line]
        declared = api.declared_params(endpoint)
        params = tuple(
            MockParam(
                p.wire,
                p.location,
                p.required,
                declared[p.wire].type if p.wire in declared else ir.TypeSpec(ir.Primitive("str")),
            )
            for p in method.params
        )
        parts = ir.PATH_PARAM.split(endpoint.path)
        regex = "".join(
            re.escape(part) if index % 2 == 0 else "([^/]+)" for index, part in enumerate(parts)
        )
        routes.append(
            MockRoute(
                endpoint.method,
                endpoint.path,
                re.compile(regex.rstrip("/") + "/?"),
                tuple(parts[1::2]),
                params,
                endpoint.success,
                endpoint.group or method.accessor.split(".")[0],
                method.accessor,
            )
        )
    # Literal routes win over templated ones (`/users/search` before `/users/{id}`).
    return tuple(sorted(routes, key=lambda r: len(r.path_names)))


# ---------------------------------------------------------------------------------------------
# Checking requests
# ---------------------------------------------------------------------------------------------

WHERE = {"path": "path", "query": "query", "header": "header", "body": "JSON body"}


class _Checker:
    """Type checks of one request; ``warnings`` collects unknown fields."""

    def __init__(self, api: ir.API) -> None:
        self.api = api
        self.warnings: list[str] = []

    def text(self, value: str, spec: ir.TypeSpec, where: str) -> str | None:
        """Why a path, query or header value does not fit ``spec``, or None."""
        expr = spec.expr
        if isinstance(expr, ir.ArrayType):
            expr = expr.items
        if isinstance(expr, ir.EnumType):
            if value not in expr.values:
                return f"{where} must be one of {list(expr.values)}, got {value!r}"
        elif isinstance(expr, ir.Primitive):
            if expr.name == "int" and not re.fullmatch(r"-?\d+", value):
                return f"{where} must be an integer, got {value!r}"
            if expr.name in ("num", "float"):
                try:
                    float(value)
                except ValueError:
                    return f"{where} must be a number, got {value!r}"
            if expr.name == "bool" and value.lower() not in ("true", "false", "1", "0"):
                return f"{where} must be true or false, got {value!r}"
        return None

    def json(self, value: Any, spec: ir.TypeSpec, where: str, depth: int = 0) -> str | None:
        """Why a JSON value does not fit ``spec``, or None."""
        if value is None:
            ok = spec.nullable or (
                isinstance(spec.expr, ir.Primitive) and spec.expr.name in ("null", "any")
            )
            return None if ok else f"{where} must not be null"
        return self.json_expr(value, spec.expr, where, depth)

    def json_expr(self, value: Any, expr: ir.TypeExpr, where: str, depth: int) -> str | None:
        fields = self.api.fields_of(expr)
        if fields is not None:
            if not isinstance(value, dict):
                return f"{where} must be an object, got {_json_kind(value)}"
            # An object that lists no fields (`map{}`) takes any keys.
            return self.object(value, fields, where, depth) if fields else None
        if isinstance(expr, ir.RefType | ir.ObjectType):
            return None  # a type the spec does not define: anything goes
        if isinstance(expr, ir.ArrayType):
            if not isinstance(value, list):
                return f"{where} must be an array, got {_json_kind(value)}"
            for index, item in enumerate(value):
                problem = self.json(item, ir.TypeSpec(expr.items), f"{where}[{index}]", depth + 1)
                if problem:
                    return problem
            return None
        if isinstance(expr, ir.DictType):
            if not isinstance(value, dict):
                return f"{where} must be an object, got {_json_kind(value)}"
            for key, item in value.items():
                problem = self.json(item, ir.TypeSpec(expr.value), f"{where}.{key}", depth + 1)
                if problem:
                    return problem
            return None
        if isinstance(expr, ir.EnumType):
            if value in expr.values or str(value) in expr.values:
                return None
            return f"{where} must be one of {list(expr.values)}, got {value!r}"
        return _primitive_problem(value, expr.name, where)

    def object(
        self, value: Mapping[str, Any], fields: Sequence[ir.Field], where: str, depth: int
    ) -> str | None:
        known = {field.name: field for field in fields}
        for required in fields:
            if required.required_marker and required.name not in value:
                return f"{where}.{required.name} is required"
        for key, item in value.items():
            field = known.get(key)
            if field is None:
                self.warnings.append(f"unknown field {where}.{key}")
                continue
            problem = self.json(item, field.type, f"{where}.{key}", depth + 1)
            if problem:
                return problem
        return None


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, dict) else "null"


def _primitive_problem(value: Any, name: str, where: str) -> str | None:
    if name in ("str", "bytes", "file"):
        ok = isinstance(value, str)
        expected = "a string"
    elif name == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        expected = "an integer"
    elif name in ("num", "float"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        expected = "a number"
    elif name == "bool":
        ok = isinstance(value, bool)
        expected = "a boolean"
    elif name == "map":
        ok = isinstance(value, dict)
        expected = "an object"
    else:  # any, null
        return None
    return None if ok else f"{where} must be {expected}, got {_json_kind(value)}"


# ---------------------------------------------------------------------------------------------
# Synthesising responses
# ---------------------------------------------------------------------------------------------


class _Synth:
    """Realistic JSON for a type, drawn from a seeded random generator."""

    def __init__(self, api: ir.API, rng: random.Random, status: int) -> None:
        self.api = api
        self.rng = rng
        self.status = status

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def fields(self, fields: Sequence[ir.Field], depth: int) -> dict[str, Any]:
        return {
            field.name: self.value(field.type.expr, field.name, depth + 1)
            for field in fields
            if depth < MAX_DEPTH or field.required_marker
        }

    def value(self, expr: ir.TypeExpr, name: str, depth: int = 0) -> Any:
        fields = self.api.fields_of(expr)
        if fields is not None:
            return self.fields(fields, depth) if depth <= MAX_DEPTH + 2 else {}
        if isinstance(expr, ir.RefType | ir.ObjectType):  # a type the spec does not define
            return self.string(name, None)
        if isinstance(expr, ir.ArrayType):
            count = self.rng.randint(0, 2) if depth < MAX_DEPTH else 0
            return [self.value(expr.items, name, depth + 1) for _ in range(count)]
        if isinstance(expr, ir.DictType):
            return {f"{name}_key": self.value(expr.value, name, depth + 1)}
        if isinstance(expr, ir.EnumType):
            choice = self.rng.choice(expr.values) if expr.values else ""
            if expr.base in ("int", "num") and re.fullmatch(r"-?\d+", choice):
                return int(choice)
            return choice
        kind = expr.name
        lower = name.lower()
        if kind == "int":
            return self.status if lower == "status_code" else self.rng.randint(1, 100)
        if kind in ("num", "float"):
            return round(self.rng.uniform(0, 100), 2)
        if kind == "bool":
            return self.rng.random() < 0.5
        if kind == "map":
            return {}
        if kind == "null":
            return None
        if kind in ("bytes", "file"):
            return base64.b64encode(self.rng.randbytes(12)).decode()
        return self.string(name, expr.format)

    def string(self, name: str, format: str | None) -> str:
        lower = name.lower()
        if format in ("date-time", "datetime") or lower.endswith("_at") or lower == "timestamp":
            moment = EPOCH + dt.timedelta(seconds=self.rng.randint(0, 3 * 365 * 86400))
            return moment.isoformat().replace("+00:00", "Z")
        if format == "date" or lower.endswith("_date") or lower == "date":
            day = EPOCH.date() + dt.timedelta(days=self.rng.randint(0, 3 * 365))
            return day.isoformat()
        if lower == "request_id":
            return f"request-id-test-{self.uuid()}"
        if lower == "id" or lower.endswith("_id"):
            stem = lower.removesuffix("_id").replace("_", "-") or "id"
            return f"{stem}-test-{self.uuid()}"
        if "email" in lower or format == "email":
            user = self.rng.choice(("ada", "grace", "alan", "edsger", "barbara", "donald"))
            return f"{user}.{self.rng.randint(1, 999)}@example.com"
        if "url" in lower or format in ("uri", "url"):
            return f"https://example.com/{lower.replace('_', '-')}/{self.rng.randint(1, 999)}"
        if "phone" in lower:
            return f"+1555{self.rng.randint(1000000, 9999999)}"
        return f"{lower.replace('_', '-')}-{self.rng.getrandbits(32):08x}"


# ---------------------------------------------------------------------------------------------
# The application
# ---------------------------------------------------------------------------------------------


@attrs.define
class Fault:
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    drop: bool = False
    times: int | None = None


CONTROL_KEYS = ("status", "retry-after", "delay", "drop", "times", "id")
DECIMAL = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")
# RFC 9110's IMF-fixdate, the only HTTP-date a server should send.
HTTP_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT"
)
MAX_TIMES = 1_000_000


def _shown(value: str, limit: int = 60) -> str:
    """``value`` quoted for an error message, cut to ``limit`` characters."""
    return repr(value) if len(value) <= limit else repr(value[:limit]) + "..."


def parse_control(text: str, max_delay: float = DEFAULT_LIMITS.max_delay) -> Fault:
    """``status=429; retry-after=1``, ``delay=2.5``, ``drop``, ``times=1`` (first N only),
    ``id=label`` (no effect but to make a header distinct: ``times`` counts each text apart).

    Directives are separated by ``;`` or ``,``; keys are case-insensitive and may appear once.
    Raises ``ControlError`` saying what is wrong with a malformed header.
    """
    fault = Fault()
    seen: set[str] = set()
    for item in re.split(r"[;,]", text):
        if not item.strip():
            continue
        key, equals, value = (part.strip() for part in item.partition("="))
        key = key.lower()
        if key not in CONTROL_KEYS:
            raise ControlError(
                f"unknown directive {_shown(key)} in X-Lapgen-Mock; use {', '.join(CONTROL_KEYS)}"
            )
        if key in seen:
            raise ControlError(f"{key!r} appears twice in X-Lapgen-Mock")
        seen.add(key)
        if key == "drop":
            if equals:
                raise ControlError(f"'drop' takes no value, got drop={_shown(value)}")
            fault.drop = True
        elif not equals or not value:
            raise ControlError(f"{key!r} needs a value ({key}=...)")
        elif key == "status":
            # 1xx is not a final response; HTTP has no status outside 100-599.
            if not re.fullmatch(r"[0-9]{3}", value) or not 200 <= int(value) <= 599:
                raise ControlError(f"status must be an HTTP status 200-599, got {_shown(value)}")
            fault.status = int(value)
        elif key == "retry-after":
            if not (DECIMAL.fullmatch(value) or HTTP_DATE.fullmatch(value)):
                raise ControlError(
                    "retry-after must be seconds (like 1 or 0.5) or an HTTP date "
                    f"(like Sun, 06 Nov 1994 08:49:37 GMT), got {_shown(value)}"
                )
            fault.retry_after = value
        elif key == "delay":
            if not DECIMAL.fullmatch(value) or float(value) > max_delay:
                raise ControlError(
                    f"delay must be seconds from 0 to {max_delay:g}, got {_shown(value)}"
                )
            fault.delay = float(value)
        elif key == "times":
            if not re.fullmatch(r"[0-9]{1,7}", value) or not 1 <= int(value) <= MAX_TIMES:
                raise ControlError(
                    f"times must be a whole number from 1 to {MAX_TIMES}, got {_shown(value)}"
                )
            fault.times = int(value)
        # "id": any label, no effect of its own.
    return fault


def _header_value(warnings: Sequence[str], limit: int) -> str:
    """Warnings as one header value: printable ASCII only (anything else, ``%`` and the ``;``
    separator are percent-encoded), whole warnings up to ``limit`` characters."""
    shown: list[str] = []
    length = 0
    for index, warning in enumerate(warnings):
        encoded = quote(warning, safe=HEADER_SAFE)
        if length + len(encoded) + 2 > limit:
            shown.append(f"and {len(warnings) - index} more")
            break
        shown.append(encoded)
        length += len(encoded) + 2
    return "; ".join(shown)


HEADER_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in "%;")
# Bytes that open or close a JSON array or object; JSON strings are removed first.
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
DEPTH_STEP = [0] * 256
DEPTH_STEP[ord("[")] = DEPTH_STEP[ord("{")] = 1
DEPTH_STEP[ord("]")] = DEPTH_STEP[ord("}")] = -1


def json_depth(raw: bytes) -> int:
    """How deep arrays and objects nest in the JSON text ``raw`` (before parsing it: the parser
    and the checks recurse)."""
    brackets = JSON_STRING.sub(b"", raw).translate(None, NOT_BRACKETS)
    return max(itertools.accumulate(DEPTH_STEP[byte] for byte in brackets), default=0)


class _BodyRefused(Exception):
    """Why the body is refused; ``close``: the connection too (the body may not be all read)."""

    def __init__(self, problem: Problem, *, close: bool) -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.close = close


class MockApp:
    """The ASGI application for one spec: routes, checks, synthesis and faults."""

    def __init__(
        self,
        api: ir.API,
        plan: Plan,
        *,
        seed: int = 0,
        delay: float = 0.0,
        fail_rate: float = 0.0,
        fail_status: int = 503,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        if not 0 <= delay <= limits.max_delay:
            raise MockError(
                f"the delay must be from 0 to {limits.max_delay:g} seconds, got {delay}"
            )
        if not 0 <= fail_rate <= 1:
            raise MockError(f"the fail rate must be from 0 to 1, got {fail_rate}")
        self.api = api
        self.plan = plan
        self.seed = seed
        self.delay = delay
        self.fail_rate = fail_rate
        self.fail_status = fail_status
        self.limits = limits
        self.routes = _routes(api, plan)
        self.auth: dict[str, Any] = dict(plan.runtime["auth"])  # type: ignore[call-overload]
        self.title = str(plan.runtime["title"])
        self.requests = 0
        # "METHOD path: status error_message" of the newest 4xx (bounded: a flood of bad
        # requests must not grow the server), and how many there were in all.
        self.refused: collections.deque[str] = collections.deque(maxlen=limits.max_refused)
        self.refused_count = 0
        # Seconds spent handling each valid request, the newest.
        self.latencies: collections.deque[float] = collections.deque(maxlen=100_000)
        # How often each `times=N` control header (by digest) was seen, the newest keys only.
        self._fault_counts: collections.OrderedDict[bytes, int] = collections.OrderedDict()
        self._fail_rng = random.Random(seed)
        self._lock = threading.Lock()
        self._starlette = Starlette(
            routes=[Route("/{rest:path}", self._handle, methods=sorted(ir.HTTP_METHODS))]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._starlette(scope, receive, send)
            return
        checked = self._preflight(scope)
        if isinstance(checked, Problem):
            # Refused before the body is read: close rather than read and discard it.
            close = {"Connection": "close"} if checked.status == 413 else None
            await self.error(checked, scope, close)(scope, receive, send)
            return
        scope.setdefault("state", {})["fault"] = checked
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            if checked.delay:
                await asyncio.sleep(checked.delay)
            if checked.drop:
                _drop(send)
                return
            await self._starlette(scope, receive, tracking_send)
        except asyncio.CancelledError:
            # uvicorn cancels what is still running once the shutdown grace is over: answer
            # 503 rather than let it log a traceback and send a bare 500.
            if not started:
                message = "the mock server is shutting down"
                problem = Problem(503, "shutting_down", message)
                await self.error(problem, scope, {"Connection": "close"})(scope, receive, send)

    def _preflight(self, scope: Scope) -> Fault | Problem:
        """The request's fault, or why it is refused from its headers alone."""
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        limits = self.limits
        if len(headers) > limits.max_headers:
            message = f"{len(headers)} header lines; at most {limits.max_headers} are accepted"
            return Problem(431, "headers_too_large", message)
        # h11 bounds only a head that arrives in pieces; one sent whole is measured here.
        target = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        head = target + sum(len(key) + len(value) + 4 for key, value in headers)
        if head > limits.max_header_bytes:
            message = f"the request line and headers are over {limits.max_header_bytes} bytes"
            return Problem(431, "headers_too_large", message)
        lengths = [value for key, value in headers if key == b"content-length"]
        if lengths and lengths[0].isdigit() and int(lengths[0]) > limits.max_body_bytes:
            message = f"the body is {int(lengths[0])} bytes; at most {limits.max_body_bytes}"
            return Problem(413, "body_too_large", message)
        controls = [value for key, value in headers if key == CONTROL_HEADER.encode()]
        control = b", ".join(controls).decode("latin-1") if controls else None
        try:
            return self._fault(control)
        except ControlError as exc:
            return Problem(400, "invalid_control", str(exc))

    def _fault(self, control: str | None) -> Fault:
        fault = parse_control(control, self.limits.max_delay) if control else Fault()
        if fault.times is not None and control is not None:
            key = hashlib.blake2b(control.encode("latin-1"), digest_size=16).digest()
            with self._lock:
                seen = self._fault_counts.pop(key, 0)
                self._fault_counts[key] = seen + 1
                if len(self._fault_counts) > self.limits.max_fault_keys:
                    self._fault_counts.popitem(last=False)
            if seen >= fault.times:
                fault = Fault()
        fault.delay = min(fault.delay + self.delay, self.limits.max_delay)
        if fault.status is None and self.fail_rate:
            with self._lock:
                failing = self._fail_rng.random() < self.fail_rate
            if failing:
                fault.status = self.fail_status
        return fault

    def error(
        self, problem: Problem, scope: Scope, headers: Mapping[str, str] | None = None
    ) -> Response:
        body = {
            "status_code": problem.status,
            "request_id": f"request-id-test-{uuid.uuid4()}",
            "error_type": problem.error_type,
            # Cut: a message may quote a value of the request, which may be large.
            "error_message": problem.message[:1000],
        }
        if 400 <= problem.status < 500 and problem.error_type != "mock_fault":
            entry = f"{scope['method']} {scope['path']}: {problem.status} {problem.message}"
            with self._lock:
                self.refused.append(entry[:500])
                self.refused_count += 1
        if problem.status == 304:  # a 304 has no body
            return Response(status_code=304, headers=headers)
        return JSONResponse(body, status_code=problem.status, headers=headers)

    async def _handle(self, request: Request) -> Response:
        try:
            return await self._answer(request)
        except ClientDisconnect:
            # Nobody is left to answer (uvicorn drops what is sent now): one line, no traceback.
            LOG.warning(
                "lapgen mock: the client of %s %s disconnected before sending its body",
                request.method,
                _shown(request.url.path, 200),
            )
            return Response(status_code=400)

    async def _answer(self, request: Request) -> Response:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with self._lock:
            self.requests += 1
        scope = request.scope
        fault: Fault = scope.get("state", {}).get("fault") or Fault()
        if fault.status is not None:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
            if fault.status >= 300:
                message = f"fault injected by the mock: status {fault.status}"
                return self.error(Problem(fault.status, "mock_fault", message), scope, headers)
        raw_path = scope.get("raw_path") or request.url.path.encode()
        path = raw_path.decode("latin-1")
        matching = [(route, route.pattern.fullmatch(path)) for route in self.routes]
        found = [(route, match) for route, match in matching if match is not None]
        if not found:
            return self.error(Problem(404, "not_found", f"no endpoint at {path}"), scope)
        allowed = [(route, match) for route, match in found if route.method == request.method]
        if not allowed:
            methods = sorted({route.method for route, _ in found})
            message = f"{request.method} is not allowed on {path}; use {', '.join(methods)}"
            return self.error(
                Problem(405, "method_not_allowed", message), scope, {"Allow": ", ".join(methods)}
            )
        problem = self._check_auth(request)
        if problem is not None:
            return self.error(problem, scope)
        try:
            body = await self._body(request)
        except _BodyRefused as refused:
            close = {"Connection": "close"} if refused.close else None
            return self.error(refused.problem, scope, close)
        # Postman collections keep several requests per route: any of them may be meant.
        first_problem: Problem | None = None
        for route, match in allowed:
            if len(route.path_names) > len(allowed[0][0].path_names):
                break  # a less literal route is another endpoint, not another reading
            path_values = {
                name: unquote(value)
                for name, value in zip(route.path_names, match.groups(), strict=True)
            }
            checker = _Checker(self.api)
            problem = self._check(route, request, body, path_values, checker)
            if problem is None:
                break
            first_problem = first_problem or problem
        if problem is not None:
            assert first_problem is not None
            return self.error(first_problem, scope)
        status = fault.status or _status(route.response)
        response = self._respond(route, status)
        if checker.warnings:
            response.headers[WARNING_HEADER] = _header_value(
                checker.warnings, self.limits.max_warning_chars
            )
        with self._lock:
            self.latencies.append(loop.time() - started)
        return response

    async def _body(self, request: Request) -> Any:
        """The JSON body (None if empty), read within the size, time and nesting limits."""
        limits = self.limits
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(limits.body_timeout):
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limits.max_body_bytes:
                        message = f"the body is over {limits.max_body_bytes} bytes"
                        raise _BodyRefused(Problem(413, "body_too_large", message), close=True)
                    chunks.append(chunk)
        except TimeoutError:
            message = f"the body did not arrive within {limits.body_timeout:g} seconds"
            problem = Problem(408, "request_timeout", message)
            raise _BodyRefused(problem, close=True) from None
        raw = b"".join(chunks)
        if not raw:
            return None
        if json_depth(raw) > limits.max_json_depth:
            message = f"the JSON body nests deeper than {limits.max_json_depth} levels"
            raise _BodyRefused(Problem(400, "invalid_request", message), close=False)
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            message = "the request body is not valid JSON"
            raise _BodyRefused(Problem(400, "invalid_request", message), close=False) from None

    def _check_auth(self, request: Request) -> Problem | None:
        kind = self.auth.get("kind")
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if kind == "basic":
            try:
                decoded = base64.b64decode(token, validate=True).decode()
            except ValueError:
                decoded = ""
            if scheme.lower() != "basic" or ":" not in decoded:
                got = f"{scheme or 'no'} credentials"
                return Problem(
                    401, "unauthorized", f"Basic auth is required in the header, got {got}"
                )
        elif kind == "bearer":
            if scheme.lower() != "bearer" or not token:
                got = f"{scheme or 'no'} credentials"
                return Problem(
                    401, "unauthorized", f"a Bearer token is required in the header, got {got}"
                )
        elif kind == "apikey":
            name = str(self.auth.get("key_name") or "X-API-Key")
            where = str(self.auth.get("key_in") or "header")
            source = request.query_params if where == "query" else request.headers
            if not source.get(name):
                return Problem(
                    401, "unauthorized", f"the API key {name!r} is required in the {where}"
                )
        return None

    def _check(
        self,
        route: MockRoute,
        request: Request,
        body: Any,
        path_values: Mapping[str, str],
        checker: _Checker,
    ) -> Problem | None:
        query = request.query_params
        query_keys = {key.partition("[")[0] for key in query}
        header_keys = {key.lower() for key in request.headers} - TRANSPORT_HEADERS
        has_body_params = any(p.location == "body" for p in route.params)
        if body is not None and has_body_params and not isinstance(body, dict):
            return Problem(400, "invalid_request", "the JSON body must be an object")
        body_keys = set(body) if isinstance(body, dict) else set()
        present = {"query": query_keys, "header": header_keys, "body": body_keys}

        def found(param: MockParam) -> bool:
            if param.location == "path":
                return bool(path_values.get(param.wire))
            key = param.wire.lower() if param.location == "header" else param.wire
            return key in present[param.location]

        for param in route.params:
            label = f"{WHERE[param.location]} param {param.wire!r}"
            if found(param):
                continue
            elsewhere = [
                where
                for where, keys in present.items()
                if where != param.location
                and (param.wire.lower() if where == "header" else param.wire) in keys
            ]
            if elsewhere:
                return Problem(
                    400,
                    "wrong_location",
                    (
                        f"{label} is required in the {WHERE[param.location]}, "
                        f"found in the {WHERE[elsewhere[0]]}"
                        if param.required
                        else f"{label} belongs in the {WHERE[param.location]}, "
                        f"found in the {WHERE[elsewhere[0]]}"
                    ),
                )
            if param.required:
                return Problem(
                    400,
                    "missing_param",
                    f"{label} is required in the {WHERE[param.location]}",
                )
        for param in route.params:
            if not found(param):
                continue
            label = f"{WHERE[param.location]} param {param.wire!r}"
            problem: str | None = None
            if param.location == "path":
                problem = checker.text(path_values[param.wire], param.type, label)
            elif param.location == "header":
                problem = checker.text(request.headers[param.wire], param.type, label)
            elif param.location == "query":
                if self._fields_or_map(param.type.expr):
                    continue  # deepObject: name[key]=value
                for value in query.getlist(param.wire):
                    problem = problem or checker.text(value, param.type, label)
            else:
                problem = checker.json(body[param.wire], param.type, label)
            if problem:
                return Problem(400, "wrong_type", problem)
        known = {p.wire for p in route.params}
        if self.auth.get("kind") == "apikey" and self.auth.get("key_in") == "query":
            known.add(str(self.auth.get("key_name")))
        for key in sorted(query_keys - known):
            checker.warnings.append(f"unknown query param {key}")
        for key in sorted(body_keys - known):
            checker.warnings.append(f"unknown body field {key}")
        return None

    def _fields_or_map(self, expr: ir.TypeExpr) -> bool:
        return isinstance(expr, (ir.ObjectType, ir.RefType, ir.DictType)) or (
            isinstance(expr, ir.Primitive) and expr.name == "map"
        )

    def _respond(self, route: MockRoute, status: int) -> Response:
        if status == 204 or route.method == "HEAD":
            return Response(status_code=status)
        rng = random.Random(f"{self.seed}:{route.method} {route.template}")
        synth = _Synth(self.api, rng, status)
        body: Any = {}
        response = route.response
        if response is not None and response.fields is not None:
            body = synth.fields(response.fields, 0)
        elif response is not None and response.type is not None:
            body = synth.value(response.type, "result")
        return JSONResponse(body, status_code=status)

    def body_for(self, method: str, template: str) -> Any:
        """The body a valid request to ``METHOD template`` gets (for tests and docs)."""
        route = next(r for r in self.routes if (r.method, r.template) == (method, template))
        response = self._respond(route, _status(route.response))
        return json.loads(bytes(response.body)) if response.body else None


def _status(response: ir.Response | None) -> int:
    if response is not None and response.code.isdigit():
        return int(response.code)
    return 200


def _drop(send: Send) -> None:
    """Close the connection without a response (uvicorn's ``send`` knows its transport)."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionAbortedError("the mock was asked to drop the connection")
    transport.abort()


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
    server.announcement = f"Mock server for {app.title} API listening on {url_of(sock)}"
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0
