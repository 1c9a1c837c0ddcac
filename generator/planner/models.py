"""Models: one attrs class per distinct object shape and place kind (names: ``model_names``)."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import assert_never

import attrs

from .. import ir
from ..diagnostics import Diagnostic
from ..errors import ConfigError
from ..escape import CLASS_RESERVED, toml_string
from ..naming import snake, unique
from .annotations import (
    ANY,
    JSON_OBJECT,
    NONE,
    Annotation,
    DictOf,
    ListOf,
    LiteralOf,
    ModelRef,
    Scalar,
)
from .annotations import (
    nullable as nullable_of,
)
from .model_names import TYPE_PREFIX, Candidate, ModelKind, choose_names, object_base
from .types import MODEL_RESERVED, ModelField, ModelPlan

# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------


# The type kinds with no type inside them (so no object shape).
_LEAVES = frozenset({ir.Primitive, ir.EnumType, ir.RefType})


class _Shapes:
    """Hashable structural keys for types, ignoring comments and positions, interned.

    A fields tuple's shape is a small int: equal shapes get the same number, and each level
    refers to the shapes inside it by their numbers, so a key hashes in constant time (hashing
    whole nested tuples at every lookup was most of the planner's model time on Stytch). The
    IR is immutable and outlives the plan: a fields tuple's number is remembered by identity.
    """

    def __init__(self) -> None:
        self.numbers: dict[tuple[object, ...], int] = {}
        self.by_id: dict[int, tuple[tuple[ir.Field, ...], int]] = {}
        # Leaf types inside shapes, numbered the same way (an int hashes in C; an IR leaf's
        # hash is a Python call per lookup, thousands on Stytch): equal leaves, equal numbers.
        self.leaf_numbers: dict[ir.TypeExpr, int] = {}
        self.leaf_by_id: dict[int, tuple[ir.TypeExpr, int]] = {}

    def of(self, expr: ir.TypeExpr) -> object:
        """A type's key: a leaf type itself, a container's tuple of its parts' keys."""
        if isinstance(expr, ir.ObjectType):
            return ("object", self.fields(expr.fields))
        if isinstance(expr, ir.ArrayType):
            return ("array", self.of(expr.items))
        if isinstance(expr, ir.DictType):
            return ("dict", self.of(expr.key), self.of(expr.value))
        return expr

    def fields(self, fields: tuple[ir.Field, ...]) -> int:
        """The number of a fields tuple's shape (names, ``!``, ``?`` and types, in order)."""
        known = self.by_id.get(id(fields))
        if known is not None and known[0] is fields:
            return known[1]
        shape = tuple(
            [(f.name, f.required_marker, f.type.nullable, self._part(f.type.expr)) for f in fields]
        )
        number = self.numbers.setdefault(shape, len(self.numbers))
        self.by_id[id(fields)] = (fields, number)
        return number

    def _part(self, expr: ir.TypeExpr) -> object:
        """A type inside a shape: ``of``'s key with each leaf type as its number."""
        if type(expr) in _LEAVES:
            known = self.leaf_by_id.get(id(expr))
            if known is not None and known[0] is expr:
                return known[1]
            number = self.leaf_numbers.setdefault(expr, len(self.leaf_numbers))
            self.leaf_by_id[id(expr)] = (expr, number)
            return number
        if isinstance(expr, ir.ObjectType):
            return ("object", self.fields(expr.fields))
        if isinstance(expr, ir.ArrayType):
            return ("array", self._part(expr.items))
        if isinstance(expr, ir.DictType):
            return ("dict", self._part(expr.key), self._part(expr.value))
        return expr


@attrs.define
class _ModelSpec:
    kind: ModelKind
    fields: tuple[ir.Field, ...]
    doc: str = ""
    declared: str = ""  # a ``@type``'s name
    places: dict[str, ir.Pos] = attrs.Factory(dict)  # place → where the spec shows it


class _ModelRegistry:
    """Collects object shapes with their places, names them (``model_names``), and turns them
    into ``ModelPlan``s.

    A declared type is one model per name; an inline object one per field name and shape (two
    ``connection`` fields of the same shape share a class); a response one per shape, whichever
    methods return it. Every shape is recorded (``register``, ``response_class``) before any
    annotation is asked for, so annotations name the models by their final names.
    """

    def __init__(
        self,
        api: ir.API,
        *,
        response_fields: str = "optional",
        configured: Mapping[str, str] | None = None,
        locked: Mapping[str, Collection[str]] | None = None,
        config_source: str = "config",
    ) -> None:
        self.api = api
        # "present": the fields of models only responses use are typed and checked as present.
        self.fields_present = response_fields == "present"
        self.input_keys: set[object] = set()  # shapes a param uses (their fields stay optional)
        # (shape, wire) of each next-page cursor: null there means "no more pages".
        self.cursor_fields: set[tuple[object, str]] = set()
        self.by_shape: dict[object, _ModelSpec] = {}
        self.shapes = _Shapes()
        self.named_types = {named.name: named for named in api.types}
        self.configured = dict(configured or {})
        self.locked = dict(locked or {})
        self.config_source = config_source
        self.warnings: list[Diagnostic] = []
        self.owner = ""  # the accessor of the method being planned (``owned_by``)
        self.owner_pos = ir.Pos(0, 0)
        self._final: dict[object, str] | None = None
        self._key_by_expr: dict[int, tuple[ir.ObjectType, object]] = {}
        for named in api.types:
            expr = ir.ObjectType(named.fields, named.name)
            self._register(f"{TYPE_PREFIX}{named.name}", expr, named.pos, declared=named.name)

    @contextlib.contextmanager
    def owned_by(self, accessor: str, pos: ir.Pos) -> Iterator[None]:
        """Inline objects met while recording one method get places under its accessor."""
        self.owner, self.owner_pos = accessor, pos
        try:
            yield
        finally:
            self.owner, self.owner_pos = "", ir.Pos(0, 0)

    def _register(
        self,
        place: str,
        expr: ir.ObjectType,
        pos: ir.Pos,
        *,
        declared: str = "",
        kind: ModelKind = "object",
    ) -> object:
        """Record one place of an object shape; returns the shape's key."""
        # Names depend on every place, so every place is recorded before any name is given.
        assert self._final is None, "an object shape was recorded after the models were named"
        shape = self.shapes.fields(expr.fields)
        declared = declared or expr.name or ""
        if declared:
            kind = "type"
            key: object = ("type", declared, shape)
        elif kind == "response":
            key = ("response", shape)
        else:
            key = ("object", object_base(place), shape)
        spec = self.by_shape.get(key)
        if spec is None:
            spec = self.by_shape[key] = _ModelSpec(kind, expr.fields, declared=declared)
        # The IR is immutable and outlives the plan: the same object is met again when its
        # annotation is asked for, and keeps the key its place gave it.
        self._key_by_expr[id(expr)] = (expr, key)
        if spec.places and place < min(spec.places):
            spec.fields = expr.fields  # docs from the first place, whatever the order
        spec.places.setdefault(place, pos)
        for field in expr.fields:
            inner = field.type.expr
            if type(inner) not in _LEAVES:  # most fields: no object inside, no place to record
                self._record(inner, f"{place}/{field.name}", field.pos)
        return key

    def register(self, expr: ir.TypeExpr, *, hint: str, for_input: bool = False) -> None:
        """Record the object shapes a param (``for_input``) or a response value uses."""
        if type(expr) in _LEAVES:  # most params: no object inside, no place to record
            return
        self._record(expr, self._place(hint, for_input), self.owner_pos)

    def _record(self, expr: ir.TypeExpr, place: str, pos: ir.Pos) -> None:
        match expr:
            case ir.ObjectType(fields=fields) if fields:
                self._register(place, expr, pos)
            case ir.ArrayType():
                self._record(expr.items, place, pos)
            case ir.DictType():
                self._record(expr.key, place, pos)
                self._record(expr.value, place, pos)
            case ir.Primitive() | ir.EnumType() | ir.RefType() | ir.ObjectType():
                pass
            case _:
                assert_never(expr)

    def _place(self, hint: str, for_input: bool) -> str:
        """A field of the current method's params (``users.create(address)``) or response."""
        if not self.owner:
            return hint
        return f"{self.owner}({hint})" if for_input else f"{self.owner}/{hint}"

    def model_of(self, expr: ir.TypeExpr) -> str | None:
        """The model a named type reference stands for."""
        if isinstance(expr, ir.RefType) and expr.name in self.named_types:
            return self._names()[self._key_of_named(expr.name)]
        return None

    def _key_of_named(self, name: str) -> object:
        return ("type", name, self.shapes.fields(self.named_types[name].fields))

    def annotation(self, spec: ir.TypeSpec, *, for_input: bool = False) -> Annotation:
        """The annotation of a value of type ``spec`` (once every shape is recorded).

        ``for_input``: what a request sends, where an enum is a ``Literal`` of its values (a
        response's is read leniently, as any string).
        """
        annotation = self._annotation(spec.expr, for_input)
        return nullable_of(annotation) if spec.nullable else annotation

    def _annotation(self, expr: ir.TypeExpr, for_input: bool) -> Annotation:
        # Exhaustive over the type kinds (mypy checks it): a new kind cannot pass as an object.
        match expr:
            case ir.Primitive():
                return _PRIMITIVE_ANNOTATIONS.get(expr.name, ANY)
            case ir.EnumType():
                return LiteralOf(expr.values) if for_input and expr.values else Scalar("str")
            case ir.ArrayType():
                return ListOf(self._annotation(expr.items, for_input))
            case ir.DictType():
                key = self._annotation(expr.key, for_input)
                return DictOf(
                    Scalar("str") if key == ANY else key, self._annotation(expr.value, for_input)
                )
            case ir.RefType():
                if expr.name not in self.named_types:
                    return ANY
                return self._reference(self._key_of_named(expr.name), for_input)
            case ir.ObjectType():
                if not expr.fields:
                    return JSON_OBJECT
                known = self._key_by_expr.get(id(expr))
                assert known is not None, "an object shape was not recorded before naming"
                return self._reference(known[1], for_input)
            case _:
                assert_never(expr)

    def _reference(self, key: object, for_input: bool) -> ModelRef:
        if for_input:
            self.input_keys.add(key)
        return ModelRef(self._names()[key])

    def _sent_keys(self) -> set[object]:
        """The shapes a request can carry: those params use, and the shapes inside them."""
        sent: set[object] = set()
        pending = list(self.input_keys)
        while pending:
            key = pending.pop()
            if key in sent or key not in self.by_shape:
                continue
            sent.add(key)
            for field in self.by_shape[key].fields:
                pending.extend(_object_keys(field.type.expr, self))
        return sent

    def response_class(
        self, resource: tuple[str, ...], method: str, fields: tuple[ir.Field, ...]
    ) -> object:
        """Record a method's ``@returns`` fields; the key of their model (see ``name_of``)."""
        place = ".".join((*resource, method))
        return self._register(place, ir.ObjectType(fields), self.owner_pos, kind="response")

    def name_of(self, key: object) -> str:
        """The final class name of a recorded shape."""
        return self._names()[key]

    def name_all(self) -> None:
        """Name every recorded shape (warning about numbered names, raising for a bad config)."""
        self._names()

    # -- naming and plans ------------------------------------------------------------------

    def _names(self) -> dict[object, str]:
        if self._final is not None:
            return self._final
        candidates = [
            Candidate(key, spec.kind, tuple(sorted(spec.places)), spec.declared, *_first(spec))
            for key, spec in self.by_shape.items()
        ]
        known = {place for spec in self.by_shape.values() for place in spec.places}
        for place in sorted(set(self.configured) - known):
            raise ConfigError(
                f"{self.config_source}: error: models.names.{toml_string(place)}: matches no "
                "model of the spec (a method's accessor, its field path, or type:NAME)"
            )
        naming = choose_names(
            candidates,
            configured=self.configured,
            locked=self.locked,
            reserved=MODEL_RESERVED | CLASS_RESERVED,
        )
        self.warnings = [
            Diagnostic("warning", problem.message, problem.candidate.line, problem.candidate.column)
            for problem in naming.problems
        ]
        self._final = dict(naming.names)
        return self._final

    def find_cursor(self, model: str, wire: str, depth: int) -> tuple[str, ...] | None:
        """The attribute path to the next-page cursor ``wire`` of response model ``model``.

        The field found is typed nullable: a last page may say "no more" with null, whatever
        the spec declares (a checked model would refuse it otherwise).
        """
        names = self._names()
        key = next((key for key in names if names[key] == model), None)
        if key is None or self.by_shape[key].kind != "response":
            return None
        found = self._find_field(key, self.by_shape[key].fields, wire, depth)
        if found is None:
            return None
        path, owner = found
        self.cursor_fields.add((owner, wire))
        return path

    def _find_field(
        self, key: object, fields: Sequence[ir.Field], wire: str, depth: int
    ) -> tuple[tuple[str, ...], object] | None:
        for field in fields:
            if field.name == wire:
                return (snake(field.name),), key
        if depth <= 1:
            return None
        for field in fields:
            expr = field.type.expr
            known = self._key_by_expr.get(id(expr)) if isinstance(expr, ir.ObjectType) else None
            if isinstance(expr, ir.ObjectType) and known is not None:
                found = self._find_field(known[1], expr.fields, wire, depth - 1)
                if found is not None:
                    return (snake(field.name), *found[0]), found[1]
        return None

    def plans(self) -> tuple[ModelPlan, ...]:
        names = self._names()
        checked = self.fields_present
        sent = self._sent_keys() if checked else set()
        plans = [
            ModelPlan(
                names[key],
                _model_doc(spec),
                self._fields(
                    spec.fields,
                    present=checked and key not in sent,
                    nullable={wire for owner, wire in self.cursor_fields if owner == key},
                ),
                checked=checked,
                places=tuple(sorted(spec.places)),
            )
            for key, spec in self.by_shape.items()
        ]
        return tuple(sorted(plans, key=lambda plan: plan.name))

    def _fields(
        self, fields: Sequence[ir.Field], *, present: bool, nullable: Collection[str] = ()
    ) -> tuple[ModelField, ...]:
        """The fields of a model; ``present``: every declared field is required; ``nullable``:
        fields typed nullable whatever the spec says."""
        taken: set[str] = set()
        result = []
        for field in fields:
            python = unique(snake(field.name), taken)
            taken.add(python)
            result.append(
                ModelField(
                    wire=field.name,
                    python=python,
                    annotation=(
                        nullable_of(self.annotation(field.type))
                        if field.name in nullable
                        else self.annotation(field.type)
                    ),
                    required=present or field.required_marker,
                    doc=field.comment or "",
                )
            )
        # attrs needs fields without defaults first.
        result.sort(key=lambda f: not f.required)
        return tuple(result)


def _object_keys(expr: ir.TypeExpr, registry: _ModelRegistry) -> list[object]:
    """The keys of the models a value of type ``expr`` holds, at any depth of arrays and dicts."""
    match expr:
        case ir.ArrayType():
            return _object_keys(expr.items, registry)
        case ir.DictType():
            return _object_keys(expr.value, registry)
        case ir.ObjectType() if expr.fields:
            known = registry._key_by_expr.get(id(expr))
            return [known[1]] if known is not None else []
        case ir.RefType() if expr.name in registry.named_types:
            return [registry._key_of_named(expr.name)]
    return []


def _first(spec: _ModelSpec) -> tuple[int, int]:
    """Where a warning about a model points: its first place."""
    pos = spec.places[min(spec.places)] if spec.places else ir.Pos(0, 0)
    return pos.line, pos.column


def _model_doc(spec: _ModelSpec) -> str:
    places = sorted(spec.places)
    if spec.kind == "response":
        calls = [f"``client.{place}()``" for place in places]
        if len(calls) > 2:
            return f"The response of {calls[0]} and {len(calls) - 1} other methods."
        return f"The response of {' and '.join(calls)}."
    if spec.doc:
        return spec.doc
    name = spec.declared or (places[0].rsplit("/", 1)[-1] if places else "object")
    return f"The ``{name}`` object."


_PRIMITIVE_ANNOTATIONS: dict[str, Annotation] = {
    "str": Scalar("str"),
    "int": Scalar("int"),
    "num": Scalar("float"),
    "float": Scalar("float"),
    "bool": Scalar("bool"),
    "map": JSON_OBJECT,
    "any": ANY,
    "bytes": Scalar("str"),
    "null": NONE,
    "file": Scalar("bytes"),
}
