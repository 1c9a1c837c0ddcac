"""Helpers that walk through cursor-paginated endpoints page by page."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

from ._types import UNSET, Unset

__all__ = ["aiter_pages", "cursor_at", "iter_pages"]

T = TypeVar("T")


def cursor_at(page: Any, *names: str) -> Any:
    """The attribute at ``names`` below ``page``, or None when any step is missing."""
    for name in names:
        page = getattr(page, name, None)
        if page is None or page is UNSET:
            return None
    return page


def iter_pages(
    fetch: Callable[[str | Unset], T],
    next_cursor: Callable[[T], str | Unset | None],
) -> Iterator[T]:
    """Yield `fetch(UNSET)`, then the page each cursor points to, until there is none.

    It stops when the cursor is None, UNSET or empty, and also when a cursor comes
    back a second time, which would otherwise loop forever.
    """
    seen: set[str] = set()
    page = fetch(UNSET)
    while True:
        yield page
        cursor = next_cursor(page)
        if not cursor or cursor in seen:
            return
        seen.add(cursor)
        page = fetch(cursor)


async def aiter_pages(
    fetch: Callable[[str | Unset], Awaitable[T]],
    next_cursor: Callable[[T], str | Unset | None],
) -> AsyncIterator[T]:
    """The async form of `iter_pages`."""
    seen: set[str] = set()
    page = await fetch(UNSET)
    while True:
        yield page
        cursor = next_cursor(page)
        if not cursor or cursor in seen:
            return
        seen.add(cursor)
        page = await fetch(cursor)
