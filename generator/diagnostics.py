"""Compiler-style diagnostics: ``path:line:col: error: message``, the source line, a caret."""

from __future__ import annotations

from typing import Literal

import attrs

from .errors import SpecError

Severity = Literal["error", "warning"]


@attrs.frozen
class Diagnostic:
    severity: Severity
    message: str
    line: int
    column: int

    def render(self, path: str, source_lines: list[str] | None = None) -> str:
        """Format for a terminal; quotes the offending line when the source is known."""
        head = f"{path}:{self.line}:{self.column}: {self.severity}: {self.message}"
        if not source_lines or not 1 <= self.line <= len(source_lines):
            return head
        text = source_lines[self.line - 1].rstrip("\r\n")
        # Long spec lines (Stytch's run to 20 KB) are clipped around the column.
        start = max(0, self.column - 60)
        shown = text[start : start + 120]
        prefix = "..." if start else ""
        suffix = "..." if start + 120 < len(text) else ""
        caret = " " * (len(prefix) + self.column - 1 - start) + "^"
        return f"{head}\n    {prefix}{shown}{suffix}\n    {caret}"

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "message": self.message}


class LapError(SpecError):
    """A spec that cannot be read (raised by ``frontend.parse``); carries every error found."""
