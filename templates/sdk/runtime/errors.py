"""The errors raised by the client.

Every error derives from `APIError`. `APIConnectionError` means that no response
arrived; `APIStatusError` and its subclasses mean that the API answered with an error;
`APIResponseValidationError` and `APIResponseTooLargeError` mean that a successful response
could not be used.
"""

from __future__ import annotations

import json

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseTooLargeError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
]


class APIError(Exception):
    """Base class of the errors raised by the client."""

    message: str
    request: httpx.Request | None

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APIConnectionError(APIError):
    """The request failed before a response arrived."""

    request: httpx.Request

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """The request timed out, or the call ran out of its `total_timeout`."""

    def __init__(self, message: str = "Request timed out.", *, request: httpx.Request) -> None:
        super().__init__(message, request=request)


class APIResponseValidationError(APIError):
    """The API answered with a success status, but the body is not what the endpoint returns.

    `response` is the HTTP response, its body already read.
    """

    request: httpx.Request
    response: httpx.Response
    status_code: int

    def __init__(self, response: httpx.Response, problem: str) -> None:
        self.response = response
        self.status_code = response.status_code
        request = response.request
        # The path names the endpoint; the query is left out, as it may hold an API key.
        endpoint = f"{request.method} {request.url.path}"
        message = f"{endpoint} answered {response.status_code} with an unexpected body: {problem}"
        super().__init__(message, request=request)


class ResponseShapeError(ValueError):
    """Internal: a response value is missing or not of its declared type; ``path`` says where.

    Raised by the checked models' parsers; the client turns it into an
    `APIResponseValidationError` that names the endpoint.
    """

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.path = ""

    def within(self, step: str) -> ResponseShapeError:
        """The same error one level up: ``step`` is a field name or ``[index]``."""
        self.path = step + ("" if not self.path or self.path[0] == "[" else ".") + self.path
        return self

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}" if self.path else self.problem


class APIResponseTooLargeError(APIError):
    """The response body, once decompressed, is larger than the client's `max_response_size`."""

    request: httpx.Request
    response: httpx.Response
    limit: int

    def __init__(self, response: httpx.Response, limit: int) -> None:
        self.response = response
        self.limit = limit
        request = response.request
        message = (
            f"{request.method} {request.url.path}: the response body is larger than "
            f"max_response_size ({limit} bytes); it was not read further."
        )
        super().__init__(message, request=request)


class APIStatusError(APIError):
    """The API answered with an error status.

    `body` is the decoded JSON body, or None when it is empty or not JSON; `request_id`,
    `error_type` and `error_message` are read from it when present.
    """

    request: httpx.Request
    response: httpx.Response
    status_code: int
    body: object
    request_id: str | None
    error_type: str | None
    error_message: str | None

    def __init__(self, response: httpx.Response) -> None:
        try:
            body = json.loads(response.content) if response.content else None
        except (ValueError, RecursionError):  # not JSON, or nested too deeply to decode
            body = None
        self.response = response
        self.status_code = response.status_code
        self.body = body
        self.request_id = _request_id(response, body)
        self.error_type = _str_field(body, "error_type")
        self.error_message = _str_field(body, "error_message")
        parts = (self.error_type, self.error_message)
        summary = ": ".join(part for part in parts if part) or response.reason_phrase
        message = f"{response.status_code} {summary}"
        if self.request_id:
            message += f" (request_id={self.request_id})"
        super().__init__(message, request=response.request)


class BadRequestError(APIStatusError):
    """400: the request is invalid."""


class AuthenticationError(APIStatusError):
    """401: the credentials are missing or wrong."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials do not allow this request."""


class NotFoundError(APIStatusError):
    """404: the resource does not exist."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state of the resource."""


class RateLimitError(APIStatusError):
    """429: too many requests."""


class InternalServerError(APIStatusError):
    """5xx: the API failed to handle the request."""


def _str_field(body: object, key: str) -> str | None:
    value = body.get(key) if isinstance(body, dict) else None
    return value if isinstance(value, str) else None


def _request_id(response: httpx.Response, body: object) -> str | None:
    """The request ID from the JSON body, else from the response headers."""
    if isinstance(body, dict):
        request_id = body.get("request_id")
        if isinstance(request_id, str):
            return request_id
    for name in ("request-id", "x-request-id"):
        if name in response.headers:
            return response.headers[name]
    return None
