"""A line scanner for well-formed specs: the same records as the lark parser, several times faster.

It lexes with the grammar's own terminal regexes (``terminals.terminal``), taking at
each point the terminal that lark's contextual lexer would take there, and builds the records
with the constructors the lark Transformer uses (``records.py``). It does not report errors:
at anything it does not accept it gives up (``None``) and ``read_spec`` parses the text again
with lark, which then reports the problem exactly as before. So a spec the scanner reads gives
the records lark's parse gives (tests/test_frontend_scanner.py checks this on the corpus and
on generated specs), and a spec it refuses gets lark's diagnostics.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .. import ir
from .records import (
    _bare,
    _comment,
    _Line,
    _Nullable,
    _text,
    array_type,
    auth_line,
    build_field,
    returns_comment,
    returns_line,
    token_pos,
)
from .terminals import terminal, terminal_sources
from .values import _default_value, _scalar_type, _type_spec


def _simple_field(name_terminal: str) -> re.Pattern[str]:
    """A field up to its ``?`` whose type is a TYPE_NAME, ``map`` or ``[TYPE_NAME]``, in one
    match (most fields are); group 4 is the character after it (of ``,}=#``).

    The terminals in the order the field's grammar takes them, each atomic as lark's lexer
    matches a terminal once, the ``?`` possessive as lark takes a terminal that matches. It
    matches where ``_Scanner.field`` would read the same tokens, and a DEFAULT, a
    FIELD_COMMENT, NEXT_FIELD_NAME or RBRACE follows; the scanner reads other fields with
    ``field``.
    """
    sources = terminal_sources()
    type_name = f"(?>{sources['TYPE_NAME']})"
    return re.compile(
        f"((?>{sources[name_terminal]}))(?>(\\[{type_name}\\]|{type_name}))"
        r"(?![ \t]*\{|<)"  # not `Name {…}`, `[T]{…}`, `map{…}` (LBRACE) or `map<K, V>`
        r"(\?)?+(?=[ \t]*([,}=#]))"
    )


_MAP = ir.Primitive("map")


def _simple_type(text: str) -> ir.TypeExpr:
    """The type of a ``_simple_field`` match, as the Transformer builds it."""
    if text.startswith("["):
        return array_type(_simple_type(text[1:-1]), None)
    return _MAP if text == "map" else _scalar_type(text)


class _GiveUp(Exception):
    """The text is not something the scanner reads: lark decides."""


class _Scanner:
    """Reads the text line by line; ``pos`` is an offset into the whole text.

    Terminals are matched against the whole text, as lark does, so look-aheads see the end of
    the line and look-behinds the character before.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.line = 0
        self.line_start = 0
        self.field_name = terminal("FIELD_NAME").match
        self.next_field_name = terminal("NEXT_FIELD_NAME").match
        self.type_name = terminal("TYPE_NAME").match
        self.nullable_map = terminal("NULLABLE_MAP").match
        self.lbrace = terminal("LBRACE").match
        self.rbrace = terminal("RBRACE").match
        self.comma = terminal("COMMA").match
        self.newline = terminal("_NL").match
        self.directive = terminal("DIRECTIVE").match
        self.first_simple = _simple_field("FIELD_NAME").match
        self.next_simple = _simple_field("NEXT_FIELD_NAME").match
        # name token → (name, `!` marker, offset of the name in the token): names repeat a lot.
        self.names: dict[str, tuple[str, bool, int]] = {}
        # `str`, `[User]?` → its TypeSpec, shared as IR nodes are frozen.
        self.specs: dict[str, ir.TypeSpec] = {}

    # -- tokens ----------------------------------------------------------------------------

    def expect(self, name: str, pos: int) -> re.Match[str]:
        match = terminal(name).match(self.text, pos)
        if match is None:
            raise _GiveUp
        return match

    def pos_of(self, offset: int, value: str) -> ir.Pos:
        return token_pos(self.line, offset - self.line_start + 1, value)

    def end_of_line(self, pos: int) -> int:
        """``_NL``: blanks then the newline; the offset after it."""
        match = self.newline(self.text, pos)
        if match is None:
            raise _GiveUp
        return match.end()

    def optional_text(self, pos: int) -> tuple[str | None, int]:
        """``[TEXT] _NL``: the text (None for none) and the offset after the line."""
        match = terminal("TEXT").match(self.text, pos)
        if match is None:
            return None, self.end_of_line(pos)
        return match.group(), self.end_of_line(match.end())

    # -- lines -----------------------------------------------------------------------------

    def scan(self) -> list[_Line]:
        text = self.text
        records: list[_Line] = []
        pos, number = 0, 0
        while True:  # `_NL* lap_line`: blank lines, then `@lap WORD`
            number += 1
            if not text.startswith("@lap", pos):
                pos = self.end_of_line(pos)
                continue
            self.line, self.line_start = number, pos
            word = self.expect("WORD", pos + 4)
            records.append(
                _Line("lap", self.pos_of(word.start(), word.group()), word.group().strip())
            )
            pos = self.end_of_line(word.end())
            break
        handlers = self.handlers()
        end = len(text)
        while pos < end:
            number += 1
            self.line, self.line_start = number, pos
            first = text[pos]
            if first == "@":
                match = self.directive(text, pos)
                if match is None:
                    raise _GiveUp
                handler = handlers.get(match.group(), self.unknown_directive)
                record, pos = handler(match)
                records.append(record)
            elif first == "#":  # LINE_COMMENT
                pos = text.index("\n", pos) + 1
            else:
                pos = self.end_of_line(pos)
        return records

    def handlers(self) -> dict[str, Callable[[re.Match[str]], tuple[_Line, int]]]:
        simple = {
            keyword: self.simple(keyword, optional)
            for keyword, optional in (
                ("api", False),
                ("base", False),
                ("version", False),
                ("hint", False),
                ("group", False),
                ("desc", True),
                ("example_request", True),
            )
        }
        blocks = {kind: self.block_line(kind) for kind in ("common_fields", "required", "optional")}
        return {
            f"@{keyword}": handler
            for keyword, handler in {
                **simple,
                **blocks,
                "endgroup": self.bare("endgroup"),
                "end": self.bare("end"),
                "endpoints": self.endpoints_count,
                "toc": self.toc,
                "type": self.type_def,
                "endpoint": self.endpoint,
                "body": self.body,
                "auth": self.auth,
                "returns": self.returns,
                "errors": self.errors,
                # A keyword lark does not take at the start of a line: its diagnostic.
                "lap": self.give_up,
            }.items()
        }

    def give_up(self, keyword: re.Match[str]) -> tuple[_Line, int]:
        raise _GiveUp

    def simple(self, kind: str, optional: bool) -> Callable[[re.Match[str]], tuple[_Line, int]]:
        """``@api TEXT``, ``@desc [TEXT]`` and the like."""

        def handler(keyword: re.Match[str]) -> tuple[_Line, int]:
            value, pos = self.optional_text(keyword.end())
            if value is None and not optional:
                raise _GiveUp
            return _Line(kind, self.pos_of(keyword.start(), keyword.group()), _text(value)), pos

        return handler

    def bare(self, kind: str) -> Callable[[re.Match[str]], tuple[_Line, int]]:
        """``@end``, ``@endgroup``: nothing but blanks after the keyword."""

        def handler(keyword: re.Match[str]) -> tuple[_Line, int]:
            pos = self.pos_of(keyword.start(), keyword.group())
            return _Line(kind, pos), self.end_of_line(keyword.end())

        return handler

    def block_line(self, kind: str) -> Callable[[re.Match[str]], tuple[_Line, int]]:
        """``@required {fields}`` and the like: a field block and the end of the line."""

        def handler(keyword: re.Match[str]) -> tuple[_Line, int]:
            fields, pos = self.field_block(keyword.end())
            line = _Line(kind, self.pos_of(keyword.start(), keyword.group()), fields)
            return line, self.end_of_line(pos)

        return handler

    def unknown_directive(self, name: re.Match[str]) -> tuple[_Line, int]:
        value, pos = self.optional_text(name.end())
        position = self.pos_of(name.start(), name.group())
        return _Line("unknown", position, (name.group()[1:], _text(value))), pos

    def endpoints_count(self, keyword: re.Match[str]) -> tuple[_Line, int]:
        count = self.expect("INT", keyword.end())
        position = self.pos_of(keyword.start(), keyword.group())
        line = _Line("endpoints", position, int(count.group()))
        return line, self.end_of_line(count.end())

    def toc(self, keyword: re.Match[str]) -> tuple[_Line, int]:
        entries = []
        pos = keyword.end()
        text = self.text
        while True:
            name = self.expect("TOC_NAME", pos)
            if text[name.end()] != "(":
                raise _GiveUp
            count = self.expect("INT", name.end() + 1)
            if text[count.end()] != ")":
                raise _GiveUp
            position = self.pos_of(name.start(), name.group())
            entries.append(ir.TocEntry(name.group().strip(), int(count.group()), position))
            pos = count.end() + 1
            comma = self.comma(text, pos)
            if comma is None:
                return _Line("toc", entries[0].pos, tuple(entries)), self.end_of_line(pos)
            pos = comma.end()

    def type_def(self, keyword: re.Match[str]) -> tuple[_Line, int]:
        name = self.expect("TYPE_DEF_NAME", keyword.end())
        fields, pos = self.field_block(name.end())
        position = self.pos_of(name.start(), name.group())
        named = ir.NamedType(name.group().strip(), fields, position)
        return _Line("type", position, named), self.end_of_line(pos)

    def endpoint(self, keyword: re.Match[str]) -> tuple[_Line, int]:
        method = self.expect("METHOD", keyword.end())
        path = self.expect("PATH", method.end())
        path_pos = self.pos_of(path.start(), path.group())
        value = (method.group().strip(), path.group().strip(), path_pos)
        line = _Line("endpoint", self.pos_of(method.start(), method.group()), value)
        return line, self.end_of_line(path.end())

    def body(self, keyword: re.Match[str]) -> tuple[_Line, int]:
        arrow = self.expect("ARROW", keyword.end())
        expr, pos = self.type_expr(arrow.end())
        line = _Line("body", self.pos_of(arrow.start(), arrow.group()), _bare(expr))
        return line, self.end_of_line(pos)

    def auth(self, keyword: re.Match[str]) -> tuple[_Line, int]:
        word, pipe = terminal("AUTH_WORD").match, terminal("PIPE").match
        options: list[list[tuple[str, ir.Pos]]] = [[]]
        pos = keyword.end()
        while True:
            match = word(self.text, pos)
            if match is not None:
                options[-1].append((match.group(), self.pos_of(match.start(), match.group())))
                pos = match.end()
                continue
            if not options[-1]:  # an option needs a word: `@auth`, `A |`, `A | | B`
                raise _GiveUp
            match = pipe(self.text, pos)
            if match is None:
                return auth_line(options), self.end_of_line(pos)
            options.append([])
            pos = match.end()

    def returns(self, keyword: re.Match[str]) -> tuple[_Line, int]:
        text = self.text
        if text[keyword.end()] != "(":
            raise _GiveUp
        status = self.expect("STATUS", keyword.end() + 1)
        pos = status.end()
        if text[pos] != ")":
            raise _GiveUp
        pos += 1
        body: Any = None
        arrow = terminal("ARROW").match(text, pos)  # priority 2: before RETURNS_TEXT
        if self.lbrace(text, pos) is not None:
            fields, pos = self.field_block(pos)
            comment = terminal("FIELD_COMMENT").match(text, pos)
            rest = None
            if comment is not None:
                pos = comment.end()
                rest = terminal("RETURNS_TEXT").match(text, pos)
                pos = rest.end() if rest is not None else pos
            body = (
                fields,
                returns_comment(
                    comment.group() if comment else None, rest.group() if rest else None
                ),
            )
        elif arrow is not None:
            expr, pos = self.type_expr(arrow.end())
            body = ir.TypeSpec(_bare(expr))
        else:
            description = terminal("RETURNS_TEXT").match(text, pos)
            if description is not None:
                body, pos = description.group(), description.end()
        position = self.pos_of(status.start(), status.group())
        return returns_line(status.group(), position, body), self.end_of_line(pos)

    def errors(self, keyword: re.Match[str]) -> tuple[_Line, int]:
        text = self.text
        lbrace = self.expect("LBRACE", keyword.end())
        cases: list[ir.ErrorCase] = []
        pos = lbrace.end()
        if self.rbrace(text, pos) is None:
            while True:
                case, pos = self.error_case(pos)
                cases.append(case)
                comma = self.comma(text, pos)
                if comma is None:
                    break
                pos = comma.end()
        pos = self.expect("RBRACE", pos).end()
        line = _Line("errors", self.pos_of(lbrace.start(), lbrace.group()), tuple(cases))
        return line, self.end_of_line(pos)

    def error_case(self, pos: int) -> tuple[ir.ErrorCase, int]:
        """``STATUS [":" [ERROR_TYPE ":"] [ERROR_TEXT]]``."""
        text = self.text
        status = self.expect("STATUS", pos)
        pos = status.end()
        type_name = description = None
        if text[pos] == ":":
            pos += 1
            found = terminal("ERROR_TYPE").match(text, pos)  # priority 2
            if found is not None and text[found.end()] == ":":
                type_name, pos = found.group(), found.end() + 1
            found = terminal("ERROR_TEXT").match(text, pos)
            if found is not None:
                if found.group().lstrip(" \t")[:1] in (",", "}"):
                    raise _GiveUp  # COMMA or RBRACE could start here too: lark decides
                description, pos = found.group(), found.end()
        position = self.pos_of(status.start(), status.group())
        case = ir.ErrorCase(status.group(), position, _text(type_name), _text(description))
        return case, pos

    # -- field blocks and types ------------------------------------------------------------

    def field_block(self, pos: int) -> tuple[tuple[ir.Field, ...], int]:
        """``LBRACE [field next_field*] RBRACE``."""
        text = self.text
        lbrace = self.lbrace(text, pos)
        if lbrace is None:
            raise _GiveUp
        pos = lbrace.end()
        fields: list[ir.Field] = []
        simple, name_match = self.first_simple, self.field_name
        while True:
            match = simple(text, pos)
            if match is not None:
                field, pos = self.simple_field(match)
                fields.append(field)
            else:
                name = name_match(text, pos)
                if name is None:
                    break
                field, pos = self.field(name)
                fields.append(field)
            simple, name_match = self.next_simple, self.next_field_name
        rbrace = self.rbrace(text, pos)
        if rbrace is None:
            raise _GiveUp
        return tuple(fields), rbrace.end()

    def simple_field(self, match: re.Match[str]) -> tuple[ir.Field, int]:
        """``build_field`` for a match of ``_simple_field``, with the name's work cached."""
        raw, type_text, nullable, follows = match.groups()
        spec_key = type_text if nullable is None else type_text + "?"
        spec = self.specs.get(spec_key)
        if spec is None:
            expr = _simple_type(type_text)
            spec = self.specs[spec_key] = _type_spec(expr, nullable is not None)
        known = self.names.get(raw)
        if known is None:
            probe = build_field(raw, 0, 0, ir.Primitive("str"), False, None, None)
            known = self.names[raw] = (probe.name, probe.required_marker, probe.pos.column)
        name, marker, offset = known
        pos = match.end()
        decoded = comment = None
        if follows == "=":  # DEFAULT, decoded as build_field decodes it
            default = terminal("DEFAULT").match(self.text, pos)
            assert default is not None  # `[ \t]*=` and what may follow, possibly nothing
            default_text = default.group().strip()[1:].strip()
            decoded = ir.Default(default_text, _default_value(default_text))
            pos = default.end()
        if follows in "=#":
            found = terminal("FIELD_COMMENT").match(self.text, pos)
            if found is not None:
                comment, pos = _comment(found.group()), found.end()
        field = ir.Field(
            name,
            spec,
            ir.Pos(self.line, match.start() - self.line_start + 1 + offset),
            marker,
            decoded,
            comment,
        )
        return field, pos

    def field(self, name: re.Match[str]) -> tuple[ir.Field, int]:
        """A field after its name: the type, ``?``, ``=default``, ``# comment``."""
        text = self.text
        expr, pos = self.type_expr(name.end())
        nullable = text[pos] == "?"
        if nullable:
            pos += 1
        default = terminal("DEFAULT").match(text, pos)
        if default is not None:
            pos = default.end()
        comment = terminal("FIELD_COMMENT").match(text, pos)
        if comment is not None:
            pos = comment.end()
        field = build_field(
            name.group(),
            self.line,
            name.start() - self.line_start + 1,
            expr,
            nullable,
            default.group() if default is not None else None,
            comment.group() if comment is not None else None,
        )
        return field, pos

    def type_expr(self, pos: int) -> tuple[ir.TypeExpr | _Nullable, int]:
        """A type: a name (``str``, ``int(int32)``, ``User``), ``map…``, ``[T]``, ``T{…}``."""
        text = self.text
        if self.nullable_map(text, pos) is not None:  # priority 3
            fields, pos = self.field_block(pos + 4)
            return _Nullable(ir.ObjectType(fields)), pos
        if text[pos] == "[":
            items, pos = self.type_expr(pos + 1)
            if text[pos] != "]":
                raise _GiveUp
            pos += 1
            block = None
            if self.lbrace(text, pos) is not None:
                block, pos = self.field_block(pos)
            return array_type(items, block), pos
        name = self.type_name(text, pos)
        if name is None:
            raise _GiveUp
        value, pos = name.group(), name.end()
        if value == "map":  # the keyword: `map`, `map{…}`, `map<K, V>`
            return self.map_type(pos)
        if self.lbrace(text, pos) is not None:
            fields, pos = self.field_block(pos)
            return ir.ObjectType(fields, value.partition("(")[0]), pos
        return _scalar_type(value), pos

    def map_type(self, pos: int) -> tuple[ir.TypeExpr, int]:
        text = self.text
        if text[pos] == "<":
            key, pos = self.type_expr(pos + 1)
            if self.next_field_name(text, pos) is not None:
                raise _GiveUp  # lark would lex `, name: T` here, not a comma
            comma = self.comma(text, pos)
            if comma is None:
                raise _GiveUp
            value, pos = self.type_expr(comma.end())
            if text[pos] != ">":
                raise _GiveUp
            return ir.DictType(_bare(key), _bare(value)), pos + 1
        if self.lbrace(text, pos) is not None:
            fields, pos = self.field_block(pos)
            return ir.ObjectType(fields), pos
        return _MAP, pos


def scan(text: str) -> list[_Line] | None:
    """The line records of ``text`` (which ends with a newline), or None where lark decides."""
    try:
        return _Scanner(text).scan()
    except (_GiveUp, IndexError, ValueError, RecursionError):
        # IndexError and ValueError: a line that ends where a token must follow; recursion:
        # types nested deeper than read_spec allows (it checks before scanning).
        return None
