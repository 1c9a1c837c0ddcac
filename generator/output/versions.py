"""Installed versions and lapgen's own digest, cheaply (no ``importlib.metadata``, no imports).

``importlib.metadata`` costs about 20 ms to import and a few ms per lookup; the up-to-date
check and the chunk keys only need a few version strings, which the ``NAME-VERSION.dist-info``
directories on ``sys.path`` spell out.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
from pathlib import Path

_DIST_INFO = re.compile(r"(?P<name>[^-]+)-(?P<version>[^-]+)\.dist-info")

# Whatever else can change what ``generate`` writes: the parser, the template engine, black.
OUTPUT_DEPENDENCIES = ("attrs", "black", "jinja2", "lark", "lark-cython", "markupsafe")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _installed() -> dict[str, str]:
    """Normalised distribution name → version, the first found along ``sys.path``."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            match = _DIST_INFO.fullmatch(name)
            if match:
                found.setdefault(_normal(match["name"]), match["version"])
    return found


def distribution_version(name: str, *, thorough: bool = True) -> str | None:
    """The installed version of distribution ``name``, or None when it is not installed.

    ``thorough=False``: the ``.dist-info`` directories only (a dependency that is not there is
    simply absent, without paying for ``importlib.metadata``)."""
    version = _installed().get(_normal(name))
    if version is None and thorough:  # an egg, a zip, an unusual layout: ask the slow, thorough way
        from importlib.metadata import PackageNotFoundError
        from importlib.metadata import version as metadata_version

        try:
            version = metadata_version(name)
        except PackageNotFoundError:
            return None
    return version


def templates_dir() -> Path:
    """``templates/`` beside ``generator/`` in a checkout, ``generator/templates`` in a wheel."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package.parent / "templates", package / "templates"):
        if (candidate / "sdk").is_dir():
            return candidate
    raise FileNotFoundError(f"lapgen's templates are missing (looked beside {package})")


def _source_files(root: Path) -> list[Path]:
    files: list[Path] = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d != "__pycache__")
        files.extend(Path(directory, name) for name in names if not name.endswith(".pyc"))
    return sorted(files)


@functools.cache
def generator_digest() -> str:
    """What lapgen is: its version, Python's, the output's dependencies, and the bytes of every
    file of the generator and its templates (so a checkout with an edited template differs)."""
    from .. import __version__

    digest = hashlib.sha256()
    header = [f"lapgen {__version__}", f"python {sys.implementation.name} {sys.version}"]
    header += [
        f"{name} {distribution_version(name, thorough=False)}" for name in OUTPUT_DEPENDENCIES
    ]
    digest.update("\n".join(header).encode("utf-8") + b"\0")
    package = Path(__file__).resolve().parent.parent
    templates = templates_dir()
    roots = [package] if templates.is_relative_to(package) else [package, templates]
    digest.update(tree_digest(roots).encode("ascii"))
    return digest.hexdigest()


def tree_digest(roots: list[Path]) -> str:
    """The sha256 of every file below ``roots`` (bytecode aside): names, sizes and bytes."""
    digest = hashlib.sha256()
    for root in roots:
        for path in _source_files(root):
            data = path.read_bytes()
            label = f"{root.name}/{path.relative_to(root).as_posix()}"
            digest.update(f"{label}\0{len(data)}\0".encode("utf-8", "surrogateescape"))
            digest.update(data)
    return digest.hexdigest()
