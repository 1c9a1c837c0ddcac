"""Decoding a directive's arguments: scalar types, enums, defaults, auth schemes."""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from typing import assert_never

from .. import ir
from .words import AUTH_KINDS, MIME_TOP_LEVEL, SLASHED_FORMATS


@lru_cache(maxsize=4096)
def _scalar_type(text: str) -> ir.TypeExpr:
    """``str``, ``int(int32)``, ``enum(a/b)``, ``User``: shared, since IR nodes are frozen."""
    name, _, args = text.partition("(")
    if name == "enum":
        inner = args[:-1]
        return ir.EnumType("enum", _enum_values(inner), f"enum({inner})")
    if name in ir.PRIMITIVES:
        return decode_args(name, args[:-1]) if args else ir.Primitive(name)
    return ir.RefType(name)


_SCALAR_SPECS: dict[tuple[int, bool], ir.TypeSpec] = {}


def _type_spec(expr: ir.TypeExpr, nullable: bool) -> ir.TypeSpec:
    """A TypeSpec, shared for the cached scalar types (most fields are ``str`` or ``int``)."""
    key = (id(expr), nullable)
    spec = _SCALAR_SPECS.get(key)
    if spec is None or spec.expr is not expr:
        spec = ir.TypeSpec(expr, nullable)
        if _is_leaf(expr):
            _SCALAR_SPECS[key] = spec
    return spec


def _is_leaf(expr: ir.TypeExpr) -> bool:
    """A type with no type inside it: small, shared, worth caching its ``TypeSpec``."""
    match expr:
        case ir.Primitive() | ir.EnumType() | ir.RefType():
            return True
        case ir.ArrayType() | ir.DictType() | ir.ObjectType():
            return False
        case _:
            assert_never(expr)


def decode_args(base: str, args: str) -> ir.Primitive | ir.EnumType:
    """Decide what ``T(args)`` means.

    The rule: one value is a format (``int(int32)``, ``str(date-time)``). Several values
    joined by ``/`` are an enum (``str(active/inactive)``), except the known slashed formats
    (``str(ipv4/prefix_length)``). MIME types written as a flat list
    (``str(application/json/application/yaml)``) are paired back into ``type/subtype`` values.
    The raw text is kept on the enum either way.
    """
    if "/" not in args or args in SLASHED_FORMATS:
        return ir.Primitive(base, args)
    return ir.EnumType(base, _enum_values(args), f"{base}({args})")


def _enum_values(args: str) -> tuple[str, ...]:
    parts = [part.strip() for part in args.split("/")]
    if len(parts) % 2 == 0 and all(part in MIME_TOP_LEVEL for part in parts[::2]):
        parts = [f"{top}/{sub}" for top, sub in zip(parts[::2], parts[1::2], strict=True)]
    unique: dict[str, None] = dict.fromkeys(part for part in parts if part)
    return tuple(unique)


def _default_value(raw: str) -> object:
    """Decode a ``=default``: numbers, booleans, null, lists; anything else stays a string."""
    if raw in ("True", "true"):
        return True
    if raw in ("False", "false"):
        return False
    if raw in ("null", "None"):
        return None
    if re.fullmatch(r"-?\d+", raw):
        try:
            return int(raw)
        except ValueError:  # more digits than int() converts (sys.get_int_max_str_digits)
            return raw
    if re.fullmatch(r"-?\d+\.\d*(?:[eE][-+]?\d+)?", raw):
        return float(raw)
    if raw.startswith("[") and raw.endswith("]"):
        try:
            value = ast.literal_eval(raw)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return raw  # `[{{}}]` (a set of a dict) is a TypeError, not a ValueError
        if isinstance(value, (list, tuple)) and _is_plain_list(value):
            return _frozen(value)
    return raw


def _is_plain_list(value: object) -> bool:
    """Lists of lists and scalars only: a dict or set in a default stays raw text."""
    if isinstance(value, (list, tuple)):
        return all(_is_plain_list(item) for item in value)
    return value is None or isinstance(value, (str, int, float, bool))


def _frozen(value: object) -> object:
    """Lists as tuples, recursively: IR values are frozen and hashable."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    return value


def _auth_scheme(words: list[str]) -> ir.AuthScheme:
    raw = " ".join(words)
    kind = AUTH_KINDS.get(words[0].lower(), "other")
    rest = words[1:]
    if kind == "apikey" and len(rest) >= 3 and rest[-2] == "in":
        return ir.AuthScheme(kind, raw, key_name=" ".join(rest[:-2]), key_in=rest[-1].lower())
    param = " ".join(rest) if rest else None
    if kind == "bearer" and param is not None and param.lower() == "basic":
        # ``Bearer basic``: lapsh's spelling of an HTTP basic scheme (OpenAPI http/basic).
        return ir.AuthScheme("basic", raw, param=param)
    return ir.AuthScheme(kind, raw, param=param)
