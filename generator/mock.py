"""``lapgen mock``: an HTTP server that plays an API from its LAP spec.

Requests are checked against the IR and the plan (the same param placement the generated SDK
uses): method and path, auth, required params in the right place, and their types. Valid
requests get the first 2xx ``@returns`` with a body synthesised from its shape, deterministic
for a seed. Faults (a forced status, latency, a dropped connection) are asked for per request
with the ``X-Lapgen-Mock`` header or per server with ``fail_rate`` and ``delay``.

Built on starlette (requests and responses) and uvicorn (the server). One catch-all route does
the routing, on the raw percent-encoded path, so that a path param may hold an encoded ``/``.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime as dt
import json
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
from urllib.parse import unquote

import attrs
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

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


class MockError(Exception):
    """The spec cannot be served (unreadable, invalid or not HTTP)."""


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


def parse_control(text: str) -> Fault:
    """``status=429; retry-after=1``, ``delay=2.5``, ``drop``, ``times=1`` (first N only)."""
    fault = Fault()
    for item in re.split(r"[;,]", text):
        key, _, value = (part.strip() for part in item.partition("="))
        key = key.lower()
        if key == "status":
            fault.status = int(value)
        elif key == "retry-after":
            fault.retry_after = value
        elif key == "delay":
            fault.delay = float(value)
        elif key == "drop":
            fault.drop = True
        elif key == "times":
            fault.times = int(value)
    return fault


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
    ) -> None:
        self.api = api
        self.plan = plan
        self.seed = seed
        self.delay = delay
        self.fail_rate = fail_rate
        self.fail_status = fail_status
        self.routes = _routes(api, plan)
        self.auth: dict[str, Any] = dict(plan.runtime["auth"])  # type: ignore[call-overload]
        self.title = str(plan.runtime["title"])
        self.requests = 0
        self.refused: list[str] = []  # "METHOD path: status error_message" of every 4xx
        self.latencies: list[float] = []  # seconds spent handling each valid request
        self._fault_counts: dict[str, int] = {}
        self._fail_rng = random.Random(seed)
        self._lock = threading.Lock()
        self._starlette = Starlette(
            routes=[Route("/{rest:path}", self._handle, methods=sorted(ir.HTTP_METHODS))]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = dict(scope["headers"])
            control = headers.get(CONTROL_HEADER.encode())
            fault = self._fault(control.decode("latin-1") if control else None)
            scope.setdefault("state", {})["fault"] = fault
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.drop:
                _drop(send)
                return
        await self._starlette(scope, receive, send)

    def _fault(self, control: str | None) -> Fault:
        fault = parse_control(control) if control else Fault()
        if fault.times is not None and control is not None:
            with self._lock:
                seen = self._fault_counts.get(control, 0)
                self._fault_counts[control] = seen + 1
            if seen >= fault.times:
                fault = Fault()
        fault.delay += self.delay
        if fault.status is None and self.fail_rate:
            with self._lock:
                failing = self._fail_rng.random() < self.fail_rate
            if failing:
                fault.status = self.fail_status
        return fault

    def error(
        self, problem: Problem, request: Request, headers: Mapping[str, str] | None = None
    ) -> Response:
        body = {
            "status_code": problem.status,
            "request_id": f"request-id-test-{uuid.uuid4()}",
            "error_type": problem.error_type,
            "error_message": problem.message,
        }
        if 400 <= problem.status < 500 and problem.error_type != "mock_fault":
            with self._lock:
                self.refused.append(
                    f"{request.method} {request.url.path}: {problem.status} {problem.message}"
                )
        return JSONResponse(body, status_code=problem.status, headers=headers)

    async def _handle(self, request: Request) -> Response:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with self._lock:
            self.requests += 1
        fault: Fault = request.scope.get("state", {}).get("fault") or Fault()
        if fault.status is not None:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
            if fault.status >= 300:
                message = f"fault injected by the mock: status {fault.status}"
                return self.error(Problem(fault.status, "mock_fault", message), request, headers)
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        path = raw_path.decode("latin-1")
        matching = [(route, route.pattern.fullmatch(path)) for route in self.routes]
        found = [(route, match) for route, match in matching if match is not None]
        if not found:
            return self.error(Problem(404, "not_found", f"no endpoint at {path}"), request)
        allowed = [(route, match) for route, match in found if route.method == request.method]
        if not allowed:
            methods = sorted({route.method for route, _ in found})
            message = f"{request.method} is not allowed on {path}; use {', '.join(methods)}"
            return self.error(
                Problem(405, "method_not_allowed", message), request, {"Allow": ", ".join(methods)}
            )
        problem = self._check_auth(request)
        if problem is not None:
            return self.error(problem, request)
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
            problem = await self._check(route, request, path_values, checker)
            if problem is None:
                break
            first_problem = first_problem or problem
        if problem is not None:
            assert first_problem is not None
            return self.error(first_problem, request)
        status = fault.status or _status(route.response)
        response = self._respond(route, status)
        if checker.warnings:
            response.headers[WARNING_HEADER] = "; ".join(checker.warnings)[:2000]
        with self._lock:
            self.latencies.append(loop.time() - started)
        return response

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

    async def _check(
        self,
        route: MockRoute,
        request: Request,
        path_values: Mapping[str, str],
        checker: _Checker,
    ) -> Problem | None:
        query = request.query_params
        query_keys = {key.partition("[")[0] for key in query}
        header_keys = {key.lower() for key in request.headers} - TRANSPORT_HEADERS
        raw = await request.body()
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return Problem(400, "invalid_request", "the request body is not valid JSON")
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


def server_for(app: MockApp, **options: Any) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
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
) -> Iterator[RunningMock]:
    """Serve ``spec`` on ``host:port`` in a background thread for the ``with`` block."""
    api, plan = load_plan(spec, config)
    app = MockApp(api, plan, seed=seed, delay=delay, fail_rate=fail_rate)
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
) -> int:
    """``lapgen mock``: serve until Ctrl-C or SIGTERM; the exit status."""
    app = MockApp(api, plan, seed=seed, delay=delay, fail_rate=fail_rate)
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
