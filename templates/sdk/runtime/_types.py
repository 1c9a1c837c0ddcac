"""Sentinel values and type aliases shared by the client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final, Literal, TypeAlias, TypedDict, final

import httpx

__all__ = [
    "NOT_GIVEN",
    "UNSET",
    "Headers",
    "NotGiven",
    "RequestOptions",
    "Timeout",
    "TotalTimeout",
    "Unset",
]


@final
class Unset:
    """The type of `UNSET`, the default of arguments the caller leaves out.

    `UNSET` is falsy and distinct from None: an UNSET field is not sent at all, while
    None is sent as JSON null.
    """

    __slots__ = ()
    _instance: ClassVar[Unset | None] = None

    def __new__(cls) -> Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        # Copies and pickles refer to the module attribute: `is UNSET` keeps working.
        return "UNSET"


UNSET: Final = Unset()


@final
class NotGiven:
    """The type of `NOT_GIVEN`, the default of per-call options such as `timeout`.

    It tells "use the client's setting" apart from None, which can be a real value
    (`timeout=None` disables the timeout).
    """

    __slots__ = ()
    _instance: ClassVar[NotGiven | None] = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __reduce__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

Headers: TypeAlias = Mapping[str, str]
Timeout: TypeAlias = float | httpx.Timeout | None
# The most seconds a whole call may take, retries and reading the body included; None: no limit.
TotalTimeout: TypeAlias = float | None


class RequestOptions(TypedDict, total=False):
    """The options every method takes as keyword arguments, beside the API's parameters.

    `extra_headers` are sent as well (and win over the client's headers), `timeout`
    overrides the client's per-attempt timeout and `total_timeout` its limit on the whole
    call. Each method declares them as `**options: Unpack[RequestOptions]`, so a type
    checker still rejects a misspelt option.
    """

    extra_headers: Headers | None
    timeout: Timeout | NotGiven
    total_timeout: TotalTimeout | NotGiven
