"""``generate`` into an output that is already what it would write: nothing is done.

The properties: an up-to-date run leaves every byte (and mtime) as it was and says so; any
change to what decides the output (a byte of the spec, the config or any output file, a deleted
file, a forged manifest, another ``--black``, another lapgen) makes the run a full one, whose
result equals what the same run gives with no seal at all (an empty cache), and the fresh
generate's output where the names lock is not involved.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sdk_support import FIXTURES, Run, run_lapgen, snapshot, tree_diff

import generator.output.uptodate as uptodate
from generator.output import JOURNAL, MANIFEST, versions

SPEC_TEXT = (FIXTURES / "corners.lap").read_bytes()
CONFIG_TEXT = b'[package]\nname = "corners_sdk"\n'
UP_TO_DATE = "up to date"
PROPERTY = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@contextlib.contextmanager
def cache_at(path: Path) -> Iterator[None]:
    previous = os.environ.get("LAPGEN_CACHE_DIR")
    os.environ["LAPGEN_CACHE_DIR"] = str(path)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["LAPGEN_CACHE_DIR"]
        else:
            os.environ["LAPGEN_CACHE_DIR"] = previous


class Workspace:
    """A spec and config in a temporary directory, a cache, and outputs generated there."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.spec = root / "api.lap"
        self.config = root / "api.toml"
        self.spec.write_bytes(SPEC_TEXT)
        self.config.write_bytes(CONFIG_TEXT)
        self.cache = _SHARED / "cache"  # warm (grammar tables, templates); seals differ by path

    def generate(self, out: Path, *options: str, cache: Path | None = None) -> Run:
        with cache_at(cache or self.cache):
            return run_lapgen("generate", self.spec, "-o", out, *options)

    def generated(self, *options: str) -> Path:
        """An output generated and regenerated once (its seal recorded, its lock settled)."""
        out = self.root / "out"
        assert self.generate(out, *options).code == 0
        return out

    def full_run_of(self, out: Path, *options: str) -> tuple[Run, dict[str, bytes]]:
        """What ``generate`` makes of a copy of ``out`` with no seal to find (an empty cache)."""
        copy = Path(tempfile.mkdtemp(dir=self.root))
        if out.exists():
            shutil.copytree(out, copy / "out", symlinks=True)
        run = self.generate(copy / "out", *options, cache=_SHARED / "no-seals")
        return run, snapshot(copy / "out") if (copy / "out").exists() else {}


# Caches shared by the tests of one process: one that records and finds seals, and one where
# no seal is ever written or read (its seal directory is writable by others).
_SHARED = Path(tempfile.mkdtemp(prefix="lapgen-uptodate-caches-"))
atexit.register(shutil.rmtree, _SHARED, ignore_errors=True)
(_SHARED / "no-seals" / "uptodate").mkdir(parents=True, mode=0o700)
(_SHARED / "no-seals" / "uptodate").chmod(0o777)
(_SHARED / "no-seals").chmod(0o700)


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


@contextlib.contextmanager
def _fresh_workspace() -> Iterator[Workspace]:
    """A workspace per hypothesis example (pytest's tmp_path is one per test), removed after."""
    root = Path(tempfile.mkdtemp(prefix="lapgen-uptodate-"))
    try:
        yield Workspace(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _mtimes(root: Path) -> dict[str, int]:
    return {
        path.relative_to(root).as_posix(): path.stat().st_mtime_ns
        for path in root.rglob("*")
        if path.is_file()
    }


def assert_same_as_full_run(space: Workspace, out: Path, *options: str) -> Run:
    """Run in place; it must not be up to date, and must give what a seal-less run gives."""
    expected_run, expected = space.full_run_of(out, *options)
    run = space.generate(out, *options)
    assert UP_TO_DATE not in run.stdout
    assert run.code == expected_run.code
    actual = snapshot(out) if out.exists() else {}
    assert actual == expected, tree_diff(expected, actual)
    return run


def test_an_up_to_date_output_is_left_alone_byte_for_byte(workspace: Workspace) -> None:
    out = workspace.generated()
    before, times = snapshot(out), _mtimes(out)
    run = workspace.generate(out)
    assert run.code == 0, run.stderr
    assert f"{UP_TO_DATE}: corners_sdk with" in run.stdout
    assert snapshot(out) == before
    assert _mtimes(out) == times
    # and again: the up-to-date run recorded nothing that changes the next one
    assert UP_TO_DATE in workspace.generate(out).stdout


def test_the_up_to_date_path_loads_no_parser_templates_formatter_or_planner(
    workspace: Workspace,
) -> None:
    out = workspace.generated()
    probe = (
        "import sys\n"
        "from generator.cli import main\n"
        f"code = main(['generate', {str(workspace.spec)!r}, '-o', {str(out)!r}])\n"
        "heavy = ('lark', 'jinja2', 'black', 'generator.planner', 'generator.frontend', 'httpx')\n"
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in heavy"
        " or m.startswith(heavy)))\n"
    )
    env = {**os.environ, "LAPGEN_CACHE_DIR": str(workspace.cache)}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert UP_TO_DATE in done.stdout
    assert done.stdout.splitlines()[-1] == "0 []"


def test_warnings_are_printed_again_when_up_to_date(workspace: Workspace) -> None:
    out = workspace.generated()
    full = workspace.full_run_of(out)[0]
    again = workspace.generate(out)
    assert UP_TO_DATE in again.stdout
    assert again.stderr == full.stderr


@PROPERTY
@given(data=st.data())
def test_a_changed_output_byte_means_a_full_run_equal_to_a_fresh_generate(
    data: st.DataObject,
) -> None:
    with _fresh_workspace() as space:
        out = space.generated()
        files = sorted(snapshot(out))
        path = out / data.draw(st.sampled_from(files), label="file")
        content = bytearray(path.read_bytes())
        index = data.draw(st.integers(0, max(len(content) - 1, 0)), label="index")
        byte = data.draw(st.integers(0, 255).filter(lambda b: not content or b != content[index]))
        if content:
            content[index] = byte
        else:
            content.append(byte)
        path.write_bytes(bytes(content))
        assert_same_as_full_run(space, out)
        if path.name != MANIFEST:  # a changed manifest may change the names lock, legitimately
            fresh = space.root / "fresh"
            assert space.generate(fresh).code == 0
            assert snapshot(out) == snapshot(fresh), tree_diff(snapshot(fresh), snapshot(out))


@PROPERTY
@given(data=st.data(), which=st.sampled_from(["spec", "config"]))
def test_a_changed_spec_or_config_byte_means_a_full_run(data: st.DataObject, which: str) -> None:
    with _fresh_workspace() as space:
        out = space.generated()
        path = space.spec if which == "spec" else space.config
        content = bytearray(path.read_bytes())
        index = data.draw(st.integers(0, len(content) - 1), label="index")
        content[index] = data.draw(st.integers(0, 255).filter(lambda b: b != content[index]))
        path.write_bytes(bytes(content))
        assert_same_as_full_run(space, out)


@PROPERTY
@given(data=st.data())
def test_a_forged_manifest_never_hides_an_edit(data: st.DataObject) -> None:
    """An edited file with the manifest's digest forged to match: a full run restores it."""
    with _fresh_workspace() as space:
        out = space.generated()
        manifest = json.loads((out / MANIFEST).read_text("utf-8"))
        path = data.draw(st.sampled_from(sorted(manifest["files"])), label="file")
        edited = (out / path).read_bytes() + b"\n# edited\n"
        (out / path).write_bytes(edited)
        manifest["files"][path]["sha256"] = hashlib.sha256(edited).hexdigest()
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", "utf-8")
        assert_same_as_full_run(space, out)
        assert (out / path).read_bytes() != edited


@PROPERTY
@given(data=st.data())
def test_a_deleted_file_means_a_full_run(data: st.DataObject) -> None:
    with _fresh_workspace() as space:
        out = space.generated()
        (out / data.draw(st.sampled_from(sorted(snapshot(out))), label="file")).unlink()
        assert_same_as_full_run(space, out)


def test_an_added_file_is_left_as_a_full_run_leaves_it(workspace: Workspace) -> None:
    out = workspace.generated()
    (out / "NOTES.txt").write_text("mine\n", "utf-8")
    expected_run, expected = workspace.full_run_of(out)
    run = workspace.generate(out)
    assert run.code == expected_run.code == 0
    assert snapshot(out) == expected


def test_a_symlinked_output_file_means_a_full_run(workspace: Workspace) -> None:
    out = workspace.generated()
    target = out / "README.md"
    copy = workspace.root / "README.copy"
    shutil.copyfile(target, copy)
    target.unlink()
    target.symlink_to(copy)
    run = assert_same_as_full_run(workspace, out)
    assert run.code == 3  # the full path refuses to write through a link


def test_interrupted_state_means_a_full_run(workspace: Workspace) -> None:
    out = workspace.generated()
    (out / ".lapgen-staging-leftover").mkdir()
    run = assert_same_as_full_run(workspace, out)
    assert "leftovers" in run.stderr
    assert UP_TO_DATE in workspace.generate(out).stdout
    (out / JOURNAL).write_text("{}", "utf-8")
    assert_same_as_full_run(workspace, out)


@pytest.mark.parametrize(
    ("first", "then"), [((), ("--black", "always")), (("--black", "always"), ())]
)
def test_another_black_option_means_a_full_run(
    workspace: Workspace, first: tuple[str, ...], then: tuple[str, ...]
) -> None:
    out = workspace.generated(*first)
    assert UP_TO_DATE in workspace.generate(out, *first).stdout
    assert_same_as_full_run(workspace, out, *then)
    assert UP_TO_DATE in workspace.generate(out, *then).stdout


def test_another_lapgen_means_a_full_run(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = workspace.generated()
    monkeypatch.setattr(uptodate, "generator_digest", lambda: "another lapgen")
    assert_same_as_full_run(workspace, out)


def test_a_config_given_or_removed_means_a_full_run(workspace: Workspace) -> None:
    out = workspace.generated()
    workspace.config.unlink()
    assert_same_as_full_run(workspace, out)
    assert UP_TO_DATE in workspace.generate(out).stdout
    workspace.config.write_bytes(CONFIG_TEXT)
    assert_same_as_full_run(workspace, out)


def test_a_seal_in_a_cache_others_can_write_is_not_trusted(workspace: Workspace) -> None:
    workspace.cache = workspace.root / "own-cache"
    out = workspace.generated()
    assert UP_TO_DATE in workspace.generate(out).stdout
    (workspace.cache / "uptodate").chmod(0o777)
    assert UP_TO_DATE not in workspace.generate(out).stdout


def test_a_seal_for_other_inputs_or_a_garbled_one_is_not_used(workspace: Workspace) -> None:
    workspace.cache = workspace.root / "own-cache"
    out = workspace.generated()
    seals = [p for p in (workspace.cache / "uptodate").rglob("*") if p.is_file()]
    assert seals
    for seal in seals:
        record = json.loads(seal.read_text("utf-8"))
        seal.write_text(json.dumps({**record, "key": "0" * 64}), "utf-8")
    assert UP_TO_DATE not in workspace.generate(out).stdout
    for seal in [p for p in (workspace.cache / "uptodate").rglob("*") if p.is_file()]:
        seal.write_bytes(b"\xff not json")
    assert UP_TO_DATE not in workspace.generate(out).stdout


# ---------------------------------------------------------------------------------------------
# What lapgen is: the digest of its code and templates
# ---------------------------------------------------------------------------------------------


def test_the_generator_digest_covers_every_source_and_template_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = Path(versions.__file__).resolve().parent.parent
    files = [*versions._source_files(package), *versions._source_files(versions.templates_dir())]
    assert any(path.suffix == ".jinja" for path in files)
    assert any(path.name == "grammar.lark" for path in files)
    assert any(path.name == "cli.py" for path in files)
    assert not any("__pycache__" in path.parts for path in files)


@settings(max_examples=30, deadline=None)
@given(
    names=st.lists(
        st.sampled_from(["a.py", "b.jinja", "sub/c.py", "sub/d.lark"]), min_size=1, unique=True
    ),
    data=st.data(),
)
def test_a_tree_digest_changes_with_any_byte_or_file(names: list[str], data: st.DataObject) -> None:
    root = Path(tempfile.mkdtemp(prefix="lapgen-digest-"))
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data.draw(st.binary(max_size=20), label=name))
    before = versions.tree_digest([root])
    name = data.draw(st.sampled_from(names), label="changed")
    content = (root / name).read_bytes()
    change = data.draw(st.sampled_from(["byte", "append", "delete", "add"]), label="change")
    if change == "byte" and content:
        index = data.draw(st.integers(0, len(content) - 1))
        (root / name).write_bytes(
            content[:index] + bytes([content[index] ^ 1]) + content[index + 1 :]
        )
    elif change in ("byte", "append"):
        (root / name).write_bytes(content + b"x")
    elif change == "delete":
        (root / name).unlink()
    else:
        (root / "sub" / "new.py").parent.mkdir(exist_ok=True)
        (root / "sub" / "new.py").write_bytes(b"")
    assert versions.tree_digest([root]) != before
    shutil.rmtree(root)
