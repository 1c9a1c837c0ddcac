"""The LALR parser of ``grammar.lark``, with its tables cached in a private, keyed file."""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import stat
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import lark
from lark import Lark

from ..cache import writable_cache_dir
from .callbacks import specialise
from .lines import _LineBuilder
from .terminals import grammar_text

_OPTIONS: dict[str, Any] = {"parser": "lalr", "lexer": "contextual", "maybe_placeholders": True}
# The options lark keeps out of saved tables (given again when loading), as its own cache does.
_LOAD_OPTIONS = frozenset(
    getattr(lark.lark, "_LOAD_ALLOWED_OPTIONS", {"transformer", "_plugins", "postlex"})
)
_MAGIC = b"lapgen-lark-tables"


def _lark_plugins(accelerate: bool) -> dict[str, Any]:
    """lark-cython's drop-in LALR parser and lexer, when installed (the ``fast`` extra)."""
    if not accelerate:
        return {}
    try:
        import lark_cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        return {}
    plugins: dict[str, Any] = lark_cython.plugins
    return plugins


def _cython_version() -> str:
    try:
        import lark_cython  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        return "none"
    return str(getattr(lark_cython, "__version__", "present"))


def cache_key(grammar: str, accelerate: bool) -> str:
    """What the cached tables depend on: the grammar, lark, lark-cython, Python, the options."""
    parts = [
        grammar,
        lark.__version__,
        _cython_version() if accelerate else "pure-python",
        ".".join(map(str, sys.version_info[:2])),
        repr(sorted(_OPTIONS.items())),
    ]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


def cache_file(directory: Path, key: str) -> Path:
    """The tables' file for one key: another grammar or lark never reads this one."""
    return directory / f"grammar-{key}.tables"


def _parser(accelerate: bool = True, direct: bool = True) -> Lark:
    """The parser (lark-cython's unless ``accelerate=False``); ``direct``: with the direct
    callbacks of ``callbacks.py`` in place of lark's wrapped ones (same results, faster)."""
    # Always the same arguments to the cache: `_parser(True)` and `_parser(True, True)` are
    # one parser, loaded once.
    return _cached_parser(bool(accelerate), bool(direct))


@lru_cache(maxsize=4)
def _cached_parser(accelerate: bool, direct: bool) -> Lark:
    parser = _lark(accelerate)
    if direct:
        conf = getattr(getattr(parser, "parser", None), "parser_conf", None)
        callbacks = getattr(conf, "callbacks", None)
        if isinstance(callbacks, dict):  # the dict the LALR parser reads (lark 1.x)
            specialise(callbacks)
    return parser


def _lark(accelerate: bool) -> Lark:
    builder = _LineBuilder()
    load_options = {"transformer": builder, "_plugins": _lark_plugins(accelerate)}
    grammar = grammar_text()
    # Cached tables skip the LALR construction (a third of a CLI run).
    directory = writable_cache_dir("lark")
    path = cache_file(directory, cache_key(grammar, accelerate)) if directory else None
    if path is not None:
        cached = _load_tables(path, cache_key(grammar, accelerate))
        if cached is not None:
            try:
                return Lark.__new__(Lark)._load(cached, **load_options)
            except Exception:  # tables from an incompatible lark: rebuild (and rewrite) them
                pass
    parser = Lark(grammar, **_OPTIONS, **load_options)
    if path is not None:
        _save_tables(parser, path, cache_key(grammar, accelerate))
    return parser


def _load_tables(path: Path, key: str) -> dict[str, Any] | None:
    """The pickled tables, only from a file this user alone wrote for exactly this key.

    A pickle runs code when loaded, so nothing is unpickled unless the file is a regular file
    (not a link) owned by the current user, writable by nobody else, and its header names this
    key and the SHA-256 of the pickle that follows (a torn or edited file fails that).
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as file:
        info = os.fstat(file.fileno())
        owner = getattr(os, "geteuid", None)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
            or (owner is not None and info.st_uid != owner())
        ):
            return None
        header = file.readline(200).rstrip(b"\n").split(b" ")
        payload = file.read()
    if header != [_MAGIC, key.encode(), hashlib.sha256(payload).hexdigest().encode()]:
        return None
    try:
        tables = pickle.loads(payload)
    except Exception:
        return None
    return tables if isinstance(tables, dict) else None


def _save_tables(parser: Lark, path: Path, key: str) -> None:
    """Write the tables atomically (a temporary file renamed), private to this user."""
    buffer = io.BytesIO()
    parser.save(buffer, exclude_options=_LOAD_OPTIONS)
    payload = buffer.getvalue()
    header = b" ".join([_MAGIC, key.encode(), hashlib.sha256(payload).hexdigest().encode()])
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(header + b"\n" + payload)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
