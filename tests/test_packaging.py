"""`pip install .` (not only -e) must give a working lapgen: the wheel ships its data files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from regenerate import REPO


def test_wheel_ships_the_grammar_and_every_template(tmp_path: Path) -> None:
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = tmp_path.glob("lapgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = sorted(path.name for path in (REPO / "templates" / "sdk").glob("*.jinja"))
    assert templates, "no templates found in the checkout"
    missing = [name for name in templates if f"generator/templates/sdk/{name}" not in names]
    assert not missing, f"templates missing from the wheel: {missing}"
    assert "generator/grammar.lark" in names
    assert "generator/py.typed" in names
