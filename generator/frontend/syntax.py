"""Syntax errors as diagnostics: what lark expected, said in the spec's words."""

from __future__ import annotations

import re

from lark import Lark, Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from ..diagnostics import Diagnostic

# ---------------------------------------------------------------------------------------------
# Syntax errors: lark's exceptions → one clear message
# ---------------------------------------------------------------------------------------------

_TERMINAL_NAMES = {
    "RBRACE": "'}'",
    "COMMA": "','",
    "COLON": "':'",
    "FIELD_NAME": "a param 'name: TYPE'",
    "NEXT_FIELD_NAME": "', name: TYPE'",
    "SIMPLE_FIELD": "a param 'name: TYPE'",
    "NEXT_SIMPLE_FIELD": "', name: TYPE'",
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
