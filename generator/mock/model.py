"""The mock's errors, limits and routes: what the server is built from (IR + Plan)."""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from pathlib import Path

import attrs

from .. import ir
from ..config import Config, load_config
from ..pipeline import LoadError, load
from ..plan import Plan, build_plan

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
    routes = []
    for method in plan.all_methods():
        endpoint = method.endpoint
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
