"""Golden tests: what ``lapgen generate`` writes now, byte for byte, against committed outputs.

- ``spec/stytch.lap`` (with ``spec/stytch.toml``) against ``generated/stytch_api``;
- each corner-case spec ``tests/fixtures/<name>.lap`` against ``tests/fixtures/golden/<name>/``;
- determinism: ``python -m generator generate`` under three ``PYTHONHASHSEED`` values;
- hostile spec text (quotes, backslashes, braces, code) stays inside docstrings.

After an intended change of the generator, refresh the committed outputs with
``nox -s regenerate`` (or ``python -m tests.regenerate``) and review the diff.
"""

from __future__ import annotations

import ast
import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import sdk_support
from sdk_support import (
    GENERATED,
    GOLDEN,
    REPO,
    SPEC,
    SPEC_CONFIG,
    fixture_specs,
    generate,
    snapshot,
    tree_diff,
)

REGENERATE = "run `nox -s regenerate` (or `python -m tests.regenerate`) and review the diff"
MANIFEST = ".lapgen-manifest.json"
FIXTURE_NAMES = [spec.stem for spec in fixture_specs()]


@pytest.fixture(scope="session")
def stytch_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out, record = sdk_support.stytch_output(tmp_path_factory)
    assert record["code"] == 0, record["stderr"]
    return out


@pytest.fixture(scope="session")
def fixture_outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    return sdk_support.fixture_outputs(tmp_path_factory)


def lapgen_files(root: Path) -> dict[str, bytes]:
    """What lapgen wrote in ``root``: its manifest and the files that lists, as ``lapgen check``
    compares them. ``pip install ./generated/stytch_api`` leaves build/ and *.egg-info/ there,
    which are not lapgen's and do not make the output differ."""
    files = snapshot(root)
    manifest = json.loads(files.get(MANIFEST, b'{"files": {}}'))
    listed = {*manifest["files"], MANIFEST}
    return {path: data for path, data in files.items() if path in listed}


# ---------------------------------------------------------------------------------------------
# Stytch
# ---------------------------------------------------------------------------------------------


def test_stytch_output_matches_the_committed_package(stytch_output: Path) -> None:
    expected, actual = lapgen_files(GENERATED), lapgen_files(stytch_output)
    assert actual, "lapgen wrote nothing"
    if expected != actual:
        pytest.fail(
            f"generated/stytch_api differs from a fresh `lapgen generate`; {REGENERATE}.\n"
            + tree_diff(expected, actual),
            pytrace=False,
        )


def test_committed_package_has_the_expected_layout() -> None:
    """Guards the golden test itself: an empty or misplaced directory would compare equal."""
    files = snapshot(GENERATED)
    for required in (
        ".lapgen-manifest.json",
        "pyproject.toml",
        "README.md",
        "stytch_api/__init__.py",
        "stytch_api/_base_client.py",
        "stytch_api/models.py",
        "stytch_api/py.typed",
        "stytch_api/resources/users.py",
        "stytch_api/resources/b2b.py",
    ):
        assert required in files, required


def test_golden_comparison_ignores_what_pip_install_leaves(tmp_path: Path) -> None:
    out = tmp_path / "stytch_api"
    shutil.copytree(GENERATED, out)
    (out / "build" / "lib" / "stytch_api").mkdir(parents=True)
    (out / "build" / "lib" / "stytch_api" / "__init__.py").write_text("# a build copy\n")
    (out / "stytch_api.egg-info").mkdir()
    (out / "stytch_api.egg-info" / "PKG-INFO").write_text("Name: stytch-api\n")
    assert lapgen_files(out) == lapgen_files(GENERATED)
    assert len(lapgen_files(out)) == len(snapshot(out)) - 2
    # A file lapgen wrote that differs still counts.
    (out / "README.md").write_text("edited\n")
    assert lapgen_files(out) != lapgen_files(GENERATED)


def test_regenerating_over_the_committed_package_changes_nothing(
    stytch_output: Path, tmp_path: Path
) -> None:
    """The usual CI step, `lapgen generate` into the existing output, is a no-op.

    This goes through the reuse of formatted chunks recorded in the previous manifest.
    """
    out = tmp_path / "stytch_api"
    shutil.copytree(GENERATED, out)
    (out / "NOTES.md").write_text("a file lapgen never wrote\n")
    run = generate(SPEC, out, SPEC_CONFIG)
    assert run.code == 0, run.stderr
    actual = snapshot(out)
    assert actual.pop("NOTES.md") == b"a file lapgen never wrote\n"
    expected = snapshot(stytch_output)
    assert actual == expected, tree_diff(expected, actual)


def test_generation_is_deterministic_across_hash_seeds(
    stytch_output: Path, fixture_outputs: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    """``python -m generator generate`` in subprocesses under PYTHONHASHSEED 0, 1 and 12345.

    Runs after ``stytch_output`` so that black's on-disk cache is warm: cache hits need the
    rendered chunk to be identical, so any difference in rendering still shows.
    """
    jobs = {}
    for seed in ("0", "1", "12345"):
        jobs[("stytch", seed)] = (SPEC, tmp_path / f"stytch-{seed}" / "stytch_api", SPEC_CONFIG)
        corners = sdk_support.FIXTURES / "corners.lap"
        jobs[("corners", seed)] = (corners, tmp_path / f"corners-{seed}", None)
    processes = {}
    for (name, seed), (spec, out, config) in jobs.items():
        argv = [sys.executable, "-m", "generator", "generate", str(spec), "-o", str(out)]
        if config is not None:
            argv += ["--config", str(config)]
        env = {**os.environ, "PYTHONHASHSEED": seed}
        processes[(name, seed)] = subprocess.Popen(
            argv, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    try:
        for key, process in processes.items():
            _stdout, stderr = process.communicate(timeout=300)
            assert process.returncode == 0, (key, stderr)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    for name, reference in (
        ("stytch", stytch_output),
        ("corners", fixture_outputs[0] / "corners"),
    ):
        outputs = {seed: snapshot(jobs[(name, seed)][1]) for seed in ("0", "1", "12345")}
        assert outputs["0"], name
        for seed in ("1", "12345"):
            assert (
                outputs[seed] == outputs["0"]
            ), f"{name}: PYTHONHASHSEED=0 and {seed} differ\n" + tree_diff(
                outputs["0"], outputs[seed]
            )
        in_process = snapshot(reference)
        assert outputs["0"] == in_process, (
            f"{name}: the subprocesses and the in-process run of this session differ "
            "(or the generator changed during the run)\n" + tree_diff(in_process, outputs["0"])
        )


# ---------------------------------------------------------------------------------------------
# Corner-case fixtures
# ---------------------------------------------------------------------------------------------


def test_there_are_fixtures() -> None:
    assert {"corners", "apikey_query", "hostile"} <= set(FIXTURE_NAMES)


def test_every_golden_directory_has_a_spec() -> None:
    golden = {path.name for path in GOLDEN.iterdir() if path.is_dir()}
    assert golden == set(FIXTURE_NAMES), f"golden outputs and specs differ; {REGENERATE}"


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_output_matches_its_golden_output(
    fixture_outputs: tuple[Path, dict[str, Any]], name: str
) -> None:
    root, records = fixture_outputs
    assert records[name]["code"] == 0, records[name]["stderr"]
    expected, actual = lapgen_files(GOLDEN / name), lapgen_files(root / name)
    assert expected, f"tests/fixtures/golden/{name} is empty; {REGENERATE}"
    if expected != actual:
        pytest.fail(
            f"tests/fixtures/golden/{name} differs from a fresh `lapgen generate`; "
            f"{REGENERATE}.\n" + tree_diff(expected, actual),
            pytrace=False,
        )


@pytest.fixture(scope="module")
def fixture_packages(
    fixture_outputs: tuple[Path, dict[str, Any]],
) -> Iterator[dict[str, ModuleType]]:
    """The freshly generated fixture packages, imported."""
    root, _records = fixture_outputs
    packages = {}
    for name in FIXTURE_NAMES:
        package = sdk_support.package_dir(root / name)
        assert package is not None, name
        sys.path.insert(0, str(package.parent))
        try:
            packages[name] = importlib.import_module(package.name)
            importlib.import_module(f"{package.name}.models")
        finally:
            sys.path.remove(str(package.parent))
    yield packages


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_every_endpoint_over_mock_transport(
    fixture_packages: dict[str, ModuleType], name: str
) -> None:
    """Each endpoint with its required params only, then with all of them: the request has
    every param in its place, and the response parses into the models the plan names."""
    loaded = sdk_support.load(sdk_support.FIXTURES / f"{name}.lap")
    target = sdk_support.Target.of(fixture_packages[name], loaded)
    failures = sdk_support.exercise_all(target)
    assert not failures, f"{len(failures)} failing calls:\n" + "\n".join(failures[:20])


def corner_client(packages: dict[str, ModuleType], server: list[httpx.Request], reply: Any) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        server.append(request)
        return reply(request) if callable(reply) else reply

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return packages["corners"].Client(api_key="token-1", http_client=http)


def test_corners_names_and_placement(fixture_packages: dict[str, ModuleType]) -> None:
    """Keyword, dashed, bracketed and digit-first names; header params; bearer auth."""
    sent: list[httpx.Request] = []
    client = corner_client(
        fixture_packages,
        sent,
        httpx.Response(
            200,
            json={
                "id": "w1",
                "matrix": [[1, 2], [3]],
                "labels": {"a": "b"},
                "scores": {"x": [1.5]},
                "owner": {"profile": {"settings": {"theme": "dark", "flags": ["f"]}}},
                "address": {"street": "1 Main St", "geo": {"lat": 1.0, "lng": 2.0}},
            },
        ),
    )
    widget = client.widgets.get(
        "w 1/2",
        x_foo_bar="header-value",
        from_="2024-01-01T00:00:00Z",
        class_="gold",
        n2fa=True,
        filter_name="n",
        include_deleted=False,
    )
    (request,) = sent
    assert request.url.raw_path.split(b"?")[0] == b"/v2/v1/widgets/w%201%2F2"
    assert request.url.host == "api.corners.example"
    assert sorted(httpx.QueryParams(request.url.query).multi_items()) == [
        ("2fa", "true"),
        ("class", "gold"),
        ("filter[name]", "n"),
        ("from", "2024-01-01T00:00:00Z"),
        ("include-deleted", "false"),
    ]
    assert request.headers["x-foo-bar"] == "header-value"
    assert request.headers["authorization"] == "Bearer token-1"
    models = fixture_packages["corners"].models
    assert widget.matrix == [[1, 2], [3]]
    assert widget.labels == {"a": "b"} and widget.scores == {"x": [1.5]}
    assert isinstance(widget.owner, models.GetOwner)  # two `owner` shapes: named by method
    assert widget.owner.profile.settings.theme == "dark"
    assert isinstance(widget.address, models.Address)
    assert isinstance(widget.address.geo, models.Geo)
    assert widget.address.geo.lng == 2.0


def test_corners_name_collisions(fixture_packages: dict[str, ModuleType]) -> None:
    sent: list[httpx.Request] = []
    client = corner_client(fixture_packages, sent, httpx.Response(200, json={"id": "w"}))
    client.widgets.get_by_revision("w", 3)  # the second `Get`: named by its last param
    client.widgets.update("w", name="n", user_id="dash", user_id_2="underscore")
    assert sent[0].url.path == "/v2/v1/widgets/w/3"
    assert json.loads(sent[1].content) == {"name": "n", "user-id": "dash", "user_id": "underscore"}


def test_corners_cursor_pagination(fixture_packages: dict[str, ModuleType]) -> None:
    sent: list[httpx.Request] = []
    pages = iter(
        [
            {"widgets": [{"id": "1"}], "results_metadata": {"next_cursor": "c2"}},
            {"widgets": [{"id": "2"}], "results_metadata": {"next_cursor": None}},
        ]
    )
    client = corner_client(fixture_packages, sent, lambda _r: httpx.Response(200, json=next(pages)))
    ids = [w.id for page in client.widgets.search_pages(limit=1) for w in page.widgets]
    assert ids == ["1", "2"]
    assert [json.loads(r.content) for r in sent] == [{"limit": 1}, {"limit": 1, "cursor": "c2"}]


def test_corners_type_ref_response(fixture_packages: dict[str, ModuleType]) -> None:
    sent: list[httpx.Request] = []
    client = corner_client(
        fixture_packages, sent, httpx.Response(200, json={"street": "s", "extra": 1})
    )
    address = client.events.get("e1")
    assert type(address) is fixture_packages["corners"].models.Address
    assert address.street == "s" and address.additional_properties == {"extra": 1}


def test_corners_body_type_ref_is_sent(fixture_packages: dict[str, ModuleType]) -> None:
    """`@body → NewWidget`: the named type's fields are the method's body params."""
    sent: list[httpx.Request] = []
    client = corner_client(
        fixture_packages, sent, httpx.Response(201, json={"name": "w", "kind": "large"})
    )
    models = fixture_packages["corners"].models
    created = client.widgets.create(
        name="w", tags=["t"], address=models.Address(street="s", zip=None), kind="small"
    )
    assert json.loads(sent[0].content) == {
        "name": "w",
        "tags": ["t"],
        "address": {"street": "s", "zip": None},
        "kind": "small",
    }
    assert sent[0].method == "POST" and sent[0].url.path == "/v2/v1/widgets"
    assert type(created) is models.NewWidget and created.kind == "large"


def test_apikey_in_query_and_no_base(fixture_packages: dict[str, ModuleType]) -> None:
    package = fixture_packages["apikey_query"]
    with pytest.raises(ValueError, match="base_url"):
        package.Client(api_key="k")
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"id": 5, "name": "n"})

    client = package.Client(
        api_key="key-1",
        base_url="https://items.example/api/",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
    )
    item = client.items.get(5)
    client.items.list(page=2)
    first, second = sent
    assert first.url.path == "/api/items/5"
    assert httpx.QueryParams(first.url.query).multi_items() == [("api_key", "key-1")]
    assert sorted(httpx.QueryParams(second.url.query).multi_items()) == [
        ("api_key", "key-1"),
        ("page", "2"),
    ]
    assert "authorization" not in first.headers
    assert item.id == 5


# ---------------------------------------------------------------------------------------------
# Hostile spec text
# ---------------------------------------------------------------------------------------------

# Spec text as written in tests/fixtures/hostile.lap: each must reach a docstring unchanged.
HOSTILE_DESC = "Fetch \"\"\" a thing ''' with \\ and \\n and {braces} and a trailing backslash \\"
HOSTILE_PARAMS = {
    "thing_id": 'Ends here? """; import os; os.system("x") #',
    "note": "Single ''' quotes, \\n as two characters and {curly} braces",
    "flag": "Trailing backslash \\",
    "name": 'Escaped \\" quote and \\""" mid-text triple quotes',
    "tail": 'Ends with a backslash and a quote \\"',
}
HOSTILE_FIELDS = {
    "text": '""" + __import__(\'os\').system(\'x\') + """ (end)',
    "raw": "Back\\\\slash \\x41 \\N{BULLET} \\u0041 and a lone \\",
    "quote": 'Ends with a quote "',
    "id": "{id} ''' \"\"\" (id)",
}


def test_hostile_fixture_says_what_the_test_expects() -> None:
    text = (sdk_support.FIXTURES / "hostile.lap").read_text()
    assert f"@desc {HOSTILE_DESC}\n" in text
    for comment in [*HOSTILE_PARAMS.values(), *HOSTILE_FIELDS.values()]:
        assert f"# {comment}" in text, comment


def _docstring_of(node: ast.AST) -> str:
    body = getattr(node, "body", [])
    assert body and isinstance(body[0], ast.Expr), f"{getattr(node, 'name', node)}: no docstring"
    value = body[0].value
    assert isinstance(value, ast.Constant) and isinstance(value.value, str)
    return value.value


def _flat(text: str) -> str:
    return " ".join(text.split())


def _hostile_package(fixture_outputs: tuple[Path, dict[str, Any]]) -> Path:
    root, records = fixture_outputs
    assert records["hostile"]["code"] == 0, records["hostile"]["stderr"]
    package = sdk_support.package_dir(root / "hostile")
    assert package is not None
    return package


def test_hostile_text_stays_in_method_docstrings(
    fixture_outputs: tuple[Path, dict[str, Any]],
) -> None:
    package = _hostile_package(fixture_outputs)
    tree = ast.parse((package / "resources" / "things.py").read_text())
    functions = [
        node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "get"
    ]
    assert len(functions) == 2  # sync and async
    for function in functions:
        docstring = _docstring_of(function)
        assert docstring.startswith(HOSTILE_DESC), docstring
        for name in ("thing_id", "note", "flag"):
            assert _flat(f"{name}: {HOSTILE_PARAMS[name]}") in _flat(docstring), name
        # The docstring is the only statement before the return: nothing escaped from it.
        assert len(function.body) == 2 and isinstance(function.body[1], ast.Return)
    creates = [
        node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "create"
    ]
    assert len(creates) == 2
    for function in creates:
        docstring = _docstring_of(function)
        assert docstring.startswith("Create '''a thing''' with \"double\" quotes"), docstring
        for name in ("name", "tail"):
            assert _flat(f"{name}: {HOSTILE_PARAMS[name]}") in _flat(docstring), name


def test_hostile_text_stays_in_field_docstrings(
    fixture_outputs: tuple[Path, dict[str, Any]],
) -> None:
    package = _hostile_package(fixture_outputs)
    tree = ast.parse((package / "models.py").read_text())
    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for statement, following in zip(node.body, node.body[1:], strict=False):
            if (
                isinstance(statement, ast.AnnAssign)
                and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
            ):
                found[statement.target.id] = following.value.value
    for name, comment in HOSTILE_FIELDS.items():
        assert found.get(name) == comment, name


def test_hostile_spec_adds_no_statement(fixture_outputs: tuple[Path, dict[str, Any]]) -> None:
    """Every generated module holds only imports, definitions and assignments at top level,
    and no function calls ``os.system`` or imports anything."""
    package = _hostile_package(fixture_outputs)
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for index, statement in enumerate(tree.body):
            if isinstance(statement, ast.Expr):
                assert index == 0 and isinstance(
                    statement.value, ast.Constant
                ), f"{path.name}:{statement.lineno}: a top-level expression"
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "system":
                pytest.fail(f"{path.name}:{node.lineno}: os.system in generated code")
            if isinstance(node, ast.Name) and node.id == "__import__":
                pytest.fail(f"{path.name}:{node.lineno}: __import__ in generated code")
        if path.name in ("models.py", "things.py"):
            imported = {
                alias.name
                for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names
            }
            assert "os" not in imported, path.name


def test_hostile_package_imports_with_its_docstrings(
    fixture_packages: dict[str, ModuleType],
) -> None:
    package = fixture_packages["hostile"]
    assert "os" not in vars(package.models)
    from importlib import import_module

    things = import_module(f"{package.__name__}.resources.things")
    assert "os" not in vars(things)
    doc = things.Things.get.__doc__
    assert doc.startswith(HOSTILE_DESC)
    assert _flat(HOSTILE_PARAMS["thing_id"]) in _flat(doc)


def _generate_inline(tmp_path: Path, text: str) -> tuple[sdk_support.Run, Path]:
    spec = tmp_path / "inline.lap"
    spec.write_text(text)
    out = tmp_path / "out"
    return generate(spec, out), out


def test_text_ending_in_triple_quotes(tmp_path: Path) -> None:
    run, out = _generate_inline(
        tmp_path,
        "@lap v0.3\n@api Quotes API\n@base https://q.example\n@endpoints 1\n"
        "@endpoint POST /v1/things\n@desc Create '''a thing''' \"\"\"quoted\"\"\"\n"
        '@required {name: str # \\""" escaped quotes \\"""}\n'
        '@returns(200) {id: str # ends in """}\n@end\n',
    )
    assert run.code == 0, run.stderr
    package = sdk_support.package_dir(out)
    assert package is not None
    models = ast.parse((package / "models.py").read_text())
    assert 'ends in """' in [
        node.value.value
        for node in ast.walk(models)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    ]
    resource = ast.parse((package / "resources" / "things.py").read_text())
    create = next(
        n for n in ast.walk(resource) if isinstance(n, ast.FunctionDef) and n.name == "create"
    )
    docstring = _docstring_of(create)
    assert docstring.startswith("Create '''a thing''' \"\"\"quoted\"\"\""), docstring
    assert 'name: \\""" escaped quotes \\"""' in docstring


def test_hostile_api_name_stays_in_docstrings(tmp_path: Path) -> None:
    title = 'Evil """ + __import__("builtins").print("injected") + """'
    run, out = _generate_inline(
        tmp_path,
        f"@lap v0.3\n@api {title}\n@base https://evil.example\n@endpoints 1\n"
        "@endpoint GET /things\n@desc List things\n@returns(200) {id: str}\n@end\n",
    )
    assert run.code == 0, run.stderr
    package = sdk_support.package_dir(out)
    assert package is not None
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for statement in tree.body[1:]:
            assert not isinstance(statement, ast.Expr), f"{path.name}: a top-level expression"
        if tree.body and isinstance(tree.body[0], ast.Expr):
            assert isinstance(tree.body[0].value, ast.Constant), f"{path.name}: docstring is code"


# ---------------------------------------------------------------------------------------------
# Corner cases found by these tests (inline specs)
# ---------------------------------------------------------------------------------------------


def _import_inline(tmp_path: Path, text: str) -> ModuleType:
    run, out = _generate_inline(tmp_path, text)
    assert run.code == 0, run.stderr
    package = sdk_support.package_dir(out)
    assert package is not None
    sys.path.insert(0, str(out))
    try:
        return importlib.import_module(package.name)
    finally:
        sys.path.remove(str(out))


def _inline_client(module: ModuleType, body: Any) -> tuple[Any, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=body)

    http = httpx.Client(transport=httpx.MockTransport(handler))
    return module.Client(api_key="k", http_client=http), sent


CLIENT_ATTRIBUTE_RESOURCES = (
    "@lap v0.3\n@api Shadowed Attributes API\n@base https://shadow.example\n@auth Bearer\n"
    "@endpoints 3\n"
    "@endpoint GET /close/{id}\n@desc Get\n@required {id: str}\n@returns(200) {id: str}\n"
    "@endpoint GET /base_url/{id}\n@desc Get\n@required {id: str}\n@returns(200) {id: str}\n"
    "@endpoint GET /max_retries/{id}\n@desc Get\n@required {id: str}\n@returns(200) {id: str}\n"
    "@end\n"
)


def test_resources_named_like_client_attributes(tmp_path: Path) -> None:
    module = _import_inline(tmp_path, CLIENT_ATTRIBUTE_RESOURCES)
    with module.Client(api_key="k") as plain:  # __exit__ calls close()
        assert isinstance(plain.max_retries, int)
    client, sent = _inline_client(module, {"id": "1"})
    accessors = [m["accessor"] for m in sdk_support.load(tmp_path / "inline.lap").json["endpoints"]]
    for accessor in accessors:
        get = sdk_support.resolve(client, accessor)
        assert get("x").id == "1", accessor
    assert sorted(r.url.path for r in sent) == ["/base_url/x", "/close/x", "/max_retries/x"]


def test_array_of_type_ref_response_is_parsed(tmp_path: Path) -> None:
    module = _import_inline(
        tmp_path,
        "@lap v0.3\n@api Array Ref API\n@base https://arrays.example\n@auth Bearer\n"
        "@endpoints 1\n@type Address {street: str, city: str}\n"
        "@endpoint GET /addresses\n@desc List addresses\n@returns(200) → [Address]\n@end\n",
    )
    client, _sent = _inline_client(module, [{"street": "s", "city": "c", "zip": "z"}])
    (address,) = client.addresses.list()
    assert type(address) is module.models.Address
    assert (address.street, address.city) == ("s", "c")
    assert address.additional_properties == {"zip": "z"}
