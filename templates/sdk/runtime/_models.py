"""The base classes of the generated models: JSON in and out, driven by the field annotations.

A model declares its fields once, as typed attrs attributes. On first use each class turns its
annotations into a table (wire name, attribute, how to read the value); ``from_dict`` and
``to_dict`` walk that table. A field whose JSON name is not its Python name says so in its attrs metadata
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
from collections.abc import Callable, Iterable, Mapping
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, ClassVar, Literal, Self, Union

import attrs

from ._types import UNSET, Unset
from .errors import ResponseShapeError

__all__ = [
    "CheckedModel",
    "Model",
    "discard",
    "dump",
    "parse_object_list",
    "passthrough",
]

Parser = Callable[[Any], Any]
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
            if not isinstance(data, Mapping):
                raise _mismatch("a JSON object", data)
            data = dict(data)
        return _parse_fields(cls, data, cls._checked)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.additional_properties)
        for wire, name, holds_models in _table(type(self), False).dumped:
            value = getattr(self, name)
            if value is not UNSET:
                data[wire] = dump(value) if holds_models else value
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


# ---------------------------------------------------------------------------------------------
# Field tables: built once per class and mode from the annotations
# ---------------------------------------------------------------------------------------------


class _NoValue:
    """The type of no JSON value: the usual type of a field that can hold anything."""


@attrs.frozen
class _Node:
    """How to read a JSON value of one type.

    ``convert`` (when set) reads and checks the value; otherwise the value is used as it is,
    once its type is one of ``plain`` (None: any value will do). ``expected`` names the type;
    ``usual`` is the type a value most often has (the fast path's guess, see ``_Table``).
    """

    plain: frozenset[type] | None = None
    convert: Parser | None = None
    expected: str = ""
    usual: type = _NoValue
    # What `convert` does when the value has its usual type, for the fast path: parse a
    # `model` object, check that the items of an array have the `items` types, or parse
    # an array of `item_model` objects.
    model: "type[Model] | None" = None
    items: frozenset[type] | None = None
    item_model: "type[Model] | None" = None

    def check(self, value: Any) -> Any:
        if self.convert is not None:
            return self.convert(value)
        if self.plain is not None and type(value) not in self.plain:
            raise _mismatch(self.expected, value)
        return value


_ANYTHING = _Node()
_OBJECTS = frozenset({dict})
# A field: wire name, attribute, whether it may be left out (it has a default), and its node.
_Entry = tuple[str, str, bool, _Node]


class _Table:
    """A class's fields, as its ``from_dict`` (checked or not) and ``to_dict`` read them."""

    def __init__(self, entries: list[_Entry]) -> None:
        self.entries = tuple(entries)
        self.wires = tuple(wire for wire, _name, _optional, _node in entries)
        self.known = frozenset(self.wires)
        # Two fields may read the same wire name (`id` and `id_2`).
        self.distinct = len(self.known)
        # The fast path (`_parse_fields`) is for data whose fields are all there with their
        # usual type. Fields of any type (`_NoValue`: every field of a lenient model that is
        # not an object or an array of them) are left out of the comparison of types.
        usual = [node.usual for _wire, _name, _optional, node in entries]
        typed = [index for index, kind in enumerate(usual) if kind is not _NoValue]
        self.usual = tuple(usual[index] for index in typed)
        self.typed = _picker(typed) if len(typed) < len(usual) else None
        self.loose = _picker([index for index, kind in enumerate(usual) if kind is _NoValue])
        self.converts = tuple(
            (index, wire, node.convert)
            for index, (wire, _name, _optional, node) in enumerate(entries)
            if node.convert is not None
        )
        # The same work, split by kind so that the fast path calls no closure for a nested
        # model or an array of plain values (it holds when every value has its usual type).
        nodes = [node for _wire, _name, _optional, node in entries]
        self.fast_models = tuple(
            (index, node.model) for index, node in enumerate(nodes) if node.model is not None
        )
        # Arrays whose items may have the same types are checked together, in one pass.
        groups: dict[frozenset[type], list[int]] = {}
        for index, node in enumerate(nodes):
            if node.items is not None:
                groups.setdefault(node.items, []).append(index)
        self.fast_lists = tuple((items, _picker(indices)) for items, indices in groups.items())
        # The fields' values, when every field is there (a KeyError otherwise).
        self.fetch = _picker(list(self.wires))
        self.fast_model_lists = tuple(
            (index, node.item_model)
            for index, node in enumerate(nodes)
            if node.item_model is not None
        )
        self.fast_converts = tuple(
            (index, node.convert)
            for index, node in enumerate(nodes)
            if node.convert is not None
            and node.model is None
            and node.items is None
            and node.item_model is None
        )
        self.dumped = tuple(
            (wire, name, node.convert is not None) for wire, name, _, node in entries
        )


def _picker(keys: list[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """The items of a sequence or a dict at ``keys``, as a tuple (``itemgetter`` when it
    gives one)."""
    if len(keys) > 1:
        return itemgetter(*keys)
    return lambda items: tuple(items[key] for key in keys)


# The tables of each class: lenient ones at index 0 (False), checked ones at 1 (True).
_TABLES: tuple[dict[type, _Table], dict[type, _Table]] = ({}, {})


def _table(cls: type[Model], checked: bool) -> _Table:
    found = _TABLES[checked].get(cls)
    if found is None:
        found = _TABLES[checked][cls] = _build_table(cls, checked)
    return found


def _build_table(cls: type[Model], checked: bool) -> _Table:
    # The class namespace is left out: a field named `str` must not hide the builtin.
    module = vars(sys.modules[cls.__module__])
    hints = typing.get_type_hints(cls, globalns=module, localns={})
    entries = []
    for field in attrs.fields(cls):
        if field.name == "additional_properties":
            continue
        wire = field.metadata.get("wire", field.name)
        optional = field.default is not attrs.NOTHING
        entries.append((wire, field.name, optional, _node(hints[field.name], checked)))
    return _Table(entries)


def _parse_fields(cls: type[M], data: dict[str, Any], checked: bool) -> M:
    table = _TABLES[checked].get(cls) or _table(cls, checked)
    # The common case in C: look every field up, and compare all their types at once.
    try:
        values = list(table.fetch(data))
    except KeyError:
        return _parse_general(
            cls, table, data, list(map(data.get, table.wires, repeat(UNSET))), checked
        )
    types = tuple(map(type, values))
    if table.typed is None:
        if types != table.usual:
            return _parse_general(cls, table, data, values, checked)
    elif table.typed(types) != table.usual or Unset in table.loose(types):
        return _parse_general(cls, table, data, values, checked)
    # Every field is there with its usual type: models are objects and arrays are arrays.
    try:
        for index, model in table.fast_models:
            values[index] = _parse_fields(model, values[index], checked)
        for items, arrays in table.fast_lists:
            if not items.issuperset(map(type, chain.from_iterable(arrays(values)))):
                raise ResponseShapeError("")  # the general path finds and names it
        for index, model in table.fast_model_lists:
            value = values[index]
            if not _OBJECTS.issuperset(map(type, value)):
                raise ResponseShapeError("")  # the general path keeps or names the others
            values[index] = [_parse_fields(model, item, checked) for item in value]
        for index, convert in table.fast_converts:
            values[index] = convert(values[index])
    except ResponseShapeError:
        # The general path reports the first field in order, as if there were no fast one.
        values = list(map(data.get, table.wires, repeat(UNSET)))
        return _parse_general(cls, table, data, values, checked)
    if len(data) == table.distinct:  # every known wire name is in `data`: nothing else is
        return cls(*values)
    unknown = data.keys() - table.known
    return cls(*values, additional_properties={key: data[key] for key in unknown})


def _parse_general(
    cls: type[M], table: _Table, data: dict[str, Any], values: list[Any], checked: bool
) -> M:
    """Any data: missing fields, values of other types, errors named with their field."""
    if checked:
        _check_fields(table, values)
    for index, wire, convert in table.converts:
        value = values[index]
        if value is not UNSET:
            try:
                values[index] = convert(value)
            except ResponseShapeError as error:
                raise error.within(wire) from None
    unknown = data.keys() - table.known
    if not unknown:
        return cls(*values)
    return cls(*values, additional_properties={key: data[key] for key in unknown})


def _check_fields(table: _Table, values: list[Any]) -> None:
    """Field by field: what is missing and what is of the wrong type (not what converts)."""
    for (wire, _name, optional, node), value in zip(table.entries, values, strict=True):
        if value is UNSET:
            if not optional:
                raise ResponseShapeError("missing").within(wire)
        elif node.convert is None and node.plain is not None and type(value) not in node.plain:
            raise _mismatch(node.expected, value).within(wire)


def _node(hint: Any, checked: bool) -> _Node:
    """How a JSON value becomes a value of type ``hint``."""
    origin = typing.get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return _union_node([arg for arg in typing.get_args(hint) if arg is not Unset], checked)
    if isinstance(hint, type) and issubclass(hint, Model):
        return _Node(None, _model_parser(hint, checked), "a JSON object", dict, hint)
    if origin is list:
        (item,) = typing.get_args(hint) or (Any,)
        return _list_node(_node(item, checked), checked)
    if origin is dict:
        _key, value = typing.get_args(hint) or (str, Any)
        return _dict_node(_node(value, checked), checked)
    if not checked:
        return _ANYTHING
    if origin is Literal:
        return _Node(None, _literal_parser(typing.get_args(hint)), "")
    return _SCALARS.get(hint, _ANYTHING)


def _union_node(members: list[Any], checked: bool) -> _Node:
    nullable = type(None) in members
    rest = [member for member in members if member is not type(None)]
    if len(rest) != 1:  # `None` alone, or a union the generator does not write
        return _SCALARS[type(None)] if checked and not rest else _ANYTHING
    inner = _node(rest[0], checked)
    if not nullable or inner is _ANYTHING:
        return inner
    expected = f"{inner.expected} or null"
    if inner.convert is None:
        assert inner.plain is not None
        return _Node(inner.plain | {type(None)}, None, expected, inner.usual)
    convert = inner.convert

    def parse_nullable(value: Any) -> Any:
        return None if value is None else convert(value)

    return _Node(
        None, parse_nullable, expected, inner.usual, inner.model, inner.items, inner.item_model
    )


def _model_parser(model: type[Model], checked: bool) -> Parser:
    def parse_model(value: Any) -> Any:
        if type(value) is dict:
            # Nested objects are parsed as strictly as the response they are part of.
            return _parse_fields(model, value, checked)
        if checked:
            raise _mismatch("a JSON object", value)
        return value

    return parse_model


def _list_node(item: _Node, checked: bool) -> _Node:
    if item.convert is None:
        if not checked:
            return _ANYTHING
        if item.plain is None:
            return _Node(frozenset({list}), None, "a JSON array", list)
        plain = item.plain

        def check_list(value: Any) -> Any:
            if type(value) is not list:
                raise _mismatch("a JSON array", value)
            # map(type, …) runs in C: the common case costs next to nothing.
            if not plain.issuperset(map(type, value)):
                _raise_at_item(item, enumerate(value))
            return value

        return _Node(None, check_list, "a JSON array", list, items=plain)
    convert = item.convert

    def parse_list(value: Any) -> Any:
        if type(value) is not list:
            if checked:
                raise _mismatch("a JSON array", value)
            return value
        try:
            return [convert(entry) for entry in value]
        except ResponseShapeError:
            _raise_at_item(item, enumerate(value))
            raise

    return _Node(None, parse_list, "a JSON array", list, item_model=item.model)


def _dict_node(item: _Node, checked: bool) -> _Node:
    if item is _ANYTHING:
        return _Node(frozenset({dict}), None, "a JSON object", dict) if checked else _ANYTHING
    if item.convert is None and not checked:
        return _ANYTHING

    def parse_dict(value: Any) -> Any:
        if type(value) is not dict:
            if checked:
                raise _mismatch("a JSON object", value)
            return value
        try:
            return {key: item.check(entry) for key, entry in value.items()}
        except ResponseShapeError:
            _raise_at_item(item, value.items())
            raise

    return _Node(None, parse_dict, "a JSON object", dict)


def _raise_at_item(item: _Node, entries: Iterable[tuple[Any, Any]]) -> None:
    """Raise the error of the first entry that ``item`` rejects, with its index or key."""
    for key, entry in entries:
        try:
            item.check(entry)
        except ResponseShapeError as error:
            raise error.within(_key_step(key)) from None


# Map keys come from the response: a longer one is cut in the error's field path.
_PATH_KEY_LIMIT = 60


def _key_step(key: Any) -> str:
    """The path step of a map key or an array index: ``['name']``, ``['aaaa…']``, ``[3]``."""
    if not isinstance(key, str):
        return f"[{key}]"
    if len(key) > _PATH_KEY_LIMIT:
        key = key[:_PATH_KEY_LIMIT] + "…"
    return f"[{key!r}]"


def _literal_parser(allowed: tuple[Any, ...]) -> Parser:
    def parse_literal(value: Any) -> Any:
        if any(value == option and type(value) is type(option) for option in allowed):
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
_SCALARS = {
    str: _Node(frozenset({str}), None, "a string", str),
    int: _Node(frozenset({int}), None, "an integer", int),
    float: _Node(frozenset({float, int}), None, "a number", float),
    bool: _Node(frozenset({bool}), None, "a boolean", bool),
    type(None): _Node(frozenset({type(None)}), None, "null", type(None)),
}
