"""Formatting with black, one top-level chunk at a time, reusing only verified chunks.

Files that are black-stable as rendered (templates marked ``{# black-stable #}``, the static
runtime) skip black altogether; black itself is imported only when some file needs it.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import threading
import tokenize
from collections.abc import Collection, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..cache import writable_cache_dir
from .reading import FormatError, read_inside, read_manifest, sha256

if TYPE_CHECKING:
    import black

# ``BLACK_MODE``'s settings, spelt here so that chunk keys need no import of black.
_LINE_LENGTH = 100
_TARGET = "PY311"
# Black formats a top-level definition the same alone as in its file; the test suite checks
# that the joined result is black-stable.
_TOP_LEVEL_BOUNDARY = re.compile(r"\n\n+(?=(?:@|class |def |async def )\S)")


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------


@cache
def black_mode() -> black.Mode:
    """The one black configuration lapgen formats with (and tests check against)."""
    import black
    from black.mode import TargetVersion

    return black.Mode(line_length=_LINE_LENGTH, target_versions={TargetVersion[_TARGET]})


def __getattr__(name: str) -> Any:
    """``BLACK_MODE`` on first use: importing black costs about 0.1 s a generate may skip."""
    if name == "BLACK_MODE":
        return black_mode()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _key_prefix() -> str:
    from .versions import distribution_version

    version = distribution_version("black")
    return f"black {version} line_length={_LINE_LENGTH} target={_TARGET}\0"


def _chunk_key(chunk: str) -> str:
    return sha256(_key_prefix() + chunk)


def _format_chunk(chunk: str) -> str:
    import black
    from black.report import NothingChanged

    try:
        # fast=True skips black's AST equivalence check: the input is our own rendering.
        return black.format_file_contents(chunk, fast=True, mode=black_mode())
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
        # Without a "#" anywhere there is no comment: tokenizing (the slow half) is skipped.
        comments = (
            tuple(
                token.string[1:].strip()
                for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type == tokenize.COMMENT
            )
            if "#" in source
            else ()
        )
    except (SyntaxError, ValueError, tokenize.TokenError):
        return None
    for node in _definitions(tree):
        first = node.body[0] if node.body else None
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            first.value.value = _docstring_text(first.value.value)
    return ast.dump(tree, include_attributes=False), comments


_Definition = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef


def _definitions(tree: ast.Module) -> list[_Definition]:
    """The module and every class and function in it: what can have a docstring.

    Only statements are visited (a definition is always a statement), not the expressions
    below them, which are most of the tree.
    """
    found: list[_Definition] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, _Definition):
            found.append(node)
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(node, field, None)
            if isinstance(children, list):
                pending.extend(child for child in children if isinstance(child, ast.AST))
    return found


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


def format_files(
    files: Mapping[str, str],
    previous: Mapping[str, str] | None = None,
    *,
    stable: Collection[str] = (),
) -> Formatted:
    """Format the ``.py`` files of ``files``, except those in ``stable``.

    ``stable`` names files that are black's output already (the caller vouches; the test
    suite checks it with black): they are only split into chunks for the manifest.
    ``previous`` maps chunk keys to candidate results (from an earlier output); they and the
    cache's entries are used only when ``code_fingerprint`` shows them equivalent to the chunk.
    """
    chunked = {
        path: _TOP_LEVEL_BOUNDARY.split(source)
        for path, source in files.items()
        if path.endswith(".py")
    }
    # A chunk of a stable file is its own formatted text (for a chunk an unstable file shares
    # with it too: the same text, which black leaves alone).
    keys = {path: [_chunk_key(chunk) for chunk in chunks] for path, chunks in chunked.items()}
    known: dict[str, str] = {}
    for path in stable:
        for key, chunk in zip(keys.get(path, ()), chunked.get(path, ()), strict=True):
            known[key] = chunk if chunk.endswith("\n") else chunk + "\n"
    missing, reused = _missing_chunks(
        [
            (key, chunk)
            for path, chunks in chunked.items()
            if path not in stable
            for key, chunk in zip(keys[path], chunks, strict=True)
        ],
        known,
        previous or {},
    )
    _format_missing(missing, known)
    output = dict(files)
    records: dict[str, list[tuple[str, str]]] = {}
    for path in chunked:
        path_keys = keys[path]
        output[path] = (
            files[path] if path in stable else "\n\n".join(known[key] for key in path_keys)
        )
        records[path] = [(key, sha256(known[key])) for key in path_keys]
    return Formatted(output, records, reused=reused, formatted=len(missing))


def _missing_chunks(
    chunks: list[tuple[str, str]], known: dict[str, str], previous: Mapping[str, str]
) -> tuple[dict[str, str], int]:
    """Of ``(key, chunk)`` pairs, the chunks black must format (key → chunk); the others go
    into ``known``.

    Also returns how many distinct chunks were reused.
    """
    cache = writable_cache_dir("black")
    missing: dict[str, str] = {}
    reused = 0
    for key, chunk in chunks:
        if key in known or key in missing:
            continue
        text = _reusable(chunk, key, previous.get(key), cache)
        if text is None:
            missing[key] = chunk
        else:
            known[key] = text
            reused += 1
    return missing, reused


def _format_missing(missing: Mapping[str, str], known: dict[str, str]) -> None:
    """Format ``missing`` with black into ``known`` and the cache; a pool only when it pays."""
    if not missing:
        return
    cache = writable_cache_dir("black")
    keys = sorted(missing, key=lambda key: (-len(missing[key]), key))  # big ones first
    sources = [missing[key] for key in keys]
    workers = min(os.cpu_count() or 1, 4)
    if workers > 1 and sum(map(len, sources)) > 200_000:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_format_chunk, sources, chunksize=8))
    else:
        results = [_format_chunk(source) for source in sources]
    for key, result in zip(keys, results, strict=True):
        known[key] = result
        if cache is not None:
            _store(cache, key, result)


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
    for text in texts:
        if text in (chunk, chunk + "\n"):  # the very same code: nothing to verify
            return text
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


def known_chunks(out_dir: Path, only: Collection[str] | None = None) -> dict[str, str]:
    """Chunk key → formatted text, from a previous output: candidates, verified before use.

    ``only``: the files to read (those black formats); None reads every one.
    """
    manifest = read_manifest(out_dir)
    known: dict[str, str] = {}
    for path, record in manifest.get("files", {}).items():
        if only is not None and path not in only:
            continue
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
