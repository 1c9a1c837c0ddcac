"""Generated modules import exactly what they use (issue 11: the generated code is ruff-clean)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from generator.render import import_block, names_read

ROOT = Path(__file__).resolve().parent.parent
GENERATED = [ROOT / "generated" / "stytch_api", ROOT / "tests" / "fixtures" / "golden"]

OFFERED = [
    [("collections.abc", ["Iterator", "Mapping"]), ("typing", ["Any", "Dict", "List"])],
    [("attrs", [])],
    [("._models", ["dump", "parse_object"]), ("._types", ["UNSET", "Unset"])],
]
ALL_NAMES = ["Iterator", "Mapping", "Any", "Dict", "List", "attrs", "dump", "parse_object"]
ALL_NAMES += ["UNSET", "Unset"]


def _imported(block: str) -> list[str]:
    names: list[str] = []
    for node in ast.parse(block).body:
        assert isinstance(node, (ast.Import, ast.ImportFrom))
        names += [alias.name for alias in node.names]
    return names


@given(
    used=st.lists(st.sampled_from(ALL_NAMES), unique=True),
    unrelated=st.lists(st.sampled_from(["data", "value", "self_"]), unique=True),
)
def test_import_block_imports_exactly_the_offered_names_the_body_uses(
    used: list[str], unrelated: list[str]
) -> None:
    body = "".join(f"x_{index} = {name}\n" for index, name in enumerate(used + unrelated))
    block = import_block(body, OFFERED)
    imported = _imported(block)
    assert sorted(imported) == sorted(used)
    assert len(imported) == len(set(imported))
    # Each group keeps its place and order: the block is what isort/black would leave alone.
    order = [name for name in ALL_NAMES if name in used]
    assert imported == order


def test_names_read_sees_annotations_fstrings_and_attribute_roots() -> None:
    code = 'def f(a: Dict[str, Any]) -> models.User:\n    return f"{path_param(a)}"\n'
    assert {"Dict", "Any", "models", "path_param"} <= names_read(code)
    assert "User" not in names_read(code)  # an attribute, not a name to import


def test_generated_sdks_are_ruff_clean() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated"]
        + ["--select", "E,F,W", "--ignore", "E501", "--output-format", "concise"]
        + [str(path) for path in GENERATED],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
