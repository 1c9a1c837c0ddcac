"""Models: one attrs class per distinct object shape, one response class per endpoint."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import assert_never

import attrs

from .. import ir
from ..escape import (
    CLASS_RESERVED,
    python_string,
)
from ..naming import (
    pascal,
    singular,
    snake,
    type_name,
    unique,
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
        self._tokens: dict[object, str] = {}
        self._token_names: dict[str, str] | None = None
        for named in api.types:
            self._register(named.name, ir.ObjectType(named.fields, named.name), "")

    def _register(self, hint: str, expr: ir.ObjectType, doc: str) -> object:
        """Count one use of an object shape; returns the shape's key."""
        key = _object_key(expr)
        spec = self.by_shape.get(key)
        if spec is None:
            spec = self.by_shape[key] = _ModelSpec(expr.name or hint, expr.fields, doc)
        spec.uses += 1
        for field in expr.fields:
            self.annotation(field.type, hint=field.name)
        return key

    def _ref_token(self, key: object) -> str:
        return self._tokens.setdefault(key, str(len(self._tokens)))

    def model_of(self, expr: ir.TypeExpr) -> str | None:
        if isinstance(expr, ir.RefType) and expr.name in self.named_types:
            return _MODEL_TOKEN + self._ref_token(self._key_of_named(expr.name))
        return None

    def _key_of_named(self, name: str) -> object:
        return _object_key(ir.ObjectType(self.named_types[name].fields, name))

    def annotation(self, spec: ir.TypeSpec, *, hint: str, for_input: bool = False) -> str:
        text = self._annotation(spec.expr, hint, for_input)
        return f"{text} | None" if spec.nullable and text not in ("Any", "None") else text

    def _annotation(self, expr: ir.TypeExpr, hint: str, for_input: bool) -> str:
        # Exhaustive over the type kinds (mypy checks it): a new kind cannot pass as an object.
        match expr:
            case ir.Primitive():
                return _PRIMITIVE_ANNOTATIONS.get(expr.name, "Any")
            case ir.EnumType():
                if not for_input:
                    return "str"
                values = ", ".join(python_string(value) for value in expr.values)
                return f"Literal[{values}]" if values else "str"
            case ir.ArrayType():
                return f"List[{self._annotation(expr.items, singular(hint), for_input)}]"
            case ir.DictType():
                key = self._annotation(expr.key, hint, for_input)
                value = self._annotation(expr.value, hint, for_input)
                return f"Dict[{key if key != 'Any' else 'str'}, {value}]"
            case ir.RefType():
                if expr.name in self.named_types:
                    return self._reference(self._key_of_named(expr.name), for_input)
                return "Any"
            case ir.ObjectType():
                if not expr.fields:
                    return "Dict[str, Any]"
                return self._reference(self._register(hint, expr, ""), for_input)
            case _:
                assert_never(expr)

    def _reference(self, key: object, for_input: bool) -> str:
        if for_input:
            self.input_keys.add(key)
        return f"models.{_MODEL_TOKEN}{self._ref_token(key)}"

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
            self.annotation(field.type, hint=field.name)
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

    def resolve(self, text: str, *, qualified: bool = True) -> str:
        """Replace model placeholders in an annotation with final class names.

        ``qualified=False``: for ``models.py`` itself, the references lose their ``models.``.
        """
        if _MODEL_TOKEN not in text:
            return text
        if self._token_names is None:
            self._token_names = {self._ref_token(key): name for key, name in self._names().items()}
        tokens = self._token_names
        return re.sub(
            r"(models\.)?" + _MODEL_TOKEN + r"(\d+)",
            lambda m: ((m.group(1) or "") if qualified else "") + tokens[m.group(2)],
            text,
        )

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
            annotation = self.resolve(self.annotation(field.type, hint=field.name), qualified=False)
            result.append(
                ModelField(
                    wire=field.name,
                    python=python,
                    annotation=annotation,
                    required=present or field.required_marker,
                    doc=field.comment or "",
                )
            )
        # attrs needs fields without defaults first.
        result.sort(key=lambda f: not f.required)
        return tuple(result)


# Annotations are written before every shape is known, so they name models by a placeholder
# that ``_ModelRegistry.resolve`` replaces once the names are final.
_MODEL_TOKEN = "\x02MODEL"


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


# Annotations use typing's List and Dict: a method or field named `list` or `dict` shadows the
# builtin inside its class body, where mypy would then read `list[str]` as the method.
_PRIMITIVE_ANNOTATIONS = {
    "str": "str",
    "int": "int",
    "num": "float",
    "float": "float",
    "bool": "bool",
    "map": "Dict[str, Any]",
    "any": "Any",
    "bytes": "str",
    "null": "None",
    "file": "bytes",
}
