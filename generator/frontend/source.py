"""Reading the raw text: decoding, line endings, the header and the nesting limit."""

from __future__ import annotations

import re

from ..diagnostics import Diagnostic
from .words import SUPPORTED_VERSIONS, ParseResult


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
