"""Sentinel values and type aliases shared by the client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Final, Literal, TypeAlias, final

import httpx

__all__ = ["NOT_GIVEN", "UNSET", "Headers", "NotGiven", "Timeout", "TotalTimeout", "Unset"]


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
