"""Compiler-style diagnostics: ``path:line:col: error: message``, the source line, a caret."""

from __future__ import annotations

import unicodedata
from typing import Literal

import attrs

from .errors import SpecError

Severity = Literal["error", "warning"]

# Characters a terminal would act on or hide: controls (ANSI escapes start with ESC), format
# characters (bidi overrides, zero-width), line and paragraph separators, surrogates, private
# use and unassigned code points.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def visible(text: str) -> str:
    """``text`` with each invisible or terminal-controlling character as a Python escape."""
    if text.isprintable():  # the common case: nothing to escape (and fast)
        return text
    return "".join(
        (ascii(char)[1:-1] if unicodedata.category(char) in _INVISIBLE_CATEGORIES else char)
        for char in text
    )


def visible_lines(text: str) -> str:
    """``text`` with its line breaks kept and every other invisible character escaped."""
    return "\n".join(visible(line) for line in text.split("\n"))


@attrs.frozen
class Diagnostic:
    severity: Severity
    # Messages quote spec text: escaped once here, for the terminal, JSON and exceptions alike.
    message: str = attrs.field(converter=visible)
    line: int
    column: int

    def render(self, path: str, source_lines: list[str] | None = None) -> str:
        """Format for a terminal; quotes the offending line when the source is known."""
        head = f"{visible(path)}:{self.line}:{self.column}: {self.severity}: {self.message}"
        if not source_lines or not 1 <= self.line <= len(source_lines):
            return head
        text = source_lines[self.line - 1].rstrip("\r\n")
        # Long spec lines (Stytch's run to 20 KB) are clipped around the column.
        start = max(0, self.column - 60)
        shown = visible(text[start : start + 120])
        prefix = "..." if start else ""
        suffix = "..." if start + 120 < len(text) else ""
        # The caret counts the escaped width of what precedes the column.
        width = len(visible(text[start : max(start, self.column - 1)]))
        caret = " " * (len(prefix) + width) + "^"
        return f"{head}\n    {prefix}{shown}{suffix}\n    {caret}"

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "message": self.message}


class LapError(SpecError):
    """A spec that cannot be read (raised by ``frontend.parse``); carries every error found."""
