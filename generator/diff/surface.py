"""SDK surface changes between two Plans: methods, signatures and models."""

from __future__ import annotations

from ..plan import MethodPlan, ParamPlan, Plan
from ..render import annotation_text
from .model import ParamChange, SignatureChange, Surface
from .types import _required_text


def signature(method: MethodPlan) -> str:
    """The generated method's signature, as a user calls it."""
    parts = [f"{p.python}: {annotation_text(p.annotation)}" for p in method.positional]
    keyword = [
        f"{p.python}: {annotation_text(p.annotation)}" + ("" if p.required else " = UNSET")
        for p in method.keyword
    ]
    if keyword:
        parts += ["*", *keyword]
    return f"{method.accessor}({', '.join(parts)}) -> {annotation_text(method.returns)}"


def _signature_key(method: MethodPlan) -> object:
    """What a caller depends on, as typed data: a change in it is a changed signature."""
    params = tuple(
        (p.python, p.annotation, p.required, p.location == "path") for p in method.params
    )
    return (params, method.returns)


def _param_text(param: ParamPlan, position: int | None) -> str:
    place = f", positional #{position + 1}" if position is not None else ""
    return f"{annotation_text(param.annotation)}, {_required_text(param.required)}{place}"


def _param_changes(old: MethodPlan, new: MethodPlan) -> tuple[ParamChange, ...]:
    """The params whose name, annotation, required-ness or position changed."""

    def texts(method: MethodPlan) -> dict[str, str]:
        positional = [p.python for p in method.positional]
        return {
            p.python: _param_text(p, positional.index(p.python) if p.python in positional else None)
            for p in method.params
        }

    before, after = texts(old), texts(new)
    changes = [ParamChange(n, "removed", t, None) for n, t in before.items() if n not in after]
    changes += [
        ParamChange(n, "changed", t, after[n])
        for n, t in before.items()
        if n in after and after[n] != t
    ]
    changes += [ParamChange(n, "added", None, t) for n, t in after.items() if n not in before]
    return tuple(changes)


def _surface(old: Plan, new: Plan) -> Surface:
    old_methods = {m.accessor: m for m in old.all_methods()}
    new_methods = {m.accessor: m for m in new.all_methods()}
    changed = tuple(
        SignatureChange(
            accessor,
            signature(method),
            signature(new_methods[accessor]),
            _param_changes(method, new_methods[accessor]),
            annotation_text(method.returns),
            annotation_text(new_methods[accessor].returns),
        )
        for accessor, method in sorted(old_methods.items())
        if accessor in new_methods
        and _signature_key(method) != _signature_key(new_methods[accessor])
    )
    old_models = {m.name for m in old.models}
    new_models = {m.name for m in new.models}
    return Surface(
        methods_added=tuple(sorted(set(new_methods) - set(old_methods))),
        methods_removed=tuple(sorted(set(old_methods) - set(new_methods))),
        methods_changed=changed,
        models_added=tuple(sorted(new_models - old_models)),
        models_removed=tuple(sorted(old_models - new_models)),
    )
