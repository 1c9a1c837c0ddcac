"""The lark Transformer that turns each directive line into a small record (see records.py)."""

from __future__ import annotations

from typing import Any

from lark import Token, Transformer

from .. import ir
from .records import (
    _bare,
    _Line,
    _Nullable,
    _text,
    array_type,
    auth_line,
    build_field,
    returns_comment,
    returns_line,
    simple_field,
    token_pos,
)
from .values import _scalar_type

__all__ = ["_Line", "_LineBuilder"]


def _pos(token: Token) -> ir.Pos:
    """The position of a token's first significant character (blanks and commas skipped)."""
    return token_pos(token.line or 0, token.column or 0, token.value)


def _value(token: Token | None) -> str | None:
    return None if token is None else str(token.value)


class _Expanded:
    __slots__ = ("children",)

    def __init__(self, children: list[Any]) -> None:
        self.children = children


class _LineBuilder(Transformer[Token, list[_Line]]):
    """Builds a ``_Line`` per directive and IR nodes for types and fields.

    It runs inside the LALR parser (``Lark(transformer=...)``), so no parse tree is built.
    """

    def __default__(self, data: Any, children: list[Any], meta: Any) -> _Expanded:
        # Only the rules lark inlines into their parent (`_line`, `x*` helpers) get here; the
        # parent reads `.children`, so a lark Tree (with its meta) is not needed.
        return _Expanded(children)

    def start(self, children: list[Any]) -> list[_Line]:
        return [child for child in children if isinstance(child, _Line)]

    def lap_line(self, children: list[Token]) -> _Line:
        return _Line("lap", _pos(children[0]), children[0].value.strip())

    def _simple(kind: str) -> Any:  # type: ignore[misc]  # builds methods at class creation
        def method(self: _LineBuilder, children: list[Token | None]) -> _Line:
            keyword, text = children
            assert keyword is not None
            return _Line(kind, _pos(keyword), _text(_value(text)))

        return method

    api = _simple("api")
    base = _simple("base")
    version = _simple("version")
    hint = _simple("hint")
    group = _simple("group")
    desc = _simple("desc")
    example_request = _simple("example_request")

    def endgroup(self, children: list[Token]) -> _Line:
        return _Line("endgroup", _pos(children[0]))

    def end(self, children: list[Token]) -> _Line:
        return _Line("end", _pos(children[0]))

    def endpoints_count(self, children: list[Token]) -> _Line:
        return _Line("endpoints", _pos(children[0]), int(children[1].value))

    def toc(self, children: list[Any]) -> _Line:
        entries = tuple(child for child in children if isinstance(child, ir.TocEntry))
        return _Line("toc", entries[0].pos, entries)

    def toc_entry(self, children: list[Token]) -> ir.TocEntry:
        name, count = children
        return ir.TocEntry(name.value.strip(), int(count.value), _pos(name))

    def common_fields(self, children: list[Any]) -> _Line:
        return _Line("common_fields", _pos(children[0]), children[1])

    def type_def(self, children: list[Any]) -> _Line:
        name, fields = children
        return _Line("type", _pos(name), ir.NamedType(name.value.strip(), fields, _pos(name)))

    def endpoint(self, children: list[Token]) -> _Line:
        method, path = children
        return _Line(
            "endpoint", _pos(method), (method.value.strip(), path.value.strip(), _pos(path))
        )

    def body(self, children: list[Any]) -> _Line:
        arrow, expr = children
        return _Line("body", _pos(arrow), _bare(expr))

    def required(self, children: list[Any]) -> _Line:
        return _Line("required", _pos(children[0]), children[1])

    def optional(self, children: list[Any]) -> _Line:
        return _Line("optional", _pos(children[0]), children[1])

    def unknown_directive(self, children: list[Token | None]) -> _Line:
        name, text = children
        assert name is not None
        return _Line("unknown", _pos(name), (name.value[1:], _text(_value(text))))

    # -- auth --------------------------------------------------------------------------------

    def auth(self, children: list[Any]) -> _Line:
        return auth_line([option for option in children if isinstance(option, list)])

    def auth_option(self, children: list[Token]) -> list[tuple[str, ir.Pos]]:
        return [(word.value, _pos(word)) for word in children]

    # -- responses and errors ------------------------------------------------------------------

    def returns(self, children: list[Any]) -> _Line:
        status, body = children
        if body is not None and not isinstance(body, (tuple, ir.TypeSpec)):
            body = body.value  # RETURNS_TEXT (a lark or lark-cython token)
        return returns_line(status.value, _pos(status), body)

    def returns_fields(self, children: list[Any]) -> tuple[tuple[ir.Field, ...], str | None]:
        fields, comment, rest = children
        return fields, returns_comment(_value(comment), _value(rest))

    def returns_ref(self, children: list[Any]) -> ir.TypeSpec:
        return ir.TypeSpec(_bare(children[1]))

    def errors(self, children: list[Any]) -> _Line:
        cases = tuple(case for case in children if isinstance(case, ir.ErrorCase))
        return _Line("errors", _pos(children[0]), cases)

    def error_case(self, children: list[Token | None]) -> ir.ErrorCase:
        status, type_name, text = children
        assert status is not None
        return ir.ErrorCase(
            status.value, _pos(status), _text(_value(type_name)), _text(_value(text))
        )

    # -- fields and types ----------------------------------------------------------------------

    def field_block(self, children: list[Any]) -> tuple[ir.Field, ...]:
        return tuple(field for field in children if isinstance(field, ir.Field))

    def field(self, children: list[Any]) -> ir.Field:
        name, expr, nullable, default, comment = children
        return build_field(
            name.value,
            name.line or 0,
            name.column or 0,
            expr,
            nullable is not None,
            None if default is None else default.value,
            None if comment is None else comment.value,
        )

    def simple_field(self, children: list[Any]) -> ir.Field:
        token, default, comment = children
        return simple_field(
            token.value,
            token.line or 0,
            token.column or 0,
            None if default is None else default.value,
            None if comment is None else comment.value,
        )

    def named_type(self, children: list[Any]) -> ir.TypeExpr:
        token, fields = children
        return ir.ObjectType(fields, token.value.partition("(")[0])

    def scalar_type(self, children: list[Any]) -> ir.TypeExpr:
        return _scalar_type(children[0].value)

    def scalar_field(self, children: list[Any]) -> ir.Field:
        children[1] = _scalar_type(children[1].value)
        return self.field(children)

    def nullable_map_type(self, children: list[Any]) -> _Nullable:
        return _Nullable(ir.ObjectType(children[1]))

    def map_type(self, children: list[Any]) -> ir.TypeExpr:
        fields = children[0]
        return ir.Primitive("map") if fields is None else ir.ObjectType(fields)

    def dict_type(self, children: list[Any]) -> ir.DictType:
        return ir.DictType(_bare(children[0]), _bare(children[2]))

    def array_type(self, children: list[Any]) -> ir.ArrayType:
        items, fields = children
        return array_type(items, fields)
