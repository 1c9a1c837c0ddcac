"""Python names: identifiers from wire names, words from run-together ``@desc`` text.

Every name is built from ASCII words of the NFKC-normalised wire name, then steered clear of
the names ``generator.escape`` reserves: what Python or the generated modules already mean.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache

from .escape import CLASS_RESERVED, NAME_RESERVED, is_identifier, nfkc

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")


def words(text: str) -> list[str]:
    """Lower-case words of a wire name: ``X-Stytch-Member-Session`` → x, stytch, member, session."""
    spaced = _CAMEL_BOUNDARY.sub(" ", nfkc(text))
    return [word.lower() for word in _NON_WORD.split(spaced) if word]


# The planner asks for the same few hundred names thousands of times (field names repeat).
@lru_cache(maxsize=8192)
def snake(text: str) -> str:
    """A safe snake_case identifier for a wire name: a param, field, method or resource.

    A reserved name (``generator.escape.NAME_RESERVED``: keywords, the runtime's names, the
    builtins a class body uses) gets a trailing ``_``; ``list`` and ``id`` stay as they are.
    """
    name = "_".join(words(text)) or "value"
    if name[0].isdigit():
        name = f"n{name}"
    return f"{name}_" if name in NAME_RESERVED else name


@lru_cache(maxsize=8192)
def pascal(text: str) -> str:
    """``connected_apps`` → ``ConnectedApps``; ``b2b`` → ``B2B``."""
    name = "".join(_pascal_word(word) for word in words(text)) or "Model"
    return _class_safe(name)


def _class_safe(name: str) -> str:
    """``M`` before a leading digit, and before ``ClassVar``: attrs skips a field whose string
    annotation starts with ``ClassVar`` (``ClassVar2 | Unset``), so no class may."""
    return f"M{name}" if name[0].isdigit() or name.startswith("ClassVar") else name


def type_name(text: str) -> str:
    """A class name for a ``@type`` name: kept when it is a capitalised ASCII identifier,
    else built from its words (``google.rpc.Status`` → ``GoogleRpcStatus``). Reserved names
    (``None``, ``Exception``, ``Any``) are left to the caller's uniqueness pass."""
    normal = nfkc(text)
    if is_identifier(normal) and normal[0].isupper():
        return _class_safe(normal)
    return pascal(normal)


def is_class_reserved(name: str) -> bool:
    return name in CLASS_RESERVED


def _pascal_word(word: str) -> str:
    if re.fullmatch(r"[a-z]\d[a-z]", word):  # b2b, m2m, p2p
        return word.upper()
    return word[:1].upper() + word[1:]


@lru_cache(maxsize=8192)
def singular(word: str) -> str:
    """A simple English singular, good enough for field names (``sessions`` → ``session``)."""
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def segment(text: str, vocabulary: set[str]) -> list[str] | None:
    """Split run-together text into vocabulary words with as few words as possible.

    ``rotatestart`` → rotate, start. Returns None when the text cannot be covered.
    """
    text = text.lower()
    best: list[list[str] | None] = [None] * (len(text) + 1)
    best[0] = []
    longest = len(max(vocabulary, key=len, default=""))
    for end in range(1, len(text) + 1):
        for start in range(max(0, end - longest), end):
            prefix = best[start]
            piece = text[start:end]
            if prefix is None or piece not in vocabulary:
                continue
            candidate = prefix + [piece]
            current = best[end]
            # Fewer words wins; on a tie, the split with the longer first word (stable).
            if current is None or len(candidate) < len(current):
                best[end] = candidate
    return best[len(text)]


def unique(name: str, taken: Iterable[str]) -> str:
    """``name``, or ``name_2``, ``name_3``… whichever is not taken."""
    used = set(taken)
    if name not in used:
        return name
    counter = 2
    while f"{name}_{counter}" in used:
        counter += 1
    return f"{name}_{counter}"


def numbered_class(base: str, taken: Callable[[str], bool]) -> str:
    """``base2``, ``base3``… the first that ``taken`` refuses not (class names take no ``_``)."""
    counter = 2
    while taken(f"{base}{counter}"):
        counter += 1
    return f"{base}{counter}"


def api_name(title: str) -> str:
    """``Stytch`` → ``Stytch API``; a title that already says so is kept (``GitHub REST API``)."""
    title = " ".join(title.split())
    return title if re.search(r"(?i)\bapi$", title) else f"{title} API"
