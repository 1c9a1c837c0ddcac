"""``lapgen check``: is an output directory what ``lapgen generate`` would write now?

The output is regenerated in memory through the real code path (``render_files`` with the
output directory as the previous run, so unchanged chunks are not formatted again) and compared
with the bytes on disk. Only files the generator produces now or that the output's manifest
lists are compared; files lapgen never wrote are ignored. Nothing is written to the output.
The output is untrusted: chunks reused from it are verified (``generator.output``), nothing
below it is read through a symlink, and what a link or special file holds is never printed.
A missing output, one without a manifest (exit 2) and an interrupted one (exit 1) are reported
in one line instead of a diff of the whole package.

The manifest's provenance (``generator_version``, ``spec_sha256``, ``config_sha256``) and its
per-file sha256 say why an output is stale: the spec or config changed, lapgen changed, or a
generated file was edited by hand.
"""

from __future__ import annotations

import difflib
import hashlib
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

import attrs

from . import __version__
from .diagnostics import visible, visible_lines
from .errors import InternalError, UsageError
from .output import (
    MANIFEST,
    FormatError,
    interruption_leftovers,
    path_problem,
    read_inside,
    read_manifest,
)
from .pipeline import Loaded, load
from .plan import Plan
from .render import render_files

EXIT_FRESH, EXIT_STALE = 0, 1


# ---------------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class FileChange:
    path: str
    status: str  # added | removed | changed
    old: str  # the text in the output directory ("" when absent or not read)
    new: str  # the text lapgen would write ("" when it would remove the file)
    # Why the file in the output directory was not read (a symlink, a FIFO…): it is never
    # printed, since a link could point at secrets (/proc/self/environ) that CI logs would show.
    unread: str | None = None

    def diff_lines(self) -> list[str]:
        if self.unread is not None:
            return []
        return list(
            difflib.unified_diff(
                self.old.splitlines(keepends=True),
                self.new.splitlines(keepends=True),
                fromfile=f"a/{self.path}" if self.status != "added" else "/dev/null",
                tofile=f"b/{self.path}" if self.status != "removed" else "/dev/null",
            )
        )

    def counts(self) -> tuple[int, int]:
        """Lines added and removed by regenerating."""
        added = removed = 0
        for line in self.diff_lines():
            if line.startswith("+") and not line.startswith("+++"):
                added += 1
            elif line.startswith("-") and not line.startswith("---"):
                removed += 1
        return added, removed


@attrs.frozen
class CheckResult:
    changes: tuple[FileChange, ...]
    reasons: tuple[str, ...]

    @property
    def fresh(self) -> bool:
        return not self.changes


def _on_disk(out_dir: Path, path: str) -> tuple[str | None, str | None]:
    """(text, None) for a regular file, (None, None) when absent, (None, why) when unreadable.

    Nothing below ``out_dir`` is followed through a symlink.
    """
    problem = path_problem(out_dir, path)
    if problem is not None:
        # "README.md is a symlink" → "is a symlink"; a parent's problem keeps its name.
        own = problem.removeprefix(f"{path} ") if problem.startswith(f"{path} ") else problem
        return None, f"{own}, not printed"
    data = read_inside(out_dir, path)
    return (data.decode("utf-8", errors="replace") if data is not None else None), None


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _short(digest: object) -> str:
    return f"{digest}"[:12] + "…" if isinstance(digest, str) else "none"


def compare(expected: Mapping[str, str], out_dir: Path) -> tuple[FileChange, ...]:
    """How ``out_dir`` differs from ``expected`` (path → text, the manifest included)."""
    listed = set(read_manifest(out_dir).get("files", {})) if out_dir.is_dir() else set()
    changes = []
    for path in sorted(set(expected) | listed):
        current, unread = _on_disk(out_dir, path)
        wanted = expected.get(path)
        if unread is not None:
            status = "changed" if wanted is not None else "removed"
            changes.append(FileChange(path, status, "", wanted or "", unread))
        elif wanted is None:
            if current is not None:
                changes.append(FileChange(path, "removed", current, ""))
        elif current is None:
            changes.append(FileChange(path, "added", "", wanted))
        elif current != wanted:
            changes.append(FileChange(path, "changed", current, wanted))
    return tuple(changes)


def reasons(plan: Plan, out_dir: Path, changes: tuple[FileChange, ...]) -> tuple[str, ...]:
    """Why ``out_dir`` is stale, from its manifest's provenance and file hashes."""
    if not changes:
        return ()
    if not out_dir.is_dir():
        return (f"{out_dir} does not exist: it was never generated",)
    manifest = read_manifest(out_dir)
    if not manifest:
        return ("no lapgen manifest in the output: it was never generated, or not by lapgen",)
    found = []
    old_spec, new_spec = manifest.get("spec_sha256"), plan.spec_sha256
    if old_spec != new_spec:
        found.append(
            f"spec changed since generation (sha256 {_short(old_spec)} → {_short(new_spec)})"
        )
    old_name = manifest.get("spec")
    if old_name is not None and old_name != plan.spec_name:
        found.append(f"spec file renamed ({old_name} → {plan.spec_name})")
    old_config, new_config = manifest.get("config_sha256"), plan.config_sha256
    if old_config != new_config:
        found.append(
            f"config changed since generation (sha256 {_short(old_config)} → "
            f"{_short(new_config)})"
        )
    old_version = manifest.get("generator_version")
    if old_version != __version__:
        found.append(f"lapgen version changed ({old_version or 'unknown'} → {__version__})")
    edited, deleted = [], []
    unread = [change.path for change in changes if change.unread is not None]
    for path, record in sorted(manifest.get("files", {}).items()):
        if path in unread:
            continue
        text, _ = _on_disk(out_dir, path)
        if text is None:
            deleted.append(path)
        elif record.get("sha256") != _sha256(text):
            edited.append(path)
    if edited:
        found.append(f"generated files were edited by hand: {', '.join(edited)}")
    if deleted:
        found.append(f"generated files were deleted: {', '.join(deleted)}")
    if unread:
        found.append(
            f"generated files were replaced by symlinks or special files: {', '.join(unread)}"
        )

    if not found:
        found.append(
            "the generator's output changed although the spec, config and lapgen version did "
            "not (a development version of lapgen, or a different black)"
        )
    return tuple(found)


def check(spec: Path, out_dir: Path, config: Path | None = None) -> CheckResult:
    """Regenerate ``spec`` in memory and compare with ``out_dir``. Writes nothing there.

    Raises ``LapgenError`` for a bad spec or config, ``InternalError`` for a template bug.
    """
    return _compare_loaded(load(spec, config, out_dir), out_dir)


def _compare_loaded(loaded: Loaded, out_dir: Path) -> CheckResult:
    previous = out_dir if out_dir.is_dir() else None
    try:
        expected = render_files(loaded.plan, previous=previous)
    except FormatError as exc:
        raise InternalError(f"lapgen: internal error: {exc}") from None
    changes = compare(expected, out_dir)
    return CheckResult(changes, reasons(loaded.plan, out_dir, changes))


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


def stat_text(changes: tuple[FileChange, ...]) -> str:
    """A summary: one line per file (status, lines added and removed), then totals."""
    lines = []
    total_added = total_removed = 0
    counts = {"added": 0, "removed": 0, "changed": 0}
    width = max((len(change.path) for change in changes), default=0)
    for change in changes:
        added, removed = change.counts()
        total_added += added
        total_removed += removed
        counts[change.status] += 1
        lines.append(f" {change.status:8} {change.path:{width}}  +{added} -{removed}")
    lines.append(
        f" {len(changes)} files differ ({counts['added']} to add, {counts['removed']} to remove, "
        f"{counts['changed']} changed), {total_added} insertions(+), {total_removed} deletions(-)"
    )
    return "\n".join(lines) + "\n"


def diff_text(changes: tuple[FileChange, ...]) -> str:
    """A unified diff from the output directory (a/) to what lapgen would write (b/).

    The manifest's diff is only hashes, so it is summarised in one line.
    """
    parts = []
    for change in changes:
        if change.unread is not None:
            parts.append(f"# {change.path}: {change.unread}\n")
            continue
        if change.path == MANIFEST:
            parts.append(f"# {MANIFEST}: {change.status} (provenance and file hashes)\n")
            continue
        lines = change.diff_lines()
        parts.append(
            "".join(
                line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                for line in lines
            )
        )
    return "".join(parts)


def run(
    spec: Path,
    out_dir: Path,
    config: Path | None = None,
    *,
    stat: bool = False,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """``lapgen check``: 0 fresh, 1 stale (with a diff or ``stat``) or interrupted.

    Raises ``LapgenError`` for a bad spec, config or OUTDIR; the CLI picks the exit code.
    """
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    loaded = load(spec, config, out_dir)  # the spec's own errors first: they say the most
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"{out_dir}: error: not a directory")
    again = f" --config {config}" if config is not None else ""
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir}: error: no such directory (lapgen never generated it)")
    # Paths as the terminal shows them: a file name cannot move the cursor.
    shown_spec, shown_out = visible(str(spec)), visible(str(out_dir))
    leftovers = interruption_leftovers(out_dir)
    if leftovers:
        # Old and new files may be mixed until the next generate rolls back or forward.
        print(
            f"{shown_out}: interrupted: a generation was interrupted and not recovered "
            f"({', '.join(leftovers)}); run lapgen generate {shown_spec} -o {shown_out}{again}",
            file=err,
        )
        return EXIT_STALE
    if not read_manifest(out_dir):
        raise UsageError(
            f"{shown_out}: error: no lapgen manifest ({MANIFEST}): lapgen never generated it"
        )
    result = _compare_loaded(loaded, out_dir)
    if result.fresh:
        print(f"{shown_out}: up to date with {shown_spec}", file=out)
        return EXIT_FRESH
    print(
        f"{shown_out}: stale: {len(result.changes)} files differ from a fresh generation", file=err
    )
    for reason in result.reasons:
        print(f"  - {visible(reason)}", file=err)
    print(f"  to update it: lapgen generate {shown_spec} -o {shown_out}{again}", file=err)
    report = stat_text(result.changes) if stat else diff_text(result.changes)
    # OUTDIR's bytes are input: an edited file cannot put terminal controls in a CI log.
    out.write(visible_lines(report))
    return EXIT_STALE
