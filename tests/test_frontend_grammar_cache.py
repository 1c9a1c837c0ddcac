"""lark's tables cache: keyed by everything it depends on, and never unpickled from a foreign file.

The file name holds the SHA-256 of the grammar text, lark's version, lark-cython's presence and
the Python version, so another grammar or toolchain never reads it; the file's header repeats
the key and the digest of the pickle, and the file must be this user's alone, since loading a
pickle runs code.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from lark import Lark
from lark.exceptions import UnexpectedInput

from generator.frontend import grammar

SPEC = "@lap v0.3\n@api T\n@endpoints 123\n@end\n"


@pytest.fixture
def cache_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("LAPGEN_CACHE_DIR", str(tmp_path / "cache"))
    yield tmp_path / "cache" / "lark"


def build(accelerate: bool = False) -> Lark:
    """A parser as ``_parser`` makes it, past its in-process memo."""
    return grammar._cached_parser.__wrapped__(accelerate, True)


def only_file(directory: Path) -> Path:
    (path,) = directory.iterdir()
    return path


class Planted:
    """A pickle that, when loaded, leaves a file behind: the proof that it was unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return (Path.touch, (self.marker,))


def plant(path: Path, key: str, marker: Path, *, digest: str | None = None) -> None:
    payload = pickle.dumps(Planted(marker))
    digest = digest or hashlib.sha256(payload).hexdigest()
    path.write_bytes(
        b"lapgen-lark-tables " + key.encode() + b" " + digest.encode() + b"\n" + payload
    )


def test_the_file_is_named_by_the_grammar_lark_and_lark_cython(cache_root: Path) -> None:
    text = grammar.grammar_text()
    build()
    path = only_file(cache_root)
    assert path == grammar.cache_file(cache_root, grammar.cache_key(text, False))
    assert len({grammar.cache_key(text, False), grammar.cache_key(text, True)}) == 2
    assert grammar.cache_key(text + "\n", False) != grammar.cache_key(text, False)
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)


def test_a_changed_grammar_does_not_reuse_the_old_tables(
    cache_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert build().parse(SPEC)  # the tables of today's grammar, cached
    old = only_file(cache_root)
    # The same grammar but counts of at most two digits: `@endpoints 123` no longer parses.
    changed = grammar.grammar_text().replace("[0-9]{1,18}", "[0-9]{1,2}")
    monkeypatch.setattr(grammar, "grammar_text", lambda: changed)
    with pytest.raises(UnexpectedInput):
        build().parse(SPEC)
    assert {old, grammar.cache_file(cache_root, grammar.cache_key(changed, False))} == set(
        cache_root.iterdir()
    )


def test_the_second_parser_comes_from_the_cache(
    cache_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build()

    def no_tables(*args: object, **kwargs: object) -> None:
        raise AssertionError("the LALR tables were built again")

    monkeypatch.setattr(Lark, "__init__", no_tables)
    assert build().parse(SPEC)


@pytest.mark.parametrize("damage", ["digest", "key", "writable", "symlink", "torn"])
def test_a_foreign_or_damaged_file_is_never_unpickled(
    cache_root: Path, tmp_path: Path, damage: str
) -> None:
    build()
    path = only_file(cache_root)
    key = grammar.cache_key(grammar.grammar_text(), False)
    marker = tmp_path / "unpickled"
    if damage == "digest":  # the header does not match the pickle (edited after it was written)
        plant(path, key, marker, digest="0" * 64)
    elif damage == "key":  # tables of another grammar or lark, copied under this name
        plant(path, "f" * 64, marker)
    elif damage == "writable":  # somebody else could have written it
        plant(path, key, marker)
        path.chmod(0o666)
    elif damage == "symlink":  # a link to a file elsewhere
        elsewhere = tmp_path / "elsewhere"
        plant(elsewhere, key, marker)
        path.unlink()
        path.symlink_to(elsewhere)
    else:  # a write cut short
        path.write_bytes(path.read_bytes()[:500])
    assert build().parse(SPEC)  # tables built afresh
    assert not marker.exists()
    if damage != "writable":  # the file is rewritten whole (a link is replaced, not followed)
        assert not path.is_symlink()
        header = path.read_bytes().split(b"\n", 1)[0].split(b" ")
        assert header[:2] == [b"lapgen-lark-tables", key.encode()]


def test_no_cache_where_the_directory_is_not_private(
    cache_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache_root.mkdir(parents=True)
    os.chmod(cache_root, 0o777)
    assert build().parse(SPEC)
    assert list(cache_root.iterdir()) == []
