"""``lapgen validate`` agrees with ``plan`` (and so ``generate``, which plans the same way):
the same exit status for every spec and config, and the same diagnostics, word for word.

A spec the planner refuses (an API key or a placed param that is not a header name, a
non-HTTP method) fails validate with the planner's positioned errors; a bad config is exit 2
in both; and a spec both accept gets the same warnings from both, the front end's first.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sdk_support import Run, run_lapgen
from test_plan_warnings import specs

SPECS = sorted(
    [
        *(REPO / "tests" / "corpus").glob("*.lap"),
        *(REPO / "tests" / "fixtures").glob("*.lap"),
        REPO / "spec" / "stytch.lap",
    ]
)

# Configs as files, from harmless to refusing: the planner's errors and the config's own.
CONFIGS = [
    "",
    '[responses]\ndeclared_fields = "present"\n',
    '[models.names]\n"users.get" = "Fetched"\n"no.such/place" = "Nowhere"\n',
    '[models.names]\n"type:Thing" = "UserList"\n',
    '[endpoints."GET /users"]\nplacement = { "user id" = "header" }\n',
    '[endpoints."POST /users"]\nplacement = { "user id" = "header" }\n'
    '[models.names]\n"no.such/place" = "Nowhere"\n',
    '[package]\nname = "not a package"\n',
    "[responses\n",
]
AUTH = [
    None,
    "@auth Bearer bearer",
    "@auth ApiKey X-Key in header",
    "@auth ApiKey X(Key) in header",
    "@auth ApiKey a b in query",
]
ODD_ENDPOINTS = [
    None,  # most drawn specs reach the planner
    None,
    None,
    "@endpoint UNARY /svc/Call",
    "@endpoint GET /search?type=user",
    "@endpoint GET /items#frag/{id}\n@required {id: str}",
]


@st.composite
def drawn_specs(draw: st.DrawFn) -> str:
    """``test_plan_warnings``' clashing specs, with an ``@auth`` line the planner may refuse
    and an endpoint the front end or the planner may refuse."""
    lines = draw(specs()).split("\n")
    auth = draw(st.sampled_from(AUTH))
    if auth is not None:
        lines.insert(2, auth)
    odd = draw(st.sampled_from(ODD_ENDPOINTS))
    if odd is not None:
        lines.insert(lines.index("@end"), odd)
    return "\n".join(lines)


def _heads(stderr: str) -> list[str]:
    """The diagnostics' first lines (``path:line:col: severity: message``)."""
    return [line for line in stderr.splitlines() if line and not line.startswith("    ")]


def _assert_agree(spec: Path, *config: str | Path) -> None:
    validated = run_lapgen("validate", spec, *config)
    planned = run_lapgen("plan", spec, *config)
    as_json = run_lapgen("validate", "--json", spec, *config)
    assert validated.code == planned.code == as_json.code, (validated, planned)
    assert "Traceback" not in validated.stderr + planned.stderr
    if planned.code == 0:
        # The same warnings, the front end's then the planner's, quoted the same way.
        assert validated.stderr == planned.stderr
    else:
        # plan stops at its first failure; validate says the same, after the warnings before it.
        assert _subsequence(planned.stderr.splitlines(), validated.stderr.splitlines())
    if planned.code == 2:  # a bad config: reported, no report for the file
        assert json.loads(as_json.stdout) == []
        return
    (report,) = json.loads(as_json.stdout)
    assert report["ok"] is (planned.code == 0)
    errors = [head for head in _heads(planned.stderr) if ": error: " in head]
    if planned.code == 1:
        assert [e["message"] for e in report["errors"]] == [
            head.split(": error: ", 1)[1] for head in errors
        ]
    assert_summary(validated, spec, planned)


def assert_summary(validated: Run, spec: Path, planned: Run) -> None:
    summary = validated.stdout.strip()
    assert summary.startswith(f"{spec}: {'ok' if planned.code == 0 else 'invalid'}")
    errors = sum(": error: " in head for head in _heads(validated.stderr))
    warnings = sum(": warning: " in head for head in _heads(validated.stderr))
    assert summary.endswith(f"({errors} errors, {warnings} warnings)")


def _subsequence(part: list[str], whole: list[str]) -> bool:
    rest = iter(whole)
    return all(line in rest for line in part)


@pytest.mark.parametrize("spec", SPECS, ids=lambda path: path.name)
def test_validate_agrees_with_plan_on_every_known_spec(spec: Path) -> None:
    _assert_agree(spec)  # each with the config beside it, if any, as generate reads it


@given(drawn_specs(), st.sampled_from(CONFIGS), st.booleans())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_validate_agrees_with_plan_on_drawn_specs_and_configs(
    text: str, config: str, beside: bool
) -> None:
    """With ``--config``, or with the TOML beside the spec (the default of both)."""
    with tempfile.TemporaryDirectory() as directory:
        spec = Path(directory) / "drawn.lap"
        spec.write_text(text, "utf-8")
        toml = spec.with_suffix(".toml") if beside else Path(directory) / "other.toml"
        toml.write_text(config, "utf-8")
        _assert_agree(spec, *(() if beside else ("--config", toml)))


REVIEWED = [
    ("@auth ApiKey X(Key) in header", "", "4:7: error: API key name 'X(Key)' is not an HTTP"),
    (
        "@auth Bearer t",
        '[endpoints."GET /a"]\nplacement = { "a b" = "header" }\n',
        "8:12: error: 'a b' cannot be sent as an HTTP header name",
    ),
]


@pytest.mark.parametrize(("auth", "config", "error"), REVIEWED)
def test_validate_refuses_the_reviewed_specs_as_generate_does(
    auth: str, config: str, error: str, tmp_path: Path
) -> None:
    optional = "@optional {a b: str}\n" if config else ""
    spec = tmp_path / "h.lap"
    spec.write_text(
        f"@lap v0.3\n@api HK API\n@base http://127.0.0.1:9\n{auth}\n@endpoints 1\n\n"
        f"@endpoint GET /a\n{optional}@returns(200) {{id: str}}\n@end\n",
        "utf-8",
    )
    if config:
        (tmp_path / "h.toml").write_text(config, "utf-8")
    generated = run_lapgen("generate", spec, "-o", tmp_path / "out")
    assert generated.code == 1 and f"{spec}:{error}" in generated.stderr
    validated = run_lapgen("validate", spec)
    assert validated.code == 1 and f"{spec}:{error}" in validated.stderr
    assert run_lapgen("validate", "--json", spec).code == 1
    # --config replaces the TOML beside the spec, as for generate.
    empty = tmp_path / "empty.toml"
    empty.write_text("", "utf-8")
    with_empty = run_lapgen("validate", spec, "--config", empty)
    assert with_empty.code == (0 if config else 1), with_empty.stderr


# -- generate and plan print the front end's warnings, as validate does ----------------------

# The front end warns of an unknown directive and a repeated route, the planner of the name
# it had to number.
WARNED = """@lap v0.3
@api Warned
@frob x
@endpoint POST /search
@required {name: str}
@returns(200)
@endpoint POST /search
@required {place: str}
@returns(200)
@end
"""


def test_generate_and_plan_print_the_front_ends_warnings_first(tmp_path: Path) -> None:
    spec = tmp_path / "warned.lap"
    spec.write_text(WARNED, "utf-8")
    validated = run_lapgen("validate", spec)
    heads = _heads(validated.stderr)
    assert len(heads) == 3 and all(": warning: " in head for head in heads), heads
    assert "unknown directive" in heads[0] and "is taken" in heads[-1], heads
    planned = run_lapgen("plan", spec)
    assert planned.stderr == validated.stderr
    out = tmp_path / "out"
    generated = run_lapgen("generate", spec, "-o", out)
    assert generated.code == 0
    assert generated.stderr == validated.stderr
    again = run_lapgen("generate", spec, "-o", out)
    assert "up to date" in again.stdout
    assert again.stderr == generated.stderr  # the warnings the full run printed, all of them
