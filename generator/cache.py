"""Where lapgen keeps what it can rebuild: ``$LAPGEN_CACHE_DIR`` or ``~/.cache/lapgen``.

Everything cached is keyed by its inputs (grammar text, template source, rendered code and
tool versions), so a stale entry is never used; deleting the directory only costs time.

Some caches hold what lapgen loads as code (compiled templates, a pickled parser), so a cache
directory somebody else can write to is never used: it must be a real directory (not a
symlink) owned by the current user and not writable by group or others. New directories are
created private (0700). A directory that fails the test means no cache, not an error.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def cache_dir(kind: str) -> Path:
    """Where the ``kind`` cache would live; see ``writable_cache_dir`` for one safe to use."""
    root = os.environ.get("LAPGEN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "lapgen"
    )
    return Path(root) / kind


def is_private_dir(path: Path) -> bool:
    """A directory (not a link to one) of the current user's that only they can write to."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    owner = getattr(os, "geteuid", None)  # absent on Windows, where modes mean little
    return (owner is None or info.st_uid == owner()) and os.access(path, os.W_OK)


def writable_cache_dir(kind: str) -> Path | None:
    """``cache_dir(kind)``, created private; None when it cannot be used safely."""
    path = cache_dir(kind)
    for directory in (path.parent, path):
        try:
            # Only the last level gets 0700; intermediate directories (~/.cache) are the user's.
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return None
        if not is_private_dir(directory):
            return None
    return path
