"""The front end: LAP text → IR, with diagnostics.

``grammar.lark`` does the parsing (LALR, contextual lexer) and ``_LineBuilder``, a lark
Transformer applied while parsing, turns each directive line into a small record. ``_assemble``
then builds the ``API`` from those records, checking how they nest and the completeness signals.
Nothing outside this module reads spec text.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import attrs
from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from . import ir
from .cache import writable_cache_dir
from .diagnostics import Diagnostic, LapError

SUPPORTED_VERSIONS = ("v0.2", "v0.3")
HTTP_METHODS = ir.HTTP_METHODS  # re-exported: the front end refuses the others
# Methods that lapsh writes for Protobuf and AsyncAPI sources: valid LAP, but not HTTP.
NON_HTTP_METHODS = frozenset(
    {"UNARY", "SERVER-STREAM", "CLIENT-STREAM", "BIDI-STREAM", "PUB", "SUB", "SEND", "RECEIVE"}
)
# ``T(x/y)`` formats that contain a slash; every other slashed argument list is an enum.
SLASHED_FORMATS = frozenset({"ipv4/prefix_length", "ipv6/prefix_length", "ip/prefix_length"})
MIME_TOP_LEVEL = frozenset(
    {"application", "audio", "font", "image", "message", "model", "multipart", "text", "video"}
)
AUTH_KINDS = {
    "bearer": "bearer",
    "basic": "basic",
    "apikey": "apikey",
    "oauth2": "oauth2",
    "oauth": "oauth2",
    "aws": "sigv4",
    "digest": "digest",
}


@attrs.frozen
class ParseResult:
    """What reading one spec gave: the IR (when there were no errors) and every diagnostic."""

    api: ir.API | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")


def parse(source: str | bytes) -> ir.API:
    """Parse a spec, raising ``LapError`` on any error; warnings are dropped."""
    result = read_spec(source)
    if result.api is None:
        raise LapError(list(result.errors))
    return result.api


def read_spec(source: str | bytes, *, accelerate: bool = True) -> ParseResult:
    """Parse a spec and collect diagnostics. Never raises for bad input.

    ``accelerate=False`` forces lark's pure-Python parser even when lark-cython is installed.
    """
    if isinstance(source, bytes):
        decoded = _decode(source)
        if isinstance(decoded, Diagnostic):
            return ParseResult(None, (decoded,))
        text = decoded
    else:
        text = source
    text = _normalize(text)
    # The header first: a binary file (a PNG has a NUL on its third line) is "not a LAP
    # document" at line 1, not a NUL somewhere further down.
    problem = _check_header(text)
    if problem is None and "\x00" in text:
        line, column = _line_col(text, text.index("\x00"))
        problem = Diagnostic("error", "binary input: NUL byte in the spec", line, column)
    problem = problem or _check_nesting(text)
    if problem is not None:
        return _failed(problem)
    cut_mid_line = not text.endswith("\n")
    if cut_mid_line:
        text += "\n"
    parser = _parser(accelerate)
    try:
        # The transformer runs inside the parser, so parse() returns start()'s list.
        lines: list[_Line] = parser.parse(text)  # type: ignore[assignment]
    except UnexpectedInput as exc:
        diagnostic = _syntax_diagnostic(exc, text, parser)
        if cut_mid_line and diagnostic.line >= text.count("\n"):
            diagnostic = attrs.evolve(
                diagnostic,
                message=f"{diagnostic.message}; the file ends mid-line, so it may be truncated",
            )
        return _failed(diagnostic)
    return _assemble(lines)


def source_lines(text: str) -> list[str]:
    """The spec's lines as diagnostics number them (BOM dropped, CRLF and CR read as LF)."""
    return _normalize(text).split("\n")


def _normalize(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------------------------
# Input checks that come before the grammar
# ---------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str | Diagnostic:
    """UTF-8 text, or where it is not; NUL bytes are left to the text checks."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _byte_line_col(data, exc.start)
        return Diagnostic(
            "error",
            f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded; LAP files are "
            "UTF-8, so this is not a LAP document",
            line,
            column,
        )


def _byte_line_col(data: bytes, offset: int) -> tuple[int, int]:
    """The line and column of a byte offset, counted as for text (characters, CR and CRLF)."""
    before = _normalize(data[:offset].decode("utf-8", errors="replace"))
    return _line_col(before, len(before))


_HEADER = re.compile(r"[ \t]*@lap[ \t]+(\S+)")


def _check_header(text: str) -> Diagnostic | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        match = _HEADER.match(line)
        if match is None:
            return Diagnostic(
                "error", "expected '@lap v0.3' as the first line of a LAP document", number, 1
            )
        version = match.group(1)
        if version not in SUPPORTED_VERSIONS:
            return Diagnostic(
                "error",
                f"unsupported LAP dialect '{version}'; lapgen reads "
                f"{' and '.join(SUPPORTED_VERSIONS)}"
                + (" (v0.1 is the GraphQL layout)" if version == "v0.1" else ""),
                number,
                match.start(1) + 1,
            )
        return None
    return Diagnostic("error", "empty file: expected '@lap v0.3' and a document", 1, 1)


MAX_NESTING = 64  # real specs nest types 6 deep; the IR and its users recurse on the depth


def _check_nesting(text: str) -> Diagnostic | None:
    """Refuse types nested deeper than ``MAX_NESTING``, which would exhaust Python's stack."""
    for number, line in enumerate(text.split("\n"), start=1):
        if line.count("{") + line.count("[") + line.count("<") <= MAX_NESTING:
            continue  # cannot be too deep: skips the per-character scan on every real line
        depth = 0
        for column, char in enumerate(line, start=1):
            if char in "{[<":
                depth += 1
                if depth > MAX_NESTING:
                    message = (
                        f"nesting too deep: more than {MAX_NESTING} levels of '{{', '[' or '<'"
                    )
                    return Diagnostic("error", message, number, column)
            elif char in "}]>":
                depth -= 1
    return None


def _failed(diagnostic: Diagnostic) -> ParseResult:
    return ParseResult(None, (diagnostic,))


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ---------------------------------------------------------------------------------------------
# Syntax errors: lark's exceptions → one clear message
# ---------------------------------------------------------------------------------------------

_TERMINAL_NAMES = {
    "RBRACE": "'}'",
    "COMMA": "','",
    "COLON": "':'",
    "FIELD_NAME": "a param 'name: TYPE'",
    "NEXT_FIELD_NAME": "', name: TYPE'",
    "FIELD_COMMENT": "'# comment'",
    "DEFAULT": "'=default'",
    "NULLABLE": "'?'",
    "NULLABLE_MAP": "'map?'",
    "LBRACE": "'{'",
    "TYPE_NAME": "a type",
    "STATUS": "a status code",
    "INT": "a number (at most 18 digits)",
    "TEXT": "text",
    "METHOD": "an HTTP method",
    "WORD": "a version",
    "PATH": "a path",
    "_NL": "end of line",
    "$END": "end of file",
    "DIRECTIVE": "a directive",
    "LINE_COMMENT": "'# comment'",
    "AUTH_WORD": "an auth scheme",
    "PIPE": "'|'",
    "ARROW": "'→'",
    "TOC_NAME": "a group name",
    "TYPE_DEF_NAME": "a type name",
    "ERROR_TYPE": "an error type name",
    "ERROR_TEXT": "a description",
    "RETURNS_TEXT": "a description",
}


def _syntax_diagnostic(exc: UnexpectedInput, text: str, parser: Lark) -> Diagnostic:
    line = exc.line if isinstance(exc.line, int) and exc.line > 0 else text.count("\n") or 1
    column = exc.column if isinstance(exc.column, int) and exc.column > 0 else 1
    source_line = text.split("\n")[line - 1] if line <= text.count("\n") + 1 else ""
    literals = {
        terminal.name: repr(terminal.pattern.value)
        for terminal in parser.terminals
        if isinstance(terminal.pattern, PatternStr)
    }
    message = _explain(exc, source_line, column, {**literals, **_TERMINAL_NAMES})
    return Diagnostic("error", message, line, column)


def _explain(exc: UnexpectedInput, source_line: str, column: int, labels: dict[str, str]) -> str:
    opened = source_line[: column - 1].count("{") - source_line[: column - 1].count("}")
    if isinstance(exc, UnexpectedEOF):
        return "truncated document: the file ends inside a directive"
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        expected = set(exc.expected)
        before = source_line[: column - 1]
        if "RSQB" in expected and before.count("[") > before.count("]"):
            # LALR merges lookaheads, so `expected` lists more than can follow here.
            return f"unexpected {_describe_token(token)}; expected ']' to close '['"
        if token.type == "_NL" and opened > 0:
            return "unbalanced braces: '{' is not closed before the end of the line"
        if token.type == "$END":
            return "truncated document: the file ends inside a directive"
        if token.type == "RBRACE" and opened <= 0:
            return "unbalanced braces: '}' without a matching '{'"
        rest = source_line[column - 1 :].lstrip(" \t")
        if "FIELD_NAME" in expected or ("NEXT_FIELD_NAME" in expected and rest[:1] == ","):
            # A field should start here: the entry after the `{` or `,` is malformed.
            if "FIELD_NAME" in expected and rest[:1] == ",":
                return "expected a param 'name: TYPE' after '{', found ','"
            rest = rest[1:].lstrip(" \t") if rest[:1] in (",", "{") else rest
            if rest[:1] in (",", "}"):
                return "expected a param 'name: TYPE' after ','"
            if rest:
                return _explain_bad_field(rest)
        if "NULLABLE" in expected and token.type not in ("_NL", "$END"):
            # Right after a type, something that is not `?`, `=`, `#`, `,` or `}`.
            return _explain_bad_field(_field_entry_at(source_line, column))
        if token.type == "METHOD" or "METHOD" in expected:
            return f"expected an HTTP method and a path after @endpoint, found {_describe_token(token)}"
        wanted = " or ".join(sorted({labels.get(name, name) for name in expected}))
        return f"unexpected {_describe_token(token)}; expected {wanted}"
    if isinstance(exc, UnexpectedCharacters):
        allowed = set(exc.allowed or ())
        rest = source_line[column - 1 :]
        if "FIELD_NAME" in allowed:
            return _explain_bad_field(rest)
        after_type = {"COMMA", "RBRACE", "FIELD_COMMENT", "NULLABLE", "EQUAL", "LBRACE"}
        if allowed <= after_type and (rest[:1] == "{" or opened > 0):
            return f"unknown type syntax near {_snippet(rest)}"
        if "METHOD" in allowed:
            return f"unknown HTTP method {_snippet(rest)}"
        if "TYPE_NAME" in allowed or "TYPE_ARGS" in allowed:
            return f"unknown type syntax {_snippet(rest)}"
        if "STATUS" in allowed:
            return f"expected a status code, found {_snippet(rest)}"
        return f"unexpected character {rest[:1]!r}"
    return str(exc).split("\n", 1)[0]


def _explain_bad_field(rest: str) -> str:
    """Explain a malformed ``name: TYPE`` entry; ``rest`` starts at the entry."""
    entry = re.split(r"[,}]", rest, maxsplit=1)[0].split("#", 1)[0].strip()
    name, colon, type_text = entry.rpartition(":")  # names may contain ':', types do not
    name, type_text = name.strip(), type_text.strip()
    if not colon:
        return f"param {type_text!r} has no type (expected 'name: TYPE')"
    if not name:
        return f"a param has no name before ':' (expected 'name: TYPE', found {entry!r})"
    if not type_text:
        return f"param {name!r} has no type after ':'"
    return f"unknown type syntax {type_text!r} for param {name!r}"


def _field_entry_at(source_line: str, column: int) -> str:
    """The ``name: TYPE…`` entry of a field block that holds ``column``."""
    start = max(source_line.rfind("{", 0, column - 1), source_line.rfind(",", 0, column - 1))
    return source_line[start + 1 :]


def _snippet(text: str) -> str:
    text = text.strip()
    return repr(text[:40] + ("..." if len(text) > 40 else ""))


def _describe_token(token: Token) -> str:
    if token.type == "_NL" or not str(token.value).strip():
        return "end of line"
    if token.type == "$END":
        return "end of file"
    return repr(str(token.value)[:40])


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
            name = items.name if isinstance(items, (ir.RefType, ir.ObjectType)) else None
            items = ir.ObjectType(fields, name)
        return ir.ArrayType(items)


@lru_cache(maxsize=4096)
def _scalar_type(text: str) -> ir.TypeExpr:
    """``str``, ``int(int32)``, ``enum(a/b)``, ``User``: shared, since IR nodes are frozen."""
    name, _, args = text.partition("(")
    if name == "enum":
        inner = args[:-1]
        return ir.EnumType("enum", _enum_values(inner), f"enum({inner})")
    if name in ir.PRIMITIVES:
        return decode_args(name, args[:-1]) if args else ir.Primitive(name)
    return ir.RefType(name)


_SCALAR_SPECS: dict[tuple[int, bool], ir.TypeSpec] = {}


def _type_spec(expr: ir.TypeExpr, nullable: bool) -> ir.TypeSpec:
    """A TypeSpec, shared for the cached scalar types (most fields are ``str`` or ``int``)."""
    key = (id(expr), nullable)
    spec = _SCALAR_SPECS.get(key)
    if spec is None or spec.expr is not expr:
        spec = ir.TypeSpec(expr, nullable)
        if isinstance(expr, (ir.Primitive, ir.EnumType, ir.RefType)):
            _SCALAR_SPECS[key] = spec
    return spec


def decode_args(base: str, args: str) -> ir.Primitive | ir.EnumType:
    """Decide what ``T(args)`` means.

    The rule: one value is a format (``int(int32)``, ``str(date-time)``). Several values
    joined by ``/`` are an enum (``str(active/inactive)``), except the known slashed formats
    (``str(ipv4/prefix_length)``). MIME types written as a flat list
    (``str(application/json/application/yaml)``) are paired back into ``type/subtype`` values.
    The raw text is kept on the enum either way.
    """
    if "/" not in args or args in SLASHED_FORMATS:
        return ir.Primitive(base, args)
    return ir.EnumType(base, _enum_values(args), f"{base}({args})")


def _enum_values(args: str) -> tuple[str, ...]:
    parts = [part.strip() for part in args.split("/")]
    if len(parts) % 2 == 0 and all(part in MIME_TOP_LEVEL for part in parts[::2]):
        parts = [f"{top}/{sub}" for top, sub in zip(parts[::2], parts[1::2], strict=True)]
    unique: dict[str, None] = dict.fromkeys(part for part in parts if part)
    return tuple(unique)


def _default_value(raw: str) -> object:
    """Decode a ``=default``: numbers, booleans, null, lists; anything else stays a string."""
    if raw in ("True", "true"):
        return True
    if raw in ("False", "false"):
        return False
    if raw in ("null", "None"):
        return None
    if re.fullmatch(r"-?\d+", raw):
        try:
            return int(raw)
        except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
            return raw
    if re.fullmatch(r"-?\d+\.\d*(?:[eE][-+]?\d+)?", raw):
        return float(raw)
    if raw.startswith("[") and raw.endswith("]"):
        try:
            value = ast.literal_eval(raw)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return raw  # `[{{}}]` (a set of a dict) is a TypeError, not a ValueError
        if isinstance(value, (list, tuple)) and _is_plain_list(value):
            return _frozen(value)
    return raw


def _is_plain_list(value: object) -> bool:
    """Lists of lists and scalars only: a dict or set in a default stays raw text."""
    if isinstance(value, (list, tuple)):
        return all(_is_plain_list(item) for item in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _frozen(value: object) -> object:
    """Lists as tuples, recursively: IR values are frozen and hashable."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    return value


def _auth_scheme(words: list[str]) -> ir.AuthScheme:
    raw = " ".join(words)
    kind = AUTH_KINDS.get(words[0].lower(), "other")
    rest = words[1:]
    if kind == "apikey" and len(rest) >= 3 and rest[-2] == "in":
        return ir.AuthScheme(kind, raw, key_name=" ".join(rest[:-2]), key_in=rest[-1].lower())
    param = " ".join(rest) if rest else None
    if kind == "bearer" and param is not None and param.lower() == "basic":
        # ``Bearer basic``: lapsh's spelling of an HTTP basic scheme (OpenAPI http/basic).
        return ir.AuthScheme("basic", raw, param=param)
    return ir.AuthScheme(kind, raw, param=param)


def _lark_plugins(accelerate: bool) -> dict[str, Any]:
    """lark-cython's drop-in LALR parser and lexer, when installed (the ``fast`` extra)."""
    if not accelerate:
        return {}
    try:
        import lark_cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        return {}
    plugins: dict[str, Any] = lark_cython.plugins
    return plugins


# The named parts of the field-block terminals in grammar.lark (``${NAME}`` there and here).
# Free-text repetitions are possessive so that the regex engine keeps no per-iteration state.
REGEX_PARTS = {
    # `name[!]:` and the blanks after it: a name runs to the first `:` whose look-ahead fits.
    "NAME": r"[^\s,{}#][^,{}\n]*?!?:[ \t]*",
    # What may follow a type: `?`, `=`, `(args)`, `<K,V>`, `{fields}`, `[`, or the field's end.
    "AFTER_TYPE": r"(?:[?=(<{\[]|[ \t]*(?:[,}#]|\n))",
    # A type as FIELD_NAME accepts it: an array, or any word followed by what follows a type.
    "LOOSE_TYPE": r"\[|[A-Za-z_][\w.]*${AFTER_TYPE}",
    # A type as a comment or default must show it to end there: a built-in or a capitalised or
    # dotted type name (`User`, `google.rpc.Status`), or an array of one (so the text
    # `c hints: [jpg?x=1]` in a comment is not a field).
    "STRICT_TYPE": (
        r"\[*+(?:(?:str|int|num|float|bool|map|any|bytes|null|file|enum)(?![\w.-])"
        r"|[A-Z][\w.]*(?=${AFTER_TYPE}|\])|[a-z_]\w*\.[\w.]+(?=${AFTER_TYPE}|\]))"
    ),
    # `, name: TYPE`: a comma that ends a comment or a default.
    "FIELD_START": r"[ \t]*${NAME}(?:${STRICT_TYPE})",
    "TEXT_RUN": r"[^,{}\n]++|,(?!${FIELD_START})",
    # Balanced braces inside a comment; an unbalanced `{` is kept as a plain character.
    "BRACED1": r"\{(?:${TEXT_RUN})*+\}",
    "BRACED2": r"\{(?:${TEXT_RUN}|${BRACED1}|\{)*+\}",
    "BRACED3": r"\{(?:${TEXT_RUN}|${BRACED2}|\{)*+\}",
    "BRACED4": r"\{(?:${TEXT_RUN}|${BRACED3}|\{)*+\}",
    # A `}` that no `{` opened and that cannot end a block (nothing block-ending follows it,
    # counting a nullable `}?`, a default `}=`, an array's `}]` and a map's `}>`): lapsh writes descriptions such as "a } b"
    # verbatim.
    "STRAY_CLOSE": r"\}(?!\??[ \t]*[,}\]>#\n]|\??=)",
    # In @errors (never nested) every `}` but the line's last is text.
    "ERROR_STRAY_CLOSE": r"\}(?=[^}\n]*+\})",
    # A comma that does not start the next case (`, 404`, `, 4XX`, `, default`).
    "ERROR_COMMA": r",(?![ \t]*(?:[0-9][0-9Xx]{2}|default)\b)",
    # Balanced braces in text, unless they would take the `}` that ends the line's block:
    # lapsh writes a description "{" as `{400: {}`.
    "TEXT_BRACES": r"${BRACED4}(?![ \t]*\n)",
    "COMMENT_TEXT": r"(?:${TEXT_RUN}|${TEXT_BRACES}|\{|${STRAY_CLOSE})*+",
    # A default: a `[list]`, words, a `#` that no blank precedes, blanks inside the value, and
    # commas that do not start a field.
    "DEFAULT_TEXT": (
        r"(?:\[[^\]\n]*+\]|[^\s,}#\[]++|\[|#|[ \t]++(?![#\s,}])|,(?!${FIELD_START}))*+"
    ),
}
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def expand_regex_parts(text: str) -> str:
    """Replace every ``${NAME}`` in ``text`` by its REGEX_PARTS definition, recursively."""
    while True:
        expanded = _PLACEHOLDER.sub(lambda match: REGEX_PARTS[match.group(1)], text)
        if expanded == text:
            return text
        text = expanded


@lru_cache(maxsize=2)
def _parser(accelerate: bool = True) -> Lark:
    grammar = resources.files("generator").joinpath("grammar.lark").read_text("utf-8")
    grammar = expand_regex_parts(grammar)
    # lark's cache skips the LALR table construction (a third of a CLI run); lark keys the
    # file on the grammar and options, so a changed grammar is never served stale tables.
    directory = writable_cache_dir("lark")
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        transformer=_LineBuilder(),
        maybe_placeholders=True,
        cache=str(directory / "grammar.lark.cache") if directory else False,
        _plugins=_lark_plugins(accelerate),
    )


# ---------------------------------------------------------------------------------------------
# Assembly: lines → API, with the structural checks
# ---------------------------------------------------------------------------------------------

_ENDPOINT_DIRECTIVES = frozenset(
    {"desc", "body", "required", "optional", "returns", "errors", "example_request"}
)


class _EndpointBuilder:
    def __init__(self, method: str, path: str, pos: ir.Pos, group: str | None) -> None:
        self.method, self.path, self.pos, self.group = method, path, pos, group
        self.fields: dict[str, Any] = {}
        self.responses: list[ir.Response] = []
        self.errors: list[ir.ErrorCase] = []


def _assemble(lines: Sequence[_Line]) -> ParseResult:
    diagnostics: list[Diagnostic] = []

    def report(severity: str, message: str, pos: ir.Pos) -> None:
        diagnostics.append(Diagnostic(severity, message, pos.line, pos.column))  # type: ignore[arg-type]

    header: dict[str, Any] = {}
    header_pos: dict[str, ir.Pos] = {}
    types: list[ir.NamedType] = []
    endpoints: list[ir.Endpoint] = []
    unknown: list[ir.Directive] = []
    group_order: dict[str, ir.Pos] = {}
    current_group: str | None = None
    current: _EndpointBuilder | None = None
    end_pos: ir.Pos | None = None
    arrow_types: list[tuple[ir.TypeExpr, ir.Pos]] = []  # `@body → T`, `@returns(…) → T`
    lap_version = lines[0].value

    def finish() -> None:
        nonlocal current
        if current is not None:
            common = {field.name for field in header.get("common_fields", ())}
            endpoints.append(_finish_endpoint(current, common, report))
            current = None

    for line in lines[1:]:
        kind = line.kind
        if end_pos is not None:
            report("warning", "content after @end is ignored", line.pos)
            break
        if kind == "unknown":
            # Skipped without closing the current endpoint: a newer minor version may add
            # directives inside endpoint blocks.
            name, text = line.value
            report("warning", f"unknown directive @{name} is ignored", line.pos)
            unknown.append(ir.Directive(name, text, line.pos))
            continue
        if kind in _ENDPOINT_DIRECTIVES or (kind == "auth" and current is not None):
            if current is None:
                report("error", f"@{kind} outside an @endpoint block", line.pos)
                continue
            if kind == "returns":
                current.responses.append(line.value)
                if line.value.type is not None:
                    arrow_types.append((line.value.type, line.pos))
            elif kind == "errors":
                current.errors.extend(line.value)
            elif kind in current.fields:
                report("warning", f"second @{kind} in one endpoint; the first is kept", line.pos)
            else:
                current.fields[kind] = line.value
                if kind == "body":
                    arrow_types.append((line.value, line.pos))
            continue
        if kind == "endpoint":
            finish()
            method, path, path_pos = line.value
            problem = _path_problem(path)
            if problem is not None:
                offset, message = problem
                report("error", message, ir.Pos(path_pos.line, path_pos.column + offset))
            if method not in HTTP_METHODS:
                if method in NON_HTTP_METHODS:
                    report(
                        "warning",
                        f"non-HTTP method {method}: no SDK can be generated for it",
                        line.pos,
                    )
                else:
                    report("error", f"unknown HTTP method {method!r}", line.pos)
            current = _EndpointBuilder(method, path, line.pos, current_group)
            continue
        finish()
        if kind == "group":
            if line.value is None:
                report("error", "@group needs a name", line.pos)
                continue
            current_group = line.value
            group_order.setdefault(line.value, line.pos)
        elif kind == "endgroup":
            current_group = None
        elif kind == "end":
            end_pos = line.pos
        elif kind == "type":
            types.append(line.value)
        elif kind in ("api", "base", "version", "auth", "common_fields", "endpoints", "toc"):
            if kind in header:
                report("warning", f"second @{kind}; the first is kept", line.pos)
            else:
                header[kind] = line.value
                header_pos[kind] = line.pos
        elif kind == "hint":
            header.setdefault("hints", []).append(line.value)
    finish()

    last_line = max((line.pos.line for line in lines), default=1)
    if end_pos is None:
        report(
            "error", "missing @end: the document is truncated or incomplete", ir.Pos(last_line, 1)
        )
    if "api" not in header:
        report("error", "missing @api: every LAP document names its API", lines[0].pos)

    groups = tuple(
        ir.Group(name, pos, tuple(e for e in endpoints if e.group == name))
        for name, pos in group_order.items()
    )
    api = ir.API(
        lap_version=lap_version,
        name=header.get("api") or "",
        pos=lines[0].pos,
        base_url=header.get("base"),
        version=header.get("version"),
        auth=header.get("auth"),
        common_fields=header.get("common_fields", ()),
        declared_endpoints=header.get("endpoints"),
        hints=tuple(header.get("hints", ())),
        toc=header.get("toc", ()),
        types=tuple(types),
        endpoints=tuple(endpoints),
        groups=groups,
        unknown_directives=tuple(unknown),
    )
    _check_duplicate_routes(api, report)
    _check_completeness(api, header_pos, report)
    _check_type_refs(api, arrow_types, report)
    diagnostics.sort(key=lambda d: (d.line, d.column))
    failed = any(d.severity == "error" for d in diagnostics)
    return ParseResult(None if failed else api, tuple(diagnostics))


def _path_problem(path: str) -> tuple[int, str] | None:
    """Why a path cannot be used, and the offset of the culprit; None when it can.

    Decision: refuse rather than normalise. Control, format (bidi, zero-width) and other
    invisible characters are never valid in a URL, and a path-param name with a quote or a
    backslash cannot be spelled back in generated code without changing it; a silent rewrite
    would send a different URL than the spec says.
    """
    for offset, char in enumerate(path):
        if unicodedata.category(char)[0] in "CZ" and char != " ":
            return offset, f"path holds the invisible character {ascii(char)[1:-1]}"
    for match in ir.PATH_PARAM.finditer(path):
        for offset, char in enumerate(match.group(1), start=match.start(1)):
            if char in '"\\':
                return offset, f"path param name holds {char!r}: not allowed in a path param name"
    return None


def _finish_endpoint(builder: _EndpointBuilder, common: set[str], report: Any) -> ir.Endpoint:
    # Real files repeat a name (a path `id` and a body field `id`): both are real params, so
    # both stay in the IR; the planner gives the second its own Python name.
    seen: dict[str, ir.Field] = {}
    kept: dict[str, tuple[ir.Field, ...]] = {}
    for kind in ("required", "optional"):
        kept[kind] = tuple(builder.fields.get(kind, ()))
        for field in kept[kind]:
            first = seen.setdefault(field.name, field)
            if first is not field:
                report(
                    "warning",
                    f"duplicate param {field.name!r} (first at line {first.pos.line}, column "
                    f"{first.pos.column}); both are kept",
                    field.pos,
                )
    required_names = {field.name for field in kept["required"]} | common
    for match in ir.PATH_PARAM.finditer(builder.path):
        if match.group(1) not in required_names:
            report(
                "warning",
                f"path param {match.group(1)!r} is not in @required",
                builder.pos,
            )
    return ir.Endpoint(
        method=builder.method,
        path=builder.path,
        pos=builder.pos,
        group=builder.group,
        desc=builder.fields.get("desc"),
        auth=builder.fields.get("auth"),
        body=builder.fields.get("body"),
        required=kept["required"],
        optional=kept["optional"],
        responses=tuple(builder.responses),
        errors=tuple(builder.errors),
        example_request=builder.fields.get("example_request"),
    )


def _check_duplicate_routes(api: ir.API, report: Any) -> None:
    """The same METHOD+PATH twice is a warning: lapsh writes it for Postman request variants.

    Postman collections hold several named requests for one route ("Create authors
    collection", "Create books collection"); lapsh keeps each as an endpoint, and a lean file
    (no ``@desc``) makes them identical.
    """
    seen: dict[tuple[str, str], ir.Endpoint] = {}
    for endpoint in api.endpoints:
        route = (endpoint.method, endpoint.path)
        first = seen.setdefault(route, endpoint)
        if first is endpoint:
            continue
        where = f"{endpoint.method} {endpoint.path} (first at line {first.pos.line})"
        if first.desc != endpoint.desc:
            report("warning", f"route repeated with another @desc: {where}", endpoint.pos)
        else:
            # Lean files drop @desc, so Postman request variants become identical blocks.
            report("warning", f"route repeated: {where}", endpoint.pos)


def _check_completeness(api: ir.API, header_pos: dict[str, ir.Pos], report: Any) -> None:
    if api.declared_endpoints is not None and api.declared_endpoints != len(api.endpoints):
        report(
            "warning",
            f"@endpoints says {api.declared_endpoints} but the document has "
            f"{len(api.endpoints)} endpoints",
            header_pos["endpoints"],
        )
    counts = {group.name: len(group.endpoints) for group in api.groups}
    for entry in api.toc:
        actual = counts.get(entry.name)
        if actual is None and api.groups:
            report("warning", f"@toc lists group {entry.name!r}, which has no endpoints", entry.pos)
        elif actual is not None and actual != entry.count:
            report(
                "warning",
                f"@toc says group {entry.name!r} has {entry.count} endpoints; it has {actual}",
                entry.pos,
            )


def _check_type_refs(
    api: ir.API, arrow_types: Iterable[tuple[ir.TypeExpr, ir.Pos]], report: Any
) -> None:
    """Warn about references to undefined ``@type``s, at the field that makes them."""
    defined = {named.name for named in api.types}
    # An explicit stack: Stytch has ~10,000 type nodes, and this runs on every parse.
    stack: list[tuple[ir.TypeExpr, ir.Pos]] = [(f.type.expr, f.pos) for f in _all_fields(api)]
    stack.extend(arrow_types)
    found: list[tuple[ir.Pos, str]] = []
    while stack:
        expr, pos = stack.pop()
        if isinstance(expr, ir.RefType):
            if expr.name not in defined:
                found.append((pos, expr.name))
        elif isinstance(expr, ir.ArrayType):
            stack.append((expr.items, pos))
        elif isinstance(expr, ir.DictType):
            stack.append((expr.key, pos))
            stack.append((expr.value, pos))
        elif isinstance(expr, ir.ObjectType):
            stack.extend((f.type.expr, f.pos) for f in expr.fields)
    for pos, name in sorted(found, key=lambda item: (item[0].line, item[0].column)):
        report("warning", f"type {name!r} is not defined by any @type; read as 'any'", pos)


def _all_fields(api: ir.API) -> Iterable[ir.Field]:
    yield from api.common_fields
    for named in api.types:
        yield from named.fields
    for endpoint in api.endpoints:
        yield from endpoint.params
        for response in endpoint.responses:
            yield from response.fields or ()
    # ``@body → T`` and ``@returns → T`` have no field: _assemble collects them for
    # _check_type_refs with their lines.
