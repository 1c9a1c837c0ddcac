"""The lark Transformer that turns each directive line into a small record."""

from __future__ import annotations

from typing import Any, assert_never

import attrs
from lark import Token, Transformer

from .. import ir
from .values import _auth_scheme, _default_value, _scalar_type, _type_spec

# ---------------------------------------------------------------------------------------------
# The grammar and the line builder
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class _Line:
    """One directive line as the grammar saw it."""

    kind: str
    pos: ir.Pos
    value: Any = None


def _pos(token: Token) -> ir.Pos:
    """The position of a token's first significant character.

    Terminals carry the blanks (and, for NEXT_FIELD_NAME, the comma) that precede them.
    """
    value: str = token.value
    return ir.Pos(token.line or 0, (token.column or 0) + len(value) - len(value.lstrip(" \t,")))


def _comment(token: str | None) -> str | None:
    """A ``# comment`` without its ``#`` and surrounding blanks."""
    if token is None:
        return None
    return token.strip()[1:].strip() or None


def _text(token: Token | None) -> str | None:
    if token is None:
        return None
    value: str = token.value.strip()
    return value or None


class _Expanded:
    __slots__ = ("children",)

    def __init__(self, children: list[Any]) -> None:
        self.children = children


@attrs.frozen
class _Nullable:
    """``map?{…}`` on its way to the field that holds it (the field's TypeSpec is nullable)."""

    expr: ir.TypeExpr


def _bare(expr: ir.TypeExpr | _Nullable) -> ir.TypeExpr:
    """A type where the IR cannot say "nullable" (array items, dict values, ``@body``)."""
    return expr.expr if isinstance(expr, _Nullable) else expr


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
            return _Line(kind, _pos(keyword), _text(text))

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
        return _Line("unknown", _pos(name), (name.value[1:], _text(text)))

    # -- auth --------------------------------------------------------------------------------

    def auth(self, children: list[Any]) -> _Line:
        options = [child for child in children if isinstance(child, tuple)]
        first = options[0][0][0]
        schemes = tuple(scheme for _, scheme in options)
        raw = " | ".join(scheme.raw for scheme in schemes)
        return _Line("auth", _pos(first), ir.Auth(schemes, raw, _pos(first)))

    def auth_option(self, children: list[Token]) -> tuple[list[Token], ir.AuthScheme]:
        return children, _auth_scheme([word.value.strip() for word in children])

    # -- responses and errors ------------------------------------------------------------------

    def returns(self, children: list[Any]) -> _Line:
        status, body = children
        pos = _pos(status)
        code = status.value
        if body is None:
            response = ir.Response(code, pos)
        elif isinstance(body, ir.TypeSpec):  # returns_ref
            response = ir.Response(code, pos, type=body.expr)
        elif isinstance(body, tuple):  # returns_fields
            fields, comment = body
            response = ir.Response(code, pos, fields=fields, description=comment)
        else:  # RETURNS_TEXT
            response = ir.Response(code, pos, description=_text(body))
        return _Line("returns", pos, response)

    def returns_fields(self, children: list[Any]) -> tuple[tuple[ir.Field, ...], str | None]:
        fields, comment, rest = children
        if comment is None:
            return fields, None
        return fields, _comment(comment.value + (rest.value if rest is not None else ""))

    def returns_ref(self, children: list[Any]) -> ir.TypeSpec:
        return ir.TypeSpec(_bare(children[1]))

    def errors(self, children: list[Any]) -> _Line:
        cases = tuple(case for case in children if isinstance(case, ir.ErrorCase))
        return _Line("errors", _pos(children[0]), cases)

    def error_case(self, children: list[Token | None]) -> ir.ErrorCase:
        status, type_name, text = children
        assert status is not None
        return ir.ErrorCase(status.value, _pos(status), _text(type_name), _text(text))

    # -- fields and types ----------------------------------------------------------------------

    def field_block(self, children: list[Any]) -> tuple[ir.Field, ...]:
        return tuple(field for field in children if isinstance(field, ir.Field))

    def field(self, children: list[Any]) -> ir.Field:
        # The hot path of the whole front end (Stytch has 8,000 fields): keep it lean.
        name, expr, nullable, default, comment = children
        if type(expr) is _Nullable:
            expr, nullable = expr.expr, True
        raw: str = name.value
        name_text = raw.lstrip(" \t,")
        column = (name.column or 0) + len(raw) - len(name_text)
        name_text = name_text.rstrip()[:-1].rstrip()  # drop the ':'
        marker = name_text.endswith("!")
        if default is not None:
            default_text = default.value.strip()[1:].strip()
            default = ir.Default(default_text, _default_value(default_text))
        return ir.Field(
            name_text[:-1] if marker else name_text,
            _type_spec(expr, nullable is not None),
            ir.Pos(name.line or 0, column),
            marker,
            default,
            _comment(comment.value) if comment is not None else None,
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
        items = _bare(items)  # the IR has no nullable array items: `[map?{…}]` is `[map{…}]`
        if fields is not None:
            items = ir.ObjectType(fields, _type_name(items))
        return ir.ArrayType(items)


def _type_name(expr: ir.TypeExpr) -> str | None:
    """The type name written before ``[T]{…}``'s braces, kept on the object it becomes."""
    match expr:
        case ir.RefType(name=name) | ir.ObjectType(name=name):
            return name
        case ir.Primitive() | ir.EnumType() | ir.ArrayType() | ir.DictType():
            return None
        case _:
            assert_never(expr)
