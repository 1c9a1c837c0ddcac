"""Comparing two IR types (fields, enums, nesting) and two plans' models."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import assert_never

from .. import ir
from ..plan import ModelField, ModelPlan, Plan
from ..planner.annotations import renamed
from ..render import annotation_text
from .model import Change, _Named

# ---------------------------------------------------------------------------------------------
# Types
# ---------------------------------------------------------------------------------------------


def type_text(spec: ir.TypeSpec | ir.TypeExpr) -> str:
    """A type as LAP writes it, canonical and without comments: what a change is compared on."""
    return ir.type_text(spec, as_written=False)


def _kind_text(expr: ir.TypeExpr) -> str:
    """The shape of a type with enums and objects collapsed: what makes a type change."""
    match expr:
        case ir.EnumType(base=base):
            return f"enum<{base}>"
        case ir.ObjectType() | ir.RefType():
            return "object"
        case ir.ArrayType(items=items):
            return f"[{_kind_text(items)}]"
        case ir.DictType(key=key, value=value):
            return f"map<{_kind_text(key)},{_kind_text(value)}>"
        case ir.Primitive():
            return type_text(expr)
        case _:
            assert_never(expr)


class _Types:
    """Compares two types field by field; ``direction`` says who sends the value.

    ``input``: the SDK user sends it (params); ``output``: the server sends it (responses).
    """

    def __init__(self, old_api: ir.API, new_api: ir.API, endpoint: str | None) -> None:
        self.old_api = old_api
        self.new_api = new_api
        self.endpoint = endpoint
        self.changes: list[Change] = []
        self._seen: set[tuple[str, str, str]] = set()

    def add(
        self,
        kind: str,
        breaking: bool,
        target: str,
        message: str,
        *,
        before: str | None = None,
        after: str | None = None,
    ) -> None:
        self.changes.append(Change(kind, breaking, self.endpoint, target, message, before, after))

    def compare(
        self, old: ir.TypeSpec, new: ir.TypeSpec, target: str, direction: str, what: str
    ) -> None:
        """``what`` names the thing in messages: ``param`` or ``response field``."""
        prefix = "param" if direction == "input" else "response-field"
        if old.nullable != new.nullable:
            # Inputs may become more lenient, outputs stricter.
            breaking = new.nullable if direction == "output" else old.nullable
            state = "nullable" if new.nullable else "not nullable"
            self.add(
                f"{prefix}-nullable-changed",
                breaking,
                target,
                f"{_label(what, target)} is now {state}",
                before=type_text(old),
                after=type_text(new),
            )
        self._expr(old.expr, new.expr, target, direction, what)

    def _expr(
        self, old: ir.TypeExpr, new: ir.TypeExpr, target: str, direction: str, what: str
    ) -> None:
        prefix = "param" if direction == "input" else "response-field"
        if _kind_text(old) != _kind_text(new):
            self.add(
                f"{prefix}-type-changed",
                True,
                target,
                f"{_label(what, target)} changed type from `{type_text(old)}` to `{type_text(new)}`",
                before=type_text(old),
                after=type_text(new),
            )
            return
        if isinstance(old, ir.EnumType) and isinstance(new, ir.EnumType):
            removed = [v for v in old.values if v not in new.values]
            added = [v for v in new.values if v not in old.values]
            # The SDK reads response enums as `str`: a new or gone server value never breaks it.
            if removed:
                self.add(
                    f"{prefix}-enum-value-removed",
                    direction == "input",
                    target,
                    f"{_label(what, target)} no longer allows {_values(removed)}",
                    before=type_text(old),
                    after=type_text(new),
                )
            if added:
                self.add(
                    f"{prefix}-enum-value-added",
                    False,
                    target,
                    f"{_label(what, target)} now allows {_values(added)}",
                    before=type_text(old),
                    after=type_text(new),
                )
            return
        if isinstance(old, ir.ArrayType) and isinstance(new, ir.ArrayType):
            self._expr(old.items, new.items, f"{target}[]", direction, what)
            return
        if isinstance(old, ir.DictType) and isinstance(new, ir.DictType):
            self._expr(old.value, new.value, f"{target}{{}}", direction, what)
            return
        old_fields = self.old_api.fields_of(old)
        new_fields = self.new_api.fields_of(new)
        if old_fields is None or new_fields is None:
            if type_text(old) != type_text(new):
                self.add(
                    f"{prefix}-type-changed",
                    True,
                    target,
                    f"{_label(what, target)} changed type from `{type_text(old)}` to "
                    f"`{type_text(new)}`",
                    before=type_text(old),
                    after=type_text(new),
                )
            return
        key = (target, type_text(old), type_text(new))
        if key in self._seen:  # recursive types
            return
        self._seen.add(key)
        self.fields(old_fields, new_fields, target, direction, what)

    def fields(
        self,
        old: Sequence[ir.Field],
        new: Sequence[ir.Field],
        prefix: str,
        direction: str,
        what: str,
    ) -> None:
        kind = "param-field" if direction == "input" else "response-field"
        old_by = {f.name: f for f in old}
        new_by = {f.name: f for f in new}

        def path_of(name: str) -> str:
            return f"{prefix}.{name}" if prefix else name

        removed = [f for f in old if f.name not in new_by]
        added = [f for f in new if f.name not in old_by]
        for before, after in _renamed_fields(old, new, removed, added, lambda f: type_text(f.type)):
            removed.remove(before)
            added.remove(after)
            self.add(
                f"{kind}-renamed",
                True,
                path_of(after.name),
                f"{_label(what, path_of(before.name))} renamed to `{path_of(after.name)}` "
                "(probably)",
                before=path_of(before.name),
                after=path_of(after.name),
            )
        for field in removed:
            path = path_of(field.name)
            self.add(
                f"{kind}-removed",
                True,
                path,
                f"{_label(what, path)} removed",
                before=type_text(field.type),
            )
        for name, field in old_by.items():
            other = new_by.get(name)
            if other is None:
                continue
            path = path_of(name)
            if direction == "input" and field.required_marker != other.required_marker:
                state = "required" if other.required_marker else "optional"
                self.add(
                    f"{kind}-made-{state}",
                    other.required_marker,
                    path,
                    f"{_label(what, path)} is now {state}",
                    before=_required_text(field.required_marker),
                    after=_required_text(other.required_marker),
                )
            self.compare(field.type, other.type, path, direction, what)
        for field in added:
            path = path_of(field.name)
            breaking = direction == "input" and field.required_marker
            state = " (required)" if breaking else ""
            self.add(
                f"{kind}-added",
                breaking,
                path,
                f"{_label(what, path)} added{state}",
                after=type_text(field.type),
            )


def _renamed_fields(
    old: Sequence[_Named],
    new: Sequence[_Named],
    removed: Sequence[_Named],
    added: Sequence[_Named],
    type_of: Callable[[_Named], object],  # compared for equality only
) -> list[tuple[_Named, _Named]]:
    """Pairs (removed, added) that are probably one field renamed: the same type, and either
    the same position among the siblings or the only removed and added field of that type."""
    pairs: list[tuple[_Named, _Named]] = []
    taken: set[int] = set()
    for gone in removed:
        gone_type = type_of(gone)
        same_type = [f for f in added if type_of(f) == gone_type and id(f) not in taken]
        at_position = [f for f in same_type if new.index(f) == old.index(gone)]
        rivals = [f for f in removed if type_of(f) == gone_type]
        if at_position:
            partner = at_position[0]
        elif len(same_type) == 1 and len(rivals) == 1:
            partner = same_type[0]
        else:
            continue
        taken.add(id(partner))
        pairs.append((gone, partner))
    return pairs


def _required_text(required: bool) -> str:
    return "required" if required else "optional"


def _label(what: str, target: str) -> str:
    return f"{what} `{target}`" if target else what.removesuffix(" field")


def _values(values: Sequence[str]) -> str:
    return ", ".join(f"`{v}`" for v in values)


def _shape_text(shape: ir.TypeExpr | None) -> str:
    return "no body" if shape is None else type_text(shape)


def _model_changes(old: Plan, new: Plan) -> list[Change]:
    """How the models (classes users import and read) changed: a removed or renamed class or a
    removed or retyped attribute breaks code that names it; a new class or attribute does not.

    A removed and an added model with the same attributes is a rename (a naming shift).
    Annotations are compared with earlier-found renames applied, so a model that only refers to
    a renamed model is a rename too.
    """
    old_by = {m.name: m for m in old.models}
    new_by = {m.name: m for m in new.models}
    renames: dict[str, str] = {}
    fresh: dict[object, list[str]] = {}  # shape → the added models of that shape
    for name in new_by:
        if name not in old_by:
            fresh.setdefault(_model_shape(new_by[name], {}), []).append(name)
    found = True
    while found:  # each round's renames may make more shapes equal; at most len(old) rounds
        found = False
        for name in old_by:
            if name in new_by or name in renames:
                continue
            partners = fresh.get(_model_shape(old_by[name], renames))
            if partners:
                renames[name] = partners.pop(0)
                found = True
    changes: list[Change] = []
    for name, model in old_by.items():
        if name in renames:
            changes.append(
                Change(
                    "model-renamed",
                    True,
                    None,
                    renames[name],
                    f"model `{name}` renamed to `{renames[name]}`",
                    name,
                    renames[name],
                )
            )
        elif name not in new_by:
            changes.append(
                Change("model-removed", True, None, name, f"model `{name}` removed", name)
            )
        else:
            changes += _model_field_changes(model, new_by[name], renames)
    for name in new_by:
        if name not in old_by and name not in renames.values():
            changes.append(
                Change("model-added", False, None, name, f"model `{name}` added", None, name)
            )
    return changes


def _field_type(field: ModelField) -> str:
    """A model field's annotation as ``models.py`` writes it (``| Unset`` when it may be
    left out)."""
    text = annotation_text(field.annotation, qualified=False)
    return text if field.required else f"{text} | Unset"


def _model_shape(model: ModelPlan, renames: Mapping[str, str]) -> object:
    # Compared on the typed annotations, with the old model names in them renamed.
    return frozenset(
        (f.wire, f.python, renamed(f.annotation, renames), f.required) for f in model.fields
    )


def _model_field_changes(
    old: ModelPlan, new: ModelPlan, renames: Mapping[str, str]
) -> list[Change]:
    old_by = {f.python: f for f in old.fields}
    new_by = {f.python: f for f in new.fields}
    removed = [f for f in old.fields if f.python not in new_by]
    added = [f for f in new.fields if f.python not in old_by]
    changes: list[Change] = []
    for before, after in _renamed_fields(
        old.fields, new.fields, removed, added, lambda f: renamed(f.annotation, renames)
    ):
        removed.remove(before)
        added.remove(after)
        changes.append(
            Change(
                "model-field-renamed",
                True,
                None,
                f"{new.name}.{after.python}",
                f"attribute `{old.name}.{before.python}` renamed to `{after.python}` (probably)",
                f"{old.name}.{before.python}",
                f"{new.name}.{after.python}",
            )
        )
    for field in removed:
        changes.append(
            Change(
                "model-field-removed",
                True,
                None,
                f"{old.name}.{field.python}",
                f"model `{old.name}` lost attribute `{field.python}`",
                _field_type(field),
            )
        )
    for name, field in old_by.items():
        other = new_by.get(name)
        if other is not None and (renamed(field.annotation, renames), field.required) != (
            other.annotation,
            other.required,
        ):
            changes.append(
                Change(
                    "model-field-type-changed",
                    True,
                    None,
                    f"{old.name}.{name}",
                    f"attribute `{old.name}.{name}` changed type",
                    _field_type(field),
                    _field_type(other),
                )
            )
    for field in added:
        changes.append(
            Change(
                "model-field-added",
                False,
                None,
                f"{new.name}.{field.python}",
                f"model `{new.name}` gained attribute `{field.python}`",
                None,
                _field_type(field),
            )
        )
    return changes
