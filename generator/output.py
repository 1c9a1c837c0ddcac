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
- Nothing follows a symlink inside the output, files lapgen never wrote are not overwritten
  without ``force``, and files it wrote before but no longer produces are removed.
"""

from __future__ import annotations

import ast
import contextlib
import errno
import hashlib
import io
import json
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import tokenize
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version as _version
from pathlib import Path
from types import FrameType
from typing import Any

import black
from black.mode import TargetVersion
from black.report import NothingChanged

from .cache import writable_cache_dir
from .errors import OutputError

BLACK_VERSION = _version("black")

MANIFEST = ".lapgen-manifest.json"
JOURNAL = ".lapgen-journal.json"
_JOURNAL_TEMPORARY = ".lapgen-journal.tmp"
STAGING_PREFIX = ".lapgen-staging-"
BACKUP_PREFIX = ".lapgen-backup-"
# What mkdtemp makes of the two prefixes; a journal naming anything else is not followed.
_WORK_DIR_NAME = re.compile(r"\.lapgen-(?:staging|backup)-[A-Za-z0-9_]+")

BLACK_MODE = black.Mode(line_length=100, target_versions={TargetVersion.PY311})
# Black formats a top-level definition the same alone as in its file; the test suite checks
# that the joined result is black-stable.
_TOP_LEVEL_BOUNDARY = re.compile(r"\n\n+(?=(?:@|class |def |async def )\S)")


class FormatError(Exception):
    """Rendered code that black cannot parse: a template bug."""


class Terminated(BaseException):
    """SIGTERM during a write, raised so the write rolls back before the process exits."""


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
# Formatting
# ---------------------------------------------------------------------------------------------


def _chunk_key(chunk: str) -> str:
    return sha256(f"black {BLACK_VERSION} {BLACK_MODE!r}\0{chunk}")


def _format_chunk(chunk: str) -> str:
    try:
        # fast=True skips black's AST equivalence check: the input is our own rendering.
        return black.format_file_contents(chunk, fast=True, mode=BLACK_MODE)
    except NothingChanged:
        return chunk
    except Exception as exc:  # black.InvalidInput and friends
        raise FormatError(f"generated code does not parse: {exc}\n{chunk[:2000]}") from None


def _docstring_text(value: str) -> str:
    """A docstring as black may rewrite it: indentation and surrounding whitespace dropped."""
    return "\n".join(line.strip() for line in value.expandtabs().strip().splitlines())


def code_fingerprint(source: str) -> tuple[str, tuple[str, ...]] | None:
    """What black must preserve: the AST and the comments; None when ``source`` is not Python.

    Black re-indents docstrings and normalises the space after ``#``, so both are compared in
    that normal form; everything else black may change (layout, parentheses, quotes, trailing
    commas) does not show in the AST.
    """
    try:
        tree = ast.parse(source)
        comments = tuple(
            token.string[1:].strip()
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.COMMENT
        )
    except (SyntaxError, ValueError, tokenize.TokenError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                first.value.value = _docstring_text(first.value.value)
    return ast.dump(tree, include_attributes=False), comments


class Formatted:
    """Formatted files, with what the manifest records about their chunks."""

    def __init__(
        self,
        files: dict[str, str],
        chunks: dict[str, list[tuple[str, str]]],
        reused: int = 0,
        formatted: int = 0,
    ) -> None:
        self.files = files
        self.chunks = chunks
        self.reused = reused  # distinct chunks taken from the previous output or the cache
        self.formatted = formatted  # distinct chunks black formatted now


def format_files(files: Mapping[str, str], previous: Mapping[str, str] | None = None) -> Formatted:
    """Format the ``.py`` files of ``files``.

    ``previous`` maps chunk keys to candidate results (from an earlier output); they and the
    cache's entries are used only when ``code_fingerprint`` shows them equivalent to the chunk.
    """
    candidates = dict(previous or {})
    cache = writable_cache_dir("black")
    chunked = {
        path: _TOP_LEVEL_BOUNDARY.split(source)
        for path, source in files.items()
        if path.endswith(".py")
    }
    known: dict[str, str] = {}
    missing: dict[str, str] = {}
    for chunks in chunked.values():
        for chunk in chunks:
            key = _chunk_key(chunk)
            if key in known or key in missing:
                continue
            reused = _reusable(chunk, key, candidates.get(key), cache)
            if reused is None:
                missing[key] = chunk
            else:
                known[key] = reused
    if missing:
        keys = sorted(missing, key=lambda key: (-len(missing[key]), key))  # big ones first
        sources = [missing[key] for key in keys]
        workers = min(os.cpu_count() or 1, 4)
        if workers > 1 and sum(map(len, sources)) > 200_000:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                results = list(pool.map(_format_chunk, sources, chunksize=8))
        else:
            results = [_format_chunk(source) for source in sources]
        for key, result in zip(keys, results, strict=True):
            known[key] = result
            if cache is not None:
                _store(cache, key, result)
    output = dict(files)
    records: dict[str, list[tuple[str, str]]] = {}
    for path, chunks in chunked.items():
        keys = [_chunk_key(chunk) for chunk in chunks]
        output[path] = "\n\n".join(known[key] for key in keys)
        records[path] = [(key, sha256(known[key])) for key in keys]
    return Formatted(output, records, reused=len(known) - len(missing), formatted=len(missing))


def _reusable(chunk: str, key: str, candidate: str | None, cache: Path | None) -> str | None:
    """A known formatted text for ``chunk`` that is equivalent to it, or None."""
    texts = [candidate] if candidate is not None else []
    if cache is not None:
        data = read_inside(cache, f"{key[:2]}/{key}")
        if data is not None:
            with contextlib.suppress(UnicodeDecodeError):
                texts.append(data.decode("utf-8"))
    if not texts:
        return None
    wanted = code_fingerprint(chunk)
    for text in texts:
        if wanted is not None and code_fingerprint(text) == wanted:
            return text
    return None


def _store(cache: Path, key: str, text: str) -> None:
    """Best effort: a cache that cannot be written only costs time."""
    target = cache / key[:2] / key
    try:
        target.parent.mkdir(mode=0o700, exist_ok=True)
        temporary = target.with_name(f"{key}.{os.getpid()}.{threading.get_ident()}.tmp")
        descriptor = os.open(
            temporary,
            os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0),
            0o600,
        )
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(text.encode("utf-8"))
        os.replace(temporary, target)
    except OSError:
        pass


def known_chunks(out_dir: Path) -> dict[str, str]:
    """Chunk key → formatted text, from a previous output: candidates, verified before use."""
    manifest = read_manifest(out_dir)
    known: dict[str, str] = {}
    for path, record in manifest.get("files", {}).items():
        chunks = record.get("chunks")
        if not isinstance(chunks, list) or not chunks:
            continue
        data = read_inside(out_dir, path)
        if data is None:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        pieces = _TOP_LEVEL_BOUNDARY.split(text)
        pieces = [piece if piece.endswith("\n") else piece + "\n" for piece in pieces]
        if len(pieces) != len(chunks):
            continue
        for piece, entry in zip(pieces, chunks, strict=True):
            if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str):
                known[entry[0]] = piece
    return known


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
        with _terminate_raises():
            _transaction(files, stale, out_dir)
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
