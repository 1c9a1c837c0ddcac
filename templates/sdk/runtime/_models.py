"""The base classes of the generated models: JSON in and out, driven by the field annotations.

A model declares its fields once, as typed attrs attributes. On first use each class turns its
annotations into a table of (wire name, attribute, parser); ``from_dict`` and ``to_dict`` walk
that table. A field whose JSON name is not its Python name says so in its attrs metadata
(``metadata={"wire": "from"}``).

``Model`` is lenient: a missing field is ``UNSET`` and a value of an unexpected type is kept as it
came, so a server that adds or changes fields never breaks a client. ``CheckedModel`` holds the
response to its types: a field without a default must be there, and every value, at any depth,
must have its declared JSON type; otherwise ``ResponseShapeError`` names the field path.
"""

# No `from __future__ import annotations`: the annotations of `Model` must not be strings that
# `typing.get_type_hints` would then look up in the generated module.

import sys
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal, Self, Union

import attrs

from ._types import UNSET, Unset
from .errors import ResponseShapeError

__all__ = [
    "CheckedModel",
    "Model",
    "cursor_at",
    "discard",
    "dump",
    "parse_object_list",
    "passthrough",
]

Parser = Callable[[Any], Any]
# A field as the parsers see it: wire name, attribute name, whether it may be left out (it has
# a default), and the parser of its value (None: the value is used as it is).
FieldEntry = tuple[str, str, bool, Parser | None]
_MISSING: Any = object()
M = typing.TypeVar("M", bound="Model")


@attrs.define
class Model:
    """A JSON object; fields the class does not declare are kept in ``additional_properties``."""

    additional_properties: dict[str, Any] = attrs.field(factory=dict, repr=False, kw_only=True)

    # Whether `from_dict` holds the data to the annotations (see `CheckedModel`).
    _checked: ClassVar[bool] = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        if type(data) is not dict:
            if cls._checked:
                raise _mismatch("a JSON object", data)
            data = dict(data)
        return _parse_fields(cls, data, cls._checked)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.additional_properties)
        for wire, name, _optional, parse in _table(type(self), False)[0]:
            value = getattr(self, name)
            if value is not UNSET:
                data[wire] = value if parse is None else dump(value)
        return data


class CheckedModel(Model):
    """A model whose ``from_dict`` checks presence and JSON types at every depth."""

    _checked: ClassVar[bool] = True


def dump(value: Any) -> Any:
    """Models, and lists and dicts of them, as JSON values."""
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, list):
        return [dump(item) for item in value]
    if isinstance(value, dict):
        return {key: dump(item) for key, item in value.items()}
    return value


def parse_object_list(parse: Callable[[Mapping[str, Any]], Any], value: Any) -> Any:
    """A list of objects parsed by ``parse``; other values kept as they came."""
    if type(value) is not list:
        return value
    return [parse(item) if type(item) is dict else item for item in value]


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


# ---------------------------------------------------------------------------------------------
# Field tables: built once per class and mode from the annotations
# ---------------------------------------------------------------------------------------------

_TABLES: dict[tuple[type, bool], tuple[tuple[FieldEntry, ...], frozenset[str]]] = {}


def _table(cls: type[Model], checked: bool) -> tuple[tuple[FieldEntry, ...], frozenset[str]]:
    found = _TABLES.get((cls, checked))
    if found is None:
        found = _TABLES[(cls, checked)] = _build_table(cls, checked)
    return found


def _build_table(cls: type[Model], checked: bool) -> tuple[tuple[FieldEntry, ...], frozenset[str]]:
    # The class namespace is left out: a field named `str` must not hide the builtin.
    module = vars(sys.modules[cls.__module__])
    hints = typing.get_type_hints(cls, globalns=module, localns={})
    entries = []
    for field in attrs.fields(cls):
        if field.name == "additional_properties":
            continue
        wire = field.metadata.get("wire", field.name)
        optional = field.default is not attrs.NOTHING
        entries.append((wire, field.name, optional, _parser(hints[field.name], checked)))
    return tuple(entries), frozenset(entry[0] for entry in entries)


def _parser(hint: Any, checked: bool) -> Parser | None:
    """How a JSON value becomes a value of type ``hint`` (None: it is used as it is)."""
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return _union_parser([arg for arg in typing.get_args(hint) if arg is not Unset], checked)
    if isinstance(hint, type) and issubclass(hint, Model):
        return _model_parser(hint, checked)
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return _list_parser(_parser(item, checked), checked)
    if origin is dict:
        _key, value = typing.get_args(hint) or (str, Any)
        return _dict_parser(_parser(value, checked), checked)
    if not checked:
        return None
    if origin is Literal:
        return _literal_parser(typing.get_args(hint))
    return _SCALAR_PARSERS.get(hint)


def _union_parser(members: list[Any], checked: bool) -> Parser | None:
    nullable = type(None) in members
    rest = [member for member in members if member is not type(None)]
    if len(rest) != 1:  # `None` alone, or a union the generator does not write: as it is
        return _SCALAR_PARSERS[None] if checked and not rest else None
    inner = _parser(rest[0], checked)
    if not nullable or inner is None and not checked:
        return inner
    if inner is None:
        return None

    def parse_nullable(value: Any) -> Any:
        return None if value is None else inner(value)

    return parse_nullable


def _model_parser(model: type[Model], checked: bool) -> Parser:
    def parse_model(value: Any) -> Any:
        if type(value) is dict:
            # Nested objects are parsed as strictly as the response they are part of.
            return _parse_fields(model, value, checked)
        if checked:
            raise _mismatch("a JSON object", value)
        return value

    return parse_model


def _parse_fields(cls: type[M], data: dict[str, Any], checked: bool) -> M:
    table, known = _table(cls, checked)
    values = []
    for wire, _name, optional, parse in table:
        value = data.get(wire, _MISSING)
        if value is _MISSING:
            if checked and not optional:
                raise ResponseShapeError("missing").within(wire)
            value = UNSET
        elif parse is not None:
            try:
                value = parse(value)
            except ResponseShapeError as error:
                raise error.within(wire) from None
        values.append(value)
    unknown = data.keys() - known
    extra = {key: data[key] for key in unknown} if unknown else {}
    return cls(*values, additional_properties=extra)


def _list_parser(item: Parser | None, checked: bool) -> Parser | None:
    if item is None:
        return _check_list if checked else None

    def parse_list(value: Any) -> Any:
        if type(value) is not list:
            if checked:
                raise _mismatch("a JSON array", value)
            return value
        try:
            return [item(entry) for entry in value]
        except ResponseShapeError as error:
            raise error.within(f"[{_failing_index(item, value)}]") from None

    return parse_list


def _dict_parser(item: Parser | None, checked: bool) -> Parser | None:
    if item is None:
        return _check_dict if checked else None

    def parse_dict(value: Any) -> Any:
        if type(value) is not dict:
            if checked:
                raise _mismatch("a JSON object", value)
            return value
        parsed = {}
        for key, entry in value.items():
            try:
                parsed[key] = item(entry)
            except ResponseShapeError as error:
                raise error.within(f"[{key!r}]") from None
        return parsed

    return parse_dict


def _failing_index(item: Parser, value: list[Any]) -> int:
    for index, entry in enumerate(value):
        try:
            item(entry)
        except ResponseShapeError:
            return index
    return -1


def _literal_parser(allowed: tuple[Any, ...]) -> Parser:
    def parse_literal(value: Any) -> Any:
        if value in allowed and type(value) in {type(option) for option in allowed}:
            return value
        raise ResponseShapeError(f"{value!r:.60} is not one of {', '.join(map(repr, allowed))}")

    return parse_literal


def _mismatch(expected: str, value: Any) -> ResponseShapeError:
    return ResponseShapeError(f"expected {expected}, got {_json_type(value)}")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), type(value).__name__)


_JSON_TYPES = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a JSON array",
    dict: "a JSON object",
}


def _scalar(expected: str, *kinds: type) -> Parser:
    def check(value: Any) -> Any:
        if type(value) in kinds:
            return value
        raise _mismatch(expected, value)

    return check


_check_list = _scalar("a JSON array", list)
_check_dict = _scalar("a JSON object", dict)
_SCALAR_PARSERS: dict[Any, Parser] = {
    str: _scalar("a string", str),
    int: _scalar("an integer", int),
    float: _scalar("a number", float, int),
    bool: _scalar("a boolean", bool),
    None: _scalar("null", type(None)),
    type(None): _scalar("null", type(None)),
}
