"""Formats generated files with black and writes them atomically, tracked by a manifest.

- Formatting: black, in-process, one top-level definition at a time. A chunk whose rendered
  text is unchanged is not formatted again: its result comes from the previous output (the
  manifest records which rendered chunk gave which formatted one) or from an on-disk cache.
- Writing: everything is rendered and formatted in memory and staged in a temporary directory
  first; the output directory is then updated in one transaction that is rolled back on any
  error. Files the generator wrote before but no longer produces are removed; files it never
  wrote (a ``.git``, the user's notes) are never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version as _version
from pathlib import Path
from typing import Any

import black
from black.mode import TargetVersion
from black.report import NothingChanged

from .cache import cache_dir

BLACK_VERSION = _version("black")

MANIFEST = ".lapgen-manifest.json"
BLACK_MODE = black.Mode(line_length=100, target_versions={TargetVersion.PY311})
# Black formats a top-level definition the same alone as in its file; the test suite checks
# that the joined result is black-stable.
_TOP_LEVEL_BOUNDARY = re.compile(r"\n\n+(?=(?:@|class |def |async def )\S)")


class FormatError(Exception):
    """Rendered code that black cannot parse: a template bug."""


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


class Formatted:
    """Formatted files, with what the manifest records about their chunks."""

    def __init__(self, files: dict[str, str], chunks: dict[str, list[tuple[str, str]]]) -> None:
        self.files = files
        self.chunks = chunks


def format_files(files: Mapping[str, str], previous: Mapping[str, str] | None = None) -> Formatted:
    """Format the ``.py`` files of ``files``; ``previous`` maps chunk keys to known results."""
    known: dict[str, str] = dict(previous or {})
    cache = cache_dir("black")
    chunked = {
        path: _TOP_LEVEL_BOUNDARY.split(source)
        for path, source in files.items()
        if path.endswith(".py")
    }
    missing: dict[str, str] = {}
    for chunks in chunked.values():
        for chunk in chunks:
            key = _chunk_key(chunk)
            if key in known or key in missing:
                continue
            try:
                known[key] = (cache / key[:2] / key).read_text("utf-8")
            except OSError:
                missing[key] = chunk
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
            _store(cache, key, result)
    output = dict(files)
    records: dict[str, list[tuple[str, str]]] = {}
    for path, chunks in chunked.items():
        keys = [_chunk_key(chunk) for chunk in chunks]
        output[path] = "\n\n".join(known[key] for key in keys)
        records[path] = [(key, sha256(known[key])) for key in keys]
    return Formatted(output, records)


def _store(cache: Path, key: str, text: str) -> None:
    """Best effort: a cache that cannot be written only costs time."""
    target = cache / key[:2] / key
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f"{key}.{os.getpid()}.tmp")
        temporary.write_text(text, "utf-8")
        temporary.replace(target)
    except OSError:
        pass


def known_chunks(out_dir: Path) -> dict[str, str]:
    """Chunk key → formatted text, from a previous output whose files are unmodified."""
    manifest = read_manifest(out_dir)
    known: dict[str, str] = {}
    for path, record in manifest.get("files", {}).items():
        chunks = record.get("chunks")
        if not chunks:
            continue
        try:
            text = (out_dir / path).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        pieces = _TOP_LEVEL_BOUNDARY.split(text)
        pieces = [piece if piece.endswith("\n") else piece + "\n" for piece in pieces]
        if len(pieces) != len(chunks):
            continue
        for piece, (key, formatted_sha) in zip(pieces, chunks, strict=True):
            if sha256(piece) == formatted_sha:  # a hand edit invalidates only its chunk
                known[key] = piece
    return known


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def read_manifest(out_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("files"), dict):
        return {}
    # The manifest is input like any other: never follow it outside the output directory.
    data["files"] = {
        path: record
        for path, record in data["files"].items()
        if isinstance(path, str) and isinstance(record, dict) and _inside(out_dir, path)
    }
    return data


def _inside(out_dir: Path, relative: str) -> bool:
    candidate = Path(relative)
    if candidate.is_absolute() or ".." in candidate.parts or not candidate.parts:
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


def write_output(files: Mapping[str, str], out_dir: Path) -> None:
    """Make ``out_dir`` hold ``files`` (including the manifest): all of them, or no change."""
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = set(read_manifest(out_dir).get("files", {})) | {MANIFEST}
    stale = sorted(path for path in previous if path not in files and (out_dir / path).is_file())
    staging = Path(tempfile.mkdtemp(prefix=".lapgen-staging-", dir=out_dir))
    backup = Path(tempfile.mkdtemp(prefix=".lapgen-backup-", dir=out_dir))
    moved: list[str] = []  # old files moved to backup
    placed: list[str] = []  # new files moved into place
    try:
        for relative, content in files.items():
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content.encode("utf-8"))
        for relative in [*files, *stale]:
            current = out_dir / relative
            if current.is_file():
                (backup / relative).parent.mkdir(parents=True, exist_ok=True)
                os.replace(current, backup / relative)
                moved.append(relative)
            if relative in files:
                current.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / relative, current)
                placed.append(relative)
    except BaseException:
        for relative in placed:
            (out_dir / relative).unlink(missing_ok=True)
        for relative in moved:
            os.replace(backup / relative, out_dir / relative)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(backup, ignore_errors=True)
    _remove_empty_dirs(out_dir, stale)


def _remove_empty_dirs(out_dir: Path, removed: list[str]) -> None:
    for relative in removed:
        parent = (out_dir / relative).parent
        while parent != out_dir and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
