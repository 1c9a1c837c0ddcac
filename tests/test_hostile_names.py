"""Every name Python or the generated code already means, as a field, a param, a path segment
and a type name: the SDK keeps the wire names, passes ``mypy --strict`` and works.

The names are keywords, soft keywords, every builtin, the names the generated modules import
and use in signatures, NFKC look-alikes (``Uｓer`` is ``User`` to Python) and dotted type names.
``generator.escape`` renames only the ones that would break something; this test is what
shows that the builtins it leaves alone (``id``, ``hash``, ``list``) break nothing.
"""

from __future__ import annotations

import builtins
import json
import keyword
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from generator.escape import RUNTIME_NAMES, SIGNATURE_NAMES
from generator.pipeline import load
from generator.render import render_files

NAMES = sorted(
    (
        set(keyword.kwlist)
        | set(keyword.softkwlist)
        | {name for name in dir(builtins) if not name.startswith("_")}
        | RUNTIME_NAMES
        | SIGNATURE_NAMES
        | {"models", "resources", "errors", "with_raw_response", "cursor", "page"}
    )
    - {"_"}
)
# `@type` names: the capitalised names above, keywords capitalised, look-alikes, dotted names
# and `ClassVar…` (attrs ignores fields annotated with a name starting with it).
TYPE_NAMES = sorted(
    {name for name in NAMES if name[:1].isupper()}
    | {name.capitalize() for name in keyword.kwlist}
    | {"ClassVar", "classVar", "class_var", "int", "attrs", "Uｓer", "User", "google.rpc.Status"}
)


def _spec() -> str:
    def fields(path_param: str) -> str:
        # Each name once per endpoint: the path param is declared in @required only.
        return ", ".join(f"{name}: str" for name in NAMES if name != path_param)

    types = "\n".join(f"@type {name} {{value: str}}" for name in TYPE_NAMES)
    returns = ", ".join(f"t{index}: {name}" for index, name in enumerate(TYPE_NAMES))
    endpoints = "\n\n".join(
        f"@endpoint {method} /{segment}/{{{param}}}\n"
        f"@required {{{param}: str}}\n"
        f"@optional {{{fields(param)}}}\n"
        f"@returns(200) {{{fields(param)}, {returns}}}"
        for segment, param, method in [
            ("none", "self", "GET"),
            ("true", "models", "POST"),
            ("false", "path_param", "PUT"),
        ]
    )
    return (
        f"@lap v0.3\n@api Names\n@base https://names.example\n@version 2022-11-28\n"
        f"@auth Bearer token\n@endpoints 3\n\n{types}\n\n{endpoints}\n\n@end\n"
    )


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    directory = tmp_path_factory.mktemp("names")
    spec = directory / "names.lap"
    spec.write_text(_spec(), encoding="utf-8")
    loaded = load(spec)
    out = directory / "out"
    for relative, text in render_files(loaded.plan).items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_text(text, encoding="utf-8")
    return out, loaded


def test_every_name_keeps_its_wire_name_and_gets_a_usable_python_name(
    generated: tuple[Path, object],
) -> None:
    _, loaded = generated
    plan = loaded.plan  # type: ignore[attr-defined]
    for method in plan.all_methods():
        assert {p.wire for p in method.params} >= set(NAMES)
        pythons = [p.python for p in method.params]
        assert len(pythons) == len(set(pythons))
        assert all(name.isascii() and name.isidentifier() for name in pythons)
        assert not any(keyword.iskeyword(name) for name in pythons)
    model_names = [model.name for model in plan.models]
    assert len(model_names) == len(set(model_names))
    assert not set(model_names) & (set(keyword.kwlist) | set(dir(builtins)))
    assert {"GoogleRpcStatus", "User", "User2", "MClassVar"} <= set(model_names)


def test_the_sdk_passes_mypy_strict(generated: tuple[Path, object]) -> None:
    out, loaded = generated
    package = loaded.plan.package  # type: ignore[attr-defined]
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", package],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_every_method_sends_every_name_on_the_wire(generated: tuple[Path, object]) -> None:
    out, loaded = generated
    plan = loaded.plan  # type: ignore[attr-defined]
    sys.path.insert(0, str(out))
    try:
        module = __import__(plan.package)
        sent: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return httpx.Response(200, json={name: "v" for name in NAMES})

        client = module.Client(
            api_key="k",
            http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        )
        for method in plan.all_methods():
            target = client
            for part in method.accessor.split("."):
                target = getattr(target, part)
            arguments = {p.python: p.wire for p in method.keyword}
            result = target("a/b", **arguments)
            request = sent[-1]
            assert len(method.keyword) == len(NAMES) - 1  # all but the path param
            assert request.url.raw_path.startswith(f"/{method.path.split('/')[1]}/a%2Fb".encode())
            sent_as = {
                "query": dict(request.url.params),
                "body": json.loads(request.content) if request.content else {},
                "header": {
                    p.wire: request.headers.get(p.wire)
                    for p in method.keyword
                    if p.location == "header"
                },
            }
            for location, values in sent_as.items():
                # Every name is sent, each where the placement rule puts it (`range` is the
                # standard Range header).
                assert values == {p.wire: p.wire for p in method.keyword if p.location == location}
            assert result.to_dict() == {name: "v" for name in NAMES}
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.split(".")[0] == plan.package]:
            del sys.modules[name]
