"""API changes between two IRs: matching endpoints, then params, auth, responses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from .. import ir
from ..pipeline import Loaded
from ..plan import ParamPlan, Plan
from .model import Change
from .types import _model_changes, _required_text, _shape_text, _Types, type_text


def _field_type_text(fields: Mapping[str, ir.Field], wire: str) -> str:
    """A declared param's type as LAP text (``str`` for a path param nothing declares)."""
    field = fields.get(wire)
    return type_text(field.type) if field is not None else "str"


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
    """The client's credentials as one line: kind, where a key goes, the argument names."""
    auth = plan.runtime.auth
    text = " ".join(w for w in (auth.kind, auth.key_name, auth.key_in) if w)
    names = ", ".join(p.name for p in auth.params)
    return f"{text} ({names})" if names else text


class _Differ:
    def __init__(self, old: Loaded, new: Loaded) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []
        # By the identity of the IR endpoint each method calls: endpoints compare by value,
        # and a repeated route is two equal endpoints with a method each.
        self.old_methods = {id(m.endpoint): m for m in old.plan.all_methods()}
        self.new_methods = {id(m.endpoint): m for m in new.plan.all_methods()}

    def run(self) -> tuple[Change, ...]:
        self.auth()
        pairs, added = _match_endpoints(self.old.api, self.new.api)
        for endpoint, partner in pairs:
            if partner is not None:
                self.endpoint(endpoint, partner)
                continue
            method = self.old_methods.get(id(endpoint))
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
            method = self.new_methods.get(id(endpoint))
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
        old_method = self.old_methods.get(id(old))
        new_method = self.new_methods.get(id(new))
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
        old_fields = self.old.api.declared_params(old)
        new_fields = self.new.api.declared_params(new)
        self.params_added_or_removed(route, old_params, new_params, old_fields, new_fields)
        types = _Types(self.old.api, self.new.api, route)
        old_by = {p.wire: p for p in old_params}
        new_by = {p.wire: p for p in new_params}
        for wire, before in old_by.items():
            after = new_by.get(wire)
            if after is not None:
                self.param_kept(route, before, after, old_fields, new_fields, types)
        self.changes.extend(types.changes)

    def params_added_or_removed(
        self,
        route: str,
        old_params: Sequence[ParamPlan],
        new_params: Sequence[ParamPlan],
        old_fields: Mapping[str, ir.Field],
        new_fields: Mapping[str, ir.Field],
    ) -> None:
        """Params only one side has; a removed one paired with an added one is a rename."""
        old_by = {p.wire: p for p in old_params}
        new_by = {p.wire: p for p in new_params}
        text = _field_type_text
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

    def param_kept(
        self,
        route: str,
        before: ParamPlan,
        after: ParamPlan,
        old_fields: Mapping[str, ir.Field],
        new_fields: Mapping[str, ir.Field],
        types: _Types,
    ) -> None:
        """A param both sides have: its location, whether required, its type and default."""
        wire = before.wire
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
            return
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
