"""Models: one attrs class per distinct object shape and place kind (names: ``model_names``)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import assert_never

import attrs

from .. import ir
from ..diagnostics import Diagnostic
from ..errors import ConfigError
from ..escape import (
    CLASS_RESERVED,
    python_string,
    toml_string,
)
from ..naming import snake, unique
from .model_names import TYPE_PREFIX, Candidate, ModelKind, choose_names, object_base
from .types import MODEL_RESERVED, Decoding, ModelField, ModelPlan

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
    methods return it.
    """

    def __init__(
        self,
        api: ir.API,
        *,
        configured: Mapping[str, str] | None = None,
        locked: Mapping[str, Collection[str]] | None = None,
        config_source: str = "config",
    ) -> None:
        self.api = api
        self.by_shape: dict[object, _ModelSpec] = {}
        self.named_types = {named.name: named for named in api.types}
        self.configured = dict(configured or {})
        self.locked = dict(locked or {})
        self.config_source = config_source
        self.warnings: list[Diagnostic] = []
        self.owner = ""  # the accessor of the method being planned (``owned_by``)
        self.owner_pos = ir.Pos(0, 0)
        self._final: dict[object, str] | None = None
        self._tokens: dict[object, str] = {}
        self._token_keys: dict[str, object] = {}
        self._token_names: dict[str, str] | None = None
        self._key_by_expr: dict[int, tuple[ir.ObjectType, object]] = {}
        for named in api.types:
            expr = ir.ObjectType(named.fields, named.name)
            self._register(f"{TYPE_PREFIX}{named.name}", expr, named.pos, declared=named.name)

    @contextlib.contextmanager
    def owned_by(self, accessor: str, pos: ir.Pos) -> Iterator[None]:
        """Inline objects met while planning one method get places under its accessor."""
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
        shape = _fields_shape(expr.fields)
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
        self._key_by_expr[id(expr)] = (expr, key)
        if self._final is None:  # places are the spec's, not the plan-building's re-reads
            if spec.places and place < min(spec.places):
                spec.fields = expr.fields  # docs from the first place, whatever the order
            spec.places.setdefault(place, pos)
        for field in expr.fields:
            self._annotation(field.type.expr, f"{place}/{field.name}", False, field.pos)
        return key

    def _token(self, key: object) -> str:
        token = self._tokens.setdefault(key, str(len(self._tokens)))
        self._token_keys[token] = key
        return _MODEL_TOKEN + token

    def model_of(self, expr: ir.TypeExpr) -> str | None:
        if isinstance(expr, ir.RefType) and expr.name in self.named_types:
            return self._token(self._key_of_named(expr.name))
        return None

    def _key_of_named(self, name: str) -> object:
        return ("type", name, _fields_shape(self.named_types[name].fields))

    def _place(self, hint: str, for_input: bool) -> str:
        """A hint is a place already (nested fields), or a field name of the current method."""
        if "/" in hint or not self.owner:
            return hint
        return f"{self.owner}({hint})" if for_input else f"{self.owner}/{hint}"

    def annotation(self, spec: ir.TypeSpec, *, hint: str, for_input: bool = False) -> str:
        text = self._annotation(spec.expr, self._place(hint, for_input), for_input, None)
        return f"{text} | None" if spec.nullable and text not in ("Any", "None") else text

    def _annotation(self, expr: ir.TypeExpr, hint: str, for_input: bool, pos: ir.Pos | None) -> str:
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
                return f"List[{self._annotation(expr.items, hint, for_input, pos)}]"
            case ir.DictType():
                key = self._annotation(expr.key, hint, for_input, pos)
                value = self._annotation(expr.value, hint, for_input, pos)
                return f"Dict[{key if key != 'Any' else 'str'}, {value}]"
            case ir.RefType():
                if expr.name in self.named_types:
                    return f"models.{self._token(self._key_of_named(expr.name))}"
                return "Any"
            case ir.ObjectType():
                if not expr.fields:
                    return "Dict[str, Any]"
                known = self._key_by_expr.get(id(expr)) if self._final is not None else None
                shape_key = known[1] if known else self._register(hint, expr, pos or self.owner_pos)
                return f"models.{self._token(shape_key)}"
            case _:
                assert_never(expr)

    def response_class(
        self, resource: tuple[str, ...], method: str, fields: tuple[ir.Field, ...]
    ) -> str:
        """The model (a placeholder until ``resolve``) for a method's ``@returns`` fields."""
        place = ".".join((*resource, method))
        return self._token(
            self._register(place, ir.ObjectType(fields), self.owner_pos, kind="response")
        )

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

    def resolve(self, text: str, *, qualified: bool = True) -> str:
        """Replace model placeholders in an annotation with final class names.

        ``qualified=False``: for ``models.py`` itself, the references lose their ``models.``.
        """
        if _MODEL_TOKEN not in text:
            return text
        if self._token_names is None:
            names = self._names()
            self._token_names = {token: names[key] for key, token in self._tokens.items()}
        tokens = self._token_names
        return re.sub(
            r"(models\.)?" + _MODEL_TOKEN + r"(\d+)",
            lambda m: ((m.group(1) or "") if qualified else "") + tokens[m.group(2)],
            text,
        )

    def find_field(self, model: str, wire: str, depth: int) -> tuple[str, ...] | None:
        """The attribute path to field ``wire`` of a response model (a placeholder)."""
        key = self._token_keys.get(model.removeprefix(_MODEL_TOKEN))
        spec = self.by_shape.get(key) if key is not None else None
        if spec is None or spec.kind != "response":
            return None
        return _find_field(spec.fields, wire, depth)

    def plans(self) -> tuple[ModelPlan, ...]:
        names = self._names()
        plans = [
            ModelPlan(
                names[key],
                _model_doc(spec),
                self._fields(spec.fields),
                places=tuple(sorted(spec.places)),
            )
            for key, spec in self.by_shape.items()
        ]
        return tuple(sorted(plans, key=lambda plan: plan.name))

    def _fields(self, fields: Sequence[ir.Field]) -> tuple[ModelField, ...]:
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
                    required=field.required_marker,
                    decoding=self._decoding(field.type.expr),
                    doc=field.comment or "",
                )
            )
        # attrs needs fields without defaults first.
        result.sort(key=lambda f: not f.required)
        return tuple(result)

    def _model_name_of(self, expr: ir.TypeExpr) -> str | None:
        if isinstance(expr, ir.ObjectType) and expr.fields:
            known = self._key_by_expr.get(id(expr))
            return self._names().get(known[1]) if known is not None else None
        if isinstance(expr, ir.RefType) and expr.name in self.named_types:
            return self._names()[self._key_of_named(expr.name)]
        return None

    def _decoding(self, expr: ir.TypeExpr) -> Decoding:
        """How ``from_dict`` reads a value of type ``expr`` (the templates write the code)."""
        model = self._model_name_of(expr)
        if model is not None:
            return Decoding("object", model)
        match expr:
            case ir.ArrayType():
                item_model = self._model_name_of(expr.items)
                if item_model is not None:
                    return Decoding("object_list", item_model)
                item = self._decoding(expr.items)
                return Decoding("list", item=item) if item.kind != "plain" else Decoding("plain")
            case ir.DictType():
                value = self._decoding(expr.value)
                return Decoding("dict", item=value) if value.kind != "plain" else Decoding("plain")
            case ir.Primitive() | ir.EnumType() | ir.RefType() | ir.ObjectType():
                # JSON values as they are; a named or inline object with fields was a model above.
                return Decoding("plain")
            case _:
                assert_never(expr)


# Annotations are written before every shape is known, so they name models by a placeholder
# that ``_ModelRegistry.resolve`` replaces once the names are final.
_MODEL_TOKEN = "\x02MODEL"


def _numbered(name: str, taken: set[str]) -> str:
    """``name``, or ``name2``, ``name3``… (class names take no underscore)."""
    counter = 1
    candidate = name
    while candidate in taken:
        counter += 1
        candidate = f"{name}{counter}"
    return candidate


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
