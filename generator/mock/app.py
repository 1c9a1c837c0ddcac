"""The ASGI application: routing, request validation, auth, faults and responses."""

from __future__ import annotations

import asyncio
import base64
import collections
import hashlib
import json
import random
import re
import threading
import uuid
from collections.abc import Mapping
from typing import Any, assert_never
from urllib.parse import unquote, urlsplit

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from .. import ir
from ..plan import Plan
from ..planner.runtime import DEFAULT_KEY_IN, DEFAULT_KEY_NAME
from .checking import WHERE, _Checker
from .control import Fault, _BodyRefused, _header_value, _shown, json_depth, parse_control
from .model import (
    CONTROL_HEADER,
    DEFAULT_LIMITS,
    LOG,
    TRANSPORT_HEADERS,
    WARNING_HEADER,
    ControlError,
    Limits,
    MockError,
    MockParam,
    MockRoute,
    Problem,
    _routes,
)
from .synth import _Synth


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
        # An SDK whose base_url keeps `@base`'s path (`http://127.0.0.1:PORT/api/v1`) reaches
        # the same routes: a path no route matches is tried again without that prefix.
        self.base_path = urlsplit(plan.runtime.default_base_url or "").path.rstrip("/")
        self.auth = plan.runtime.auth
        self.title = plan.runtime.title
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

    def _matching(self, path: str) -> list[tuple[MockRoute, re.Match[str]]]:
        """The routes whose pattern matches ``path``, each with its match."""
        matches = ((route, route.pattern.fullmatch(path)) for route in self.routes)
        return [(route, match) for route, match in matches if match is not None]

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
        found = self._matching(path)
        if not found and self.base_path and path.startswith(self.base_path + "/"):
            found = self._matching(path[len(self.base_path) :])
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
        kind = self.auth.kind
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
            # The planner sets both for an API key; the defaults only guard a hand-made plan.
            name = self.auth.key_name or DEFAULT_KEY_NAME
            where = self.auth.key_in or DEFAULT_KEY_IN
            source = request.query_params if where == "query" else request.headers
            if not source.get(name):
                return Problem(
                    401, "unauthorized", f"the API key {name!r} is required in the {where}"
                )
        elif kind != "none":
            assert_never(kind)  # mypy --strict flags a new AuthKind this does not check
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
        if self.auth.kind == "apikey" and self.auth.key_in == "query" and self.auth.key_name:
            known.add(self.auth.key_name)
        for key in sorted(query_keys - known):
            checker.warnings.append(f"unknown query param {key}")
        for key in sorted(body_keys - known):
            checker.warnings.append(f"unknown body field {key}")
        return None

    def _fields_or_map(self, expr: ir.TypeExpr) -> bool:
        match expr:
            case ir.ObjectType() | ir.RefType() | ir.DictType():
                return True
            case ir.Primitive(name=name):
                return name == "map"
            case ir.ArrayType() | ir.EnumType():
                return False
            case _:
                assert_never(expr)

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
