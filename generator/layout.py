"""Black's layout for the constructs the templates print, decided while rendering.

A template marked ``{# black-stable #}`` must render exactly what black would keep, so generate
can skip black for its files. For a construct whose length depends on the spec (a name, a URL,
a signature) the template cannot know whether it fits in a line, so it asks here: ``fit`` for
calls, defs and literals given as text, ``group``/``layout`` for nested constructs, and
``assignment``/``import_from``. The rule is black's own: a bracketed construct stays on one line
when it fits in ``LINE_LENGTH``, else black's split (one item per line with a magic trailing
comma, which black never joins back). tests/test_black_stable.py and tests/test_layout_fit.py
hold the results to black itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import attrs

LINE_LENGTH = 100  # the line length of generator.output.formatting.BLACK_MODE
# `field` places lines as black does for attribute names up to this width (tested); a model
# with a longer name is left to black (generator/render.py).
FIELD_NAME_LIMIT = 80
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
    # The default follows the last top-level ` = `: one inside a string literal is text.
    *annotation_parts, default = _split_top(rest, " = ")
    equals = bool(annotation_parts)
    annotation = " = ".join(annotation_parts) if equals else default
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


def field(name: str, annotation: str, value: str = "", indent: int = 4) -> str:
    """``name: annotation = value`` (no value: ``name: annotation``) in a class body, as black.

    ``value`` is an atom (``UNSET``) or a call whose arguments are split at top-level ``, ``
    (string literals are skipped). The choices follow black's right-hand split: the call's
    own brackets when ``name: annotation = call(`` fits; else the value in parentheses after
    ``= (``; else the annotation split in its subscript or in parentheses. Checked against
    black by tests/test_black_stable.py for names up to 80 columns; black's choices for
    longer names are not all modelled.
    """
    pad = " " * indent
    line = f"{pad}{name}: {annotation}" + (f" = {value}" if value else "")
    if width(line) <= LINE_LENGTH:
        return line
    if not value and _splits_in_subscript(name, annotation, indent):
        return "\n".join(_expression_lines(f"{name}: {annotation}", indent, ""))
    wrapped = [f"{pad}{name}: (", *_expression_lines(annotation, indent + len(INDENT), "")]
    if not value:
        return "\n".join([*wrapped, f"{pad})"])
    head = f"{pad}{name}: {annotation} = "
    callee, call, rest = value.partition("(")
    if call and width(f"{head}{callee}(") <= LINE_LENGTH:
        # Black drops the optional parentheses when the call's own brackets split well.
        return "\n".join(_call_body(f"{head}{callee}(", _split_top(rest[:-1], ", "), indent, ""))
    # Black prefers parentheses after ``=`` to splitting the annotation, when they fit.
    if width(head) + 1 <= LINE_LENGTH:
        return "\n".join([f"{head}(", *_value_lines(value, indent + len(INDENT), ""), f"{pad})"])
    if _splits_in_subscript(name, annotation, indent):
        # Split in the subscript (as its ``]`` then carries the value), then in the value.
        *lines, closing = _expression_lines(f"{name}: {annotation}", indent, f" = {value}")
        closing = closing.strip()
    else:
        lines, closing = wrapped, f") = {value}"
    if call and width(lines[0]) > LINE_LENGTH:
        # A first line black cannot shorten: it splits the call's brackets too.
        head, _, rest = closing.partition("(")
        return "\n".join(
            [*lines, *_call_body(f"{pad}{head}(", _split_top(rest[:-1], ", "), indent, "")]
        )
    return "\n".join([*lines, *_value_lines(closing, indent, "")])


def _splits_in_subscript(name: str, annotation: str, indent: int) -> bool:
    """Whether black splits a long ``name: X[...]`` in the subscript, not in parentheses."""
    if len(_split_top(annotation, " | ")) > 1 or not annotation.endswith("]"):
        return False
    pad = " " * indent
    head = annotation[: _top_bracket(annotation) + 1]
    return width(f"{pad}{name}: {head}") <= LINE_LENGTH or width(f"{pad}{name}: (") > LINE_LENGTH


def _value_lines(value: str, indent: int, suffix: str) -> list[str]:
    """An atom or a call at ``indent``, then ``suffix``: black's right-hand split of a call."""
    pad = " " * indent
    if indent + width(value) + len(suffix) <= LINE_LENGTH or "(" not in value:
        return [f"{pad}{value}{suffix}"]
    callee, _, rest = value.partition("(")
    return _call_body(f"{pad}{callee}(", _split_top(rest[:-1], ", "), indent, suffix)


def _call_body(head: str, arguments: list[str], indent: int, suffix: str) -> list[str]:
    """The lines after ``head`` (which opens a call) down to its ``)`` + ``suffix``."""
    pad, inner = " " * indent, indent + len(INDENT)
    joined = ", ".join(arguments)
    if inner + width(joined) <= LINE_LENGTH:
        return [head, f"{' ' * inner}{joined}", f"{pad}){suffix}"]
    if len(arguments) == 1:  # a right-hand split: no comma is added
        return [head, *_bracket_lines(arguments[0], inner, ""), f"{pad}){suffix}"]
    lines = [line for argument in arguments for line in _bracket_lines(argument, inner, ",")]
    return [head, *lines, f"{pad}){suffix}"]


def _bracket_lines(item: str, indent: int, suffix: str) -> list[str]:
    """``item`` + ``suffix``; too long, split in its last bracket pair (``key={...}``)."""
    pad = " " * indent
    if indent + width(item) + len(suffix) <= LINE_LENGTH or item[-1:] not in _CLOSING:
        return [f"{pad}{item}{suffix}"]
    opening = item.rfind(_OPENING[_CLOSING.index(item[-1])], 0, _first_string(item))
    head, body = item[: opening + 1], item[opening + 1 : -1]
    return [
        f"{pad}{head}",
        *_bracket_lines(body, indent + len(INDENT), ""),
        f"{pad}{item[-1]}{suffix}",
    ]


def _first_string(text: str) -> int:
    """The index of the first quote in ``text`` (its length if none)."""
    quotes = [index for index in (text.find('"'), text.find("'")) if index >= 0]
    return min(quotes, default=len(text))
