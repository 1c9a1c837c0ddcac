"""Every real LAP file in ``tests/corpus`` through ``lapgen generate``, with no config.

HTTP samples must give a package that imports, builds a ``Client``, passes ``mypy --strict``
and sends a correct request for one endpoint. Files that are not HTTP (Protobuf, AsyncAPI) or
in the GraphQL dialect (``@lap v0.1``) must be refused with a message that says why, and must
not leave a package behind.

The samples are generated once per session (shared by xdist workers) and mypy runs once over
all of them together, with the corner-case fixtures of ``tests/fixtures``.
"""

from __future__ import annotations

import importlib
import keyword
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import sdk_support
from sdk_support import SAMPLES, Target, generate, load, sample_slug

SAMPLE_FILES = sorted(SAMPLES.glob("*.lap"))
# Compiled from Protobuf and AsyncAPI: valid LAP, methods that are not HTTP.
NON_HTTP = {
    "example-asyncapi-streetlights-mqtt.lap": {"SUB", "PUB"},
    "example-protobuf-user.lap": {"UNARY", "CLIENT-STREAM"},
}
GRAPHQL = {"example-graphql-github.lap"}  # @lap v0.1
HTTP_SAMPLES = [s for s in SAMPLE_FILES if s.name not in NON_HTTP and s.name not in GRAPHQL]

# Known generator bugs, by sample file name → the reason shown by a strict xfail. Empty: every
# HTTP sample generates, imports, type-checks and calls correctly.
KNOWN_GENERATION_FAILURES: dict[str, str] = {}
KNOWN_MYPY_FAILURES: dict[str, str] = {}


def _params(
    known: dict[str, str], *extra: dict[str, str], with_endpoints: bool = False
) -> list[Any]:
    params = []
    for sample in HTTP_SAMPLES:
        if with_endpoints and "\n@endpoint " not in sample.read_text():
            continue
        reasons = [r for r in (known.get(sample.name), *(e.get(sample.name) for e in extra)) if r]
        marks = [pytest.mark.xfail(strict=True, reason="; ".join(reasons))] if reasons else []
        params.append(pytest.param(sample, id=sample.name, marks=marks))
    return params


def test_the_samples_are_all_classified() -> None:
    assert {s.name for s in SAMPLE_FILES} >= set(NON_HTTP) | GRAPHQL
    assert len(HTTP_SAMPLES) >= 15


# ---------------------------------------------------------------------------------------------
# Shared generation and mypy
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    return sdk_support.sample_outputs(tmp_path_factory, HTTP_SAMPLES)


@pytest.fixture(scope="session")
def mypy_report(
    tmp_path_factory: pytest.TempPathFactory, samples: tuple[Path, dict[str, Any]]
) -> dict[str, Any]:
    """One ``mypy --strict`` run over every generated sample and fixture package.

    The mypy cache is this session's own: a cache kept across sessions would replay the
    errors of unchanged modules under the paths of the session that found them.
    """
    samples_root, records = samples
    fixtures_root, fixture_records = sdk_support.fixture_outputs(tmp_path_factory)

    def build(root: Path) -> dict[str, Any]:
        import mypy.api

        packages: dict[str, str] = {}  # package directory → sample or fixture name
        bases = [samples_root]
        for sample in HTTP_SAMPLES:
            package = records[sample.name]["package"]
            if package:
                packages[str(samples_root / sample_slug(sample) / package)] = sample.name
        for name, record in fixture_records.items():
            package = sdk_support.package_dir(fixtures_root / name)
            if record["code"] == 0 and package is not None:
                packages[str(package)] = f"fixture:{name}"
                bases.append(package.parent)
        cache_dir = root / "cache"
        config = root / "mypy.ini"
        config.write_text(
            "[mypy]\nstrict = True\nexplicit_package_bases = True\n"
            f"mypy_path = {','.join(str(b) for b in bases)}\ncache_dir = {cache_dir}\n"
        )
        stdout, stderr, status = mypy.api.run(["--config-file", str(config), *packages])
        errors: dict[str, list[str]] = {name: [] for name in packages.values()}
        unattributed = []
        for line in stdout.splitlines():
            match = re.match(r"(?P<path>.+?):\d+(?::\d+)?: error: ", line)
            if not match:
                continue
            path = str(Path(match["path"]).resolve())
            owner = next((name for d, name in packages.items() if path.startswith(d + "/")), None)
            if owner is None:
                unattributed.append(line)
            else:
                errors[owner].append(line)
        return {
            "status": status,
            "stdout": stdout,
            "stderr": stderr,
            "errors": errors,
            "unattributed": unattributed,
        }

    _root, report = sdk_support.build_once(tmp_path_factory, "mypy", build)
    return report


ImportSample = Callable[[Path], ModuleType]


@pytest.fixture(scope="module")
def imported(samples: tuple[Path, dict[str, Any]]) -> Iterator[ImportSample]:
    """Imports a generated sample package as ``s_<slug>.<package>``."""
    root, records = samples
    sys.path.insert(0, str(root))

    def import_sample(sample: Path) -> ModuleType:
        package = records[sample.name]["package"]
        assert package, records[sample.name]["stderr"]
        return importlib.import_module(f"{sample_slug(sample)}.{package}")

    yield import_sample
    sys.path.remove(str(root))


# ---------------------------------------------------------------------------------------------
# HTTP samples
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", _params(KNOWN_GENERATION_FAILURES))
def test_http_sample_generates(samples: tuple[Path, dict[str, Any]], sample: Path) -> None:
    root, records = samples
    record = records[sample.name]
    assert record["code"] == 0, record["stderr"]
    assert record["package"], "no package written"
    api = load(sample).api
    match = re.search(r"with (\d+) methods", record["stdout"])
    assert match and int(match[1]) == len(api.endpoints), record["stdout"]
    assert (root / sample_slug(sample) / record["package"] / "py.typed").is_file()


@pytest.mark.parametrize("sample", _params(KNOWN_GENERATION_FAILURES))
def test_sample_accessors_are_identifiers(sample: Path) -> None:
    """Every resource and method name is a Python identifier that is not a keyword."""
    bad = [
        f"{e['method']} {e['path']} -> {e['accessor']}"
        for e in load(sample).json["endpoints"]
        for part in e["accessor"].split(".")
        if not part.isidentifier() or keyword.iskeyword(part) or keyword.issoftkeyword(part)
    ]
    assert not bad, bad


@pytest.mark.parametrize("sample", _params(KNOWN_GENERATION_FAILURES))
def test_http_sample_imports_and_builds_a_client(imported: ImportSample, sample: Path) -> None:
    module = imported(sample)
    assert hasattr(module, "AsyncClient")
    target = Target.of(module, load(sample))
    client = target.client()
    assert str(client.base_url).rstrip("/") == target.base.rstrip("/")
    client.close()


@pytest.mark.parametrize("sample", _params(KNOWN_GENERATION_FAILURES, KNOWN_MYPY_FAILURES))
def test_http_sample_passes_mypy_strict(mypy_report: dict[str, Any], sample: Path) -> None:
    assert sample.name in mypy_report["errors"], "not generated, so not checked"
    errors = mypy_report["errors"][sample.name]
    assert not errors, "\n".join(errors[:40])


def test_mypy_checked_everything(mypy_report: dict[str, Any]) -> None:
    assert mypy_report["unattributed"] == [], mypy_report["stdout"][-3000:]
    assert "checked" in mypy_report["stdout"] or "Success" in mypy_report["stdout"], (
        mypy_report["stdout"][-2000:] + mypy_report["stderr"][-2000:]
    )
    # A crash or a usage error (status 2) is not a type error.
    assert mypy_report["status"] in (0, 1), mypy_report["stderr"]


@pytest.mark.parametrize("name", [spec.stem for spec in sdk_support.fixture_specs()])
def test_fixture_package_passes_mypy_strict(mypy_report: dict[str, Any], name: str) -> None:
    errors = mypy_report["errors"][f"fixture:{name}"]
    assert not errors, "\n".join(errors[:40])


@pytest.mark.parametrize("sample", _params(KNOWN_GENERATION_FAILURES, with_endpoints=True))
def test_http_sample_one_call_over_mock_transport(imported: ImportSample, sample: Path) -> None:
    """The first endpoint, with its required params and one optional param per location."""
    target = Target.of(imported(sample), load(sample))
    sdk_support.exercise(target, target.loaded.json["endpoints"][0], "richest")


@pytest.mark.parametrize("sample", _params(KNOWN_GENERATION_FAILURES, with_endpoints=True))
def test_http_sample_every_endpoint_over_mock_transport(
    imported: ImportSample, sample: Path
) -> None:
    """Every endpoint, once with its required params only and once with all its params."""
    target = Target.of(imported(sample), load(sample))
    failures = sdk_support.exercise_all(target)
    assert not failures, f"{len(failures)} failing calls:\n" + "\n".join(failures[:20])


# ---------------------------------------------------------------------------------------------
# Files lapgen must refuse
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(NON_HTTP))
def test_non_http_sample_is_refused(tmp_path: Path, name: str) -> None:
    sample = SAMPLES / name
    out = tmp_path / "out"
    run = generate(sample, out)
    assert run.code == 1, run.stdout
    api = load_unplanned(sample)
    methods = {endpoint.method for endpoint in api.endpoints}
    assert methods == NON_HTTP[name]
    for endpoint in api.endpoints:
        location = f"{sample}:{endpoint.pos.line}:"
        # The front end's warnings come first (as validate prints them), then the planner's error.
        lines = [
            line
            for line in run.stderr.splitlines()
            if line.startswith(location) and ": error: " in line
        ]
        assert lines, f"no error for line {endpoint.pos.line}:\n{run.stderr}"
        assert endpoint.method in lines[0]
        assert "HTTP" in lines[0]
    assert not out.exists() or not any(out.iterdir()), "a package was written"


def load_unplanned(sample: Path) -> Any:
    from generator.frontend import read_spec

    result = read_spec(sample.read_bytes())
    assert result.api is not None
    return result.api


@pytest.mark.parametrize("name", sorted(GRAPHQL))
def test_graphql_dialect_is_refused(tmp_path: Path, name: str) -> None:
    sample = SAMPLES / name
    out = tmp_path / "out"
    run = generate(sample, out)
    assert run.code == 1
    assert "unsupported LAP dialect" in run.stderr
    assert f"{sample}:1:" in run.stderr
    assert "Traceback" not in run.stderr
    assert not out.exists() or not any(out.iterdir()), "an SDK was written"


# ---------------------------------------------------------------------------------------------
# Wire details the samples show (non-str headers, object-valued query params)
# ---------------------------------------------------------------------------------------------


def _recording_client(module: ModuleType, sample: Path) -> tuple[Any, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    target = Target.of(module, load(sample))
    return target.client(http_client=httpx.Client(transport=httpx.MockTransport(handler))), sent


def test_bool_header_param_is_sent(imported: ImportSample) -> None:
    sample = SAMPLES / "openapi-digitalocean.lap"
    client, sent = _recording_client(imported(sample), sample)
    client.droplets.destroy_with_associated_resources.dangerous.delete(
        "droplet-1", x_dangerous=True
    )
    assert sent[0].url.path == "/v2/droplets/droplet-1/destroy_with_associated_resources/dangerous"
    assert sent[0].headers.get("x-dangerous", "").lower() == "true"


def test_map_query_param_is_not_sent_as_a_python_repr(imported: ImportSample) -> None:
    sample = SAMPLES / "openapi-stripe-charges.lap"
    client, sent = _recording_client(imported(sample), sample)
    client.charges.list(created={"gt": 5})
    items = httpx.QueryParams(sent[0].url.query).multi_items()
    assert ("created[gt]", "5") in items or ("created", '{"gt":5}') in items, items
