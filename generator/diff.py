"""``lapgen diff``: what changed between two versions of a spec, for a user of the SDK.

The two IRs give the API changes (endpoints, params, types, enums, defaults, response fields,
auth); the two plans give where a param is sent (placement) and the SDK surface (methods,
models, signatures). Each change is breaking or not, and the report suggests a semver bump.
Documentation (``@desc`` wording, comments) is ignored, except where it renames a method.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TextIO, TypeVar, assert_never

import attrs

from . import config as config_file
from . import ir
from .config import Config
from .pipeline import Loaded, load
from .plan import MethodPlan, ModelField, ModelPlan, ParamPlan, Plan, PlanError, build_plan

FORMATS = ("text", "markdown", "json")
JSON_SCHEMA_VERSION = 2  # 2: bump "none", warnings, scope/cause, signature params
_COLLAPSE_AFTER = 10  # markdown: longer lists go in a <details>
_Named = TypeVar("_Named", ir.Field, ModelField)  # a spec field or a model's attribute


@attrs.frozen
class Change:
    """One API change. ``kind`` is one of the names documented in the README."""

    kind: str
    breaking: bool
    endpoint: str | None  # "POST /v1/users"; None for API-wide changes
    target: str | None  # a param name or a dotted response field path
    message: str
    before: str | None = None  # null only on the side where the thing does not exist
    after: str | None = None
    cause: str = "spec"  # spec | config: the config alone makes this change (see diff())

    @property
    def scope(self) -> str:
        """``sdk`` for changes to the generated code only (names, models, placement)."""
        return "sdk" if self.kind in SDK_KINDS or self.kind.startswith("model-") else "api"

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "breaking": self.breaking,
            "scope": self.scope,
            "cause": self.cause,
            "endpoint": self.endpoint,
            "target": self.target,
            "message": self.message,
            "before": self.before,
            "after": self.after,
        }


# What the planner decides rather than the spec's wire API: the SDK may change while the API
# does not (a config, a naming rule).
SDK_KINDS = frozenset({"method-renamed", "client-auth-changed", "param-moved"})


@attrs.frozen
class ParamChange:
    """One param of a method whose signature changed; ``before``/``after`` are null when absent."""

    name: str
    change: str  # added | removed | changed
    before: str | None
    after: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "change": self.change,
            "before": self.before,
            "after": self.after,
        }

    def text(self) -> str:
        if self.change == "added":
            return f"`{self.name}` added (`{self.after}`)"
        if self.change == "removed":
            return f"`{self.name}` removed (was `{self.before}`)"
        return f"`{self.name}`: `{self.before}` → `{self.after}`"


@attrs.frozen
class SignatureChange:
    accessor: str
    before: str
    after: str
    params: tuple[ParamChange, ...] = ()
    returns_before: str = ""
    returns_after: str = ""

    def summary(self) -> str:
        """The changed params only, then the return type when it changed."""
        parts = [p.text() for p in self.params]
        if self.returns_before != self.returns_after:
            parts.append(f"returns `{self.returns_before}` → `{self.returns_after}`")
        return "; ".join(parts)

    def as_json(self) -> dict[str, object]:
        returns = (
            {"before": self.returns_before, "after": self.returns_after}
            if self.returns_before != self.returns_after
            else None
        )
        return {
            "accessor": self.accessor,
            "before": self.before,
            "after": self.after,
            "params": [p.as_json() for p in self.params],
            "returns": returns,
        }


@attrs.frozen
class Surface:
    """How the generated SDK changed."""

    methods_added: tuple[str, ...]
    methods_removed: tuple[str, ...]
    methods_changed: tuple[SignatureChange, ...]
    models_added: tuple[str, ...]
    models_removed: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "methods_added": list(self.methods_added),
            "methods_removed": list(self.methods_removed),
            "methods_changed": [c.as_json() for c in self.methods_changed],
            "models_added": list(self.models_added),
            "models_removed": list(self.models_removed),
        }


_NO_SURFACE_CHANGE = Surface((), (), (), (), ())


@attrs.frozen
class Report:
    old_file: str
    new_file: str
    api: str
    package: str
    old_version: str
    changes: tuple[Change, ...]
    surface: Surface
    warnings: tuple[str, ...] = ()

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)

    @property
    def non_breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if not c.breaking)

    @property
    def api_changes(self) -> tuple[Change, ...]:
        """Changes to the wire API that the spec made."""
        return tuple(c for c in self.changes if c.scope == "api" and c.cause == "spec")

    @property
    def sdk_changes(self) -> tuple[Change, ...]:
        """Changes to the generated SDK only, or made by the config."""
        return tuple(c for c in self.changes if c.scope == "sdk" or c.cause == "config")

    @property
    def bump(self) -> str:
        """major when anything breaks, minor when something was added, patch when anything else
        changed, none when nothing did."""
        if self.breaking:
            return "major"
        additions = any(c.kind.endswith("-added") for c in self.changes)
        if additions or self.surface.methods_added or self.surface.models_added:
            return "minor"
        if self.changes or self.surface != _NO_SURFACE_CHANGE:
            return "patch"
        return "none"

    @property
    def next_version(self) -> str | None:
        return next_version(self.old_version, self.bump)


def next_version(version: str, bump: str) -> str | None:
    """The version after ``version`` for ``bump``; 0.x moves a breaking change to the minor.

    None when ``version`` is not ``MAJOR.MINOR.PATCH``; ``version`` itself for bump ``none``.
    """
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+.].*)?", version.strip())
    if match is None:
        return None
    major, minor, patch = int(match[1]), int(match[2]), int(match[3] or 0)
    if bump == "none":
        return version.strip()
    if major == 0 and bump == "major":  # semver: anything may change in 0.x
        bump = "minor"
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


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
    type_of: Callable[[_Named], str],
) -> list[tuple[_Named, _Named]]:
    """Pairs (removed, added) that are probably one field renamed: the same type, and either
    the same position among the siblings or the only removed and added field of that type."""
    pairs: list[tuple[_Named, _Named]] = []
    taken: set[int] = set()
    for gone in removed:
        text = type_of(gone)
        same_type = [f for f in added if type_of(f) == text and id(f) not in taken]
        at_position = [f for f in same_type if new.index(f) == old.index(gone)]
        rivals = [f for f in removed if type_of(f) == text]
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


# ---------------------------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------------------------


def _route(endpoint: ir.Endpoint) -> str:
    return f"{endpoint.method} {endpoint.path}"


def _default_message(wire: str, before: str | None, after: str | None) -> str:
    if before is None:
        return f"param `{wire}` now defaults to `{after}`"
    if after is None:
        return f"param `{wire}` no longer defaults to `{before}`"
    return f"param `{wire}` default changed from `{before}` to `{after}`"


def _repeated_routes(api: ir.API) -> set[tuple[str, str]]:
    routes = [(e.method, e.path) for e in api.endpoints]
    return {route for route in routes if routes.count(route) > 1}


def _match_endpoints(
    old: ir.API, new: ir.API
) -> tuple[list[tuple[ir.Endpoint, ir.Endpoint | None]], list[ir.Endpoint]]:
    """Old endpoints with their new partner (None when removed), and the added endpoints.

    Endpoints match by METHOD and PATH; a route a spec repeats (Postman: one request per
    ``@desc``) also by ``@desc``; requests a spec repeats with the same ``@desc`` too pair an
    unchanged one with its equal first, then in document order.
    """
    repeated = _repeated_routes(old) | _repeated_routes(new)

    def key(endpoint: ir.Endpoint) -> tuple[str, str, str | None]:
        route = (endpoint.method, endpoint.path)
        return (*route, endpoint.desc if route in repeated else None)

    unmatched: dict[tuple[str, str, str | None], list[ir.Endpoint]] = {}
    for endpoint in new.endpoints:
        unmatched.setdefault(key(endpoint), []).append(endpoint)
    partners: dict[int, ir.Endpoint] = {}  # by index in old.endpoints
    for exact in (True, False):
        for index, endpoint in enumerate(old.endpoints):
            candidates = unmatched.get(key(endpoint), [])
            if index in partners or not candidates:
                continue
            partner = next((c for c in candidates if c == endpoint), None)
            if partner is None and not exact:
                partner = candidates[0]
            if partner is not None:
                partners[index] = partner
                candidates.remove(partner)
    pairs = [(e, partners.get(i)) for i, e in enumerate(old.endpoints)]
    left = {id(e) for group in unmatched.values() for e in group}
    return pairs, [e for e in new.endpoints if id(e) in left]


def _auth_text(auth: ir.Auth | None) -> str:
    if auth is None:
        return "none"
    parts = []
    for s in auth.schemes:
        words = [s.kind, s.param, s.key_name, s.key_in]
        parts.append(" ".join(w for w in words if w))
    return " | ".join(parts)


def _runtime_auth(plan: Plan) -> str:
    auth = plan.runtime.get("auth")
    if not isinstance(auth, dict):
        return "none"
    names = [str(p.get("name")) for p in auth.get("params", []) if isinstance(p, dict)]
    words = [str(auth.get("kind")), str(auth.get("key_name") or ""), str(auth.get("key_in") or "")]
    text = " ".join(w for w in words if w)
    return f"{text} ({', '.join(names)})" if names else text


def signature(method: MethodPlan) -> str:
    """The generated method's signature, as a user calls it."""
    parts = [f"{p.python}: {p.annotation}" for p in method.positional]
    keyword = [
        f"{p.python}: {p.annotation}" + ("" if p.required else " = UNSET") for p in method.keyword
    ]
    if keyword:
        parts += ["*", *keyword]
    return f"{method.accessor}({', '.join(parts)}) -> {method.returns}"


class _Differ:
    def __init__(self, old: Loaded, new: Loaded) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []
        # A method's line is its endpoint's: the one tie that survives repeated routes.
        self.old_methods = {m.line: m for m in old.plan.all_methods()}
        self.new_methods = {m.line: m for m in new.plan.all_methods()}

    def run(self) -> tuple[Change, ...]:
        self.auth()
        pairs, added = _match_endpoints(self.old.api, self.new.api)
        for endpoint, partner in pairs:
            if partner is not None:
                self.endpoint(endpoint, partner)
                continue
            method = self.old_methods.get(endpoint.pos.line)
            accessor = f" (`client.{method.accessor}`)" if method else ""
            self.changes.append(
                Change(
                    "endpoint-removed",
                    True,
                    _route(endpoint),
                    None,
                    f"endpoint removed{accessor}",
                    _route(endpoint),
                )
            )
        for endpoint in added:
            method = self.new_methods.get(endpoint.pos.line)
            accessor = f" (`client.{method.accessor}`)" if method else ""
            self.changes.append(
                Change(
                    "endpoint-added",
                    False,
                    _route(endpoint),
                    None,
                    f"endpoint added{accessor}",
                    None,
                    _route(endpoint),
                )
            )
        self.changes.extend(_model_changes(self.old.plan, self.new.plan))
        return tuple(self.changes)

    def auth(self) -> None:
        before, after = _auth_text(self.old.api.auth), _auth_text(self.new.api.auth)
        if before != after:
            self.changes.append(
                Change("auth-changed", True, None, None, "API auth changed", before, after)
            )
        before, after = _runtime_auth(self.old.plan), _runtime_auth(self.new.plan)
        if before != after:
            self.changes.append(
                Change(
                    "client-auth-changed",
                    True,
                    None,
                    None,
                    "the client's credentials changed",
                    before,
                    after,
                )
            )

    def endpoint(self, old: ir.Endpoint, new: ir.Endpoint) -> None:
        route = _route(old)
        if old.auth != new.auth and _auth_text(old.auth) != _auth_text(new.auth):
            self.changes.append(
                Change(
                    "auth-changed",
                    True,
                    route,
                    None,
                    "endpoint auth changed",
                    _auth_text(old.auth),
                    _auth_text(new.auth),
                )
            )
        old_method = self.old_methods.get(old.pos.line)
        new_method = self.new_methods.get(new.pos.line)
        if old_method and new_method and old_method.accessor != new_method.accessor:
            self.changes.append(
                Change(
                    "method-renamed",
                    True,
                    route,
                    None,
                    f"SDK method renamed from `client.{old_method.accessor}` to "
                    f"`client.{new_method.accessor}`",
                    old_method.accessor,
                    new_method.accessor,
                )
            )
        if old_method and new_method:
            self.params(old, new, old_method.params, new_method.params)
        types = _Types(self.old.api, self.new.api, route)
        old_response, new_response = old.success, new.success
        old_shape = self._response_type(old_response)
        new_shape = self._response_type(new_response)
        if old_shape is None or new_shape is None:
            if (old_shape is None) != (new_shape is None):
                self.changes.append(
                    Change(
                        "response-changed",
                        old_shape is not None,
                        route,
                        None,
                        "the success response "
                        + ("no longer has a shape" if new_shape is None else "now has a shape"),
                        _shape_text(old_shape),
                        _shape_text(new_shape),
                    )
                )
        else:
            types.compare(
                ir.TypeSpec(old_shape), ir.TypeSpec(new_shape), "", "output", "response field"
            )
            for change in types.changes:  # the root of a response has no name
                if change.target == "":
                    change = attrs.evolve(change, target=None)
                self.changes.append(change)

    @staticmethod
    def _response_type(response: ir.Response | None) -> ir.TypeExpr | None:
        if response is None:
            return None
        if response.fields is not None:
            return ir.ObjectType(response.fields)
        return response.type

    def params(
        self,
        old: ir.Endpoint,
        new: ir.Endpoint,
        old_params: Sequence[ParamPlan],
        new_params: Sequence[ParamPlan],
    ) -> None:
        route = _route(old)
        old_fields, new_fields = self.old.api.declared_params(old), self.new.api.declared_params(
            new
        )
        old_by = {p.wire: p for p in old_params}
        new_by = {p.wire: p for p in new_params}

        def text(fields: Mapping[str, ir.Field], wire: str) -> str:
            field = fields.get(wire)
            return type_text(field.type) if field is not None else "str"

        removed = [p for p in old_params if p.wire not in new_by]
        added = [p for p in new_params if p.wire not in old_by]
        for param in removed:
            partner = next(
                (
                    a
                    for a in added
                    if a.location == param.location
                    and text(new_fields, a.wire) == text(old_fields, param.wire)
                ),
                None,
            )
            if partner is not None:
                added.remove(partner)
                self.changes.append(
                    Change(
                        "param-renamed",
                        True,
                        route,
                        partner.wire,
                        f"param `{param.wire}` renamed to `{partner.wire}` (probably: same type "
                        "and location)",
                        param.wire,
                        partner.wire,
                    )
                )
                continue
            self.changes.append(
                Change(
                    "param-removed",
                    True,
                    route,
                    param.wire,
                    f"param `{param.wire}` removed",
                    text(old_fields, param.wire),
                )
            )
        for param in added:
            state = "required" if param.required else "optional"
            self.changes.append(
                Change(
                    "param-added",
                    param.required,
                    route,
                    param.wire,
                    f"{state} param `{param.wire}` added ({param.location})",
                    None,
                    text(new_fields, param.wire),
                )
            )
        types = _Types(self.old.api, self.new.api, route)
        for wire, before in old_by.items():
            after = new_by.get(wire)
            if after is None:
                continue
            if before.location != after.location:
                self.changes.append(
                    Change(
                        "param-moved",
                        True,
                        route,
                        wire,
                        f"param `{wire}` moved from {before.location} to {after.location}",
                        before.location,
                        after.location,
                    )
                )
            if before.required != after.required:
                state = "required" if after.required else "optional"
                self.changes.append(
                    Change(
                        f"param-made-{state}",
                        after.required,
                        route,
                        wire,
                        f"param `{wire}` is now {state}",
                        _required_text(before.required),
                        _required_text(after.required),
                    )
                )
            old_field, new_field = old_fields.get(wire), new_fields.get(wire)
            if old_field is None or new_field is None:
                continue
            types.compare(old_field.type, new_field.type, wire, "input", "param")
            old_default = old_field.default.raw if old_field.default else None
            new_default = new_field.default.raw if new_field.default else None
            if old_default != new_default:
                self.changes.append(
                    Change(
                        "param-default-changed",
                        False,
                        route,
                        wire,
                        _default_message(wire, old_default, new_default),
                        old_default,
                        new_default,
                    )
                )
        self.changes.extend(types.changes)


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


def _renamed(annotation: str, renames: Mapping[str, str]) -> str:
    if not renames:
        return annotation
    pattern = r"\b(" + "|".join(re.escape(n) for n in renames) + r")\b"
    return re.sub(pattern, lambda m: renames[m[1]], annotation)


def _model_shape(model: ModelPlan, renames: Mapping[str, str]) -> object:
    return tuple(sorted((f.wire, f.python, _renamed(f.annotation, renames)) for f in model.fields))


def _model_field_changes(
    old: ModelPlan, new: ModelPlan, renames: Mapping[str, str]
) -> list[Change]:
    old_by = {f.python: f for f in old.fields}
    new_by = {f.python: f for f in new.fields}
    removed = [f for f in old.fields if f.python not in new_by]
    added = [f for f in new.fields if f.python not in old_by]
    changes: list[Change] = []
    for before, after in _renamed_fields(
        old.fields, new.fields, removed, added, lambda f: _renamed(f.annotation, renames)
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
                field.annotation,
            )
        )
    for name, field in old_by.items():
        other = new_by.get(name)
        if other is not None and _renamed(field.annotation, renames) != other.annotation:
            changes.append(
                Change(
                    "model-field-type-changed",
                    True,
                    None,
                    f"{old.name}.{name}",
                    f"attribute `{old.name}.{name}` changed type",
                    field.annotation,
                    other.annotation,
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
                field.annotation,
            )
        )
    return changes


def _param_text(param: ParamPlan, position: int | None) -> str:
    place = f", positional #{position + 1}" if position is not None else ""
    return f"{param.annotation}, {_required_text(param.required)}{place}"


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
            method.returns,
            new_methods[accessor].returns,
        )
        for accessor, method in sorted(old_methods.items())
        if accessor in new_methods and signature(method) != signature(new_methods[accessor])
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


def diff(old: Loaded, new: Loaded, *, old_config: Config | None = None) -> Report:
    """The change report from ``old`` to ``new``.

    When the two were planned with different configs, the report warns, and with
    ``old_config`` (the config ``old`` was planned with) each change the config alone makes is
    marked ``cause="config"``: those are the changes that do not appear when the new spec is
    planned with the old config.
    """
    changes = _Differ(old, new).run()
    warnings: list[str] = []
    if old.plan.config_sha256 != new.plan.config_sha256:
        attributed = ""
        if old_config is not None and old_config.sha256 == old.plan.config_sha256:
            changes, attributed = _attribute_to_config(old, new, old_config, changes)
        warnings.append(
            f"the two specs were planned with different configs (old: "
            f"{_config_text(old.plan.config_sha256)}, new: {_config_text(new.plan.config_sha256)})"
            f"{attributed}. Pass --config to compare both with one config, e.g. when the old "
            "spec comes from `git show`"
        )
    return Report(
        old_file=str(old.path),
        new_file=str(new.path),
        api=new.api.name,
        package=new.plan.package,
        old_version=old.plan.version,
        changes=changes,
        surface=_surface(old.plan, new.plan),
        warnings=tuple(warnings),
    )


def _config_text(sha256: str | None) -> str:
    return f"config sha256 {sha256[:12]}" if sha256 else "no config"


def _attribute_to_config(
    old: Loaded, new: Loaded, old_config: Config, changes: tuple[Change, ...]
) -> tuple[tuple[Change, ...], str]:
    """``changes`` with those the config alone makes marked, and a clause saying how many."""
    try:
        replanned = build_plan(new.api, old_config, spec_name=new.path.name, spec_bytes=new.data)
    except PlanError:  # the old config cannot plan the new spec: nothing to attribute
        return changes, "; the old config cannot plan the new spec, so no change is attributed"
    from_spec = set(_Differ(old, attrs.evolve(new, plan=replanned)).run())
    marked = tuple(c if c in from_spec else attrs.evolve(c, cause="config") for c in changes)
    count = sum(c.cause == "config" for c in marked)
    return marked, f"; {count} change(s) come from the config alone"


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def report_json(report: Report) -> dict[str, object]:
    """The stable JSON of ``lapgen diff --format json`` (schema in the README)."""
    return {
        "schema": JSON_SCHEMA_VERSION,
        "old": report.old_file,
        "new": report.new_file,
        "api": report.api,
        "package": report.package,
        "version": report.old_version,
        "suggested_bump": report.bump,
        "next_version": report.next_version,
        "summary": {
            "breaking": len(report.breaking),
            "non_breaking": len(report.non_breaking),
        },
        "warnings": list(report.warnings),
        "changes": [c.as_json() for c in report.changes],
        "sdk": report.surface.as_json(),
    }


def _headline(report: Report) -> str:
    version = f" ({report.old_version} → {report.next_version})" if report.next_version else ""
    zero = (
        "; the package is 0.x, where a breaking change bumps the minor version"
        if report.bump == "major" and report.old_version.lstrip("v").startswith("0.")
        else ""
    )
    return (
        f"suggested bump: {report.bump}{version}: {len(report.breaking)} breaking, "
        f"{len(report.non_breaking)} non-breaking changes{zero}"
    )


def _line(change: Change) -> str:
    where = change.endpoint or ("SDK" if change.scope == "sdk" else "API")
    detail = f" [{change.before or '—'} → {change.after or '—'}]"
    cause = " (from the config)" if change.cause == "config" else ""
    return f"{where}: {change.message.replace('`', '')}{cause}{detail}"


def _surface_items(surface: Surface) -> list[tuple[str, list[str]]]:
    return [
        ("Methods added", [f"client.{m}" for m in surface.methods_added]),
        ("Methods removed", [f"client.{m}" for m in surface.methods_removed]),
    ]


def report_text(report: Report) -> str:
    lines = [
        f"API changes in {report.api}: {report.old_file} → {report.new_file}",
        _headline(report),
    ]
    lines += [f"warning: {w}" for w in report.warnings]
    api = report.api_changes
    for title, changes in (
        ("Breaking changes", [c for c in api if c.breaking]),
        ("Non-breaking changes", [c for c in api if not c.breaking]),
    ):
        if changes:
            lines += ["", f"{title} ({len(changes)}):"]
            lines += [f"  {'!' if c.breaking else '+'} {_line(c)}" for c in changes]
    if not api:
        lines += ["", "No API changes."]
    items = [(title, values) for title, values in _surface_items(report.surface) if values]
    sdk = report.sdk_changes
    signatures = report.surface.methods_changed
    if items or sdk or signatures:
        lines += ["", f"SDK changes ({report.package}):"]
        lines += [f"  {'!' if c.breaking else '+'} {_line(c)}" for c in sdk]
        for title, values in items:
            lines.append(f"  {title} ({len(values)}):")
            lines += [f"    {value}" for value in values]
        if signatures:
            lines.append(f"  Methods with new signatures ({len(signatures)}):")
            lines += [
                f"    client.{c.accessor}: {c.summary().replace('`', '')}" for c in signatures
            ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"``{text}``"


def _value(text: str | None) -> str:
    return _cell(_code(text)) if text is not None else "—"


def _collapsible(title: str, body: list[str]) -> list[str]:
    if len(body) <= _COLLAPSE_AFTER:
        return [f"**{title}**", "", *body, ""]
    return [f"<details><summary>{title}</summary>", "", *body, "", "</details>", ""]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    if len(rows) > _COLLAPSE_AFTER:
        return [f"<details><summary>{len(rows)} changes</summary>", "", *lines, "", "</details>"]
    return lines


def report_markdown(report: Report) -> str:
    """A pull-request comment: heading, summary line, tables grouped by breaking or not."""
    icon = {"major": "🔴", "minor": "🟡", "patch": "🟢", "none": "⚪"}[report.bump]
    version = f" (`{report.old_version}` → `{report.next_version}`)" if report.next_version else ""
    lines = [
        f"## lapgen API diff: {report.api}",
        "",
        f"{icon} **Suggested bump: {report.bump}**{version} · "
        f"{len(report.breaking)} breaking, {len(report.non_breaking)} non-breaking changes",
        "",
    ]
    lines += [f"> ⚠️ {_cell(w)}" for w in report.warnings] + ([""] if report.warnings else [])
    if report.bump == "major" and report.old_version.lstrip("v").startswith("0."):
        lines += ["> The package is 0.x: a breaking change bumps the minor version.", ""]
    api = report.api_changes
    if not api:
        lines += ["No API changes.", ""]
    for title, changes in (
        ("⚠️ Breaking changes", [c for c in api if c.breaking]),
        ("Non-breaking changes", [c for c in api if not c.breaking]),
    ):
        if not changes:
            continue
        rows = [
            [
                _cell(_code(c.endpoint)) if c.endpoint else "API",
                _cell(c.message),
                _value(c.before),
                _value(c.after),
            ]
            for c in changes
        ]
        lines += [f"### {title} ({len(changes)})", ""]
        lines += [*_table(["Endpoint", "Change", "Before", "After"], rows), ""]
    items = [(title, values) for title, values in _surface_items(report.surface) if values]
    sdk = report.sdk_changes
    signatures = report.surface.methods_changed
    if not (items or sdk or signatures):
        lines.append("<sub>Generated by `lapgen diff`.</sub>")
        return "\n".join(lines) + "\n"
    lines += [f"### SDK changes (`{report.package}`)", ""]
    if sdk:
        rows = [
            [
                "⚠️ yes" if c.breaking else "no",
                _cell(c.message) + (" (from the config)" if c.cause == "config" else ""),
                _value(c.before),
                _value(c.after),
            ]
            for c in sdk
        ]
        lines += [*_table(["Breaking", "Change", "Before", "After"], rows), ""]
    for title, values in items:
        lines += _collapsible(f"{title} ({len(values)})", [f"- {_cell(_code(v))}" for v in values])
    if signatures:
        rows = []
        for change in signatures:
            method = _cell(_code(f"client.{change.accessor}"))
            rows += [
                [method, _cell(_code(p.name)), p.change, _value(p.before), _value(p.after)]
                for p in change.params
            ]
            if change.returns_before != change.returns_after:
                rows.append(
                    [
                        method,
                        "(return)",
                        "changed",
                        _value(change.returns_before),
                        _value(change.returns_after),
                    ]
                )
        lines += [f"**Methods with new signatures ({len(signatures)})**", ""]
        lines += [*_table(["Method", "Param", "Change", "Before", "After"], rows), ""]
    lines.append("<sub>Generated by `lapgen diff`.</sub>")
    return "\n".join(lines) + "\n"


def run(
    old: Path,
    new: Path,
    *,
    config: Path | None = None,
    fmt: str = "text",
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> Report:
    """``lapgen diff``: write the report in ``fmt`` and its warnings to stderr; the CLI decides
    the exit code from it.

    Raises ``LapgenError`` when either spec (or the config) cannot be loaded.
    """
    out = stdout or sys.stdout
    old_loaded = load(old, config)
    old_config = load_config_for(old, config)
    report = diff(old_loaded, load(new, config), old_config=old_config)
    for warning in report.warnings:
        print(f"lapgen diff: warning: {warning}", file=stderr or sys.stderr)
    if fmt == "json":
        json.dump(report_json(report), out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt == "markdown":
        out.write(report_markdown(report))
    else:
        out.write(report_text(report))
    return report


def load_config_for(spec: Path, config: Path | None) -> Config:
    """The config ``load(spec, config)`` plans with (it has just been read successfully)."""
    return config_file.load_config(config if config is not None else config_file.find_config(spec))


def kinds() -> Iterable[str]:
    """Every change kind, for the documentation."""
    return (
        "auth-changed",
        "client-auth-changed",
        "endpoint-added",
        "endpoint-removed",
        "method-renamed",
        "param-added",
        "param-removed",
        "param-renamed",
        "param-moved",
        "param-made-required",
        "param-made-optional",
        "param-type-changed",
        "param-nullable-changed",
        "param-enum-value-added",
        "param-enum-value-removed",
        "param-default-changed",
        "param-field-added",
        "param-field-removed",
        "param-field-made-required",
        "param-field-made-optional",
        "response-changed",
        "response-field-added",
        "response-field-removed",
        "response-field-type-changed",
        "response-field-nullable-changed",
        "response-field-enum-value-added",
        "response-field-enum-value-removed",
        "response-field-renamed",
        "param-field-renamed",
        "model-added",
        "model-removed",
        "model-renamed",
        "model-field-added",
        "model-field-removed",
        "model-field-renamed",
        "model-field-type-changed",
    )
