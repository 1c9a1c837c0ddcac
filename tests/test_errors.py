"""One error model: the same failure exits with the same code in every command.

The table is the README's "Exit codes": 0 ok; 1 invalid spec or a failed check; 2 usage or
unusable input (arguments, unreadable files, config); 3 output not written; 4 a lapgen bug.
Planner warnings are positioned diagnostics, shown by ``generate``, ``plan`` and ``validate``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sdk_support import FIXTURES, run_lapgen

import generator.check
import generator.cli
import generator.diff
import generator.frontend
import generator.pipeline
import generator.render
from generator import errors
from generator.cli import exit_code
from generator.diagnostics import Diagnostic, LapError
from generator.output import FormatError

VALID = "@lap v0.3\n@api Fine\n@endpoint GET /a\n@returns(200) {a: int}\n@end\n"
INVALID = "@lap v0.3\n@api Broken\n@endpoint GET /a\n@required {x str}\n@end\n"
NOT_HTTP = "@lap v0.3\n@api Rpc\n@endpoint UNARY /svc/Call\n@end\n"
CORNERS = FIXTURES / "corners.lap"
NO_SERVE = ["--host", "256.0.0.1"]  # if a mock ever got past loading, it fails to bind at once

# command → argv for one spec (its other arguments valid); `diff` is tried both ways round.
Argv = Callable[[Path, Path], list[str | Path]]
COMMANDS: dict[str, Argv] = {
    "validate": lambda spec, tmp: ["validate", spec],
    "generate": lambda spec, tmp: ["generate", spec, "-o", tmp / "out"],
    "plan": lambda spec, tmp: ["plan", spec],
    "diff-old": lambda spec, tmp: ["diff", spec, tmp / "valid.lap"],
    "diff-new": lambda spec, tmp: ["diff", tmp / "valid.lap", spec],
    "mock": lambda spec, tmp: ["mock", spec, *NO_SERVE],
    "check": lambda spec, tmp: ["check", spec, tmp / "out"],
}
# `lapgen check` still decides its own codes (generator/check.py returns 2 for an invalid
# spec); it joins the invalid-spec row once it lets LapgenError reach the CLI.
DECIDED_BY_THE_CLI = sorted(COMMANDS)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "valid.lap").write_text(VALID)
    (tmp_path / "invalid.lap").write_text(INVALID)
    (tmp_path / "rpc.lap").write_text(NOT_HTTP)
    return tmp_path


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unreadable_spec_exits_2(command: str, workdir: Path) -> None:
    missing = workdir / "missing.lap"
    run = run_lapgen(*COMMANDS[command](missing, workdir))
    assert run.code == 2, run.stderr
    assert f"{missing}: error: cannot read" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("command", DECIDED_BY_THE_CLI)
def test_an_invalid_spec_exits_1_with_positioned_errors(command: str, workdir: Path) -> None:
    spec = workdir / "invalid.lap"
    run = run_lapgen(*COMMANDS[command](spec, workdir))
    assert run.code == 1, run.stderr
    assert re.search(rf"^{re.escape(str(spec))}:4:\d+: error: ", run.stderr, re.MULTILINE)
    assert "    @required {x str}" in run.stderr
    assert not (workdir / "out").exists()


@pytest.mark.parametrize("command", DECIDED_BY_THE_CLI)
def test_a_spec_that_cannot_become_an_sdk_exits_1(command: str, workdir: Path) -> None:
    """validate too: it refuses what generate refuses, with the planner's positioned error."""
    spec = workdir / "rpc.lap"
    run = run_lapgen(*COMMANDS[command](spec, workdir))
    assert run.code == 1, run.stderr
    assert f"{spec}:3:" in run.stderr and "UNARY" in run.stderr


def test_validate_prints_the_planners_refusal_after_the_front_ends_warning(
    workdir: Path,
) -> None:
    run = run_lapgen("validate", workdir / "rpc.lap")
    assert run.code == 1
    warning = run.stderr.index("warning: non-HTTP method UNARY")
    assert run.stderr.index("error: cannot generate an HTTP SDK") > warning


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bad_config_exits_2(command: str, workdir: Path) -> None:
    config = workdir / "bad.toml"
    config.write_text("[package]\nname = 'not a package'\n")
    run = run_lapgen(*COMMANDS[command](workdir / "valid.lap", workdir), "--config", config)
    assert run.code == 2, run.stderr
    assert str(config) in run.stderr and "Traceback" not in run.stderr


def test_a_template_bug_exits_4(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise FormatError("generated code does not parse: line 1")

    monkeypatch.setattr(generator.render, "render_files", broken)
    run = run_lapgen("generate", workdir / "valid.lap", "-o", workdir / "out")
    assert run.code == 4
    assert "internal error" in run.stderr and "does not parse" in run.stderr


@pytest.mark.parametrize("command", DECIDED_BY_THE_CLI)
def test_a_bug_exits_4_without_a_traceback(
    command: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    # The CLI imports these inside each command (lazily), so they are patched at their home.
    monkeypatch.setattr(generator.frontend, "read_spec", crash)
    monkeypatch.setattr(generator.pipeline, "load", crash)
    monkeypatch.setattr(generator.diff, "load", crash)
    monkeypatch.setattr(generator.check, "load", crash)
    run = run_lapgen(*COMMANDS[command](workdir / "valid.lap", workdir))
    assert run.code == 4, run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("lapgen: internal error: RuntimeError: boom (test_errors.py:")


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.SpecError([Diagnostic("error", "bad", 1, 1)]), 1),
        (LapError([Diagnostic("error", "bad", 1, 1)]), 1),
        (errors.UsageError("x"), 2),
        (errors.ConfigError("x"), 2),
        (errors.OutputError("x"), 3),
        (errors.InternalError("x"), 4),
        (errors.LapgenError("a class the table forgot"), 4),
    ],
)
def test_exit_code_table(error: errors.LapgenError, code: int) -> None:
    assert exit_code(error) == code


def test_spec_error_message_is_compiler_style() -> None:
    diagnostic = Diagnostic("error", "unexpected '%'", 2, 5)
    assert str(errors.SpecError([diagnostic])) == "2:5: unexpected '%'"
    rendered = str(errors.SpecError([diagnostic], path="a.lap", source_lines=["x", "abc %"]))
    assert rendered == "a.lap:2:5: error: unexpected '%'\n    abc %\n        ^"


# ---------------------------------------------------------------------------------------------
# Planner warnings
# ---------------------------------------------------------------------------------------------

# Two routes the planner cannot tell apart by name: the second gets a numeric suffix.
CLASHING_SPEC = """@lap v0.3
@api Clash API
@endpoints 2
@endpoint POST /search
@required {name: str}
@returns(200)
@endpoint POST /search
@required {place: str}
@returns(200)
@end
"""


@pytest.fixture
def clashing(tmp_path: Path) -> Path:
    spec = tmp_path / "clash.lap"
    spec.write_text(CLASHING_SPEC, "utf-8")
    return spec


def _assert_positioned(stderr: str, spec: Path) -> None:
    collision = re.compile(
        rf"^{re.escape(str(spec))}:(?P<line>\d+):(?P<column>\d+): warning: "
        r"search\.\w+ is taken; POST /search becomes \w+_2 \(name it in the config",
        re.MULTILINE,
    )
    match = collision.search(stderr)
    assert match is not None, stderr
    line, column = int(match["line"]), int(match["column"])
    source = spec.read_text("utf-8").splitlines()[line - 1]
    after = stderr[match.end() :].split("\n", 1)[1]
    quoted, caret = after.splitlines()[:2]
    assert quoted == "    " + source
    assert caret == "    " + " " * (column - 1) + "^"
    assert source[column - 1 :].startswith("POST ")


@pytest.mark.parametrize("command", ["generate", "plan", "validate"])
def test_planner_warnings_are_positioned(command: str, clashing: Path, tmp_path: Path) -> None:
    argv = COMMANDS[command](clashing, tmp_path / "out")
    run = run_lapgen(*argv)
    assert run.code == 0, run.stderr
    _assert_positioned(run.stderr, clashing)


def test_validate_counts_planner_warnings_in_json_and_strict(clashing: Path) -> None:
    run = run_lapgen("validate", "--json", clashing)
    assert run.code == 0
    (report,) = json.loads(run.stdout)
    assert report["ok"] is True
    assert any("search.create is taken" in w["message"] for w in report["warnings"])
    assert all(set(warning) == {"line", "column", "message"} for warning in report["warnings"])
    strict = run_lapgen("validate", "--strict", clashing)
    assert strict.code == 1
    # The front end warns of the repeated route, the planner of the name it had to number.
    assert "invalid" in strict.stdout and "2 warnings" in strict.stdout


@pytest.mark.parametrize(
    ("directive", "line", "words"),
    [
        ("@version 2022-11-28", "@version 2022-11-28", "is not a PEP 440 version"),
        ("@base ftp://files.example", "@base ftp://files.example", "is not an http(s) URL"),
    ],
)
def test_document_warnings_point_at_their_directive(
    directive: str, line: str, words: str, tmp_path: Path
) -> None:
    spec = tmp_path / "doc.lap"
    spec.write_text(f"@lap v0.3\n@api Doc\n{directive}\n@endpoints 0\n@end\n", "utf-8")
    run = run_lapgen("validate", spec)
    assert f"{spec}:3:1: warning: " in run.stderr and words in run.stderr, run.stderr
    assert f"\n    {line}\n    ^" in run.stderr
