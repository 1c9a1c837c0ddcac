"""Helpers shared by the tests of generated SDKs (golden, wire, samples, generate CLI).

- paths of the specs, the committed outputs and the golden fixtures;
- ``build_once``: expensive generation done once per test session, shared by xdist workers;
- ``run_lapgen``: ``generator.cli.main`` with its exit code, stdout and stderr;
- ``snapshot`` and ``tree_diff``: byte-for-byte comparison of output directories;
- ``Wire``: values for params and JSON bodies synthesised from IR types, and the checks that a
  parsed result holds what the JSON said. It walks the IR type (what the spec says) and the
  runtime annotation of the generated code (what the SDK promises) side by side;
- ``plan_call``: the arguments for one generated method and the request they must produce;
- ``Target`` and ``exercise``: any generated package's endpoints called over
  httpx.MockTransport and checked (method, URL, query, headers, JSON body, parsed result).
"""

from __future__ import annotations

import base64
import contextlib
import difflib
import io
import json
import os
import re
import shutil
import sys
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Literal, Union
from urllib.parse import quote

import attrs
import httpx
import pytest

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: each xdist worker builds on its own
    fcntl = None  # type: ignore[assignment]

# The tests import these paths from here; regenerate.py is where they are defined.
from conftest import SAMPLES_DIR as SAMPLES  # noqa: F401
from regenerate import FIXTURES, GENERATED, GOLDEN, REPO, SPEC, SPEC_CONFIG  # noqa: F401

from generator import ir
from generator.cli import main as lapgen_main
from generator.config import Config, load_config
from generator.frontend import read_spec
from generator.plan import MethodPlan, Plan, build_plan, plan_json

# Files a run leaves that are not part of the output.
IGNORED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache"})


def models_package(tmp_path: Path, spec: bytes, config: Config, package: str) -> ModuleType:
    """The models module ``spec`` generates, with the runtime modules it imports, written as an
    importable ``package`` under ``tmp_path`` and imported (runtime first)."""
    import importlib

    from generator.render import render

    result = read_spec(spec)
    assert result.api is not None
    plan = build_plan(result.api, config, spec_name="t.lap", spec_bytes=spec)
    root = tmp_path / package
    root.mkdir()
    runtime = REPO / "templates" / "sdk" / "runtime"
    for module in ("_models.py", "_types.py", "errors.py"):
        (root / module).write_text((runtime / module).read_text())
    (root / "__init__.py").write_text("")
    (root / "models.py").write_text(render(plan)[f"{plan.package}/models.py"])
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.import_module(f"{package}._models")
        return importlib.import_module(f"{package}.models")
    finally:
        sys.path.remove(str(tmp_path))


def import_committed_sdk() -> ModuleType:
    """The committed ``generated/stytch_api`` package, imported with its runtime, errors and
    models (and never another ``stytch_api`` that happens to be installed)."""
    import importlib

    sys.path.insert(0, str(GENERATED))
    try:
        package = importlib.import_module("stytch_api")
        for module in ("_base_client", "errors", "models"):
            importlib.import_module(f"stytch_api.{module}")
    finally:
        sys.path.remove(str(GENERATED))
    assert Path(package.__file__ or "").resolve().is_relative_to(GENERATED.resolve())
    return package


def fixture_specs() -> list[Path]:
    """The corner-case specs with golden outputs: ``tests/fixtures/<name>.lap``."""
    return sorted(FIXTURES.glob("*.lap"))


# ---------------------------------------------------------------------------------------------
# Running lapgen
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class Run:
    code: int
    stdout: str
    stderr: str


def run_lapgen(*argv: str | os.PathLike[str]) -> Run:
    """``lapgen ARGV`` in this process, through ``generator.cli.main``."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = lapgen_main([str(arg) for arg in argv])
    return Run(code, out.getvalue(), err.getvalue())


def generate(spec: Path, out: Path, config: Path | None = None) -> Run:
    argv: list[str | os.PathLike[str]] = ["generate", spec, "-o", out]
    if config is not None:
        argv += ["--config", config]
    return run_lapgen(*argv)


# ---------------------------------------------------------------------------------------------
# Work done once per session, across xdist workers
# ---------------------------------------------------------------------------------------------


def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory every xdist worker of this session sees (the session's basetemp)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], object]
) -> tuple[Path, Any]:
    """Run ``build(directory)`` once per session and return the directory and its result.

    The result must be JSON-serialisable: a worker that finds the work done reads it back.
    Without fcntl (Windows) each worker builds into its own directory.
    """
    root = shared_root(tmp_path_factory) if fcntl is not None else tmp_path_factory.getbasetemp()
    target = root / f"shared-{name}"
    done = root / f"shared-{name}.json"
    lock = _locked(root / f"shared-{name}.lock") if fcntl is not None else contextlib.nullcontext()
    with lock:
        if not done.exists():
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            result = build(target)
            done.write_text(json.dumps(result))
    return target, json.loads(done.read_text())


# ---------------------------------------------------------------------------------------------
# Comparing output trees
# ---------------------------------------------------------------------------------------------


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (dotfiles included) by POSIX relative path."""
    files = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not IGNORED_PARTS.intersection(relative.parts):
            files[relative.as_posix()] = path.read_bytes()
    return files


def tree_diff(expected: Mapping[str, bytes], actual: Mapping[str, bytes], limit: int = 200) -> str:
    """A readable report of how two snapshots differ: file sets, then unified diffs."""
    lines: list[str] = []
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    if missing:
        lines.append(f"files missing from the new output: {missing}")
    if extra:
        lines.append(f"files only in the new output: {extra}")
    # Source first: the manifest's hashes only repeat that something changed.
    changed = sorted(
        (p for p in set(expected) & set(actual) if expected[p] != actual[p]),
        key=lambda p: (p.endswith(".json"), p),
    )
    if changed:
        lines.append(f"files that differ: {changed}")
    for path in changed:
        old = expected[path].decode("utf-8", "replace").splitlines(keepends=True)
        new = actual[path].decode("utf-8", "replace").splitlines(keepends=True)
        lines.extend(
            line.rstrip("\n")
            for line in difflib.unified_diff(old, new, f"committed/{path}", f"regenerated/{path}")
        )
        if len(lines) >= limit:
            break
    if len(lines) > limit:
        lines = lines[:limit] + [f"... ({len(lines) - limit} more diff lines not shown)"]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class Loaded:
    api: ir.API
    plan: Plan
    json: dict[str, Any]

    def endpoint_at(self, line: int) -> ir.Endpoint:
        return next(e for e in self.api.endpoints if e.pos.line == line)

    def method_plan(self, accessor: str) -> MethodPlan:
        return next(m for m in self.plan.all_methods() if m.accessor == accessor)

    @property
    def model_fields(self) -> dict[str, dict[str, str]]:
        """Model class name → {wire name: Python attribute}."""
        return {m.name: {f.wire: f.python for f in m.fields} for m in self.plan.models}


@cache
def load(spec: Path, config: Path | None = None) -> Loaded:
    data = spec.read_bytes()
    result = read_spec(data)
    assert result.api is not None, [str(d) for d in result.errors]
    plan = build_plan(
        result.api,
        load_config(config) if config is not None else Config(),
        spec_name=spec.name,
        spec_bytes=data,
    )
    return Loaded(result.api, plan, plan_json(plan))


def stytch() -> Loaded:
    return load(SPEC, SPEC_CONFIG)


# ---------------------------------------------------------------------------------------------
# Values from IR types
# ---------------------------------------------------------------------------------------------

MAX_DEPTH = 8
_NONE = type(None)


def strip_optional(annotation: Any) -> Any:
    """``T | Unset | None`` → ``T``."""
    if typing.get_origin(annotation) in (Union, types.UnionType):
        args = [
            arg
            for arg in typing.get_args(annotation)
            if arg is not _NONE and getattr(arg, "__name__", "") not in ("Unset", "NotGiven")
        ]
        if len(args) == 1:
            return args[0]
        return Union[tuple(args)]  # noqa: UP007 - built from a runtime tuple
    return annotation


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and attrs.has(annotation)


def is_dict(annotation: Any) -> bool:
    return annotation is dict or typing.get_origin(annotation) is dict


def _scalar(name: str, primitive: str) -> Any:
    return {
        "int": 7,
        "num": 1.5,
        "float": 1.5,
        "bool": True,
        "map": {"k": "v"},
        "null": None,
    }.get(primitive, f"x-{name}")


class Wire:
    """Values and JSON for one API, checked against the generated SDK's annotations."""

    def __init__(self, api: ir.API, model_fields: Mapping[str, Mapping[str, str]]) -> None:
        self.api = api
        self.model_fields = model_fields

    def _object_fields(self, expr: ir.TypeExpr) -> tuple[ir.Field, ...] | None:
        """The fields of a model type; None for a ``map{}`` (the SDK types it as a dict)."""
        fields = self.api.fields_of(expr)
        return None if not fields and isinstance(expr, ir.ObjectType) else fields

    # -- JSON the server sends ------------------------------------------------------------

    def json_value(self, expr: ir.TypeExpr, name: str, depth: int = 0) -> Any:
        fields = self._object_fields(expr)
        if fields is not None:
            if depth >= MAX_DEPTH:
                return {}
            return {f.name: self.json_value(f.type.expr, f.name, depth + 1) for f in fields}
        match expr:
            case ir.RefType():  # a type the spec does not define
                return f"x-{name}"
            case ir.ObjectType():  # map{} without fields
                return {"k": "v"}
            case ir.ArrayType(items=items):
                return [self.json_value(items, name, depth + 1)]
            case ir.DictType(value=value):
                return {"k": self.json_value(value, name, depth + 1)}
            case ir.EnumType(values=values):
                return values[0]
            case ir.Primitive(name=primitive):
                return _scalar(name, primitive)
            case _:
                typing.assert_never(expr)

    def response_body(self, fields: Sequence[ir.Field]) -> dict[str, Any]:
        return {f.name: self.json_value(f.type.expr, f.name) for f in fields}

    # -- values the caller passes ---------------------------------------------------------

    def param_value(
        self, expr: ir.TypeExpr, annotation: Any, name: str, depth: int = 0
    ) -> tuple[Any, Any]:
        """A valid argument for a param of type ``expr``, and the JSON it must become."""
        annotation = strip_optional(annotation)
        fields = self._object_fields(expr)
        if fields is not None:
            if is_model(annotation):
                mapping = self.model_fields[annotation.__name__]
                hints = typing.get_type_hints(annotation)
                kwargs: dict[str, Any] = {}
                data: dict[str, Any] = {}
                for field in fields:
                    if depth >= MAX_DEPTH and not field.required_marker:
                        continue
                    python = mapping[field.name]
                    kwargs[python], data[field.name] = self.param_value(
                        field.type.expr, hints[python], field.name, depth + 1
                    )
                return annotation(**kwargs), data
            assert (
                is_dict(annotation) or annotation is Any
            ), f"{name}: an object in the spec, annotated {annotation!r}"
            value = self.json_value(expr, name, depth)
            return value, value
        if isinstance(expr, ir.ArrayType):
            assert typing.get_origin(annotation) is list, f"{name}: array annotated {annotation!r}"
            (item,) = typing.get_args(annotation)
            value, data = self.param_value(expr.items, item, name, depth + 1)
            return [value], [data]
        if isinstance(expr, ir.DictType):
            assert is_dict(annotation), f"{name}: map<K,V> annotated {annotation!r}"
            _key, item = typing.get_args(annotation)
            value, data = self.param_value(expr.value, item, name, depth + 1)
            return {"k": value}, {"k": data}
        value = self.json_value(expr, name, depth)
        if isinstance(expr, ir.EnumType):
            if typing.get_origin(annotation) is Literal:
                assert value in typing.get_args(annotation), (name, annotation)
        elif isinstance(annotation, type) and annotation not in (Any, object) and value is not None:
            ok = isinstance(value, annotation) or (annotation is float and type(value) is int)
            assert ok, f"{name}: {value!r} does not fit the annotation {annotation!r}"
        return value, value

    # -- what the SDK parsed --------------------------------------------------------------

    def check_parsed(
        self, value: Any, expr: ir.TypeExpr, annotation: Any, data: Any, where: str
    ) -> None:
        """``value`` (from the SDK) holds ``data`` (the JSON) as the annotation promises."""
        annotation = strip_optional(annotation)
        fields = self._object_fields(expr)
        if fields is not None and is_model(annotation):
            assert isinstance(value, annotation), f"{where}: {type(value)!r}, not {annotation!r}"
            self.check_model(value, fields, data, where)
            return
        if isinstance(expr, ir.ArrayType) and typing.get_origin(annotation) is list:
            assert isinstance(value, list) and len(value) == len(data), f"{where}: {value!r}"
            (item,) = typing.get_args(annotation)
            for index, (got, sent) in enumerate(zip(value, data, strict=True)):
                self.check_parsed(got, expr.items, item, sent, f"{where}[{index}]")
            return
        if isinstance(expr, ir.DictType) and typing.get_origin(annotation) is dict:
            assert isinstance(value, dict) and value.keys() == data.keys(), f"{where}: {value!r}"
            _key, item = typing.get_args(annotation)
            for key in data:
                self.check_parsed(value[key], expr.value, item, data[key], f"{where}[{key!r}]")
            return
        assert value == data, f"{where}: parsed {value!r}, the JSON said {data!r}"

    def check_model(
        self, value: Any, fields: Sequence[ir.Field], data: Mapping[str, Any], where: str
    ) -> None:
        model = type(value)
        mapping = self.model_fields[model.__name__]
        hints = typing.get_type_hints(model)
        for field in fields:
            python = mapping[field.name]
            got = getattr(value, python)
            if field.name not in data:
                assert type(got).__name__ == "Unset", f"{where}.{field.name}: {got!r}"
                continue
            self.check_parsed(
                got, field.type.expr, hints[python], data[field.name], f"{where}.{field.name}"
            )
        extra = {key: data[key] for key in data if key not in mapping}
        assert value.additional_properties == extra, f"{where}: additional_properties"


# ---------------------------------------------------------------------------------------------
# Calling an endpoint
# ---------------------------------------------------------------------------------------------

RICHNESS = {ir.ObjectType: 3, ir.RefType: 3, ir.ArrayType: 2, ir.DictType: 2}


@attrs.define
class Call:
    """One call of a generated method: its arguments and the request it must send."""

    method: dict[str, Any]  # the plan_json endpoint
    endpoint: ir.Endpoint
    args: list[Any]
    kwargs: dict[str, Any]
    path: str  # expected raw path, percent-encoded
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: dict[str, Any] | None
    sent: list[str]  # wire names of the params passed


def _query_text(value: Any) -> list[str]:
    if isinstance(value, list):
        return [text for item in value for text in _query_text(item)]
    if value is True or value is False:
        return ["true" if value else "false"]
    return [str(value)]


def query_items(name: str, value: Any) -> list[tuple[str, str]]:
    """How a query param is expected on the wire: lists repeat the name, booleans are
    ``true``/``false``, objects use the deepObject style (``filter[key]=value``)."""
    if isinstance(value, dict):
        return [
            item for key, inner in value.items() for item in query_items(f"{name}[{key}]", inner)
        ]
    return [(name, text) for text in _query_text(value)]


def _path_value(name: str, expr: ir.TypeExpr) -> Any:
    if isinstance(expr, ir.Primitive) and expr.name in ("int", "num", "float"):
        return 7
    # Characters a path segment must escape: '/', '?', '#', '%', a space and non-ASCII.
    return f"x-{name}/é ?#%"


def _fill_path_param(path: str, wire: str, value: Any) -> str:
    """``path`` with every ``{wire}`` (or ``{{wire}}``) replaced by the percent-encoded value."""

    def fill(match: re.Match[str]) -> str:
        return quote(str(value), safe="") if match.group(1) == wire else match.group(0)

    return ir.PATH_PARAM.sub(fill, path)


def plan_call(
    wire: Wire,
    method: dict[str, Any],
    planned: MethodPlan,
    signature: Mapping[str, Any],
    *,
    optional: Literal["richest", "none", "all"] = "richest",
) -> Call:
    """The arguments for ``method``: its required params, plus optional ones by location.

    ``planned`` is the same method in the Plan, whose params carry their IR types;
    ``signature`` maps Python param names to their resolved annotations.
    """
    assert method["accessor"] == planned.accessor
    endpoint = planned.endpoint
    # Python names are unique within a method (a repeated wire name's second is `body_id`).
    types = {p.python: p.type.expr for p in planned.params}

    def type_of(param: dict[str, Any]) -> ir.TypeExpr:
        return types[param["python"]]

    def richness(param: dict[str, Any]) -> int:
        return RICHNESS.get(type(type_of(param)), 1)

    params = method["params"]
    chosen: list[dict[str, Any]] = [p for p in params if p["required"]]
    if optional != "none":
        for location in ("query", "header", "body"):
            candidates = [p for p in params if not p["required"] and p["in"] == location]
            if optional == "all":
                chosen += candidates
            elif candidates:
                chosen.append(
                    max(
                        candidates,
                        key=richness,
                    )
                )
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    path = endpoint.path
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    body: dict[str, Any] | None = {} if any(p["in"] == "body" for p in params) else None
    for param in chosen:
        expr = type_of(param)
        if param["in"] == "path":
            value = _path_value(param["wire"], expr)
            data = value
        else:
            value, data = wire.param_value(expr, signature[param["python"]], param["wire"])
        if param["in"] == "path":
            args.append(value)
        else:
            kwargs[param["python"]] = value
        if param["in"] == "path":
            path = _fill_path_param(path, param["wire"], value)
        elif param["in"] == "query":
            query += query_items(param["wire"], data)
        elif param["in"] == "header":
            headers[param["wire"].lower()] = data if isinstance(data, str) else _query_text(data)[0]
        else:
            assert body is not None
            body[param["wire"]] = data
    # Path params come in path order; plan_json lists them first, in that order.
    return Call(
        method,
        endpoint,
        args,
        kwargs,
        path,
        sorted(query),
        headers,
        body,
        [p["wire"] for p in chosen],
    )


def resolve(root: Any, accessor: str) -> Any:
    target = root
    for part in accessor.split("."):
        target = getattr(target, part)
    return target


def signature_of(function: Any) -> dict[str, Any]:
    return typing.get_type_hints(function)


# ---------------------------------------------------------------------------------------------
# Generated outputs shared by the test modules
# ---------------------------------------------------------------------------------------------


def _run_record(run: Run, **extra: object) -> dict[str, object]:
    return {"code": run.code, "stdout": run.stdout, "stderr": run.stderr, **extra}


def stytch_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """``lapgen generate spec/stytch.lap --config spec/stytch.toml`` into a fresh directory."""

    def build(root: Path) -> dict[str, object]:
        return _run_record(generate(SPEC, root / "stytch_api", SPEC_CONFIG))

    root, record = build_once(tmp_path_factory, "stytch", build)
    return root / "stytch_api", record


def fixture_outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """Every ``tests/fixtures/<name>.lap`` generated into ``<root>/<name>``."""

    def build(root: Path) -> dict[str, object]:
        return {
            spec.stem: _run_record(generate(spec, root / spec.stem)) for spec in fixture_specs()
        }

    return build_once(tmp_path_factory, "fixtures", build)


def sample_slug(sample: Path) -> str:
    """A package-safe directory name for a sample: ``openapi-petstore.lean`` → ``s_openapi_petstore_lean``."""
    return "s_" + re.sub(r"\W", "_", sample.stem)


def package_dir(out: Path) -> Path | None:
    """The Python package lapgen wrote into ``out``, if any."""
    packages = [p for p in out.iterdir() if (p / "__init__.py").is_file()] if out.is_dir() else []
    return packages[0] if len(packages) == 1 else None


def sample_outputs(
    tmp_path_factory: pytest.TempPathFactory, samples: Sequence[Path]
) -> tuple[Path, dict[str, Any]]:
    """Each sample generated with no config into ``<root>/s_<slug>``; records by file name."""

    def build(root: Path) -> dict[str, object]:
        records: dict[str, object] = {}
        for sample in samples:
            out = root / sample_slug(sample)
            run = generate(sample, out)
            package = package_dir(out)
            records[sample.name] = _run_record(run, package=package.name if package else None)
        return records

    return build_once(tmp_path_factory, "samples", build)


# ---------------------------------------------------------------------------------------------
# Calling any generated SDK's endpoints over httpx.MockTransport
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class Target:
    """A generated package and what a client of it sends on every request."""

    module: ModuleType
    loaded: Loaded
    credentials: dict[str, str]
    base: str  # the URL requests must go to
    base_url_option: str | None  # passed as base_url= when the spec has no @base

    @classmethod
    def of(cls, module: ModuleType, loaded: Loaded) -> Target:
        """Dummy credentials; a base_url only when the spec has none."""
        runtime = loaded.plan.runtime
        credentials = {p.name: f"dummy-{p.name}" for p in runtime.auth.params}
        base = runtime.default_base_url
        option = None
        if base is None:
            base = option = "https://mock.invalid/api/"
        return cls(module, loaded, credentials, base, option)

    def client(self, **options: Any) -> Any:
        if self.base_url_option is not None:
            options["base_url"] = self.base_url_option
        return self.module.Client(**self.credentials, **options)

    def auth(self) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """The headers and query items the API's auth adds to each request."""
        auth = self.loaded.plan.runtime.auth
        values = list(self.credentials.values())
        if auth.kind == "basic":
            token = base64.b64encode(":".join(values).encode()).decode()
            return {"authorization": f"Basic {token}"}, []
        if auth.kind == "bearer":
            return {"authorization": f"Bearer {values[0]}"}, []
        if auth.kind == "apikey" and auth.key_name and auth.key_in == "query":
            return {}, [(auth.key_name, values[0])]
        if auth.kind == "apikey" and auth.key_name:
            return {auth.key_name.lower(): values[0]}, []
        return {}, []


def exercise(
    target: Target, method: dict[str, Any], optional: Literal["richest", "none", "all"]
) -> None:
    """Call ``method`` through a fresh client; assert on the request and the parsed result."""
    loaded = target.loaded
    endpoint = loaded.endpoint_at(method["line"])
    wire = Wire(loaded.api, loaded.model_fields)
    success = endpoint.success
    fields = loaded.api.response_fields(success)
    status = int(success.code) if success is not None and success.code.isdigit() else 200
    body: Any = {**wire.response_body(fields), "zz_extra": 1} if fields is not None else {"ok": 1}
    if status == 204:
        body = None
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(status) if body is None else httpx.Response(status, json=body)

    client = target.client(http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    function = resolve(client, method["accessor"])
    planned = loaded.method_plan(method["accessor"])
    call = plan_call(wire, method, planned, signature_of(function), optional=optional)
    result = function(*call.args, **call.kwargs)

    where = f"{method['method']} {method['path']} ({method['accessor']}, {optional})"
    (request,) = sent
    base = httpx.URL(target.base)
    assert request.method == method["method"], where
    assert (request.url.scheme, request.url.host) == (base.scheme, base.host), where
    raw_path = request.url.raw_path.partition(b"?")[0].decode()
    assert raw_path == base.raw_path.decode().rstrip("/") + call.path, where
    auth_headers, auth_query = target.auth()
    query = sorted(httpx.QueryParams(request.url.query).multi_items())
    assert query == sorted(call.query + auth_query), where
    for name, value in {**auth_headers, **call.headers}.items():
        assert request.headers.get(name) == value, f"{where}: header {name}"
    if call.body is None:
        assert request.content == b"", where
    else:
        assert json.loads(request.content) == call.body, where
    if method["response_model"] is not None:
        model = getattr(target.module.models, method["response_model"])
        assert type(result) is model, where
        assert fields is not None
        wire.check_model(result, fields, body, where)
    else:
        assert result == body, where


def exercise_all(target: Target) -> list[str]:
    """Every endpoint twice (required params only, then every param); the failures."""
    failures = []
    for method in target.loaded.json["endpoints"]:
        for optional in ("none", "all"):
            try:
                exercise(target, method, optional)  # type: ignore[arg-type]
            except Exception as exc:  # noqa: BLE001 - collect them all, report together
                failures.append(f"{type(exc).__name__}: {exc}")
    return failures
