"""Raw HTTP responses, as returned by the `with_raw_response` methods."""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, Generic, ParamSpec, TypeVar, cast

import httpx

from .errors import APIResponseValidationError, ResponseShapeError, _request_id

__all__ = ["APIResponse", "async_to_raw_response_wrapper", "to_raw_response_wrapper"]

P = ParamSpec("P")
T = TypeVar("T")

# True while a raw response wrapper runs. A context variable, rather than an argument,
# keeps the signatures of the generated methods clean and follows each call, be it sync
# or async.
_raw_response: ContextVar[bool] = ContextVar("_raw_response", default=False)


class APIResponse(Generic[T]):
    """An HTTP response of the API; `parse()` gives what the method normally returns."""

    def __init__(self, http_response: httpx.Response, parser: Callable[[Any], T]) -> None:
        self.http_response = http_response
        self._parser = parser

    def __repr__(self) -> str:
        # The client's requests mask credentials sent in the query in their repr.
        request = repr(self.http_response.request).removeprefix("<Request(").removesuffix(")>")
        return f"<APIResponse [{self.status_code}] {request}>"

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def text(self) -> str:
        return self.http_response.text

    @property
    def request_id(self) -> str | None:
        return _request_id(self.http_response, self.json())

    def json(self) -> Any:
        """The decoded body: JSON, None when empty, or the text when it is not JSON.

        Raises `APIResponseValidationError` if the JSON is nested too deeply to decode.
        """
        return _decode(self.http_response)

    def parse(self) -> T:
        """The typed result, parsed once and then cached."""
        return self._parsed

    @functools.cached_property
    def _parsed(self) -> T:
        return _parse(self.http_response, self._parser)


def to_raw_response_wrapper(func: Callable[P, T]) -> Callable[P, APIResponse[T]]:
    """Make `func` return the `APIResponse` instead of the parsed result."""

    @functools.wraps(func)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        token = _raw_response.set(True)
        try:
            return cast("APIResponse[T]", func(*args, **kwargs))
        finally:
            _raw_response.reset(token)

    return wrapped


def async_to_raw_response_wrapper(
    func: Callable[P, Awaitable[T]],
) -> Callable[P, Awaitable[APIResponse[T]]]:
    """Make the async `func` return the `APIResponse` instead of the parsed result."""

    @functools.wraps(func)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        token = _raw_response.set(True)
        try:
            return cast("APIResponse[T]", await func(*args, **kwargs))
        finally:
            _raw_response.reset(token)

    return wrapped


def _process_response(response: httpx.Response, parser: Callable[[Any], T]) -> T:
    """What a successful call returns: the parsed body, or the raw `APIResponse`."""
    if _raw_response.get():
        return cast(T, APIResponse(response, parser))
    return _parse(response, parser)


# What the generated parsers raise on data of the wrong shape, e.g. `from_dict` of a list, or
# on data nested deeper than the interpreter's recursion limit.
_PARSE_ERRORS = (AttributeError, TypeError, ValueError, LookupError, RecursionError)


def _parse(response: httpx.Response, parser: Callable[[Any], T]) -> T:
    """`parser` of the decoded body; an APIResponseValidationError if the body does not fit
    (or is nested too deeply to decode)."""
    body = _decode(response)
    try:
        return parser(body)
    except ResponseShapeError as exc:  # a checked model names the field path
        problem = str(exc) if exc.path else f"{_describe(response, body)} ({exc})"
        raise APIResponseValidationError(response, problem) from exc
    except _PARSE_ERRORS as exc:
        problem = f"{_describe(response, body)} ({type(exc).__name__}: {exc})"
        raise APIResponseValidationError(response, problem) from exc


def _describe(response: httpx.Response, body: object) -> str:
    if not response.content:
        return "the body is empty"
    if isinstance(body, dict):
        return "a field of the JSON object has an unexpected type or value"
    if isinstance(body, str):
        content_type = response.headers.get("content-type", "none")
        return f"the body is text, not a JSON object (content-type {content_type})"
    kind = "null" if body is None else "an array" if isinstance(body, list) else "a scalar"
    return f"the body is JSON {kind}, not an object"


def _decode(response: httpx.Response) -> Any:
    # Empty bodies (204 and the like) decode to None. A body that is not JSON is passed
    # on as text, so that endpoints answering text/plain or CSV work with `cast=str`.
    content = response.content
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return response.text
    except RecursionError as exc:  # e.g. `[[[…]]]` 200k deep: valid JSON, but not an answer
        problem = "the JSON body is nested too deeply to decode"
        raise APIResponseValidationError(response, problem) from exc
