"""Models: one attrs class per distinct object shape, one response class per endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

import attrs

from .. import ir
from ..escape import CLASS_RESERVED
from ..naming import (
    pascal,
    singular,
    snake,
    type_name,
    unique,
)
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
    nullable,
)
from .types import MAX_CLASS_NAME, MODEL_RESERVED, ModelField, ModelPlan

# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------


def _shape(expr: ir.TypeExpr) -> object:
    """A hashable structural key for a type, ignoring comments and positions."""
    if isinstance(expr, ir.ObjectType):
        return ("object", _fields_shape(expr.fields))
    if isinstance(expr, ir.ArrayType):
        return ("array", _shape(expr.items))
    if isinstance(expr, ir.DictType):
        return ("dict", _shape(expr.key), _shape(expr.value))
    return expr


def _fields_shape(fields: Sequence[ir.Field]) -> object:
    return tuple((f.name, f.required_marker, f.type.nullable, _shape(f.type.expr)) for f in fields)


def _object_key(expr: ir.ObjectType) -> object:
    """What makes two objects one model: their shape, and their name when they have one."""
    return (expr.name, _fields_shape(expr.fields)) if expr.name else _shape(expr)


@attrs.define
class _ModelSpec:
    hint: str
    fields: tuple[ir.Field, ...]
    doc: str
    uses: int = 0
    name: str = ""


class _ModelRegistry:
    """Collects object shapes, names them, and turns them into ``ModelPlan``s."""

    def __init__(self, api: ir.API, *, response_fields: str = "optional") -> None:
        self.api = api
        # "present": the fields of models only responses use are typed and checked as present.
        self.fields_present = response_fields == "present"
        self.input_keys: set[object] = set()  # shapes a param uses (their fields stay optional)
        self.by_shape: dict[object, _ModelSpec] = {}
        self.responses: dict[str, tuple[ir.Field, ...]] = {}
        self.response_docs: dict[str, str] = {}
        self.named_types = {named.name: named for named in api.types}
        self._final: dict[object, str] | None = None
        for named in api.types:
            self._register(named.name, ir.ObjectType(named.fields, named.name), "")

    def _register(self, hint: str, expr: ir.ObjectType, doc: str) -> object:
        """Count one use of an object shape; returns the shape's key."""
        # Names rank shapes by their uses, so every use is counted before any name is given.
        assert self._final is None, "an object shape was counted after the models were named"
        key = _object_key(expr)
        spec = self.by_shape.get(key)
        if spec is None:
            spec = self.by_shape[key] = _ModelSpec(expr.name or hint, expr.fields, doc)
        spec.uses += 1
        for field in expr.fields:
            self.register(field.type.expr, hint=field.name)
        return key

    def register(self, expr: ir.TypeExpr, *, hint: str) -> None:
        """Count the object shapes a type uses; ``hint`` names them (an array's: singular)."""
        match expr:
            case ir.ObjectType(fields=fields) if fields:
                self._register(hint, expr, "")
            case ir.ArrayType():
                self.register(expr.items, hint=singular(hint))
            case ir.DictType():
                self.register(expr.key, hint=hint)
                self.register(expr.value, hint=hint)
            case ir.Primitive() | ir.EnumType() | ir.RefType() | ir.ObjectType():
                pass
            case _:
                assert_never(expr)

    def model_of(self, expr: ir.TypeExpr) -> str | None:
        """The model a named type reference stands for."""
        if isinstance(expr, ir.RefType) and expr.name in self.named_types:
            return self._names()[self._key_of_named(expr.name)]
        return None

    def _key_of_named(self, name: str) -> object:
        return _object_key(ir.ObjectType(self.named_types[name].fields, name))

    def annotation(self, spec: ir.TypeSpec, *, for_input: bool = False) -> Annotation:
        """The annotation of a value of type ``spec`` (once every shape is counted).

        ``for_input``: what a request sends, where an enum is a ``Literal`` of its values (a
        response's is read leniently, as any string).
        """
        annotation = self._annotation(spec.expr, for_input)
        return nullable(annotation) if spec.nullable else annotation

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
                return self._reference(_object_key(expr), for_input)
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
    ) -> str:
        for field in fields:
            self.register(field.type.expr, hint=field.name)
        # The shortest unambiguous name: the method, prefixed by as many resource names as it
        # takes to be unique (`UsersGetResponse`, `B2BSessionsGetResponse`), within 40 chars.
        parts = [pascal(part) for part in resource]
        base = pascal(method) + "Response"
        candidates = ["".join(parts[-depth:]) + base for depth in range(1, len(parts) + 1)]
        fitting = [c for c in (*candidates, base) if len(c) <= MAX_CLASS_NAME]
        name = next((c for c in fitting if c not in self.responses), "")
        if not name:
            name = _numbered(
                min(fitting or [base[: MAX_CLASS_NAME - 2]], key=len), set(self.responses)
            )
        self.responses[name] = fields
        self.response_docs[name] = f"The response of ``client.{'.'.join((*resource, method))}()``."
        return name

    # -- naming and plans ------------------------------------------------------------------

    def _names(self) -> dict[object, str]:
        if self._final is not None:
            return self._final
        taken = set(self.responses) | MODEL_RESERVED | CLASS_RESERVED
        names: dict[object, str] = {}
        by_base: dict[str, list[tuple[object, _ModelSpec]]] = {}
        for key, spec in self.by_shape.items():
            named = spec.hint in self.named_types
            # NFKC first (Python folds `Uｓer` into `User`), so such names number, not collide.
            base = type_name(spec.hint) if named else pascal(singular(spec.hint))
            by_base.setdefault(base, []).append((key, spec))
        for base, entries in by_base.items():
            # The most used shape gets the plain name; the others a numbered one, in order of
            # first appearance, so names only change when the spec changes.
            ranked = sorted(entries, key=lambda entry: -entry[1].uses)
            for rank, (key, _spec) in enumerate(ranked):
                candidate = base if rank == 0 else f"{base}{rank + 1}"
                name = _numbered(candidate[:MAX_CLASS_NAME], taken)
                taken.add(name)
                names[key] = name
        self._final = names
        return names

    def find_field(self, model: str, wire: str, depth: int) -> tuple[str, ...] | None:
        fields = self.responses.get(model)
        if fields is None:
            return None
        return _find_field(fields, wire, depth)

    def plans(self) -> tuple[ModelPlan, ...]:
        names = self._names()
        checked = self.fields_present
        sent = self._sent_keys() if checked else set()
        plans = [
            ModelPlan(
                names[key],
                spec.doc or f"The ``{spec.hint}`` object.",
                self._fields(spec.fields, present=checked and key not in sent),
                checked=checked,
            )
            for key, spec in self.by_shape.items()
        ]
        plans += [
            ModelPlan(
                name,
                self.response_docs[name],
                self._fields(fields, present=checked),
                checked=checked,
            )
            for name, fields in self.responses.items()
        ]
        return tuple(sorted(plans, key=lambda plan: plan.name))

    def _fields(self, fields: Sequence[ir.Field], *, present: bool) -> tuple[ModelField, ...]:
        """The fields of a model; ``present``: every declared field is required."""
        taken: set[str] = set()
        result = []
        for field in fields:
            python = unique(snake(field.name), taken)
            taken.add(python)
            result.append(
                ModelField(
                    wire=field.name,
                    python=python,
                    annotation=self.annotation(field.type),
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
            return [_object_key(expr)]
        case ir.RefType() if expr.name in registry.named_types:
            return [registry._key_of_named(expr.name)]
    return []


def _numbered(name: str, taken: set[str]) -> str:
    """``name``, or ``name2``, ``name3``… (class names take no underscore)."""
    counter = 1
    candidate = name
    while candidate in taken:
        counter += 1
        candidate = f"{name}{counter}"
    return candidate


def _find_field(fields: Sequence[ir.Field], wire: str, depth: int) -> tuple[str, ...] | None:
    for field in fields:
        if field.name == wire:
            return (snake(field.name),)
    if depth <= 1:
        return None
    for field in fields:
        expr = field.type.expr
        if isinstance(expr, ir.ObjectType):
            found = _find_field(expr.fields, wire, depth - 1)
            if found is not None:
                return (snake(field.name), *found)
    return None


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
