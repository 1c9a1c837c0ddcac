"""The escaping boundary: everything from a spec, a file name or a config that reaches a
generated file goes through one of these functions.

- Python identifiers: ASCII, NFKC-normalised first (Python folds ``Uｓer`` into ``User``), never
  a keyword, soft keyword, builtin, or a name the generated modules define or import;
- Python string literals, docstrings and comments: no character that is not printable (control,
  bidi, zero-width, surrogates) appears in the source, and no text can end its string;
- TOML basic strings valid for any Unicode text;
- HTTP header names and values, URLs: ASCII, or refused;
- package versions: PEP 440 (the spec's own version is kept apart);
- package names: identifiers that shadow neither the standard library nor a dependency.
"""

from __future__ import annotations

import builtins
import keyword
import re
import sys
import unicodedata
from urllib.parse import quote, urlsplit, urlunsplit

import idna
from packaging.version import InvalidVersion, Version

KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))
# What the generated package needs at run time: a package of one of these names would shadow it.
DEPENDENCIES = frozenset(
    {"httpx", "attrs", "anyio", "h11", "certifi", "idna", "sniffio", "httpcore"}
)
STDLIB = frozenset(sys.stdlib_module_names)
# Unqualified names the generated modules import or define at module level (templates/sdk).
RUNTIME_NAMES = frozenset(
    {
        "annotations",
        "attrs",
        "httpx",
        "models",
        "_models",
        "cached_property",
        "path_param",
        "cursor_at",
        "discard",
        "dump",
        "extra_fields",
        "parse_dict",
        "parse_list",
        "parse_object",
        "parse_object_list",
        "passthrough",
        "aiter_pages",
        "iter_pages",
        "async_to_raw_response_wrapper",
        "to_raw_response_wrapper",
        "Any",
        "AsyncIterator",
        "ClassVar",
        "Dict",
        "Final",
        "Iterator",
        "List",
        "Literal",
        "Mapping",
        "Self",
        "TypeAlias",
        "Headers",
        "NOT_GIVEN",
        "NotGiven",
        "Timeout",
        "UNSET",
        "Unset",
        "SyncResource",
        "AsyncResource",
        "Client",
        "AsyncClient",
    }
)
# Names a generated method signature or model class uses beside the spec's names.
SIGNATURE_NAMES = frozenset(
    {
        "self",
        "cls",
        "extra_headers",
        "timeout",
        "total_timeout",
        "additional_properties",
        "from_dict",
        "to_dict",
    }
)
# Builtins the generated code names where a param, field or method could shadow them: class
# bodies (annotations, decorators, ``additional_properties: dict``). Other builtins shadowed
# there are never looked up, so ``id``, ``hash``, ``list`` and ``set`` stay plain names (an
# SDK with ``user.id_`` would be worse, not safer); tests/test_hostile_names.py holds every
# builtin to ``mypy --strict``. Annotations use typing's ``List`` and ``Dict`` for this reason.
CLASS_BODY_BUILTINS = frozenset(
    {"str", "int", "float", "bool", "bytes", "dict", "frozenset", "classmethod", "object"}
)

# What a param, field, method or resource name must not be (it gets a trailing ``_``).
NAME_RESERVED = KEYWORDS | CLASS_BODY_BUILTINS | RUNTIME_NAMES | SIGNATURE_NAMES
# Model classes live in models.py, which imports only these capitalised names; resources name
# models qualified (``models.Client``), so a model may be called ``Client``.
CLASS_RESERVED = (
    KEYWORDS
    | BUILTINS
    | frozenset({"Any", "ClassVar", "Dict", "List", "Literal", "Mapping", "Self", "UNSET", "Unset"})
)

_ASCII_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SNAKE_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
_HTTP_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_ENV_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Characters kept in a URL as they are; everything else is percent-encoded.
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~-._"


def nfkc(text: str) -> str:
    """The text as Python reads an identifier: NFKC-normalised."""
    return unicodedata.normalize("NFKC", text)


def is_identifier(name: str) -> bool:
    """An ASCII Python identifier that is not a keyword or soft keyword."""
    return _ASCII_IDENTIFIER.fullmatch(name) is not None and name not in KEYWORDS


_CLASS_NAME = re.compile(r"[A-Z][A-Za-z0-9]*")


def class_name_problem(name: str, max_length: int = 40) -> str | None:
    """Why ``name`` cannot be a generated model class (one a config or a manifest gives), or
    None. Capitalised ASCII without underscores, as lapgen's own: a lower-case name could
    shadow a helper that models.py imports."""
    if not _CLASS_NAME.fullmatch(name):
        return "is not a class name (an ASCII capital, then letters and digits)"
    if name in CLASS_RESERVED or name.startswith("ClassVar"):
        return "is reserved (a Python builtin or a name the generated code imports)"
    if len(name) > max_length:
        return f"is longer than {max_length} characters"
    return None


def is_snake_identifier(name: str) -> bool:
    """A lower-case ASCII identifier, not a keyword: a Python name for a config to choose."""
    return _SNAKE_IDENTIFIER.fullmatch(name) is not None and name not in KEYWORDS


def package_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be the generated package's import name, or None."""
    if not is_identifier(name) or name.startswith("_"):
        return f"{name!r} is not an ASCII Python package name"
    if name in DEPENDENCIES:
        return f"{name!r} would shadow the dependency of the same name"
    if name in STDLIB:
        return f"{name!r} would shadow the standard library module of the same name"
    return None


# ---------------------------------------------------------------------------------------------
# Text inside Python source
# ---------------------------------------------------------------------------------------------


def _escape_unprintable(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _escaped(text: str, specials: str) -> str:
    """Backslash-escape ``specials``, backslashes and every character that is not printable."""
    out = []
    for char in text:
        if char == "\\" or char in specials:
            out.append("\\" + char)
        elif not char.isprintable():
            out.append(_escape_unprintable(char))
        else:
            out.append(char)
    return "".join(out)


def python_string(value: object) -> str:
    """A Python literal for ``value`` (a string, number, bool or None); ASCII-safe source.

    Strings are quoted as black writes them: in double quotes, unless single quotes need
    fewer escapes.
    """
    if isinstance(value, str):
        if value.count("'") < value.count('"'):
            return "'" + _escaped(value, "'") + "'"
        return '"' + _escaped(value, '"') + '"'
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    raise TypeError(f"no Python literal for {type(value).__name__}")


def fstring_text(text: str) -> str:
    """The body of a double-quoted f-string that reads as ``text``."""
    return _escaped(text, '"').replace("{", "{{").replace("}", "}}")


def docstring_text(text: object) -> str:
    """Text made safe inside a triple-quoted docstring: one line that can never end the string.

    Whitespace runs become one space; backslashes are doubled; a quote that starts the text,
    or is followed by another quote or ends it, is escaped (black would put a space between
    the opening quotes and a leading one); characters that are not printable (control, bidi,
    zero-width, lone surrogates) are written as escapes, so the source shows them.
    """
    collapsed = " ".join(str(text).split())
    escaped = _escaped(collapsed, "")
    return re.sub(r'^"|"(?="|$)', r'\\"', escaped)


def comment_text(text: object) -> str:
    """Text for one line of a ``#`` or ``<!-- -->`` comment: printable, no comment end."""
    collapsed = " ".join(str(text).split())
    escaped = "".join(c if c.isprintable() else _escape_unprintable(c) for c in collapsed)
    return escaped.replace("-->", "--\\>")


# ---------------------------------------------------------------------------------------------
# TOML
# ---------------------------------------------------------------------------------------------


def toml_string(value: object) -> str:
    """A TOML basic string for any text (lone surrogates, which TOML cannot hold, become U+FFFD)."""
    out = ['"']
    for char in str(value):
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\uFFFD")
        elif not char.isprintable():
            out.append(f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------


def is_header_name(name: str) -> bool:
    """An RFC 9110 token: what httpx can send as a header name."""
    return _HTTP_TOKEN.fullmatch(name) is not None


def is_env_var(name: str) -> bool:
    return _ENV_VAR.fullmatch(name) is not None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def ascii_url(url: str) -> str | None:
    """An http(s) URL in ASCII (IDNA host, percent-encoded path), or None when it is not one.

    A base URL: paths are appended to it, so one with a query or a fragment (even an empty
    one) is refused, as the path would land inside them.
    """
    url = url.strip()
    if "?" in url or "#" in url:
        return None
    if not url.isascii() and not _encodable(url):
        return None  # a lone surrogate: no URL can hold it
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        return None
    try:
        # IDNA 2008 with UTS 46 mapping, as httpx reads hosts (Python's "idna" codec is 2003).
        ascii_host = host if host.isascii() else idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None
    if not re.fullmatch(r"[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\]", ascii_host):
        if not re.fullmatch(r"[0-9A-Fa-f:.]+", ascii_host):
            return None
        ascii_host = f"[{ascii_host}]"
    netloc = ascii_host + (f":{port}" if port is not None else "")
    rebuilt = urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=_URL_SAFE),
            quote(parts.query, safe=_URL_SAFE),
            quote(parts.fragment, safe=_URL_SAFE),
        )
    )
    if not (rebuilt.isascii() and rebuilt.isprintable()):
        return None
    return rebuilt


# ---------------------------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------------------------


def pep440_version(raw: str) -> str:
    """A PEP 440 version for the spec's ``raw`` version.

    ``2022-11-28`` → ``2022.11.28``, ``v3`` → ``3``, ``1.0-SNAPSHOT`` → ``1.0.dev0``; text that
    names no release becomes a local label (``latest`` → ``0+latest``).
    """
    text = nfkc(raw).strip()
    text = re.sub(r"^[vV](?=\d)", "", text)
    try:
        return str(Version(text))
    except InvalidVersion:
        pass
    match = re.match(r"(\d+(?:[.\-_]\d+)*)(.*)", text, re.DOTALL)
    release, rest = (match.group(1), match.group(2)) if match else ("0", text)
    release = ".".join(str(int(part)) for part in re.split(r"[.\-_]", release))
    label = re.sub(r"[^a-z0-9]+", ".", rest.lower()).strip(".")
    if not label:
        candidate = release
    elif label in ("snapshot", "dev") or label.startswith("snapshot"):
        candidate = f"{release}.dev0"
    else:
        candidate = f"{release}+{label}"
    try:
        return str(Version(candidate))
    except InvalidVersion:  # pragma: no cover - the rules above only build valid versions
        return "0"
