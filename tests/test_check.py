"""``lapgen check``: fresh and stale outputs, why they are stale, exit codes, nothing written.

Outputs are copies of the committed ``generated/stytch_api``, so regenerating in memory reuses
its formatted chunks and stays fast.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sdk_support import FIXTURES, GENERATED, GOLDEN, SPEC, SPEC_CONFIG, run_lapgen, snapshot

USERS = "stytch_api/resources/users.py"
CONNECTED_APPS = "stytch_api/resources/connected_app.py"
HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@", re.MULTILINE)


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """A copy of the committed Stytch output, with a file lapgen never wrote."""
    out = tmp_path / "stytch_api"
    shutil.copytree(GENERATED, out)
    (out / "NOTES.md").write_text("my notes, not lapgen's\n")
    return out


def check(*argv: str | Path) -> tuple[int, str, str]:
    run = run_lapgen("check", *argv)
    return run.code, run.stdout, run.stderr


def file_diffs(diff: str) -> dict[str, str]:
    """The unified diff split per file (``+++ b/PATH`` → that file's hunks)."""
    parts: dict[str, str] = {}
    for block in re.split(r"^(?=--- )", diff, flags=re.MULTILINE):
        match = re.search(r"^\+\+\+ (?:b/)?(\S+)", block, re.MULTILINE)
        if match:
            parts[match[1]] = block
    return parts


def test_committed_output_is_fresh(output: Path) -> None:
    before = snapshot(output)
    code, stdout, stderr = check(SPEC, output, "--config", SPEC_CONFIG)
    assert code == 0, stderr
    assert "up to date" in stdout
    assert snapshot(output) == before


def test_the_repository_itself_is_fresh() -> None:
    """What `nox -s check` runs: the committed outputs match the spec and the fixtures."""
    code, _stdout, stderr = check(SPEC, GENERATED)  # the config is found beside the spec
    assert code == 0, stderr
    for spec in sorted(FIXTURES.glob("*.lap")):
        code, _stdout, stderr = check(spec, GOLDEN / spec.stem)
        assert code == 0, (spec, stderr)


def test_hand_edit_is_reported_with_its_file_and_line(output: Path) -> None:
    target = output / USERS
    lines = target.read_text("utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip().startswith('"""Create'))
    original = lines[index]
    lines[index] = original.replace('"""Create', '"""Make')
    target.write_text("".join(lines), "utf-8")
    before = snapshot(output)

    code, stdout, stderr = check(SPEC, output, "--config", SPEC_CONFIG)
    assert code == 1
    assert f"generated files were edited by hand: {USERS}" in stderr
    assert "spec changed" not in stderr and "config changed" not in stderr
    diffs = file_diffs(stdout)
    assert list(diffs) == [USERS], list(diffs)
    diff = diffs[USERS]
    assert f"--- a/{USERS}" in diff
    assert "-" + lines[index] in diff and "+" + original in diff
    # The hunk header points at the edited line (1-based, three lines of context).
    start = int(HUNK.search(diff)[1])  # type: ignore[index]
    assert start <= index + 1 <= start + 6
    assert snapshot(output) == before, "check wrote to the output"


def test_desc_change_shows_the_docstring_line(output: Path, tmp_path: Path) -> None:
    old = "@desc Get\n@required {client_id: str # The ID of the Connected App client.}"
    text = SPEC.read_text("utf-8")
    assert text.count(old) == 1
    spec = tmp_path / "spec" / "stytch.lap"
    spec.parent.mkdir()
    spec.write_text(text.replace(old, old.replace("@desc Get", "@desc Get the client")), "utf-8")
    before = snapshot(output)

    code, stdout, stderr = check(spec, output, "--config", SPEC_CONFIG)
    assert code == 1
    assert re.search(
        r"spec changed since generation \(sha256 [0-9a-f]{12}… → [0-9a-f]{12}…\)", stderr
    )
    assert "edited by hand" not in stderr and "config changed" not in stderr
    diff = file_diffs(stdout)[CONNECTED_APPS]
    # The sync method's docstring, and the async one's, which names the sync method.
    assert diff.count('-        """Get.\n') == 1 and diff.count('+        """Get the client.\n') == 1
    async_doc = '        """The async form of ``Clients.get``: Get'
    assert diff.count(f'-{async_doc}."""\n') == 1
    assert diff.count(f'+{async_doc} the client."""\n') == 1
    assert snapshot(output) == before


def test_stat_summarises_instead_of_diffing(output: Path) -> None:
    (output / USERS).write_text((output / USERS).read_text() + "# one more line\n")
    (output / "stytch_api" / "errors.py").unlink()
    code, stdout, stderr = check(SPEC, output, "--config", SPEC_CONFIG, "--stat")
    assert code == 1
    assert "@@" not in stdout and "---" not in stdout
    rows = {line.split()[1]: line.split() for line in stdout.splitlines()[:-1]}
    assert set(rows) == {USERS, "stytch_api/errors.py"}
    assert rows[USERS][0] == "changed" and rows[USERS][2:] == ["+0", "-1"]
    assert rows["stytch_api/errors.py"][0] == "added" and rows["stytch_api/errors.py"][3] == "-0"
    assert stdout.splitlines()[-1].startswith(" 2 files differ (1 to add, 0 to remove, 1 changed)")
    assert "generated files were deleted: stytch_api/errors.py" in stderr


def test_files_lapgen_never_wrote_are_ignored(output: Path) -> None:
    (output / "stytch_api" / "extra_helpers.py").write_text("# mine\n")
    code, _stdout, stderr = check(SPEC, output, "--config", SPEC_CONFIG)
    assert code == 0, stderr


def test_files_lapgen_would_remove_are_reported(output: Path) -> None:
    """A file the manifest lists but the spec no longer produces is stale too."""
    import json

    manifest = json.loads((output / ".lapgen-manifest.json").read_text())
    manifest["files"]["stytch_api/resources/gone.py"] = {"sha256": "0" * 64}
    (output / ".lapgen-manifest.json").write_text(json.dumps(manifest))
    (output / "stytch_api" / "resources" / "gone.py").write_text("# an old resource\n")
    code, stdout, _stderr = check(SPEC, output, "--config", SPEC_CONFIG, "--stat")
    assert code == 1
    assert re.search(r"^ removed +stytch_api/resources/gone\.py +\+0 -1$", stdout, re.MULTILINE)


def test_config_change_is_named(output: Path, tmp_path: Path) -> None:
    config = tmp_path / "stytch.toml"
    config.write_text(SPEC_CONFIG.read_text().replace('title = "Stytch"', 'title = "Stytch!"'))
    code, _stdout, stderr = check(SPEC, output, "--config", config)
    assert code == 1
    assert "config changed since generation" in stderr and "spec changed" not in stderr


def test_missing_output_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Not a diff of the whole package: a missing OUTDIR is a wrong argument."""
    code, stdout, stderr = check(FIXTURES / "apikey_query.lap", tmp_path / "never")
    assert code == 2
    assert stdout == ""
    assert stderr.count("\n") == 1 and "never generated" in stderr, stderr
    assert not (tmp_path / "never").exists()


def test_output_lapgen_never_wrote_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """A directory without a manifest (the user's project, say) is not diffed against."""
    (tmp_path / "README.md").write_text("my project\n")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    code, stdout, stderr = check(FIXTURES / "apikey_query.lap", tmp_path)
    assert code == 2
    assert stdout == ""
    assert stderr.count("\n") == 1 and ".lapgen-manifest.json" in stderr, stderr


def test_a_bad_spec_exits_1_and_bad_arguments_exit_2(output: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.lap"
    bad.write_text("@lap v0.3\n@api Broken\n@endpoint GET /a\n@required {x str}\n")
    before = snapshot(output)
    code, stdout, stderr = check(bad, output)
    assert code == 1 and stdout == ""  # an invalid spec, as in every command
    assert re.search(rf"^{re.escape(str(bad))}:4:\d+: error: ", stderr, re.MULTILINE)
    assert "    @required {x str}" in stderr  # compiler style: the line and a caret
    assert check(tmp_path / "missing.lap", output)[0] == 2
    assert check(SPEC, output, "--config", tmp_path / "missing.toml")[0] == 2
    assert check(SPEC)[0] == 2
    assert check(SPEC, output / "README.md")[0] == 2  # not a directory
    assert snapshot(output) == before
