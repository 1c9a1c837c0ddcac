"""The front end: LAP text → IR, with diagnostics.

``grammar.lark`` defines the language (LALR, contextual lexer); ``_LineBuilder``, a lark
Transformer applied while parsing, turns each directive line into a small record. A well-formed
spec is read by the line scanner (``scanner.py``) instead, which builds the same records with
the grammar's own terminals and without importing lark; whatever it does not accept is parsed
by lark, whose diagnostics stay the only ones. ``_assemble`` then builds the ``API`` from the
records, checking how they nest and the completeness signals. Nothing outside this package
reads spec text.
"""

# Split by responsibility into the modules below; every public name stays importable here.

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from .. import ir
from ..diagnostics import Diagnostic, LapError
from .assembly import _assemble
from .records import _Line
from .scanner import scan
from .source import (
    MAX_NESTING,
    _check_header,
    _check_nesting,
    _decode,
    _failed,
    _line_col,
    _normalize,
)
from .terminals import REGEX_PARTS, expand_regex_parts
from .values import (
    decode_args,
)
from .words import (
    AUTH_KINDS,
    HTTP_METHODS,
    MIME_TOP_LEVEL,
    NON_HTTP_METHODS,
    SLASHED_FORMATS,
    SUPPORTED_VERSIONS,
    ParseResult,
)


def parse(source: str | bytes) -> ir.API:
    """Parse a spec, raising ``LapError`` on any error; warnings are dropped."""
    result = read_spec(source)
    if result.api is None:
        raise LapError(list(result.errors))
    return result.api


if TYPE_CHECKING:
    from lark import Lark


def _parser(accelerate: bool = True) -> Lark:
    """The lark parser (imported on first use: the scanner reads most specs without it)."""
    from .grammar import _parser as cached_parser

    return cached_parser(accelerate)


def read_spec(source: str | bytes, *, accelerate: bool = True, scanner: bool = True) -> ParseResult:
    """Parse a spec and collect diagnostics. Never raises for bad input.

    ``accelerate=False`` forces lark's pure-Python parser even when lark-cython is installed;
    ``scanner=False`` skips the line scanner, so lark parses every spec.
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
    lines = scan(text) if scanner else None
    if lines is not None:
        return _assemble(lines)
    return _assemble_or_fail(_parse_with_lark(text, accelerate, cut_mid_line))


def _parse_with_lark(text: str, accelerate: bool, cut_mid_line: bool) -> list[_Line] | Diagnostic:
    from lark.exceptions import UnexpectedInput

    from .syntax import _syntax_diagnostic

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
        return diagnostic
    return lines


def _assemble_or_fail(lines: list[_Line] | Diagnostic) -> ParseResult:
    return _failed(lines) if isinstance(lines, Diagnostic) else _assemble(lines)


def source_lines(text: str) -> list[str]:
    """The spec's lines as diagnostics number them (BOM dropped, CRLF and CR read as LF)."""
    return _normalize(text).split("\n")


__all__ = [
    "AUTH_KINDS",
    "HTTP_METHODS",
    "MAX_NESTING",
    "MIME_TOP_LEVEL",
    "NON_HTTP_METHODS",
    "ParseResult",
    "REGEX_PARTS",
    "SLASHED_FORMATS",
    "SUPPORTED_VERSIONS",
    "_parser",
    "decode_args",
    "expand_regex_parts",
]
