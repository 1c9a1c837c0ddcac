"""Helpers the generated models use to read and write JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._types import UNSET

__all__ = [
    "cursor_at",
    "discard",
    "dump",
    "extra_fields",
    "parse_dict",
    "parse_list",
    "parse_object",
    "parse_object_list",
    "passthrough",
]


# Parsers never reject data: a value that does not have the expected shape is kept as it came,
# so a server that adds or changes fields never breaks a client.


def parse_object(parse: Callable[[Mapping[str, Any]], Any], value: Any) -> Any:
    return parse(value) if type(value) is dict else value


def parse_object_list(parse: Callable[[Mapping[str, Any]], Any], value: Any) -> Any:
    if type(value) is not list:
        return value
    return [parse(item) if type(item) is dict else item for item in value]


def parse_list(parse: Callable[[Any], Any], value: Any) -> Any:
    return [parse(item) for item in value] if type(value) is list else value


def parse_dict(parse: Callable[[Any], Any], value: Any) -> Any:
    return {key: parse(item) for key, item in value.items()} if type(value) is dict else value


def extra_fields(data: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """The fields of ``data`` a model does not declare, kept so nothing is lost."""
    unknown = data.keys() - known
    return {key: data[key] for key in unknown} if unknown else {}


def dump(value: Any) -> Any:
    """Models, and lists and dicts of them, as JSON values."""
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    if isinstance(value, list):
        return [dump(item) for item in value]
    if isinstance(value, dict):
        return {key: dump(item) for key, item in value.items()}
    return value


def passthrough(value: Any) -> Any:
    return value


def discard(value: Any) -> None:
    return None


def cursor_at(page: Any, *names: str) -> Any:
    """The attribute at ``names`` below ``page``, or None when any step is missing."""
    for name in names:
        page = getattr(page, name, None)
        if page is None or page is UNSET:
            return None
    return page
