"""The README's Stytch example is code a user can type-check: ``mypy --strict`` passes on it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from regenerate import GENERATED, REPO

README = REPO / "README.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, re.DOTALL)


def test_the_stytch_example_passes_mypy_strict(tmp_path: Path) -> None:
    (example,) = [
        block for block in python_blocks(README.read_text("utf-8")) if "stytch_api" in block
    ]
    script = tmp_path / "example.py"
    script.write_text(example, "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        cwd=tmp_path,
        env={"MYPYPATH": str(GENERATED), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout


def test_the_stytch_example_compiles_and_names_real_methods() -> None:
    (example,) = [
        block for block in python_blocks(README.read_text("utf-8")) if "stytch_api" in block
    ]
    compile(example, "README.md", "exec")
    for accessor in re.findall(r"client\.((?:\w+\.)+\w+)\(", example):
        *resource, method = accessor.split(".")
        module = GENERATED / "stytch_api" / "resources" / f"{resource[0]}.py"
        if resource[-1] == "with_raw_response":
            continue
        assert f"def {method}(" in module.read_text("utf-8"), accessor
