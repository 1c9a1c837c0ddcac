"""The HTTP core of the client: configuration, retries, redirects, limits and errors.

This module is the same in every generated SDK: what depends on the API (credentials,
environments, servers, the package name) lives in `_client.py`, which passes it here as a
`ConnectionSettings`. `BaseAPIClient` holds what the sync and async clients share;
`SyncAPIClient` and `AsyncAPIClient` add only the I/O loop. The generated resource classes
send their requests through `SyncResource._call` and `AsyncResource._call`, each
described by an `Endpoint`.
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import os
import random
import re
import string
import threading
import time
import zlib
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from types import TracebackType
from typing import Any, Final, Generic, Self, TypeAlias, TypeVar, final
from urllib.parse import quote, quote_plus

import httpx

from ._pagination import aiter_pages, cursor_at, iter_pages
from ._response import _process_response
from ._types import NOT_GIVEN, Headers, NotGiven, RequestOptions, Timeout, TotalTimeout, Unset
from .errors import (
    APIConnectionError,
    APIResponseTooLargeError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
)

__all__ = [
    "DEFAULT_MAX_RESPONSE_SIZE",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "AsyncAPIClient",
    "AsyncResource",
    "BaseAPIClient",
    "ConnectionSettings",
    "Endpoint",
    "SyncAPIClient",
    "SyncResource",
    "basic_auth",
    "choose_base_url",
    "credential",
    "environment_from_prefix",
    "path_param",
]

T = TypeVar("T")

DEFAULT_TIMEOUT: Final = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES: Final = 2
# Bodies are read in chunks and decompressed piece by piece: a small compressed body
# cannot grow past this in memory.
DEFAULT_MAX_RESPONSE_SIZE: Final = 67_108_864  # 64 MiB

# Retries back off exponentially from INITIAL_RETRY_DELAY to MAX_RETRY_DELAY, unless the
# response says how long to wait (up to MAX_RETRY_AFTER). A call gives up rather than
# sleep more than MAX_RETRY_WAIT seconds in total, or past its total_timeout.
INITIAL_RETRY_DELAY: Final = 0.5
MAX_RETRY_DELAY: Final = 8.0
MAX_RETRY_AFTER: Final = 60.0
MAX_RETRY_WAIT: Final = 60.0
RETRY_STATUSES: Final = frozenset({408, 409, 429})  # and every 5xx

# The largest piece a decompressor may produce at once.
_DECOMPRESSED_PIECE: Final = 65_536  # 64 KiB
# Only these are asked for, so that every body can be decompressed piece by piece.
_ACCEPT_ENCODING: Final = "gzip, deflate"
_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
# Headers that carry credentials whatever set them (the call, default_headers, the
# http_client): a redirect to another origin drops them, as httpx drops Authorization.
_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "proxy-authorization", "cookie"})
# Methods httpx sends a `Content-Length: 0` with when they have no body.
_EMPTY_BODY_METHODS: Final = frozenset({"POST", "PUT", "PATCH"})
MASK: Final = "***"

_Scalar: TypeAlias = str | int | float | bool
# In a query, lists repeat the key (`a=1&a=2`) and dicts nest as `name[key]=value` (the
# deepObject style of OpenAPI). None and UNSET are left out: a query string has no null.
QueryValue: TypeAlias = _Scalar | Sequence[_Scalar] | Mapping[str, Any] | Unset | None
HeaderValue: TypeAlias = _Scalar | Unset | None
_QueryParam: TypeAlias = _Scalar | Sequence[_Scalar]

_STATUS_ERRORS: Final[Mapping[int, type[APIStatusError]]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


# ---------------------------------------------------------------------------------------------
# Building blocks for the generated `_client.py`
# ---------------------------------------------------------------------------------------------


def credential(value: str | None, name: str, env: str) -> str:
    """The credential passed in, else the one in the environment variable `env`."""
    if value is None:
        value = os.environ.get(env)
    if not value:
        raise ValueError(f"Missing {name}: pass {name}=... or set the {env} variable.")
    return value


def basic_auth(username: str, password: str) -> str:
    """The `Authorization` header value of HTTP basic authentication."""
    text = f"{username}:{password}"
    if not _is_unicode(text):  # raised here: the UnicodeEncodeError would hold the value
        raise ValueError("Invalid value for the authorization credential: it is not Unicode text.")
    return "Basic " + base64.b64encode(text.encode()).decode()


def environment_from_prefix(value: str, prefixes: Sequence[tuple[str, str]]) -> str | None:
    """The environment of the first `(prefix, environment)` whose prefix starts `value`."""
    return next((env for prefix, env in prefixes if value.startswith(prefix)), None)


def choose_base_url(
    base_url: str | httpx.URL | None,
    environment: str | None,
    *,
    environments: Mapping[str, str],
    default: str | None,
) -> str | httpx.URL:
    """`base_url` if given, else the URL of `environment`, else the API's default URL."""
    if environment is not None and environment not in environments:
        if not environments:
            raise ValueError(f"Unknown environment {environment!r}: this API has no environments.")
        raise ValueError(f"Unknown environment {environment!r}: use one of {list(environments)}.")
    if base_url is not None:
        return base_url
    if environment is not None:
        return environments[environment]
    if default is not None:
        return default
    if environments:
        raise ValueError(f"Missing environment ({', '.join(environments)}) or base_url.")
    raise ValueError("Missing base_url: pass the URL of the API as base_url=...")


class ConnectionSettings:
    """Where requests go and how they authenticate, as `_client.py` works it out.

    `servers` maps the names of the API's other servers to their URLs; `auth_headers` and
    `auth_query` hold the credentials, sent with every request to the API's origins and
    shown as `***` in the reprs, messages and log lines of the client.
    """

    __slots__ = ("auth_headers", "auth_query", "base_url", "servers", "user_agent")

    def __init__(
        self,
        *,
        base_url: str | httpx.URL,
        user_agent: str,
        servers: Mapping[str, str] | None = None,
        auth_headers: Mapping[str, str] | None = None,
        auth_query: Mapping[str, str] | None = None,
    ) -> None:
        self.base_url = base_url
        self.user_agent = user_agent
        self.servers = dict(servers or {})
        self.auth_headers = {name.lower(): value for name, value in (auth_headers or {}).items()}
        self.auth_query = dict(auth_query or {})

    def __repr__(self) -> str:
        return f"ConnectionSettings(base_url={_shown_url(self.base_url)!r})"


def path_param(value: object) -> str:
    """Percent-encode a path parameter so that it stays exactly one path segment.

    `.` and `..` would be dot segments, which URL normalisation removes together with the
    segment before them, so a value made only of dots has its dots encoded too. An empty
    value would merge two segments: it is rejected before any request is sent.
    """
    text = str(value)
    if not text:
        raise ValueError("A path parameter cannot be empty.")
    if text.strip(".") == "":
        return "%2E" * len(text)
    try:
        return quote(text, safe="")
    except UnicodeEncodeError:  # a lone surrogate: the error would carry the value
        pass
    raise ValueError("A path parameter must be Unicode text: it holds a lone surrogate.")


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _sleep(seconds: float) -> None:
    # The retry loops look this up at each call, so that tests can replace it.
    time.sleep(seconds)


async def _async_sleep(seconds: float) -> None:
    # anyio comes with httpx and runs under both asyncio and trio. Only retries need it,
    # so it is imported here rather than at import time.
    import anyio

    await anyio.sleep(seconds)


def _retry_after(headers: httpx.Headers) -> float | None:
    """The delay the server asked for, in seconds, if any."""
    try:
        return float(headers["retry-after-ms"]) / 1000
    except (KeyError, ValueError):
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        date = email.utils.parsedate_tz(value)
        return None if date is None else email.utils.mktime_tz(date) - time.time()


def _add_query_params(
    params: dict[str, _QueryParam], query: Mapping[str, Any], prefix: str | None = None
) -> None:
    """Add the values of `query` that are set to `params`, flattening nested dicts."""
    for key, value in query.items():
        name = key if prefix is None else f"{prefix}[{key}]"
        if type(value) is str:  # the usual value, with no isinstance of an ABC
            params[name] = value
            continue
        if value is None or isinstance(value, Unset):
            continue
        if isinstance(value, Mapping):
            _add_query_params(params, value, name)
        else:
            params[name] = value


def _query_text(value: Any) -> str:
    # As httpx.QueryParams writes a value: booleans as in JSON, None as nothing.
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def _query_string(params: Mapping[str, _QueryParam]) -> str:
    """`params` as the query string httpx would write (`str(httpx.QueryParams(params))`):
    lists and tuples repeat their key."""
    parts: list[str] = []
    for key, value in params.items():
        name = _query_quote(str(key)) + "="
        if isinstance(value, list | tuple):
            parts.extend(name + _query_quote(_query_text(item)) for item in value)
        else:
            parts.append(name + _query_quote(_query_text(value)))
    return "&".join(parts)


# What `quote_plus` (urlencode's quoting) leaves as it is.
_QUERY_SAFE: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")


def _query_quote(text: str) -> str:
    # Most names and values need no quoting: they are returned without a call to quote_plus.
    return text if _QUERY_SAFE.issuperset(text) else quote_plus(text)


def _shown_url(url: object) -> str:
    """`url` as an error message may show it: without what precedes its last "@" (a user
    name and password) but an http(s) scheme, and without its query and fragment."""
    text = str(url)
    before, at, after = text.rpartition("@")
    if at:
        scheme = next((s for s in ("https://", "http://") if before.startswith(s)), "")
        text = scheme + after
    return text.split("?", 1)[0].split("#", 1)[0]


def _header_text(value: str | int | float | bool) -> str:
    # Booleans as in JSON and query strings, rather than Python's True and False.
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# What h11 accepts in a request (h11/_abnf.py), for the ASCII text httpx sends: a header
# name is a token; a value is runs of visible characters, or of the control characters h11
# lets through, separated by spaces and tabs (no NUL, no other whitespace, none at either end).
_TOKEN_CHARS: Final = frozenset(
    "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)
_FIELD_VCHARS: Final = frozenset(
    "\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13\x14\x15"
    "\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"
    "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQR"
    "STUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\x7f"
)
_FIELD_CHARS: Final = frozenset(" \t").union(_FIELD_VCHARS)


def _sendable_value(value: str) -> bool:
    """Whether h11 sends `value` as a header value."""
    return _FIELD_CHARS.issuperset(value) and value.strip(" \t") == value


def _sendable_name(name: str) -> bool:
    """Whether h11 sends `name` as a header name."""
    return bool(name) and _TOKEN_CHARS.issuperset(name)


def _header_problem(name: str, value: str, shown: str) -> ValueError | None:
    """The error for a header h11 would refuse to send (naming it, never showing the value),
    or None. Checked without encoding: a UnicodeEncodeError would carry the value along."""
    if not _sendable_name(name):
        return ValueError(
            f"Invalid header name {name!r}: a header name is ASCII letters, digits and "
            "!#$%&'*+-.^_`|~."
        )
    if not value.isascii():
        return ValueError(f"Invalid value for {shown}: it is not ASCII text.")
    if not _sendable_value(value):
        return ValueError(
            f"Invalid value for {shown}: it contains a line break, NUL or other character "
            "HTTP does not allow there, or starts or ends with whitespace."
        )
    return None


def _check_header_value(name: str, value: str, *, secret: bool) -> None:
    """Reject what h11 could not send, at construction rather than at each retry."""
    error = _header_problem(
        name, value, f"the {name} credential" if secret else f"the {name!r} header"
    )
    if error is not None:
        raise error


def _is_unicode(text: str) -> bool:
    """Whether `text` can be encoded as UTF-8 (no lone surrogate)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _unsendable_headers(pairs: Iterable[tuple[str, str]]) -> ValueError:
    """The error for headers h11 cannot send, naming the first such header (not its value)."""
    for name, value in pairs:
        error = _header_problem(name, value, f"the {name!r} header")
        if error is not None:
            return error
    return ValueError("Invalid header: it is not ASCII text.")


def _unsendable_query(params: Mapping[str, _QueryParam]) -> ValueError:
    """The error for a query that cannot be encoded, naming the parameter (not its value)."""
    for name, value in params.items():
        values = value if isinstance(value, list | tuple) else (value,)
        if not _is_unicode(str(name)) or not all(_is_unicode(_query_text(v)) for v in values):
            return ValueError(
                f"Invalid value for the query parameter {name!r}: it holds a lone surrogate."
            )
    return ValueError("Invalid query: it holds a lone surrogate.")


def _unsendable_body(body: Mapping[str, object]) -> ValueError:
    """The error for a body that cannot be encoded, naming the field (not its value)."""
    for name, value in body.items():
        if not _is_unicode(_json_encoder.encode({name: value})):
            return ValueError(
                f"Invalid value for the body field {name!r}: it holds a lone surrogate."
            )
    return ValueError("Invalid body: it holds a lone surrogate.")


def _json_default(value: Any) -> Any:
    # Models serialise themselves; dates and times become ISO 8601 strings.
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_json_encoder: Final = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=_json_default
)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port


# ---------------------------------------------------------------------------------------------
# Credentials never shown
# ---------------------------------------------------------------------------------------------

# Every credential of every client of this package, as they may appear in text: raw and
# percent-encoded (in URLs). Only ever added to: a secret once used stays masked.
_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def _register_secrets(values: Iterable[str]) -> None:
    forms: set[str] = set()
    for value in values:
        if len(value) >= 4:  # masking one or two characters would garble every message
            forms.update((value, quote(value, safe=""), _query_form(value)))
    with _secrets_lock:
        _secrets.update(forms)
    if forms:
        _install_log_filter()


def _query_form(value: str) -> str:
    """`value` as httpx encodes it in a query string."""
    return str(httpx.QueryParams({"k": value})).removeprefix("k=")


def mask_secrets(text: str) -> str:
    """`text` with every known credential replaced by `***`."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class _Request(httpx.Request):
    """An httpx.Request whose repr hides the credentials sent in its query."""

    def __repr__(self) -> str:
        return f"<Request({self.method!r}, {mask_secrets(str(self.url))!r})>"


class _MaskSecrets(logging.Filter):
    """Masks credentials in httpx's log lines ("HTTP Request: GET https://…?key=…")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _secrets and isinstance(record.args, tuple):
            record.args = tuple(
                mask_secrets(str(arg)) if isinstance(arg, httpx.URL | str) else arg
                for arg in record.args
            )
        return True


def _install_log_filter() -> None:
    # Once a credential is known, rather than on import: importing the SDK changes nothing.
    # Each generated package has its own copy of this module, hence one filter per package.
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _MaskSecrets) for f in logger.filters):
        logger.addFilter(_MaskSecrets())


# ---------------------------------------------------------------------------------------------
# Reading bodies within limits
# ---------------------------------------------------------------------------------------------


class _Inflater:
    """Decompresses one layer of gzip or deflate in pieces of bounded size."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        # 47 accepts a gzip or zlib header; deflate may also come raw (without a header).
        self._wbits = 47 if encoding in ("gzip", "x-gzip") else 15
        self._decompressor = zlib.decompressobj(self._wbits)
        self._started = False

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self._decompressor.eof:
            try:
                piece = self._decompressor.decompress(data, _DECOMPRESSED_PIECE)
            except zlib.error:
                if self._started or self._wbits != 15:
                    raise
                self._decompressor = zlib.decompressobj(-15)  # raw deflate
                self._wbits = -15
                continue
            self._started = True
            data = self._decompressor.unconsumed_tail
            if piece:
                yield piece
            # Output the decompressor holds back once its input is consumed.
            while not data and len(piece) == _DECOMPRESSED_PIECE:
                piece = self._decompressor.decompress(b"", _DECOMPRESSED_PIECE)
                if piece:
                    yield piece


class _BodyReader:
    """Turns raw chunks into the decoded body, within `limit` bytes and a deadline."""

    def __init__(self, response: httpx.Response, limit: int, deadline: float | None) -> None:
        self.response = response
        self.limit = limit
        self.deadline = deadline
        self.size = 0
        self.pieces: list[bytes] = []
        self.layers: list[_Inflater] = []
        header = response.headers.get("content-encoding")
        if not header:  # most responses
            return
        encodings = [e.strip().lower() for e in header.split(",") if e.strip()]
        encodings = [e for e in encodings if e != "identity"]
        unknown = [e for e in encodings if e not in ("gzip", "x-gzip", "deflate")]
        if unknown:
            raise APIResponseValidationError(
                response, f"unsupported content-encoding {', '.join(unknown)!r}"
            )
        # The last encoding applied is the first to undo.
        self.layers = [_Inflater(encoding) for encoding in reversed(encodings)]

    def already_read(self) -> bool:
        """Whether the transport handed over the body already decoded (a mock, a cache)."""
        try:
            content = self.response.content
        except httpx.ResponseNotRead:
            return False
        if len(content) > self.limit:
            raise APIResponseTooLargeError(self.response, self.limit)
        return True

    def feed(self, chunk: bytes) -> None:
        pieces: Iterable[bytes] = (chunk,)
        for layer in self.layers:
            pieces = self._through(layer, pieces)
        for piece in pieces:
            self.size += len(piece)
            if self.size > self.limit:
                raise APIResponseTooLargeError(self.response, self.limit)
            self.pieces.append(piece)
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise _DeadlineExceeded

    def _through(self, layer: _Inflater, pieces: Iterable[bytes]) -> Iterator[bytes]:
        try:
            for piece in pieces:
                yield from layer.feed(piece)
        except zlib.error as exc:
            raise APIResponseValidationError(
                self.response, f"the {layer.encoding} body cannot be decompressed ({exc})"
            ) from exc

    def finish(self) -> None:
        # httpx keeps a response's body in `_content`, which `.content`, `.text` and
        # `.json()` read; the body was decoded here, so it must not be decoded again.
        self.response._content = b"".join(self.pieces)


class _DeadlineExceeded(Exception):
    """The call's total_timeout ran out (turned into an APITimeoutError)."""


# ---------------------------------------------------------------------------------------------
# The clients
# ---------------------------------------------------------------------------------------------


class BaseAPIClient:
    """Configuration and request logic shared by the sync and async clients."""

    base_url: httpx.URL
    timeout: httpx.Timeout
    total_timeout: float | None
    max_retries: int
    max_response_size: int
    _headers: dict[str, str]
    _wire_header_cache: dict[tuple[bytes, bool], httpx.Headers]

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        timeout: float | httpx.Timeout | None,
        total_timeout: float | None,
        max_retries: int,
        max_response_size: int,
        default_headers: Mapping[str, str] | None,
    ) -> None:
        base_url = settings.base_url
        try:
            self.base_url = httpx.URL(base_url)
        except (httpx.InvalidURL, TypeError):
            self.base_url = httpx.URL()
        if self.base_url.scheme not in ("http", "https") or not self.base_url.host:
            raise ValueError(f"Invalid base_url {_shown_url(base_url)!r}: expected an http(s) URL.")
        # str(), not .query/.fragment: httpx keeps an empty "?" or "#" in the text it returns,
        # and each request's path is appended to that text.
        if "?" in str(self.base_url) or "#" in str(self.base_url):
            raise ValueError(
                f"Invalid base_url {_shown_url(base_url)!r}: a base URL has no query or "
                "fragment (each request's path is appended to it)."
            )
        if self.base_url.userinfo:
            raise ValueError(
                f"Invalid base_url {_shown_url(base_url)!r}: a base URL has no user name or "
                "password (pass the API's credentials to the client instead)."
            )
        # Paths start with "/", so the URL they are appended to must not end with one.
        self._base_url = str(self.base_url).rstrip("/")
        self._server_urls = {name: url.rstrip("/") for name, url in settings.servers.items()}
        self.timeout = httpx.Timeout(timeout)
        if total_timeout is not None and not total_timeout > 0:
            raise ValueError("total_timeout must be a positive number of seconds, or None.")
        self.total_timeout = total_timeout
        self.max_retries = max_retries
        if max_response_size < 0:
            raise ValueError("max_response_size cannot be negative.")
        self.max_response_size = max_response_size
        for name, value in settings.auth_headers.items():
            _check_header_value(name, value, secret=True)
        for name, value in (default_headers or {}).items():
            _check_header_value(name, value, secret=False)
        for name, value in settings.auth_query.items():
            if not _is_unicode(value):
                raise ValueError(
                    f"Invalid value for the {name} credential: it is not Unicode text."
                )
        # The credentials, and the origins they may be sent to.
        self._credential_headers = frozenset(settings.auth_headers)
        self._auth_params = dict(settings.auth_query)
        self._api_origins = {_origin(self.base_url)} | {
            _origin(httpx.URL(url)) for url in self._server_urls.values()
        }
        _register_secrets(settings.auth_query.values())
        for value in settings.auth_headers.values():
            # Of "Basic …" and "Bearer …", the part after the scheme (and for basic auth,
            # what it encodes); any other header value whole.
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer" and token:
                _register_secrets([token])
            elif scheme.lower() == "basic" and token:
                try:
                    decoded = base64.b64decode(token).decode(errors="replace")
                except ValueError:  # not base64: only the token itself is known
                    decoded = ""
                _register_secrets([token, *decoded.split(":", 1)])
            else:
                _register_secrets([value])
        self._headers = {
            "user-agent": settings.user_agent,
            "accept": "application/json",
            "accept-encoding": _ACCEPT_ENCODING,
            **settings.auth_headers,
        }
        if default_headers:
            self._headers.update((k.lower(), v) for k, v in default_headers.items())
        self._wire_header_cache = {}
        self._api_netlocs = {self.base_url.netloc} | {
            httpx.URL(url).netloc for url in self._server_urls.values()
        }

    def _merge_client_headers(self, http: httpx.Client | httpx.AsyncClient) -> None:
        """Add the default headers of the HTTP client under ours, once for all calls."""
        self._headers = {**dict(http.headers.items()), **self._headers}
        # Encoded once now, so that a value httpx cannot encode fails at construction.
        httpx.Headers(self._headers)
        self._wire_header_cache = {}

    def _build_request(
        self,
        http: httpx.Client | httpx.AsyncClient,
        method: str,
        path: str,
        query: Mapping[str, QueryValue] | None,
        headers: Mapping[str, HeaderValue] | None,
        body: Mapping[str, object] | None,
        server: str | None,
        extra_headers: Headers | None,
    ) -> httpx.Request:
        url = (self._base_url if server is None else self._server_urls[server]) + path
        params: dict[str, _QueryParam] = dict(self._auth_params)
        if query:
            _add_query_params(params, query)
        content = None
        if body is not None:
            body = {k: v for k, v in body.items() if not isinstance(v, Unset)}
            try:
                content = _json_encoder.encode(body).encode()
            except UnicodeEncodeError:  # raised below: this error would carry the body
                content = None
            if content is None:
                raise _unsendable_body(body)
        # Calls that add no headers reuse the prepared header list (see `_wire_headers`).
        header_map: dict[str, str] | None = None
        if headers or extra_headers or content is not None:
            header_map = self._headers.copy()
            if content is not None:
                header_map["content-type"] = "application/json"
            # Each header the call adds is checked as h11 will check it, and refused here,
            # before sending: h11's error would quote the value.
            if headers:
                for name, value in headers.items():
                    if value is not None and not isinstance(value, Unset):
                        text = _header_text(value)
                        if not _sendable_value(text):
                            raise _unsendable_headers([(name.lower(), text)])
                        header_map[name.lower()] = text
            if extra_headers:
                for name, value in extra_headers.items():
                    if not (_sendable_value(value) and _sendable_name(name)):
                        raise _unsendable_headers([(name.lower(), value)])
                    header_map[name.lower()] = value
        # The URL is parsed once, with the query string httpx would write from `params`
        # (a URL that already holds a "?" or "#" gets its query from httpx, as before).
        # Built here rather than by http.build_request, which would merge the client's
        # headers again at each call; the client's cookies are set at each attempt.
        parsed: httpx.URL | None = None
        try:
            if params and ("?" in url or "#" in url):
                parsed = httpx.URL(url, params=params)
            else:
                parsed = httpx.URL(url + "?" + _query_string(params) if params else url)
        except UnicodeEncodeError:  # raised below: this error would carry the value
            pass
        if parsed is None:
            raise _unsendable_query(params)
        request = _Request(
            method,
            parsed,
            headers=self._wire_headers(parsed, method, header_map, content),
            # A stream, so that httpx takes the headers as they are: `_wire_headers`
            # already added the ones it would (Host, Content-Length).
            stream=httpx.ByteStream(content or b""),
        )
        request.read()
        return request

    @staticmethod
    def _set_cookies(
        http: httpx.Client | httpx.AsyncClient, request: httpx.Request, previous: str | None
    ) -> str | None:
        """Give this attempt the client's cookies as they are now (a retry sends those the
        failed attempt's response set), unless the call set its own Cookie header.
        `previous` is the header the last attempt got from here; returns this one's."""
        if previous is not None:
            del request.headers["cookie"]
        elif "cookie" in request.headers:
            return None  # the call's own
        if not http.cookies:
            return None
        http.cookies.set_cookie_header(request)
        cookie: str | None = request.headers.get("cookie")
        return cookie

    def _wire_headers(
        self,
        url: httpx.URL,
        method: str,
        header_map: dict[str, str] | None,
        content: bytes | None,
    ) -> httpx.Headers:
        """The headers httpx.Request would send for `header_map` (None: the prepared ones)
        and `content`: Host first unless given, then a Content-Length of 0 for a POST, PUT
        or PATCH without a body, the headers themselves, and the Content-Length of a body."""
        netloc = url.netloc
        empty_body = content is None and method.upper() in _EMPTY_BODY_METHODS
        key = (netloc, empty_body)
        if header_map is None:
            found = self._wire_header_cache.get(key)
            if found is not None:
                return found
            header_map = self._headers
        pairs: list[tuple[str, str]] = []
        if "host" not in header_map and netloc:
            pairs.append(("Host", netloc.decode("ascii")))
        if (
            empty_body
            and "content-length" not in header_map
            and "transfer-encoding" not in header_map
        ):
            pairs.append(("Content-Length", "0"))
        pairs.extend(header_map.items())
        if content and "content-length" not in header_map:
            pairs.append(("Content-Length", str(len(content))))
        wire: httpx.Headers | None
        try:
            wire = httpx.Headers(pairs)
        except UnicodeEncodeError:  # raised below: this error would carry the value
            wire = None
        if wire is None:
            raise _unsendable_headers(pairs)
        if header_map is self._headers and netloc in self._api_netlocs:
            # One entry per origin of the API: the URLs of other hosts are not kept.
            self._wire_header_cache[key] = wire
        return wire

    def _deadline(self, total_timeout: TotalTimeout | NotGiven) -> float | None:
        """The `time.monotonic()` by which the call must be done, if any."""
        if isinstance(total_timeout, NotGiven):
            total_timeout = self.total_timeout
        if total_timeout is None:
            return None
        if not total_timeout > 0:
            raise ValueError("total_timeout must be a positive number of seconds, or None.")
        return time.monotonic() + total_timeout

    @staticmethod
    def _set_timeout(
        request: httpx.Request, timeout: httpx.Timeout, deadline: float | None
    ) -> None:
        """Give the attempt its timeouts, each cut down to what is left of the deadline."""
        phases = timeout.as_dict()
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _DeadlineExceeded
            phases = {k: left if v is None else min(v, left) for k, v in phases.items()}
        request.extensions["timeout"] = phases

    def _retry_delay(
        self,
        retries: int,
        waited: float,
        response: httpx.Response | None,
        deadline: float | None,
    ) -> float | None:
        """Seconds to sleep before the next attempt, or None to give up.

        `response` is None after a connection error or a timeout; both are retried.
        """
        if retries >= self.max_retries:
            return None
        delay: float | None = None
        if response is not None:
            status = response.status_code
            if status < 500 and status not in RETRY_STATUSES:
                return None
            delay = _retry_after(response.headers)
        if delay is None or not 0 <= delay <= MAX_RETRY_AFTER:
            # Up to 25% of jitter keeps many clients from retrying in lockstep.
            backoff = min(INITIAL_RETRY_DELAY * 2.0**retries, MAX_RETRY_DELAY)
            delay = backoff * (1 - 0.25 * random.random())
        if deadline is not None and time.monotonic() + delay >= deadline:
            return None
        return None if waited + delay > MAX_RETRY_WAIT else delay

    def _redirect(self, request: httpx.Request, response: httpx.Response) -> httpx.Request:
        """The request that follows a redirect, with credentials only for the API's origins."""
        url = request.url.join(response.headers["location"])
        method = request.method
        status = response.status_code
        if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
            method = "GET"
        headers = httpx.Headers(request.headers)
        headers.pop("cookie", None)
        headers.pop("host", None)
        content = request.content
        if method != request.method:
            content = b""
            for name in ("content-type", "content-length", "transfer-encoding"):
                headers.pop(name, None)
        if _origin(url) in self._api_origins:
            url = url.copy_merge_params(self._auth_params) if self._auth_params else url
            if _origin(url) != _origin(request.url):
                # Another of the API's origins: its own credentials go along, no other.
                for name in _CREDENTIAL_HEADERS - self._credential_headers:
                    headers.pop(name, None)
        else:
            for name in _CREDENTIAL_HEADERS | self._credential_headers:
                headers.pop(name, None)
            for name in self._auth_params:
                if name in url.params and url.params[name] == self._auth_params[name]:
                    url = url.copy_remove_param(name)
        next_request = _Request(method, url, headers=headers, content=content or None)
        next_request.extensions = dict(request.extensions)
        return next_request

    def _is_redirect(
        self, http: httpx.Client | httpx.AsyncClient, response: httpx.Response
    ) -> bool:
        return (
            http.follow_redirects
            and response.status_code in _REDIRECT_STATUSES
            and "location" in response.headers
        )

    @staticmethod
    def _status_error(response: httpx.Response) -> APIStatusError:
        if response.status_code >= 500:
            return InternalServerError(response)
        return _STATUS_ERRORS.get(response.status_code, APIStatusError)(response)

    @classmethod
    def _final_error(
        cls, request: httpx.Request, exc: httpx.TransportError, deadline: float | None
    ) -> APIConnectionError:
        """The error to raise for `exc`, with `exc` as its cause unless the request was not
        sent: that error (and those it chains) may quote the request's headers."""
        if deadline is not None and isinstance(exc, httpx.TimeoutException):
            error: APIConnectionError = cls._deadline_error(request)
        else:
            error = cls._connection_error(request, exc)
        if not isinstance(exc, httpx.LocalProtocolError):
            error.__cause__ = exc
        return error

    @staticmethod
    def _connection_error(request: httpx.Request, exc: httpx.TransportError) -> APIConnectionError:
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(request=request)
        if isinstance(exc, httpx.LocalProtocolError):
            # h11 quotes the offending bytes (`Illegal header value b'…'`), which may be a
            # token passed per call: only the reason is kept.
            reason = re.split(r"""\s*b['"]""", str(exc), maxsplit=1)[0] or "invalid request"
            return APIConnectionError(f"Request not sent: {reason}.", request=request)
        detail = mask_secrets(str(exc))
        message = f"Connection error: {detail}" if detail else "Connection error."
        return APIConnectionError(message, request=request)

    @staticmethod
    def _deadline_error(request: httpx.Request) -> APITimeoutError:
        return APITimeoutError("The call ran out of its total_timeout.", request=request)

    @staticmethod
    def _too_many_redirects(request: httpx.Request, limit: int) -> APIConnectionError:
        return APIConnectionError(f"Exceeded {limit} redirects.", request=request)

    @staticmethod
    def _retryable(exc: httpx.TransportError) -> bool:
        # A request httpx refused to send (an invalid header value, an unsupported
        # scheme) fails the same way every time.
        return not isinstance(exc, httpx.LocalProtocolError | httpx.UnsupportedProtocol)


class SyncAPIClient(BaseAPIClient):
    """The synchronous client. Close it, or use it as a context manager, when done."""

    _http_client: httpx.Client | None

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        timeout: float | httpx.Timeout | None,
        total_timeout: float | None,
        max_retries: int,
        max_response_size: int,
        default_headers: Mapping[str, str] | None,
        http_client: httpx.Client | None,
    ) -> None:
        super().__init__(
            settings,
            timeout=timeout,
            total_timeout=total_timeout,
            max_retries=max_retries,
            max_response_size=max_response_size,
            default_headers=default_headers,
        )
        self._http_client = http_client
        self._owns_http_client = http_client is None
        if http_client is not None:
            self._merge_client_headers(http_client)
        self._lock = threading.Lock()

    @property
    def _http(self) -> httpx.Client:
        # Created on first use, because setting up httpx (httpcore, TLS certificates)
        # would otherwise be most of the cost of constructing this client.
        if self._http_client is None:
            with self._lock:
                if self._http_client is None:
                    http_client = httpx.Client()
                    self._merge_client_headers(http_client)
                    self._http_client = http_client
        return self._http_client

    def close(self) -> None:
        """Close the connections, unless the http_client was passed in."""
        if self._owns_http_client and self._http_client is not None:
            self._http_client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _request(
        self,
        method: str,
        path: str,
        cast: Callable[[Any], T],
        query: Mapping[str, QueryValue] | None = None,
        headers: Mapping[str, HeaderValue] | None = None,
        body: Mapping[str, object] | None = None,
        server: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        total_timeout: TotalTimeout | NotGiven = NOT_GIVEN,
    ) -> T:
        """Send a request, retrying as configured, and return `cast` of the body."""
        # The HTTP client first: creating it (TLS certificates) is not part of the call.
        http = self._http
        deadline = self._deadline(total_timeout)
        phases = self.timeout if isinstance(timeout, NotGiven) else httpx.Timeout(timeout)
        request = self._build_request(
            http, method, path, query, headers, body, server, extra_headers
        )
        retries = 0
        waited = 0.0
        cookie: str | None = None
        while True:
            if cookie is not None or http.cookies:
                cookie = self._set_cookies(http, request, cookie)
            error: httpx.TransportError | None = None
            try:
                self._set_timeout(request, phases, deadline)
                response = self._send(http, request, deadline)
            except _DeadlineExceeded:
                raise self._deadline_error(request) from None
            except httpx.TransportError as exc:
                error = exc
            # Raised out of the except block, so that an error that may quote the request's
            # headers is neither the __cause__ nor the __context__ of what is raised.
            if error is not None:
                delay = self._retry_delay(retries, waited, None, deadline)
                if delay is None or not self._retryable(error):
                    raise self._final_error(request, error, deadline)
            else:
                if 200 <= response.status_code < 300:
                    return _process_response(response, cast)
                delay = self._retry_delay(retries, waited, response, deadline)
                if delay is None:
                    raise self._status_error(response)
            _sleep(delay)
            waited += delay
            retries += 1

    def _send(
        self, http: httpx.Client, request: httpx.Request, deadline: float | None
    ) -> httpx.Response:
        """Send `request`, following redirects if `http` does, and read the body."""
        for _ in range(http.max_redirects + 1):
            response = http.send(request, stream=True, follow_redirects=False)
            try:
                if not self._is_redirect(http, response):
                    reader = _BodyReader(response, self.max_response_size, deadline)
                    if not reader.already_read():
                        for chunk in response.iter_raw():
                            reader.feed(chunk)
                        reader.finish()
                    return response
            finally:
                response.close()
            request = self._redirect(request, response)
            if http.cookies:
                http.cookies.set_cookie_header(request)
        raise self._too_many_redirects(request, http.max_redirects)


class AsyncAPIClient(BaseAPIClient):
    """The asynchronous client. Close it, or use it as a context manager, when done."""

    _http_client: httpx.AsyncClient | None

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        timeout: float | httpx.Timeout | None,
        total_timeout: float | None,
        max_retries: int,
        max_response_size: int,
        default_headers: Mapping[str, str] | None,
        http_client: httpx.AsyncClient | None,
    ) -> None:
        super().__init__(
            settings,
            timeout=timeout,
            total_timeout=total_timeout,
            max_retries=max_retries,
            max_response_size=max_response_size,
            default_headers=default_headers,
        )
        self._http_client = http_client
        self._owns_http_client = http_client is None
        if http_client is not None:
            self._merge_client_headers(http_client)

    @property
    def _http(self) -> httpx.AsyncClient:
        # Created on first use, like in SyncAPIClient. No lock is needed: nothing awaits
        # between the check and the assignment.
        if self._http_client is None:
            http_client = httpx.AsyncClient()
            self._merge_client_headers(http_client)
            self._http_client = http_client
        return self._http_client

    async def close(self) -> None:
        """Close the connections, unless the http_client was passed in."""
        if self._owns_http_client and self._http_client is not None:
            await self._http_client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _request(
        self,
        method: str,
        path: str,
        cast: Callable[[Any], T],
        query: Mapping[str, QueryValue] | None = None,
        headers: Mapping[str, HeaderValue] | None = None,
        body: Mapping[str, object] | None = None,
        server: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        total_timeout: TotalTimeout | NotGiven = NOT_GIVEN,
    ) -> T:
        """Send a request, retrying as configured, and return `cast` of the body."""
        # The HTTP client first: creating it (TLS certificates) is not part of the call.
        http = self._http
        deadline = self._deadline(total_timeout)
        phases = self.timeout if isinstance(timeout, NotGiven) else httpx.Timeout(timeout)
        request = self._build_request(
            http, method, path, query, headers, body, server, extra_headers
        )
        if deadline is None:
            return await self._attempts(http, request, phases, None, cast)
        # Unlike blocking reads, awaits can be cancelled: the deadline holds to the moment.
        import anyio

        try:
            with anyio.fail_after(max(deadline - time.monotonic(), 0)):
                return await self._attempts(http, request, phases, deadline, cast)
        except TimeoutError:
            raise self._deadline_error(request) from None

    async def _attempts(
        self,
        http: httpx.AsyncClient,
        request: httpx.Request,
        phases: httpx.Timeout,
        deadline: float | None,
        cast: Callable[[Any], T],
    ) -> T:
        retries = 0
        waited = 0.0
        cookie: str | None = None
        while True:
            if cookie is not None or http.cookies:
                cookie = self._set_cookies(http, request, cookie)
            error: httpx.TransportError | None = None
            try:
                self._set_timeout(request, phases, deadline)
                response = await self._send(http, request, deadline)
            except _DeadlineExceeded:
                raise self._deadline_error(request) from None
            except httpx.TransportError as exc:
                error = exc
            # Raised out of the except block, so that an error that may quote the request's
            # headers is neither the __cause__ nor the __context__ of what is raised.
            if error is not None:
                delay = self._retry_delay(retries, waited, None, deadline)
                if delay is None or not self._retryable(error):
                    raise self._final_error(request, error, deadline)
            else:
                if 200 <= response.status_code < 300:
                    return _process_response(response, cast)
                delay = self._retry_delay(retries, waited, response, deadline)
                if delay is None:
                    raise self._status_error(response)
            await _async_sleep(delay)
            waited += delay
            retries += 1

    async def _send(
        self, http: httpx.AsyncClient, request: httpx.Request, deadline: float | None
    ) -> httpx.Response:
        """Send `request`, following redirects if `http` does, and read the body."""
        for _ in range(http.max_redirects + 1):
            response = await http.send(request, stream=True, follow_redirects=False)
            try:
                if not self._is_redirect(http, response):
                    reader = _BodyReader(response, self.max_response_size, deadline)
                    if not reader.already_read():
                        chunks: AsyncIterator[bytes] = response.aiter_raw()
                        async for chunk in chunks:
                            reader.feed(chunk)
                        reader.finish()
                    return response
            finally:
                await response.aclose()
            request = self._redirect(request, response)
            if http.cookies:
                http.cookies.set_cookie_header(request)
        raise self._too_many_redirects(request, http.max_redirects)


# The entries of a method's `locals()` that are not parameters of the API.
_NOT_PARAMS: Final = frozenset({"self", "options"})
_OPTION_NAMES: Final = frozenset(RequestOptions.__annotations__)
# An Endpoint's parameters outside the path: (name, wire name) pairs for the query, the
# headers and the body, None where the method has none.
_Pairs: TypeAlias = tuple[tuple[str, str], ...] | None
_Layout: TypeAlias = tuple[_Pairs, _Pairs, _Pairs]
# What `Endpoint.request` gives the client's `_request`, in the order of its parameters.
_RequestArgs: TypeAlias = tuple[
    str,
    str,
    Callable[[Any], T],
    dict[str, Any] | None,
    dict[str, Any] | None,
    dict[str, Any] | None,
    str | None,
    Headers | None,
    Timeout | NotGiven,
    TotalTimeout | NotGiven,
]


@final
class Endpoint(Generic[T]):
    """One API operation, as its generated sync and async methods both send it.

    `path` is a `str.format` template whose fields name the path arguments; `cast` turns the
    decoded JSON into what the method returns; `server` names one of the client's servers
    (None: the base URL). Every other argument goes to `location` (`"query"`, `"header"` or
    `"body"`) under its own name, unless a keyword places it: `session="header:X-Session"`
    (a location, then `":"` and the name on the wire when that differs).
    """

    __slots__ = (
        "method",
        "path",
        "cast",
        "location",
        "server",
        "path_head",
        "path_tail",
        "placed",
        "_layout",
    )

    def __init__(
        self,
        method: str,
        path: str,
        cast: Callable[[Any], T],
        location: str | None = None,
        server: str | None = None,
        /,
        **placed: str,
    ) -> None:
        self.method = method
        self.path = path
        self.cast = cast
        self.location = location or "body"  # None: the method has no such parameter
        self.server = server
        # The literal text before the first path argument, then each argument's name and
        # the literal text after it (doubled braces made single).
        head = ""
        tail: list[tuple[str, str]] = []
        for literal, name, _, _ in string.Formatter().parse(path):
            if tail:
                tail[-1] = (tail[-1][0], tail[-1][1] + literal)
            else:
                head += literal
            if name is not None:
                tail.append((name, ""))
        self.path_head = head
        self.path_tail = tuple(tail)
        self.placed: dict[str, tuple[str, str]] = {}
        for name, where in placed.items():
            place, _, wire = where.partition(":")
            self.placed[name] = (place, wire or name)
        self._layout: _Layout | None = None

    def __repr__(self) -> str:
        return f"<Endpoint {self.method} {self.path}>"

    def request(self, args: Mapping[str, Any]) -> _RequestArgs[T]:
        """The arguments of the client's `_request` for a call with `args` (its `locals()`).

        A location gets a mapping (even an empty one: a JSON body of `{}`) when the method
        has a parameter there, else None.
        """
        # Plain loops and concatenation: in Python 3.11 they beat comprehensions and
        # str.format_map, and this runs at every call.
        query_pairs, header_pairs, body_pairs = self._layout or self._lay_out(args)
        options: RequestOptions = args["options"]
        if options and not options.keys() <= _OPTION_NAMES:
            unknown = ", ".join(sorted(options.keys() - _OPTION_NAMES))
            raise TypeError(f"unexpected keyword argument(s): {unknown}")
        path = self.path_head
        for name, literal in self.path_tail:
            path += path_param(args[name]) + literal
        query = headers = body = None
        if query_pairs is not None:
            query = {}
            for name, wire in query_pairs:
                query[wire] = args[name]
        if header_pairs is not None:
            headers = {}
            for name, wire in header_pairs:
                headers[wire] = args[name]
        if body_pairs is not None:
            body = {}
            for name, wire in body_pairs:
                body[wire] = args[name]
        return (
            self.method,
            path,
            self.cast,
            query,
            headers,
            body,
            self.server,
            options.get("extra_headers"),
            options.get("timeout", NOT_GIVEN),
            options.get("total_timeout", NOT_GIVEN),
        )

    def _lay_out(self, args: Mapping[str, Any]) -> _Layout:
        """Where each parameter goes, worked out at the first call: the names of `args` (the
        method's parameters, in order) are the same at every call."""
        placed: dict[str, list[tuple[str, str]]] = {}
        path_names = {name for name, _ in self.path_tail}
        for name in args:
            if name not in _NOT_PARAMS and name not in path_names:
                location, wire = self.placed.get(name) or (self.location, name)
                placed.setdefault(location, []).append((name, wire))
        query, headers, body = (placed.get(where) for where in ("query", "header", "body"))
        layout: _Layout = (
            None if query is None else tuple(query),
            None if headers is None else tuple(headers),
            None if body is None else tuple(body),
        )
        self._layout = layout
        return layout


def _call_kwargs(args: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments that repeat a call: its `locals()`, options included."""
    kwargs = {name: value for name, value in args.items() if name not in _NOT_PARAMS}
    return {**kwargs, **args["options"]}


class SyncResource:
    """Base class of the generated synchronous resource classes.

    A generated method passes its `Endpoint` and its arguments (`locals()`: every parameter,
    and the per-call `options`) to `_call`; its docstring and signature are all it spells.
    """

    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client

    def _call(self, endpoint: Endpoint[T], args: Mapping[str, Any]) -> T:
        return self._client._request(*endpoint.request(args))

    def _pages(
        self, fetch: Callable[..., T], args: Mapping[str, Any], cursor: str, *next_cursor: str
    ) -> Iterator[T]:
        """`fetch` (a method) called with `args` (its pages method's `locals()`) for the first
        page, then with `cursor` set to the `next_cursor` field of each page, while any."""
        kwargs = _call_kwargs(args)
        return iter_pages(
            lambda value: fetch(**kwargs, **{cursor: value}),
            lambda page: cursor_at(page, *next_cursor),
        )

    def _request(
        self,
        method: str,
        path: str,
        *,
        cast: Callable[[Any], T],
        query: Mapping[str, QueryValue] | None = None,
        headers: Mapping[str, HeaderValue] | None = None,
        body: Mapping[str, object] | None = None,
        server: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        total_timeout: TotalTimeout | NotGiven = NOT_GIVEN,
    ) -> T:
        """Send any request through the client (its settings, retries and errors)."""
        return self._client._request(
            method,
            path,
            cast=cast,
            query=query,
            headers=headers,
            body=body,
            server=server,
            extra_headers=extra_headers,
            timeout=timeout,
            total_timeout=total_timeout,
        )


class AsyncResource:
    """Base class of the generated asynchronous resource classes (see `SyncResource`)."""

    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client

    async def _call(self, endpoint: Endpoint[T], args: Mapping[str, Any]) -> T:
        return await self._client._request(*endpoint.request(args))

    def _pages(
        self,
        fetch: Callable[..., Awaitable[T]],
        args: Mapping[str, Any],
        cursor: str,
        *next_cursor: str,
    ) -> AsyncIterator[T]:
        """The async form of `SyncResource._pages`."""
        kwargs = _call_kwargs(args)
        return aiter_pages(
            lambda value: fetch(**kwargs, **{cursor: value}),
            lambda page: cursor_at(page, *next_cursor),
        )

    async def _request(
        self,
        method: str,
        path: str,
        *,
        cast: Callable[[Any], T],
        query: Mapping[str, QueryValue] | None = None,
        headers: Mapping[str, HeaderValue] | None = None,
        body: Mapping[str, object] | None = None,
        server: str | None = None,
        extra_headers: Headers | None = None,
        timeout: Timeout | NotGiven = NOT_GIVEN,
        total_timeout: TotalTimeout | NotGiven = NOT_GIVEN,
    ) -> T:
        """Send any request through the client (its settings, retries and errors)."""
        return await self._client._request(
            method,
            path,
            cast=cast,
            query=query,
            headers=headers,
            body=body,
            server=server,
            extra_headers=extra_headers,
            timeout=timeout,
            total_timeout=total_timeout,
        )
