"""The front end: LAP text → IR, with diagnostics.

``grammar.lark`` does the parsing (LALR, contextual lexer) and ``_LineBuilder``, a lark
Transformer applied while parsing, turns each directive line into a small record. ``_assemble``
then builds the ``API`` from those records, checking how they nest and the completeness signals.
Nothing outside this package reads spec text.
"""

# Split by responsibility into the modules below; every public name stays importable here.

from __future__ import annotations

import attrs
from lark.exceptions import UnexpectedInput

from .. import ir
from ..diagnostics import Diagnostic, LapError
from .assembly import _assemble
from .grammar import _parser
from .records import _Line
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


def read_spec(
    source: str | bytes, *, accelerate: bool = True, scanner: bool = True, direct: bool = True
) -> ParseResult:
    """Parse a spec and collect diagnostics. Never raises for bad input.

    ``accelerate=False`` forces lark's pure-Python parser even when lark-cython is installed;
    ``scanner=False`` skips the line scanner, so lark parses every spec; ``direct=False``
    keeps lark's own wrapped callbacks (``frontend/callbacks.py``: the same result, slower).
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
    parser = _parser(accelerate, direct)
    try:
        # The transformer runs inside the parser, so parse() returns start()'s list.
        lines: list[_Line] = parser.parse(text)  # type: ignore[assignment]
    except UnexpectedInput as exc:
        from .syntax import _syntax_diagnostic  # only a spec with a syntax error needs it

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
