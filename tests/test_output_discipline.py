"""Output discipline beyond the golden tests: locale and file order do not change the bytes,
and a generation interrupted at any point of the write leaves the previous output as it was.

(Hash seeds are covered in ``test_golden.py``; a failing ``os.replace``, stale-file removal
and the user's files surviving in ``test_generate_cli.py``.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sdk_support import FIXTURES, GOLDEN, REPO, generate, snapshot, tree_diff

import generator.output
from generator.output import write_output
from generator.pipeline import load
from generator.render import render_files

CORNERS = FIXTURES / "corners.lap"


class Killed(BaseException):
    """What a kill looks like to the writer: not an ``Exception`` (like KeyboardInterrupt)."""


def test_locale_does_not_change_the_output(tmp_path: Path) -> None:
    """``lapgen generate`` under the C locale and C.UTF-8 writes the golden bytes."""
    expected = snapshot(GOLDEN / "corners")
    processes = {}
    for locale in ("C", "C.UTF-8"):
        env = {k: v for k, v in os.environ.items() if not k.startswith("LC_") and k != "LANG"}
        env.update(LC_ALL=locale, LANG=locale, PYTHONIOENCODING="")
        argv = [sys.executable, "-m", "generator", "generate", str(CORNERS), "-o"]
        processes[locale] = subprocess.Popen(
            [*argv, str(tmp_path / locale)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    for locale, process in processes.items():
        _stdout, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, (locale, stderr)
        actual = snapshot(tmp_path / locale)
        assert actual == expected, f"LC_ALL={locale}\n" + tree_diff(expected, actual)


def _reversed_scandir(real: Any) -> Any:
    class Reversed:
        def __init__(self, path: Any = ".") -> None:
            self._entries = sorted(real(path), key=lambda entry: entry.name, reverse=True)

        def __iter__(self) -> Iterator[Any]:
            return iter(self._entries)

        def __enter__(self) -> Reversed:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def close(self) -> None:
            pass

    return Reversed


def test_file_order_does_not_change_the_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Directories listed in reverse order, and files written in reverse order: same bytes."""
    out = tmp_path / "corners"
    shutil.copytree(GOLDEN / "corners", out)
    real_listdir, real_scandir = os.listdir, os.scandir
    monkeypatch.setattr(os, "listdir", lambda path=".": sorted(real_listdir(path), reverse=True))
    monkeypatch.setattr(os, "scandir", _reversed_scandir(real_scandir))
    files = render_files(load(CORNERS).plan, previous=out)
    write_output(dict(reversed(list(files.items()))), out)
    monkeypatch.undo()
    expected, actual = snapshot(GOLDEN / "corners"), snapshot(out)
    assert actual == expected, tree_diff(expected, actual)


@pytest.fixture(scope="module")
def new_files() -> dict[str, str]:
    """The apikey_query fixture's files, to write over an output of corners.lap."""
    return render_files(load(FIXTURES / "apikey_query.lap").plan)


@pytest.mark.parametrize("fail_at", [1, 5, 12, 30])
def test_generation_killed_midway_leaves_the_old_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    new_files: dict[str, str],
    fail_at: int,
) -> None:
    """An interrupt (Ctrl-C, a kill turned into an exception) at the Nth ``os.replace``."""
    out = tmp_path / "sdk"
    assert generate(CORNERS, out).code == 0
    (out / "NOTES.md").write_text("mine\n")
    before = snapshot(out)
    real_replace = os.replace
    calls = 0

    def interrupted(source: Any, target: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == fail_at:
            raise Killed
        real_replace(source, target)

    monkeypatch.setattr(generator.output.os, "replace", interrupted)
    with pytest.raises(Killed):
        write_output(new_files, out)
    monkeypatch.undo()
    after = snapshot(out)
    assert after == before, tree_diff(before, after)
    assert not [p for p in out.iterdir() if p.name.startswith(".lapgen-") and p.is_dir()]
    # And a run that is not interrupted then writes the new output, keeping the user's file.
    write_output(new_files, out)
    final = snapshot(out)
    assert final.pop("NOTES.md") == b"mine\n"
    assert set(final) == set(new_files)
