"""The errors lapgen reports to its user: one hierarchy, one exit code per class.

Every layer raises one of these with a message ready to print; only the CLI
(``generator.cli.exit_code``) turns them into exit codes, so the same failure exits the same
way in every command. Anything else that escapes is a lapgen bug.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # diagnostics imports this module
    from .diagnostics import Diagnostic


class LapgenError(Exception):
    """Base of every error lapgen reports; ``str()`` is the whole message."""


class UsageError(LapgenError):
    """The command cannot run as given: a bad argument, a missing or unreadable input file."""


class ConfigError(LapgenError):
    """The config file is unreadable or says something lapgen cannot do."""


class SpecError(LapgenError):
    """The spec is invalid, or valid LAP that lapgen cannot turn into an SDK.

    ``diagnostics`` are the positioned errors. With ``path`` the message is the
    compiler-style report (quoting ``source_lines`` when given); without it, the first error.
    """

    def __init__(
        self,
        diagnostics: Sequence[Diagnostic],
        *,
        path: str | None = None,
        source_lines: list[str] | None = None,
    ) -> None:
        self.diagnostics = list(diagnostics)
        self.path = path
        if path is not None:
            message = "\n".join(d.render(path, source_lines) for d in self.diagnostics)
        elif self.diagnostics:
            first = self.diagnostics[0]
            message = f"{first.line}:{first.column}: {first.message}"
        else:
            message = "invalid spec"
        super().__init__(message)


class OutputError(LapgenError):
    """The output could not be written (permissions, a full disk); nothing was changed."""


class InternalError(LapgenError):
    """A lapgen bug, such as a template that renders invalid Python: please report it."""
