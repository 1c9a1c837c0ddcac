"""``lapgen plan`` and ``lapgen generate``: the plan's JSON, names and placement for the Stytch
spec, exit codes and messages, and that a failed ``generate`` leaves the output untouched."""

from __future__ import annotations

import ast
import json
import keyword
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import sdk_support
from packaging.version import Version
from sdk_support import FIXTURES, SPEC, SPEC_CONFIG, run_lapgen, snapshot, tree_diff

from generator import ir

LOCATIONS = {"path", "query", "header", "body"}
IDENTIFIER_PATH = re.compile(r"[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+")
DIAGNOSTIC = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<column>\d+): error: (?P<message>.+)$")
ISSUE_ACCESSORS = {
    ("POST", "/v1/users"): "users.create",
    ("GET", "/v1/users/{user_id}"): "users.get",
    ("POST", "/v1/magic_links/email/login_or_create"): "magic_links.email.login_or_create",
    ("POST", "/v1/b2b/organizations/members/search"): "b2b.organizations.members.search",
    ("DELETE", "/v1/users/{user_id}/external_id"): "users.delete_external_id",
    (
        "POST",
        "/v1/connected_apps/clients/{client_id}/secrets/rotate/start",
    ): "connected_app.clients.secrets.rotate_start",
}


@pytest.fixture(scope="module")
def plan() -> dict[str, Any]:
    """``lapgen plan spec/stytch.lap --json`` (the config is found beside the spec)."""
    run = run_lapgen("plan", SPEC, "--json")
    assert run.code == 0, run.stderr
    data: dict[str, Any] = json.loads(run.stdout)
    return data


def by_route(plan: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["method"], e["path"]): e for e in plan["endpoints"]}


# ---------------------------------------------------------------------------------------------
# lapgen plan
# ---------------------------------------------------------------------------------------------


def test_plan_json_schema(plan: dict[str, Any]) -> None:
    assert plan["package"] == "stytch_api"
    assert isinstance(plan["endpoints"], list) and len(plan["endpoints"]) == 184
    model_names = [model["name"] for model in plan["models"]]
    assert len(model_names) == len(set(model_names)), "duplicate model names"
    for model in plan["models"]:
        assert set(model) >= {"name", "fields"}
        assert model["name"].isidentifier() and model["name"][0].isupper(), model["name"]
        assert all(isinstance(field, str) for field in model["fields"])
    accessors = set()
    for endpoint in plan["endpoints"]:
        assert set(endpoint) >= {"method", "path", "accessor", "params", "response_model"}
        assert endpoint["method"] in ir.HTTP_METHODS
        assert endpoint["path"].startswith("/")
        assert IDENTIFIER_PATH.fullmatch(endpoint["accessor"]), endpoint["accessor"]
        assert not any(keyword.iskeyword(part) for part in endpoint["accessor"].split("."))
        assert endpoint["accessor"] not in accessors, endpoint["accessor"]
        accessors.add(endpoint["accessor"])
        assert endpoint["response_model"] is None or endpoint["response_model"] in model_names
        pythons = [param["python"] for param in endpoint["params"]]
        assert len(pythons) == len(set(pythons)), endpoint["accessor"]
        for param in endpoint["params"]:
            assert set(param) >= {"wire", "python", "in", "required"}
            assert isinstance(param["wire"], str) and param["wire"]
            assert param["python"].isidentifier() and not keyword.iskeyword(param["python"])
            assert param["python"] not in ("self", "extra_headers", "timeout")
            assert param["in"] in LOCATIONS
            assert isinstance(param["required"], bool)
        path_names = list(ir.path_params(endpoint["path"]))
        path_params = [p for p in endpoint["params"] if p["in"] == "path"]
        assert [p["wire"] for p in path_params] == path_names, endpoint["accessor"]
        assert all(p["required"] for p in path_params)


def test_plan_json_agrees_with_the_spec(plan: dict[str, Any]) -> None:
    api = sdk_support.stytch().api
    routes = by_route(plan)
    assert set(routes) == {(e.method, e.path) for e in api.endpoints}
    for endpoint in api.endpoints:
        planned = routes[(endpoint.method, endpoint.path)]
        params = {p["wire"]: p for p in planned["params"]}
        for field in endpoint.required:
            assert params[field.name]["required"], (endpoint.path, field.name)
        for field in endpoint.optional:
            assert not params[field.name]["required"], (endpoint.path, field.name)
        # The documented placement rule (the Stytch config overrides nothing).
        for field in endpoint.params:
            location = params[field.name]["in"]
            if "{" + field.name + "}" in endpoint.path:
                assert location == "path"
            elif field.name.startswith("X-"):
                assert location == "header", (endpoint.path, field.name)
            elif endpoint.method in ("GET", "DELETE"):
                assert location == "query", (endpoint.path, field.name)
            else:
                assert location == "body", (endpoint.path, field.name)


@pytest.mark.parametrize(
    ("route", "accessor"), ISSUE_ACCESSORS.items(), ids=ISSUE_ACCESSORS.values()
)
def test_accessors_from_the_issue(
    plan: dict[str, Any], route: tuple[str, str], accessor: str
) -> None:
    assert by_route(plan)[route]["accessor"] == accessor


def test_member_session_header_placement(plan: dict[str, Any]) -> None:
    seen = 0
    for endpoint in plan["endpoints"]:
        for param in endpoint["params"]:
            if param["wire"] in ("X-Stytch-Member-Session", "X-Stytch-Member-SessionJWT"):
                seen += 1
                assert param["in"] == "header", (endpoint["path"], param["wire"])
                assert not param["required"]
    assert seen >= 40
    search = by_route(plan)[("POST", "/v1/b2b/organizations/members/search")]
    session = next(p for p in search["params"] if p["wire"] == "X-Stytch-Member-Session")
    assert (session["python"], session["in"]) == ("x_stytch_member_session", "header")


def test_plan_text_lists_every_route() -> None:
    run = run_lapgen("plan", SPEC)
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert len(lines) == 184
    route = re.compile(r"GET\s+/v1/users/\{user_id\}\s+->\s+client\.users\.get")
    assert any(route.fullmatch(text) for text in lines)


def test_model_class_names_are_at_most_40_characters(plan: dict[str, Any]) -> None:
    long = [model["name"] for model in plan["models"] if len(model["name"]) > 40]
    assert not long, long


def test_nested_model_classes_are_at_most_100(plan: dict[str, Any]) -> None:
    responses = {e["response_model"] for e in plan["endpoints"] if e["response_model"]}
    nested = [model["name"] for model in plan["models"] if model["name"] not in responses]
    assert 10 <= len(nested) <= 100, len(nested)
    assert len(responses) >= 100  # identical response shapes share one class


@pytest.fixture(scope="module")
def stytch_classes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every class defined in a freshly generated Stytch package: name → file."""
    out, record = sdk_support.stytch_output(tmp_path_factory)
    assert record["code"] == 0, record["stderr"]
    classes = {}
    for path in sorted(out.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                classes[node.name] = path.relative_to(out).as_posix()
    assert len(classes) > 400
    return classes


def test_no_generated_class_name_is_over_40_characters(stytch_classes: dict[str, str]) -> None:
    # `Async…` and `…WithRawResponse` are derived from a resource's name; users never write them.
    long = sorted(
        (
            name
            for name in stytch_classes
            if len(name.removeprefix("Async").removesuffix("WithRawResponse")) > 40
        ),
        key=len,
    )
    assert not long, f"{len(long)} class names over 40 characters: {long}"


# ---------------------------------------------------------------------------------------------
# lapgen generate: failures and atomicity
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def existing_output(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """An output directory holding a previous generation and a file of the user's."""
    out = tmp_path / "sdk"
    run = run_lapgen("generate", FIXTURES / "corners.lap", "-o", out)
    assert run.code == 0, run.stderr
    (out / "NOTES.md").write_text("mine\n")
    before = snapshot(out)
    assert "corner_cases_api/models.py" in before and ".lapgen-manifest.json" in before
    return out, before


BAD_SPECS = {
    "syntax": (
        "@lap v0.3\n@api Broken\n@endpoints 1\n@endpoint GET /things\n"
        "@required {name str}\n@end\n",
        5,
    ),
    "not-http": (
        "@lap v0.3\n@api Grpc\n@endpoints 1\n\n@endpoint UNARY /Svc/Call\n"
        "@returns(OK) {id: str}\n@end\n",
        5,
    ),
    "truncated": (
        "@lap v0.3\n@api Cut\n@endpoints 2\n@endpoint GET /a\n@returns(200) {id: str}\n",
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_spec_exits_1_and_leaves_the_output_alone(
    existing_output: tuple[Path, dict[str, bytes]], tmp_path: Path, case: str
) -> None:
    out, before = existing_output
    text, line = BAD_SPECS[case]
    spec = tmp_path / f"{case}.lap"
    spec.write_text(text)
    run = run_lapgen("generate", spec, "-o", out)
    assert run.code == 1, run.stderr
    lines = run.stderr.splitlines()
    index, match = next((i, m) for i, text in enumerate(lines) if (m := DIAGNOSTIC.match(text)))
    assert match["file"] == str(spec)
    if line is not None:
        assert int(match["line"]) == line, lines[index]
        # Compiler style: the message, then the source line and a caret under the column.
        source, caret = lines[index + 1 : index + 3]
        assert source == "    " + text.splitlines()[line - 1]
        assert caret == "    " + " " * (int(match["column"]) - 1) + "^"
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    after = snapshot(out)
    assert after == before, tree_diff(before, after)


def test_non_http_message_names_the_method(tmp_path: Path) -> None:
    spec = tmp_path / "grpc.lap"
    spec.write_text(BAD_SPECS["not-http"][0])
    run = run_lapgen("generate", spec, "-o", tmp_path / "out")
    assert run.code == 1
    assert f"{spec}:5:" in run.stderr and "UNARY" in run.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_failed_write_rolls_back(
    existing_output: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails half-way (disk full, permissions) leaves the old output in place."""
    import generator.output

    out, before = existing_output
    # Fill black's chunk cache first: its writes also use os.replace, and on a cold cache
    # (a fresh CI machine) the failure would land there instead of in the output.
    warm = run_lapgen("generate", FIXTURES / "apikey_query.lap", "-o", out.parent / "warm")
    assert warm.code == 0, warm.stderr
    real_replace = generator.output.os.replace
    calls = 0

    def flaky_replace(source: Any, target: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 7:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(generator.output.os, "replace", flaky_replace)
    run = run_lapgen("generate", FIXTURES / "apikey_query.lap", "-o", out)
    monkeypatch.undo()
    assert calls >= 7, "the failure was not reached"
    assert run.code == 3  # the output could not be written
    assert "cannot write" in run.stderr and "No space left" in run.stderr
    after = snapshot(out)
    assert after == before, tree_diff(before, after)
    assert not [
        p
        for p in out.iterdir()
        if p.name.startswith(".lapgen-") and p.name != ".lapgen-manifest.json"
    ], "staging directories left behind"


def test_generate_replaces_its_own_files_and_keeps_the_users(
    existing_output: tuple[Path, dict[str, bytes]],
) -> None:
    out, _before = existing_output
    run = run_lapgen("generate", FIXTURES / "apikey_query.lap", "-o", out)
    assert run.code == 0, run.stderr
    after = snapshot(out)
    assert after.pop("NOTES.md") == b"mine\n"
    assert not any(path.startswith("corner_cases_api/") for path in after), sorted(after)
    expected = snapshot(sdk_support.GOLDEN / "apikey_query")
    assert set(after) == set(expected)


def test_missing_spec_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = run_lapgen("generate", tmp_path / "nope.lap", "-o", out)
    assert run.code == 2
    assert str(tmp_path / "nope.lap") in run.stderr and "cannot read" in run.stderr
    assert not out.exists()


def test_missing_config_exits_2(tmp_path: Path) -> None:
    run = run_lapgen("generate", SPEC, "-o", tmp_path / "out", "--config", tmp_path / "no.toml")
    assert run.code == 2
    assert "no.toml" in run.stderr
    assert not (tmp_path / "out").exists()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_lapgen("generate", SPEC).code == 2  # no -o
    assert run_lapgen("frobnicate").code == 2


def test_generate_reports_what_it_wrote(tmp_path: Path) -> None:
    run = run_lapgen("generate", FIXTURES / "corners.lap", "-o", tmp_path / "out")
    assert run.code == 0
    assert re.fullmatch(
        rf"{re.escape(str(tmp_path / 'out'))}: corner_cases_api with 9 methods and \d+ models\n",
        run.stdout,
    ), run.stdout
    # The two `Get`s of widgets no longer collide: the second is named by its last param.
    assert "is taken" not in run.stderr


def test_stytch_config_is_found_beside_the_spec() -> None:
    implicit = run_lapgen("plan", SPEC, "--json")
    explicit = run_lapgen("plan", SPEC, "--json", "--config", SPEC_CONFIG)
    assert implicit.code == explicit.code == 0
    assert implicit.stdout == explicit.stdout


def test_manifest_paths_outside_the_output_are_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (out / ".lapgen-manifest.json").write_text(
        json.dumps({"files": {"../victim.txt": {"sha256": "0" * 64}}})
    )
    run = run_lapgen("generate", FIXTURES / "apikey_query.lap", "-o", out)
    assert run.code in (0, 1), run.stderr
    assert victim.read_text() == "precious\n"
    assert not (out / "victim.txt").exists()


# ---------------------------------------------------------------------------------------------
# Hostile file names, versions and configs (generator/escape.py)
# ---------------------------------------------------------------------------------------------

INJECTING_NAME = 'x""";__import__("os").system("touch PWNED");""".lap'


def test_a_spec_file_name_cannot_inject_code(tmp_path: Path) -> None:
    spec = tmp_path / INJECTING_NAME
    spec.write_bytes((FIXTURES / "corners.lap").read_bytes())
    out = tmp_path / "out"
    run = run_lapgen("generate", spec, "-o", out)
    assert run.code == 0, run.stderr
    imported = subprocess.run(
        [sys.executable, "-c", "import corner_cases_api, sys; print(corner_cases_api.__doc__)"],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert imported.returncode == 0, imported.stderr
    assert INJECTING_NAME in imported.stdout  # the name is shown, as text
    assert not (out / "PWNED").exists()


def test_a_date_version_becomes_pep_440_with_a_warning(tmp_path: Path) -> None:
    spec = tmp_path / "dated.lap"
    text = (FIXTURES / "corners.lap").read_text(encoding="utf-8")
    spec.write_text(text.replace("@version 2.1.0", "@version 2022-11-28"), encoding="utf-8")
    out = tmp_path / "out"
    run = run_lapgen("generate", spec, "-o", out)
    assert run.code == 0, run.stderr
    assert "'2022-11-28'" in run.stderr and "'2022.11.28'" in run.stderr
    project = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["version"] == "2022.11.28"
    init = ast.parse((out / "corner_cases_api" / "__init__.py").read_text(encoding="utf-8"))
    values = {
        node.targets[0].id: ast.literal_eval(node.value)  # type: ignore[attr-defined]
        for node in init.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
    }
    assert values["__version__"] == "2022.11.28" and values["__api_version__"] == "2022-11-28"


@pytest.mark.parametrize("name", ["httpx", "attrs", "json", "naïve"])
def test_a_config_package_name_that_shadows_or_is_not_ascii_exits_2(
    tmp_path: Path, name: str
) -> None:
    config = tmp_path / "api.toml"
    config.write_text(f'[package]\nname = "{name}"\n', encoding="utf-8")
    out = tmp_path / "out"
    run = run_lapgen("generate", FIXTURES / "corners.lap", "-o", out, "--config", config)
    assert run.code == 2
    assert (
        run.stderr.startswith(f"{config}: error: package.name: ") and "Traceback" not in run.stderr
    )
    assert not out.exists()


def test_every_corpus_version_becomes_pep_440_and_stays_available() -> None:
    from generator.pipeline import LoadError, load

    corpus = sorted((sdk_support.REPO / "tests" / "corpus").glob("*.lap"))
    planned = 0
    for spec in corpus:
        try:
            plan = load(spec, None).plan
        except LoadError:
            continue  # non-HTTP specs (GraphQL, MQTT, gRPC): refused elsewhere
        planned += 1
        assert str(Version(plan.version)) == plan.version, spec.name
        written = re.search(r"^@version (.+)$", spec.read_text(encoding="utf-8"), re.M)
        assert plan.api_version == (written.group(1).strip() if written else None), spec.name
    assert planned >= 15
