"""Reading OUTDIR safely (no symlinks followed, bounded reads) and its manifest."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MANIFEST = ".lapgen-manifest.json"
JOURNAL = ".lapgen-journal.json"
_JOURNAL_TEMPORARY = ".lapgen-journal.tmp"
STAGING_PREFIX = ".lapgen-staging-"
BACKUP_PREFIX = ".lapgen-backup-"
# What mkdtemp makes of the two prefixes; a journal naming anything else is not followed.
_WORK_DIR_NAME = re.compile(r"\.lapgen-(?:staging|backup)-[A-Za-z0-9_]+")


class FormatError(Exception):
    """Rendered code that black cannot parse: a template bug."""


class Terminated(BaseException):
    """SIGTERM during a write, raised so the write rolls back before the process exits."""


def __getattr__(name: str) -> Any:
    """``BLACK_VERSION`` on first use (a generate that formats nothing never needs it)."""
    if name == "BLACK_VERSION":
        from .versions import distribution_version

        return distribution_version("black")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Reading inside the output directory without following links
# ---------------------------------------------------------------------------------------------


def path_problem(out_dir: Path, relative: str) -> str | None:
    """Why ``relative`` may not be read or written in ``out_dir``, or None.

    A symlink anywhere below ``out_dir``, a file where a directory belongs, or something other
    than a regular file at the end. A path that does not exist (yet) is fine.
    """
    parts = Path(relative).parts
    current = out_dir
    for index, part in enumerate(parts):
        current = current / part
        shown = "/".join(parts[: index + 1])
        try:
            info = os.lstat(current)
        except FileNotFoundError:
            return None
        except OSError as exc:
            return f"{shown}: cannot be read ({exc.strerror or exc})"
        last = index == len(parts) - 1
        if stat.S_ISLNK(info.st_mode):
            return f"{shown} is a symlink"
        if not last and not stat.S_ISDIR(info.st_mode):
            return f"{shown} is not a directory"
        if last and not stat.S_ISREG(info.st_mode):
            return f"{shown} is not a regular file"
    return None


def is_real_dir(path: Path) -> bool:
    """A directory, not a symlink to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def read_inside(out_dir: Path, relative: str) -> bytes | None:
    """The bytes of regular file ``relative`` below ``out_dir``; None when missing or when any
    component is a symlink or the file is not regular (a FIFO would block, a device leak)."""
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    parts = Path(relative).parts
    if not parts:
        return None
    try:
        directory = os.open(out_dir, flags | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None
    try:
        for part in parts[:-1]:  # walk with dir_fd, so a component cannot be swapped for a link
            inner = os.open(
                part, flags | nofollow | getattr(os, "O_DIRECTORY", 0), dir_fd=directory
            )
            os.close(directory)
            directory = inner
        handle = os.open(
            parts[-1], flags | nofollow | getattr(os, "O_NONBLOCK", 0), dir_fd=directory
        )
    except OSError:
        return None
    finally:
        os.close(directory)
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        with os.fdopen(handle, "rb", closefd=False) as stream:
            return stream.read()
    except OSError:
        return None
    finally:
        os.close(handle)


# ---------------------------------------------------------------------------------------------
# The manifest
# ---------------------------------------------------------------------------------------------


def read_manifest(out_dir: Path) -> dict[str, Any]:
    data = read_inside(out_dir, MANIFEST)
    try:
        manifest = json.loads(data) if data is not None else None
    except ValueError:
        return {}
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        return {}
    # The manifest is input like any other: never follow it outside the output directory.
    manifest["files"] = {
        path: record
        for path, record in manifest["files"].items()
        if isinstance(path, str)
        and isinstance(record, dict)
        and path != MANIFEST
        and _inside(out_dir, path)
    }
    return manifest


def _inside(out_dir: Path, relative: str) -> bool:
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts or not candidate.parts:
        return False
    if "\0" in relative or relative == JOURNAL:
        return False
    return (out_dir / candidate).resolve().is_relative_to(out_dir.resolve())


def manifest_text(
    files: Mapping[str, str],
    chunks: Mapping[str, list[tuple[str, str]]],
    provenance: Mapping[str, object],
) -> str:
    record = {
        **provenance,
        "files": {
            path: {"sha256": sha256(text), **({"chunks": chunks[path]} if path in chunks else {})}
            for path, text in sorted(files.items())
        },
    }
    return json.dumps(record, indent=1, sort_keys=True) + "\n"
