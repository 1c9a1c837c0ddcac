"""Where lapgen keeps what it can rebuild: ``$LAPGEN_CACHE_DIR`` or ``~/.cache/lapgen``.

Everything cached is keyed by its inputs (grammar text, template source, rendered code and
tool versions), so a stale entry is never used; deleting the directory only costs time.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir(kind: str) -> Path:
    root = os.environ.get("LAPGEN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "lapgen"
    )
    return Path(root) / kind


def writable_cache_dir(kind: str) -> Path | None:
    """``cache_dir(kind)``, created; None when it cannot be (a read-only home, say)."""
    path = cache_dir(kind)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return path if os.access(path, os.W_OK) else None
