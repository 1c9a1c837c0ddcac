"""Black's layout for the constructs the templates print, decided while rendering.

A template that lays its code out as black would can skip black (``{# black-stable #}``):
``fit`` puts a call, a def or a literal on one line when it fits in ``LINE_LENGTH``, else
splits it the way black does. Black stays the oracle: tests/test_black_stable.py renders
every spec the tests know and asserts that black leaves the marked modules unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

LINE_LENGTH = 100  # the line length of generator.output.formatting.BLACK_MODE
INDENT = "    "

Kind = Literal["call", "def", "collection"]
_OPENING = "([{"
_CLOSING = ")]}"


def width(text: str) -> int:
    """Columns of ``text`` as black counts them (wide East Asian characters count two)."""
    if text.isascii():
        return len(text)
    # Rare in generated code (a spec's non-ASCII text in a string literal): only then is
    # black's own table loaded.
    from black.strings import str_width

    return str_width(text)


def fit(head: str, items: str, tail: str, indent: int, kind: Kind = "call") -> str:
    """``head`` + the items + ``tail``, at ``indent`` spaces, as black lays it out.

    ``items`` holds one item a line. On one line if that fits; else, for a call or a def of
    several params, the items together on a line of their own if that fits; else one item
    a line, each with a trailing comma (which keeps black from joining them again). A
    ``collection`` literal, and a def of one param, go from one line to one item a line.
    """
    parts = [item.strip() for item in items.split("\n") if item.strip()]
    pad = " " * indent
    joined = ", ".join(parts)
    if width(f"{pad}{head}{joined}{tail}") <= LINE_LENGTH:
        return f"{pad}{head}{joined}{tail}"
    inner = pad + INDENT
    huggable = kind == "call" or (kind == "def" and len(parts) > 1)
    if huggable and len(inner) + width(joined) <= LINE_LENGTH:
        return f"{pad}{head}\n{inner}{joined}\n{pad}{tail}"
    lines = [line for part in parts for line in _item_lines(part, len(inner))]
    return "\n".join([f"{pad}{head}", *lines, f"{pad}{tail}"])


def _item_lines(item: str, indent: int) -> list[str]:
    """One item of an exploded construct, with its trailing comma."""
    pad = " " * indent
    if indent + width(item) + 1 <= LINE_LENGTH:
        return [f"{pad}{item},"]
    name, colon, rest = item.partition(": ")
    if not colon or not name.isidentifier():
        return [f"{pad}{item},"]  # nothing black could split: it stays long
    annotation, equals, default = rest.partition(" = ")
    tail = f" = {default}," if equals else ","
    if not equals and len(_split_top(annotation, " | ")) == 1:
        # `name: Literal[...]`: split in the subscript's brackets.
        return _expression_lines(f"{name}: {annotation}", indent, ",")
    # `name: (annotation) = default`: black parenthesises the long annotation.
    inner = _expression_lines(annotation, indent + len(INDENT), "")
    return [f"{pad}{name}: (", *inner, f"{pad}){tail}"]


def _expression_lines(text: str, indent: int, suffix: str) -> list[str]:
    """``text`` + ``suffix`` at ``indent``: split at top-level ``|``, then in a subscript."""
    pad = " " * indent
    if indent + width(text) + len(suffix) <= LINE_LENGTH:
        return [f"{pad}{text}{suffix}"]
    operands = _split_top(text, " | ")
    if len(operands) > 1:
        lines = _expression_lines(operands[0], indent, "")
        for operand in operands[1:]:
            lines += _expression_lines(f"| {operand}", indent, "")
        lines[-1] += suffix
        return lines
    if not text.endswith("]") or "[" not in text:
        return [f"{pad}{text}{suffix}"]
    opening = _top_bracket(text)
    head, body = text[: opening + 1], text[opening + 1 : -1]
    items = _split_top(body, ", ")
    inner = indent + len(INDENT)
    if len(items) == 1 or inner + width(body) <= LINE_LENGTH:
        middle = _expression_lines(body, inner, "")
    else:
        middle = [line for item in items for line in _expression_lines(item, inner, ",")]
    return [f"{pad}{head}", *middle, f"{pad}]{suffix}"]


def _top_bracket(text: str) -> int:
    """The index of the ``[`` whose ``]`` ends ``text``."""
    depth = 0
    for index, char in _code_chars(text):
        if char in _OPENING:
            if depth == 0 and char == "[":
                return index
            depth += 1
        elif char in _CLOSING:
            depth -= 1
    raise ValueError(f"no top-level subscript in {text!r}")


def _split_top(text: str, separator: str) -> list[str]:
    """``text`` split at the ``separator`` outside brackets and string literals."""
    pieces: list[str] = []
    start = 0
    depth = 0
    for index, char in _code_chars(text):
        if char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
        elif depth == 0 and text.startswith(separator, index) and index >= start:
            pieces.append(text[start:index])
            start = index + len(separator)
    pieces.append(text[start:])
    return pieces


def _code_chars(text: str) -> Iterator[tuple[int, str]]:
    """The characters of ``text`` outside its string literals, with their indices."""
    quote = ""  # the quote of the string literal we are in, if any
    escaped = False
    for index, char in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        else:
            yield index, char
