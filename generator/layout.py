"""Line layout that black leaves alone, decided while rendering (templates call these).

A template marked ``{# black-stable #}`` must render exactly what black would keep. For a
construct whose length depends on the spec (a name, a URL) the template cannot know whether it
fits in a line, so it asks here. The rule is the one black keeps stable by design: a bracketed
construct stays on one line when it fits, and otherwise has one item per line with a trailing
comma (black's "magic trailing comma", which black never joins back). tests/test_black_stable.py
checks the result against black itself.
"""

from __future__ import annotations

import re
import unicodedata

import attrs

LINE_LENGTH = 100  # black's line length for the generated code (generator.output.BLACK_MODE)
INDENT = "    "


def width(text: str) -> int:
    """Columns ``text`` takes as black counts them: wide East Asian characters take two."""
    if text.isascii():
        return len(text)
    return sum(
        0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
    )


@attrs.frozen
class Group:
    """``head`` + the items, comma-separated, + ``close``: a call, a literal, an import list."""

    head: str  # up to and including the opening bracket: ``name = call(``
    items: tuple[str | Group, ...]
    close: str  # the closing bracket, and what follows it on the line
    # One item per line even when they would fit in one: a magic trailing comma keeps it so.
    exploded: bool = False
    one_tuple: bool = False  # ``(item,)``: its comma is not a magic one, black may join it

    def flat(self) -> str:
        inner = ", ".join(item.flat() if isinstance(item, Group) else item for item in self.items)
        return f"{self.head}{inner}{',' if self.one_tuple else ''}{self.close}"


def group(
    head: str,
    *items: str | Group,
    close: str = ")",
    exploded: bool = False,
    one_tuple: bool = False,
) -> Group:
    if one_tuple and (exploded or len(items) != 1):
        raise ValueError("a one-tuple has one item, and black joins it whenever it fits")
    return Group(head, items, close, exploded, one_tuple)


def layout(indent: int, construct: Group, tail: str = "") -> str:
    """``construct`` (then ``tail``) starting at column ``indent``, as black leaves it.

    The first line carries no indentation (the template writes it); the lines after it do.
    """
    flat = construct.flat() + tail
    if not construct.items or (not construct.exploded and indent + width(flat) <= LINE_LENGTH):
        return flat
    inner = indent + len(INDENT)
    lines = [construct.head]
    for item in construct.items:
        text = layout(inner, item, ",") if isinstance(item, Group) else f"{item},"
        lines.append(" " * inner + text)
    lines.append(" " * indent + construct.close + tail)
    return "\n".join(lines)


def assignment(target: str, value: str, *, annotated: bool = False) -> str:
    """``target = value`` at module level, for an atom ``value`` (a literal, a name).

    Black puts a too-long value in parentheses on a line of its own: always after an
    annotation, otherwise only when that makes the value fit.
    """
    line = f"{target} = {value}"
    if width(line) <= LINE_LENGTH:
        return line
    if annotated or len(INDENT) + width(value) <= LINE_LENGTH:
        return f"{target} = (\n{INDENT}{value}\n)"
    return line


def import_from(indent: int, module: str, *names: str) -> str:
    """``from module import names``, in parentheses one name a line when it does not fit."""
    line = f"from {module} import {', '.join(names)}"
    if indent + width(line) <= LINE_LENGTH:
        return line
    return layout(indent, group(f"from {module} import (", *names))


# One character of a string literal's body, or one backslash escape.
_BODY_PART = re.compile(r"\\[\s\S]|[^\\]")


def black_quotes(literal: str) -> str:
    """A double-quoted literal (``| py``, ``| tojson``) with the quotes black chooses.

    Black keeps double quotes unless single quotes need fewer backslashes, and drops an
    escape of ``'`` that double quotes do not need.
    """
    if len(literal) < 2 or literal[0] != '"' or literal[-1] != '"' or literal.startswith('"""'):
        return literal
    parts = _BODY_PART.findall(literal[1:-1])
    double = "".join("'" if part == "\\'" else part for part in parts)
    single = "".join({'\\"': '"', "'": "\\'", "\\'": "\\'"}.get(part, part) for part in parts)
    if single.count("\\") < double.count("\\"):
        return f"'{single}'"
    return f'"{double}"'
