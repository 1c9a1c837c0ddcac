"""The generator's code stays in small pieces (issue 9): no module over 600 lines, no function
over 80 lines. ``python tests/test_code_shape.py`` prints the largest modules and functions.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80


def module_lines(source: str) -> int:
    return len(source.splitlines())


def function_sizes(source: str) -> Iterator[tuple[str, int, int]]:
    """(qualified name, first line, length in lines, decorators included) of every function."""

    def walk(node: ast.AST, prefix: str) -> Iterator[tuple[str, int, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                    assert child.end_lineno is not None
                    yield name, first, child.end_lineno - first + 1
                yield from walk(child, f"{name}.")
            else:
                yield from walk(child, prefix)

    return walk(ast.parse(source), "")


def measured() -> Iterator[tuple[str, str, int, list[tuple[str, int, int]]]]:
    for path in sorted(GENERATOR.rglob("*.py")):
        relative = path.relative_to(GENERATOR).as_posix()
        source = path.read_text("utf-8")
        yield relative, source, module_lines(source), list(function_sizes(source))


def test_modules_and_functions_are_small() -> None:
    too_big: list[str] = []
    files = list(measured())
    assert len(files) > 20, "the generator's sources were not found"
    for relative, _source, lines, functions in files:
        if lines > MAX_MODULE_LINES:
            too_big.append(f"generator/{relative}: {lines} lines")
        too_big += [
            f"generator/{relative}:{first}: {name} is {length} lines"
            for name, first, length in functions
            if length > MAX_FUNCTION_LINES
        ]
    assert not too_big, "over the limits:\n" + "\n".join(too_big)


@settings(max_examples=50, deadline=None)
@given(
    body=st.integers(min_value=1, max_value=200),
    decorators=st.integers(min_value=0, max_value=3),
    nested=st.booleans(),
    before=st.integers(min_value=0, max_value=5),
)
def test_function_sizes_count_every_line(
    body: int, decorators: int, nested: bool, before: int
) -> None:
    """The measure counts a function from its first decorator to its last line, nested or not."""
    indent = "    " if nested else ""
    lines = ["x = 1"] * before + (["class Holder:"] if nested else [])
    lines += [f"{indent}@staticmethod"] * decorators + [f"{indent}def target() -> None:"]
    lines += [f"{indent}    y = {i}" for i in range(body)]
    source = "\n".join(lines) + "\n"
    name = "Holder.target" if nested else "target"
    sizes = {found: length for found, _first, length in function_sizes(source)}
    assert sizes == {name: decorators + 1 + body}
    assert module_lines(source) == len(lines)


if __name__ == "__main__":
    rows = list(measured())
    for relative, _source, lines, _functions in sorted(rows, key=lambda r: -r[2])[:10]:
        print(f"{lines:5}  generator/{relative}")
    functions = [
        (length, f"generator/{relative}:{first} {name}")
        for relative, _source, _lines, found in rows
        for name, first, length in found
    ]
    for length, where in sorted(functions, reverse=True)[:10]:
        print(f"{length:5}  {where}")
    sys.exit(0)
