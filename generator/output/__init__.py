"""Formats generated files with black and writes them atomically, tracked by a manifest.

- Formatting: black, in-process, one top-level definition at a time. A chunk whose rendered
  text is unchanged is not formatted again: its result comes from the previous output (the
  manifest records which rendered chunk gave which formatted one) or from the private on-disk
  cache. Both are untrusted (an output is committed, edited and reviewed by people; a cache may
  be shared), so a reused chunk is used only when it is provably the rendered chunk formatted:
  the same AST (docstrings compared as black normalises them) and the same comments.
- Writing: everything is staged in a temporary directory inside the output first; then a
  write-ahead journal (``.lapgen-journal.json``, fsynced) lists the staged and backup locations
  before the first file is replaced. An error or SIGINT/SIGTERM rolls back at once; after a
  SIGKILL or a crash the next run rolls back (or, once the journal says ``done``, finishes),
  so the output is always the old one or the new one, never a mix.
- Up to date (``uptodate``): a full run records a seal of its inputs and manifest in the
  private cache; a later run whose inputs, manifest and files match one writes nothing and
  loads neither the parser, the planner, jinja2 nor black.
- Nothing follows a symlink inside the output, files lapgen never wrote are not overwritten
  without ``force``, and files it wrote before but no longer produces are removed.
"""

# Split by responsibility into the modules below; every public name stays importable here.

from __future__ import annotations

import os  # noqa: F401  (tests patch ``generator.output.os.replace``)
from typing import Any

from .formatting import (
    _TOP_LEVEL_BOUNDARY,
    Formatted,
    black_mode,
    code_fingerprint,
    format_files,
    known_chunks,
)
from .reading import (
    BACKUP_PREFIX,
    JOURNAL,
    MANIFEST,
    STAGING_PREFIX,
    FormatError,
    Terminated,
    is_real_dir,
    manifest_text,
    path_problem,
    read_inside,
    read_manifest,
    sha256,
)
from .transaction import (
    interruption_leftovers,
    recover,
    write_output,
)

__all__ = [
    "BACKUP_PREFIX",
    "BLACK_MODE",
    "BLACK_VERSION",
    "FormatError",
    "Formatted",
    "black_mode",
    "JOURNAL",
    "MANIFEST",
    "STAGING_PREFIX",
    "Terminated",
    "_TOP_LEVEL_BOUNDARY",
    "code_fingerprint",
    "format_files",
    "interruption_leftovers",
    "is_real_dir",
    "known_chunks",
    "manifest_text",
    "path_problem",
    "read_inside",
    "read_manifest",
    "recover",
    "sha256",
    "write_output",
]


def __getattr__(name: str) -> Any:
    """``BLACK_MODE`` imports black, so only on first use (a stable output never needs it);
    ``BLACK_VERSION`` likewise is looked up only when asked for."""
    if name == "BLACK_MODE":
        return black_mode()
    if name == "BLACK_VERSION":
        from .versions import distribution_version

        return distribution_version("black")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
