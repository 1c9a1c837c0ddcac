"""The line records the lark Transformer builds (``lines.py``), and their constructors.

Each constructor takes the text and position of the tokens the grammar names, not lark's
Token objects (lark's and lark-cython's differ), and nothing here imports lark.
"""

from __future__ import annotations

import re
from typing import Any, assert_never

import attrs

from .. import ir
from .terminals import REGEX_PARTS
from .values import _default_value, _scalar_type, _type_spec


@attrs.frozen
class _Line:
    """One directive line as the grammar saw it."""

    kind: str
    pos: ir.Pos
    value: Any = None


def token_pos(line: int, column: int, value: str) -> ir.Pos:
    """The position of a token's first significant character.

    Terminals carry the blanks (and, for NEXT_FIELD_NAME, the comma) that precede them.
    """
    return ir.Pos(line, column + len(value) - len(value.lstrip(" \t,")))


def _comment(token: str | None) -> str | None:
    """A ``# comment`` without its ``#`` and surrounding blanks."""
    if token is None:
        return None
    return token.strip()[1:].strip() or None


def _text(value: str | None) -> str | None:
    """A TEXT-like token's value without its blanks; None for no token or only blanks."""
    if value is None:
        return None
    return value.strip() or None


@attrs.frozen
class _Nullable:
    """``map?{…}`` on its way to the field that holds it (the field's TypeSpec is nullable)."""

    expr: ir.TypeExpr


def _bare(expr: ir.TypeExpr | _Nullable) -> ir.TypeExpr:
    """A type where the IR cannot say "nullable" (array items, dict values, ``@body``)."""
    return expr.expr if isinstance(expr, _Nullable) else expr


def build_field(
    raw_name: str,
    line: int,
    column: int,
    expr: ir.TypeExpr | _Nullable,
    nullable: bool,
    default: str | None,
    comment: str | None,
) -> ir.Field:
    """A field from its tokens: FIELD_NAME (or NEXT_FIELD_NAME), the type, ``?``, ``=…``, ``#…``.

    The hot path of the whole front end (Stytch has 8,000 fields): keep it lean.
    """
    if type(expr) is _Nullable:
        expr, nullable = expr.expr, True
    name_text = raw_name.lstrip(" \t,")
    column += len(raw_name) - len(name_text)
    name_text = name_text.rstrip()[:-1].rstrip()  # drop the ':'
    marker = name_text.endswith("!")
    decoded = None
    if default is not None:
        default_text = default.strip()[1:].strip()
        decoded = ir.Default(default_text, _default_value(default_text))
    return ir.Field(
        name_text[:-1] if marker else name_text,
        _type_spec(expr, nullable),  # type: ignore[arg-type]  # unwrapped above
        ir.Pos(line, column),
        marker,
        decoded,
        _comment(comment) if comment is not None else None,
    )


def array_type(items: ir.TypeExpr | _Nullable, fields: tuple[ir.Field, ...] | None) -> ir.ArrayType:
    """``[T]`` or ``[T]{fields}`` (the items an object named after ``T``)."""
    bare = _bare(items)  # the IR has no nullable array items: `[map?{…}]` is `[map{…}]`
    if fields is not None:
        bare = ir.ObjectType(fields, _type_name(bare))
    return ir.ArrayType(bare)


def _type_name(expr: ir.TypeExpr) -> str | None:
    """The type name written before ``[T]{…}``'s braces, kept on the object it becomes."""
    match expr:
        case ir.RefType(name=name) | ir.ObjectType(name=name):
            return name
        case ir.Primitive() | ir.EnumType() | ir.ArrayType() | ir.DictType():
            return None
        case _:
            assert_never(expr)


def returns_line(
    status: str,
    pos: ir.Pos,
    body: tuple[tuple[ir.Field, ...], str | None] | ir.TypeSpec | str | None,
) -> _Line:
    """``@returns(STATUS)`` with a field block and comment, an ``→ T``, a text or nothing."""
    if body is None:
        response = ir.Response(status, pos)
    elif isinstance(body, ir.TypeSpec):  # returns_ref
        response = ir.Response(status, pos, type=body.expr)
    elif isinstance(body, tuple):  # returns_fields
        fields, comment = body
        response = ir.Response(status, pos, fields=fields, description=comment)
    else:  # RETURNS_TEXT
        response = ir.Response(status, pos, description=_text(body))
    return _Line("returns", pos, response)


def returns_comment(comment: str | None, rest: str | None) -> str | None:
    """The description after a returns block: its FIELD_COMMENT and any RETURNS_TEXT after it."""
    if comment is None:
        return None
    return _comment(comment + (rest if rest is not None else ""))


def auth_line(options: list[list[tuple[str, ir.Pos]]]) -> _Line:
    """``@auth`` from its options, each a list of (AUTH_WORD value, position)."""
    from .values import _auth_scheme

    schemes = tuple(_auth_scheme([word.strip() for word, _ in option]) for option in options)
    raw = " | ".join(scheme.raw for scheme in schemes)
    first = options[0][0][1]
    return _Line("auth", first, ir.Auth(schemes, raw, first))


# A SIMPLE_FIELD token's pieces: the name (with the blanks and comma before it), the type, `?`.
# The type runs to the token's end, so the first `:` after which the rest is a whole type is
# the `:` that ended the token's name (an earlier one would have ended it, see NAME).
_SIMPLE_FIELD_PARTS = re.compile(
    rf"(.*?:[ \t]*)(\[{REGEX_PARTS['TYPE_TEXT']}\]|{REGEX_PARTS['TYPE_TEXT']})(\?)?",
    re.DOTALL,
)


def simple_field(
    token: str, line: int, column: int, default: str | None, comment: str | None
) -> ir.Field:
    """A field from a SIMPLE_FIELD token (``name: T``, ``name: [T]?``, ``name: map``)."""
    known = _SIMPLE_FIELDS.get(token)
    if known is None:
        parts = _SIMPLE_FIELD_PARTS.fullmatch(token)
        assert parts is not None, token  # the terminal's own shape
        raw, type_text, nullable = parts.groups()
        # The token's pieces as build_field decodes them (a field of that token, at column 0).
        field = build_field(raw, 0, 0, _simple_type(type_text), nullable is not None, None, None)
        known = (field.name, field.pos.column, field.type, field.required_marker)
        if len(_SIMPLE_FIELDS) >= _SIMPLE_FIELDS_MAX:  # a spec of distinct fields: stay small
            _SIMPLE_FIELDS.clear()
        _SIMPLE_FIELDS[token] = known
    name, offset, spec, marker = known
    decoded = None
    if default is not None:
        default_text = default.strip()[1:].strip()
        decoded = ir.Default(default_text, _default_value(default_text))
    return ir.Field(
        name,
        spec,
        ir.Pos(line, column + offset),
        marker,
        decoded,
        _comment(comment) if comment is not None else None,
    )


# SIMPLE_FIELD token → (name, column offset of the name, TypeSpec, `!`): most tokens repeat
# (`, user_id: str` is written hundreds of times in Stytch), and IR nodes are immutable, so
# fields of one token share their TypeSpec.
_SIMPLE_FIELDS: dict[str, tuple[str, int, ir.TypeSpec, bool]] = {}
_SIMPLE_FIELDS_MAX = 16_384


def _simple_type(text: str) -> ir.TypeExpr:
    """``T``, ``[T]`` or ``map``, as the general rules build them."""
    if text.startswith("["):
        return array_type(_simple_type(text[1:-1]), None)
    return ir.Primitive("map") if text == "map" else _scalar_type(text)
