"""Generating into an output that is already what it would become: check it, write nothing.

A full ``generate`` that wrote (or found) its output records a *seal* in the private cache
(``generator.cache``): "a run of THIS lapgen, on THESE spec and config bytes, with THESE output
options, produced THIS manifest". The next ``generate`` into that directory skips all work when

- its input key (``input_key``: lapgen's version and the digest of its code, templates and
  output dependencies, the spec's and the config's bytes and paths, ``--black``) and
- the sha256 of the manifest it finds

name a seal, and every file that manifest lists is on disk, a regular file reached without a
symlink, with the recorded sha256, and no interrupted write is left over (journal, work dirs).

Why a seal and not the manifest alone: the output, manifest included, is hostile input (it is
committed, edited, reviewed, maybe forged), and a manifest can claim any digests. The seal lives
in a directory only the user can write (the cache's rule for what it loads), so a manifest that
no full run of these inputs wrote names no seal and costs a full run, never a skipped one. The
seal is plain data (a summary line and warnings to print again); nothing in it becomes code.

The manifest holds the names lock, which is an input of the next run too: a seal is recorded
only when that lock gives the same plan (``cli`` re-plans with it when it changed).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import NamedTuple

from ..cache import cache_dir, is_private_dir, writable_cache_dir
from ..inputs import Inputs
from .reading import JOURNAL, MANIFEST, _inside, is_real_dir, read_inside
from .transaction import _locked, interruption_leftovers
from .versions import generator_digest

_KIND = "uptodate"
_FORMAT = "lapgen-uptodate/1"
_MAX_WARNINGS = 10_000


class Seal(NamedTuple):
    """What a full run printed, to print again when the output is up to date."""

    summary: str
    warnings: tuple[str, ...]


def input_key(
    spec: Path,
    spec_sha256: str,
    config: Path | None,
    config_sha256: str | None,
    black: str,
    generator: str,
) -> str:
    """The digest of everything besides the output directory that decides what is written."""
    material = {
        "format": _FORMAT,
        "generator": generator,
        "spec": [os.fsdecode(spec), spec_sha256],
        "config": None if config is None else [os.fsdecode(config), config_sha256],
        "black": black,
    }
    text = json.dumps(material, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def current_key(inputs: Inputs, black: str) -> str | None:
    """``input_key`` of the inputs as this run read them; None when the config could not be."""
    config = inputs.config
    if config.problem is not None:
        return None
    return input_key(
        inputs.spec, inputs.spec_sha256, config.path, config.sha256, black, generator_digest()
    )


def _seal_name(key: str, manifest_sha256: str) -> str:
    name = hashlib.sha256(f"{key}\0{manifest_sha256}".encode("ascii")).hexdigest()
    return f"{name[:2]}/{name}"


def up_to_date(inputs: Inputs, output: Path, *, black: str) -> Seal | None:
    """The seal when ``output`` is what ``generate`` would write now (see the module), else None.

    ``inputs``: the spec's and config's bytes as this run read them (once: either may be a
    pipe). Reads only; any doubt (an unreadable file, no private cache, a manifest no seal names, a
    missing or changed file, an interrupted write) is None: the caller runs in full.
    """
    seals = cache_dir(_KIND)
    if not is_private_dir(seals.parent) or not is_private_dir(seals):
        return None
    try:
        out_dir = output.resolve()
    except (OSError, RuntimeError):
        return None
    if not is_real_dir(out_dir):
        return None
    key = current_key(inputs, black)
    if key is None:
        return None
    try:
        with _locked(out_dir):  # not while a writer is replacing files
            manifest = read_inside(out_dir, MANIFEST)
            if manifest is None:
                return None
            seal = _read_seal(seals, key, hashlib.sha256(manifest).hexdigest())
            if seal is None or interruption_leftovers(out_dir):
                return None
            return seal if _files_match(out_dir, manifest) else None
    except OSError:  # the directory cannot be opened to lock it
        return None


def _read_seal(seals: Path, key: str, manifest_sha256: str) -> Seal | None:
    data = read_inside(seals, _seal_name(key, manifest_sha256))
    try:
        record = json.loads(data) if data is not None else None
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    summary, warnings = record.get("summary"), record.get("warnings")
    if (
        record.get("format") != _FORMAT
        or record.get("key") != key
        or record.get("manifest_sha256") != manifest_sha256
        or not isinstance(summary, str)
        or not isinstance(warnings, list)
        or len(warnings) > _MAX_WARNINGS
        or not all(isinstance(warning, str) for warning in warnings)
    ):
        return None
    return Seal(summary, tuple(warnings))


def _files_match(out_dir: Path, manifest: bytes) -> bool:
    """Every file ``manifest`` lists is in ``out_dir`` with its recorded sha256."""
    try:
        record = json.loads(manifest)
    except ValueError:
        return False
    files = record.get("files") if isinstance(record, dict) else None
    if not isinstance(files, dict) or not files:
        return False
    for path, entry in files.items():
        if (
            not isinstance(entry, dict)
            or not isinstance(expected := entry.get("sha256"), str)
            or path in (MANIFEST, JOURNAL)
            or not _inside(out_dir, path)
        ):
            return False
        data = read_inside(out_dir, path)
        if data is None or hashlib.sha256(data).hexdigest() != expected:
            return False
    return True


def record_seal(key: str, manifest: str, seal: Seal) -> None:
    """Record that the run of ``key`` wrote ``manifest``; best effort (no cache, no seal)."""
    seals = writable_cache_dir(_KIND)
    if seals is None:
        return
    manifest_sha = hashlib.sha256(manifest.encode("utf-8")).hexdigest()
    text = json.dumps(
        {
            "format": _FORMAT,
            "key": key,
            "manifest_sha256": manifest_sha,
            "summary": seal.summary,
            "warnings": list(seal.warnings),
        },
        indent=1,
    )
    target = seals / _seal_name(key, manifest_sha)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(mode=0o700, exist_ok=True)
        if not is_private_dir(target.parent):
            return
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()
