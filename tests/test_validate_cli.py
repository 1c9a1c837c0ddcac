"""``lapgen validate``: exit codes, the compiler-style report, the ``--json`` schema."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SPEC_FILES, STYTCH
from test_frontend import BROKEN, WARNINGS

from generator.cli import main

VALID = "@lap v0.3\n@api T\n@endpoints 1\n@endpoint GET /a\n@required {q: str}\n@returns(200) ok\n@end\n"
WARNS = "@lap v0.3\n@api W\n@frob x\n@end\n"
BAD = "@lap v0.3\n@api B\n@endpoint GET /a\n@required {q: %%}\n@end\n"
HEAD = re.compile(
    r"^(?P<path>.+):(?P<line>\d+):(?P<column>\d+): (?P<severity>error|warning): (?P<message>.+)$"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def specs(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in [("valid", VALID), ("warns", WARNS), ("bad", BAD)]:
        paths[name] = tmp_path / f"{name}.lap"
        paths[name].write_text(text, "utf-8")
    return paths


def diagnostics_in(stderr: str) -> list[tuple[re.Match[str], str, str]]:
    """Each rendered diagnostic as (head match, quoted line, caret line); checks the layout."""
    lines = stderr.splitlines()
    found = []
    while lines:
        head = HEAD.match(lines.pop(0))
        assert head is not None, stderr
        quoted, caret = lines.pop(0), lines.pop(0)
        assert quoted.startswith("    ") and re.fullmatch(r" {4,}\^", caret), stderr
        found.append((head, quoted, caret))
    return found


# -- exit codes ------------------------------------------------------------------------------


def test_stytch_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", str(STYTCH))
    assert code == 0
    assert out == f"{STYTCH}: ok: Stytch API, 184 endpoints in 21 groups (0 errors, 0 warnings)\n"
    assert err == ""


def test_the_module_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", "spec/stytch.lap"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert (
        done.stdout
        == "spec/stytch.lap: ok: Stytch API, 184 endpoints in 21 groups (0 errors, 0 warnings)\n"
    )


# main() as the program (argv None) and main([...]) in a process that goes on; prints the exit
# code and whether any object was frozen out of the cycle collector.
FREEZE_PROBE = """
import gc, sys
from generator.cli import main
if sys.argv[1] == "program":
    sys.argv = ["lapgen", *sys.argv[2:]]
    code = main()
else:
    code = main(sys.argv[2:])
print(code, gc.get_freeze_count() > 0, file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("how", "argv", "code", "frozen"),
    [
        ("program", ["validate", "spec/stytch.lap"], 0, True),
        ("program", ["validate", "--strict", "tests/corpus/openapi-petstore.lap"], 1, True),
        ("in-process", ["validate", "spec/stytch.lap"], 0, False),
        ("program", ["plan", "tests/corpus/openapi-petstore.lap"], 0, False),
    ],
)
def test_only_validate_as_the_program_skips_the_exit_collection(
    how: str, argv: list[str], code: int, frozen: bool
) -> None:
    """``lapgen validate`` leaves its objects out of shutdown's cycle collections (it exits
    next); ``main([...])`` called by a process that goes on, and other commands, do not."""
    done = subprocess.run(
        [sys.executable, "-c", FREEZE_PROBE, how, *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1] == f"{code} {frozen}"


def test_warnings_exit_0_and_1_with_strict(
    capsys: pytest.CaptureFixture[str], specs: dict[str, Path]
) -> None:
    code, out, err = run(capsys, "validate", str(specs["warns"]))
    assert code == 0
    assert out == f"{specs['warns']}: ok: W, 0 endpoints in 0 groups (0 errors, 1 warnings)\n"
    ((head, quoted, caret),) = diagnostics_in(err)
    assert head.group("severity", "line", "column") == ("warning", "3", "1")
    assert (quoted, caret) == ("    @frob x", "    ^")

    code, out, err = run(capsys, "validate", "--strict", str(specs["warns"]))
    assert code == 1
    assert out.startswith(f"{specs['warns']}: invalid: W,")
    assert len(diagnostics_in(err)) == 1

    assert run(capsys, "validate", "--strict", str(specs["valid"]))[0] == 0


def test_errors_exit_1_with_a_compiler_style_report(
    capsys: pytest.CaptureFixture[str], specs: dict[str, Path]
) -> None:
    code, out, err = run(capsys, "validate", str(specs["valid"]), str(specs["bad"]))
    assert code == 1
    assert out.splitlines() == [
        f"{specs['valid']}: ok: T, 1 endpoints in 0 groups (0 errors, 0 warnings)",
        f"{specs['bad']}: invalid (1 errors, 0 warnings)",
    ]
    ((head, quoted, caret),) = diagnostics_in(err)
    assert head.group("path", "line", "column", "severity") == (
        str(specs["bad"]),
        "4",
        "12",
        "error",
    )
    assert head.group("message") == "unknown type syntax '%%' for param 'q'"
    assert quoted == "    @required {q: %%}"
    assert caret == "    " + " " * 11 + "^"


def test_the_report_quotes_the_right_line_of_a_crlf_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "crlf.lap"
    path.write_bytes(BAD.replace("\n", "\r\n").replace("@api B", "@api B\x0c").encode())
    ((head, quoted, _),) = diagnostics_in(run(capsys, "validate", str(path))[2])
    assert head.group("line") == "4"
    assert quoted == "    @required {q: %%}"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["validate", "missing.lap"], "cannot read"),
        (["validate", "SPEC", "missing.lap"], "cannot read"),
        (["validate", "--bogus", "SPEC"], "unrecognized arguments: --bogus"),
        (["validate"], "the following arguments are required: SPEC"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        ([], "required: COMMAND"),
    ],
    ids=["missing-file", "missing-second-file", "bad-flag", "no-spec", "bad-command", "no-command"],
)
def test_usage_errors_return_2(
    capsys: pytest.CaptureFixture[str],
    specs: dict[str, Path],
    tmp_path: Path,
    argv: list[str],
    message: str,
) -> None:
    argv = [
        (
            str(specs["valid"])
            if arg == "SPEC"
            else str(tmp_path / arg) if arg.endswith(".lap") else arg
        )
        for arg in argv
    ]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_version_and_help_return_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert (code, out) == (0, "lapgen 0.1.0\n")
    code, out, _ = run(capsys, "validate", "--help")
    assert code == 0 and "--strict" in out


# -- --json ----------------------------------------------------------------------------------

REPORT_KEYS = {
    "file": str,
    "ok": bool,
    "lap_version": (str, type(None)),
    "api": (str, type(None)),
    "declared_endpoints": (int, type(None)),
    "endpoints": list,
    "groups": dict,
    "errors": list,
    "warnings": list,
}
ENDPOINT_KEYS = {
    "line": int,
    "method": str,
    "path": str,
    "required": list,
    "optional": list,
    "returns": list,
}
DIAGNOSTIC_KEYS = {"line": int, "column": int, "message": str}


def check_schema(obj: dict[str, object], keys: dict[str, object]) -> None:
    assert set(obj) == set(keys)
    for key, kind in keys.items():
        assert isinstance(obj[key], kind), (key, obj[key])  # type: ignore[arg-type]
        if kind is bool or kind is int:
            assert type(obj[key]) is kind  # bool is an int: keep them apart


def validate_json(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, list[dict[str, object]]]:
    code, out, err = run(capsys, "validate", "--json", *argv)
    assert err == ""  # nothing but the JSON, on stdout
    reports = json.loads(out)
    assert isinstance(reports, list)
    for report in reports:
        check_schema(report, REPORT_KEYS)
        for endpoint in report["endpoints"]:
            check_schema(endpoint, ENDPOINT_KEYS)
            assert all(
                isinstance(item, str)
                for key in ("required", "optional", "returns")
                for item in endpoint[key]
            )
        assert all(
            isinstance(name, str) and type(count) is int for name, count in report["groups"].items()
        )
        for diagnostic in report["errors"] + report["warnings"]:
            check_schema(diagnostic, DIAGNOSTIC_KEYS)
    return code, reports


def test_json_for_stytch(capsys: pytest.CaptureFixture[str]) -> None:
    code, (report,) = validate_json(capsys, str(STYTCH))
    assert code == 0
    assert {
        key: report[key]
        for key in ("file", "ok", "lap_version", "api", "declared_endpoints", "errors", "warnings")
    } == {
        "file": str(STYTCH),
        "ok": True,
        "lap_version": "v0.3",
        "api": "Stytch API",
        "declared_endpoints": 184,
        "errors": [],
        "warnings": [],
    }
    assert len(report["endpoints"]) == 184
    assert len(report["groups"]) == 21 and report["groups"]["b2b"] == 97
    assert sum(report["groups"].values()) == 184
    lines = STYTCH.read_text("utf-8").split("\n")
    for endpoint in report["endpoints"]:
        assert lines[endpoint["line"] - 1] == f"@endpoint {endpoint['method']} {endpoint['path']}"


def test_json_endpoint_entries(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "e.lap"
    path.write_text(
        "@lap v0.3\n@api E\n@endpoint POST /u/{id}\n@required {id: str, name: str}\n"
        "@optional {tag: [str]}\n@returns(201) {id: str}\n@returns(OK) → E\n@end\n"
    )
    _, (report,) = validate_json(capsys, str(path))
    assert report["endpoints"] == [
        {
            "line": 3,
            "method": "POST",
            "path": "/u/{id}",
            "required": ["id", "name"],
            "optional": ["tag"],
            "returns": ["201", "OK"],
        }
    ]
    assert report["warnings"] == [
        {"line": 7, "column": 10, "message": "type 'E' is not defined by any @type; read as 'any'"}
    ]


def test_json_for_several_files(capsys: pytest.CaptureFixture[str], specs: dict[str, Path]) -> None:
    code, reports = validate_json(
        capsys, str(specs["valid"]), str(specs["warns"]), str(specs["bad"])
    )
    assert code == 1
    assert [(r["file"], r["ok"]) for r in reports] == [
        (str(specs["valid"]), True),
        (str(specs["warns"]), True),
        (str(specs["bad"]), False),
    ]
    valid, warns, bad = reports
    assert (valid["api"], valid["declared_endpoints"], valid["groups"]) == ("T", 1, {})
    assert warns["warnings"] == [
        {"line": 3, "column": 1, "message": "unknown directive @frob is ignored"}
    ]
    assert bad == {
        "file": str(specs["bad"]),
        "ok": False,
        "lap_version": None,
        "api": None,
        "declared_endpoints": None,
        "endpoints": [],
        "groups": {},
        "errors": [{"line": 4, "column": 12, "message": "unknown type syntax '%%' for param 'q'"}],
        "warnings": [],
    }


def test_json_strict(capsys: pytest.CaptureFixture[str], specs: dict[str, Path]) -> None:
    code, (report,) = validate_json(capsys, "--strict", str(specs["warns"]))
    assert (code, report["ok"], report["errors"]) == (1, False, [])


# -- never a traceback -----------------------------------------------------------------------


@pytest.fixture
def broken_files(tmp_path: Path) -> list[Path]:
    paths = []
    for name, text, *_ in BROKEN + WARNINGS:
        path = tmp_path / f"{name}.lap"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        paths.append(path)
    return paths


def test_every_sample_and_broken_file_in_one_process(broken_files: list[Path]) -> None:
    files = [*SPEC_FILES, *broken_files]
    done = subprocess.run(
        [sys.executable, "-m", "generator", "validate", *map(str, files)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    summaries = done.stdout.splitlines()
    assert [line.split(": ", 1)[0] for line in summaries] == [str(path) for path in files]
    for head, _quoted, _caret in diagnostics_in(done.stderr):
        assert Path(head.group("path")) in files
        assert int(head.group("line")) >= 1 and int(head.group("column")) >= 1


@pytest.mark.parametrize(
    "flags", [[], ["--json"], ["--json", "--strict"]], ids=["text", "json", "json-strict"]
)
def test_broken_files_in_process(
    capsys: pytest.CaptureFixture[str], broken_files: list[Path], flags: list[str]
) -> None:
    # A non-HTTP method is valid LAP (a warning) that the planner refuses, as generate does.
    warned_only = {name for name, *_ in WARNINGS} - {"non-http"}
    for path in broken_files:
        code, out, err = run(capsys, "validate", *flags, str(path))
        warning_only = path.stem in warned_only
        assert code == (0 if warning_only and "--strict" not in flags else 1), path.stem
        if "--json" in flags:
            assert json.loads(out)[0]["ok"] is (code == 0)
        else:
            assert len(diagnostics_in(err)) >= 1


def test_the_summary_line_escapes_control_and_bidi_characters_of_the_api_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "ansi.lap"
    spec.write_text("@lap v0.3\n@api \x1b[31mRed\u202e\n@end\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(spec))
    assert code == 0
    assert "\x1b" not in out and "\u202e" not in out
    assert "\\x1b[31mRed\\u202e" in out
