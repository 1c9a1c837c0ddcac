"""The journalled, transactional writer: stage, journal, replace, roll back or finish."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from ..errors import OutputError
from .reading import (
    _JOURNAL_TEMPORARY,
    _WORK_DIR_NAME,
    BACKUP_PREFIX,
    JOURNAL,
    MANIFEST,
    STAGING_PREFIX,
    Terminated,
    _inside,
    is_real_dir,
    path_problem,
    read_inside,
    read_manifest,
)

# ---------------------------------------------------------------------------------------------
# Writing: a journalled transaction
# ---------------------------------------------------------------------------------------------


def interruption_leftovers(out_dir: Path) -> list[str]:
    """Names in ``out_dir`` that an interrupted ``write_output`` leaves (journal, work dirs)."""
    try:
        names = os.listdir(out_dir)
    except OSError:
        return []
    return sorted(
        name
        for name in names
        if name in (JOURNAL, _JOURNAL_TEMPORARY) or name.startswith((STAGING_PREFIX, BACKUP_PREFIX))
    )


def write_output(files: Mapping[str, str], out_dir: Path, *, force: bool = False) -> list[str]:
    """Make ``out_dir`` hold ``files`` (including the manifest): all of them, or no change.

    Returns notes for the user (an earlier interrupted run that was recovered). Raises
    ``OutputError`` for a symlink where lapgen would write, or for files lapgen did not write
    that would be overwritten (unless ``force``); ``OSError`` when writing fails (rolled back).
    """
    out_dir = out_dir.resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: error: not a directory")
    out_dir.mkdir(parents=True, exist_ok=True)
    with _locked(out_dir):
        notes = recover(out_dir)
        manifest = read_manifest(out_dir)
        listed = set(manifest.get("files", {}))
        ours = listed | ({MANIFEST} if manifest else set())
        stale = sorted(path for path in listed if path not in files)
        problems = [
            problem for path in sorted({*files, *stale}) if (problem := path_problem(out_dir, path))
        ]
        if problems:
            raise OutputError(
                f"{out_dir}: error: refusing to write through links or over special files: "
                + "; ".join(problems)
            )
        foreign = sorted(
            path for path in files if path not in ours and os.path.lexists(out_dir / path)
        )
        if foreign and not force:
            raise OutputError(
                f"{out_dir}: error: files lapgen did not write would be overwritten: "
                f"{', '.join(foreign)} (move them away, or pass --force to overwrite them)"
            )
        stale = [path for path in stale if os.path.lexists(out_dir / path)]
        # A file of ours that already holds the new bytes is left as it is (its mtime too):
        # regenerating an unchanged API replaces nothing.
        changed = {
            path: content
            for path, content in files.items()
            if path not in ours or read_inside(out_dir, path) != content.encode("utf-8")
        }
        if changed or stale:
            with _terminate_raises():
                _transaction(changed, stale, out_dir)
    return notes


def _transaction(files: Mapping[str, str], stale: list[str], out_dir: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    backup = Path(tempfile.mkdtemp(prefix=BACKUP_PREFIX, dir=out_dir))
    journal: dict[str, Any] = {
        "staging": staging.name,
        "backup": backup.name,
        "state": "replacing",
        # [path, an old file is there to back up, a new file replaces it]
        "entries": [
            [path, os.path.lexists(out_dir / path), path in files] for path in [*files, *stale]
        ],
    }
    journal_started = False
    try:
        for relative, content in files.items():
            _write_file(staging / relative, content.encode("utf-8"))
        journal_started = True
        _write_journal(out_dir, journal)
        for relative, had_old, new in journal["entries"]:
            current = out_dir / relative
            if had_old:
                (backup / relative).parent.mkdir(parents=True, exist_ok=True)
                os.replace(current, backup / relative)
            if new:
                current.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / relative, current)
        journal["state"] = "done"  # the commit point: from here a recovery rolls forward
        _write_journal(out_dir, journal)
    except BaseException:
        with _signals_blocked():
            if journal_started:
                # If this fails too, the journal stays and the next run finishes the rollback.
                _roll_back(out_dir, journal)
            _finish(out_dir, journal)
        raise
    with _signals_blocked():
        _finish(out_dir, journal)


def recover(out_dir: Path) -> list[str]:
    """Roll back (or, once it had committed, finish) an interrupted write; remove leftovers."""
    notes = []
    if os.path.lexists(out_dir / JOURNAL):
        journal = _read_journal(out_dir)
        with _signals_blocked():
            if journal["state"] == "done":
                notes.append("finished an interrupted generation (the new output was complete)")
            else:
                _roll_back(out_dir, journal)
                notes.append("rolled back an interrupted generation (the previous output is kept)")
            _finish(out_dir, journal)
    leftovers = interruption_leftovers(out_dir)
    for name in leftovers:
        path = out_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    if leftovers:
        notes.append(f"removed leftovers of an interrupted generation: {', '.join(leftovers)}")
    return notes


def _read_journal(out_dir: Path) -> dict[str, Any]:
    """The journal, checked: it is input too, so it may only name lapgen's own locations."""
    data = read_inside(out_dir, JOURNAL)
    try:
        journal = json.loads(data) if data is not None else None
    except ValueError:
        journal = None
    if not isinstance(journal, dict) or not _valid_journal(out_dir, journal):
        raise OutputError(
            f"{out_dir / JOURNAL}: error: not a journal lapgen wrote; an interrupted "
            "generation cannot be recovered from it (inspect the output, then delete it)"
        )
    return journal


def _valid_journal(out_dir: Path, journal: dict[str, Any]) -> bool:
    work_dirs = [journal.get("staging"), journal.get("backup")]
    entries = journal.get("entries")
    return (
        journal.get("state") in ("replacing", "done")
        and all(
            isinstance(name, str)
            and _WORK_DIR_NAME.fullmatch(name) is not None
            and (not os.path.lexists(out_dir / name) or is_real_dir(out_dir / name))
            for name in work_dirs
        )
        and isinstance(entries, list)
        and all(
            isinstance(entry, list)
            and len(entry) == 3
            and isinstance(entry[0], str)
            and _inside(out_dir, entry[0])
            and path_problem(out_dir, entry[0]) is None
            and isinstance(entry[1], bool)
            and isinstance(entry[2], bool)
            for entry in entries
        )
    )


def _roll_back(out_dir: Path, journal: Mapping[str, Any]) -> None:
    """Put every old file back and remove every new one; safe to repeat."""
    staging, backup = out_dir / journal["staging"], out_dir / journal["backup"]
    for relative, had_old, new in journal["entries"]:
        if had_old:
            if os.path.lexists(backup / relative) and path_problem(backup, relative) is None:
                os.replace(backup / relative, out_dir / relative)
        elif new and not os.path.lexists(staging / relative):
            # There was no old file and the new one was moved in: remove it.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(out_dir / relative)
            _remove_empty_dirs(out_dir, [relative])


def _finish(out_dir: Path, journal: Mapping[str, Any]) -> None:
    """Remove the work directories, then the journal: the transaction is over."""
    for key in ("staging", "backup"):
        shutil.rmtree(out_dir / journal[key], ignore_errors=True)
    if journal["state"] == "done":
        _remove_empty_dirs(
            out_dir, [relative for relative, _, new in journal["entries"] if not new]
        )
    for name in (JOURNAL, _JOURNAL_TEMPORARY):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(out_dir / name)
    _fsync_dir(out_dir)


def _write_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def _write_journal(out_dir: Path, journal: Mapping[str, Any]) -> None:
    """Replace the journal atomically and durably (a crash leaves the old one or the new)."""
    temporary = out_dir / _JOURNAL_TEMPORARY
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temporary)
    _write_file(temporary, (json.dumps(journal, indent=1) + "\n").encode("utf-8"))
    os.replace(temporary, out_dir / JOURNAL)
    _fsync_dir(out_dir)


def _fsync_dir(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError as exc:  # some file systems cannot sync a directory
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(descriptor)


def _remove_empty_dirs(out_dir: Path, removed: list[str]) -> None:
    for relative in removed:
        parent = (out_dir / relative).parent
        while parent != out_dir and parent.is_dir() and not parent.is_symlink():
            try:
                parent.rmdir()
            except OSError:  # not empty
                break
            parent = parent.parent


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """One writer at a time per output directory (a lock on the directory itself)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    descriptor = os.open(out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _terminate_raises() -> Iterator[None]:
    """SIGTERM raises ``Terminated`` (as SIGINT raises KeyboardInterrupt), so we roll back."""
    if not _in_main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Terminated(signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """SIGINT and SIGTERM wait until a rollback or cleanup is done."""
    if not _in_main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    blocked = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
