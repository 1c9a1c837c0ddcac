"""The middle: passes over the IR that decide what to render.

1. placement — where each param goes on the wire (path, query, header, body);
2. names — resources and methods from paths and ``@desc``, Python identifiers;
3. models — one attrs class per distinct inline object shape, response classes per endpoint.

The result is a ``Plan``: plain data the templates print, with no decisions left to make.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping, Sequence

from .. import ir, names, placement, variants
from ..config import Config
from ..diagnostics import Diagnostic
from ..errors import ConfigError
from ..escape import (
    is_header_name,
    pep440_version,
)
from ..naming import (
    segment,
    singular,
    snake,
    unique,
    words,
)
from ..placement import as_location
from .annotations import ANY, NONE, Annotation, ModelRef
from .checks import default_package_name, header_warnings, refuse_bad_header_keys, refuse_non_http
from .models import _ModelRegistry
from .resource_names import (
    _FILLER_WORDS,
    _PREPOSITIONS,
    _action_from_path,
    _attribute_name,
    _ends_with,
    _merge_singular_resources,
    _names_noun,
    _path_segments,
    _summary,
    _under_prefix,
    _verb_name,
    _verbs_for_shared_names,
    _vocabulary,
    methods_by_name,
    resource_class_names,
)
from .runtime import runtime_plan
from .types import (
    METHOD_LOCALS,
    RESOURCE_MODULE_NAMES,
    MethodPlan,
    PagesPlan,
    ParamPlan,
    Plan,
    PlanError,
    ResourcePlan,
    ResponseCast,
)

# ---------------------------------------------------------------------------------------------
# Building it
# ---------------------------------------------------------------------------------------------

# A method named: (resource, endpoint, method name, the key of its response model or None).
Pending = tuple[tuple[str, ...], ir.Endpoint, str, object | None]


def build_plan(
    api: ir.API,
    config: Config,
    *,
    spec_name: str,
    spec_bytes: bytes,
    locked_names: Mapping[str, Collection[str]] | None = None,
) -> Plan:
    """``locked_names``: class name → places, from the manifest of an earlier generation."""
    refuse_non_http(api)
    refuse_bad_header_keys(api)
    builder = _Builder(api, config, locked_names)
    resources = builder.resources()
    package = config.package or default_package_name(api.name)
    title = config.title or api.name
    api_version = config.package_version or api.version
    version = pep440_version(api_version) if api_version else "0.1.0"
    models = builder.models.plans()
    warnings = [*builder.warnings, *builder.models.warnings]
    warnings += header_warnings(api, api_version, version)
    return Plan(
        package=package,
        title=title,
        version=version,
        api_version=api_version,
        spec_name=spec_name,
        spec_sha256=hashlib.sha256(spec_bytes).hexdigest(),
        config_sha256=config.sha256,
        runtime=runtime_plan(api, config, package=package, title=title, version=version),
        resources=resources,
        models=models,
        warnings=tuple(warnings),
    )


class _Builder:
    def __init__(
        self, api: ir.API, config: Config, locked: Mapping[str, Collection[str]] | None = None
    ) -> None:
        self.api = api
        self.config = config
        self.warnings: list[Diagnostic] = []
        self.vocabulary = _vocabulary(api)
        self.models = _ModelRegistry(
            api,
            response_fields=config.response_fields,
            configured=dict(config.model_names),
            locked=locked,
            config_source=config.source,
        )
        self.group_servers = dict(config.group_servers)
        self.accessor_overrides = dict(config.accessors)
        self.used_renames: set[str] = set()
        self.renamed_by: dict[str, str] = {}  # "METHOD /path" → the config key that moved it
        self.auth_headers = placement.auth_header_names(api)
        self.endpoint_names: set[str] = set()

    # -- names -----------------------------------------------------------------------------

    def accessor(self, endpoint: ir.Endpoint) -> tuple[tuple[str, ...], str]:
        """The resource path and method name: the config's, else derived and renamed."""
        override = self.accessor_overrides.get(f"{endpoint.method} {endpoint.path}")
        if override is not None:
            *configured, method = override.split(".")
            return tuple(configured), method
        derived, method = self._derived_accessor(endpoint)
        return self._renamed(endpoint, derived), method

    def _renamed(self, endpoint: ir.Endpoint, resource: tuple[str, ...]) -> tuple[str, ...]:
        """Apply the config's ``accessor_prefixes`` (longest match) and group prefix."""
        matching = [
            (prefix, target)
            for prefix, target in self.config.path_accessor_prefixes
            if _under_prefix(endpoint.path, prefix)
        ]
        if matching:
            prefix, target = max(matching, key=lambda item: len(item[0]))
            self.used_renames.add(f"accessor_prefixes.{prefix!r}")
            self.renamed_by[f"{endpoint.method} {endpoint.path}"] = f"accessor_prefixes.{prefix!r}"
            prefix_resource = tuple(snake(s) for s in names.route(prefix).statics)
            common = 0
            while (
                common < min(len(prefix_resource), len(resource))
                and prefix_resource[common] == resource[common]
            ):
                common += 1
            resource = (*target.split("."), *resource[common:])
        group_prefix = dict(self.config.group_accessor_prefixes).get(endpoint.group or "")
        if group_prefix is not None:
            self.used_renames.add(f"groups.{endpoint.group}.accessor_prefix")
            self.renamed_by[f"{endpoint.method} {endpoint.path}"] = (
                f"groups.{endpoint.group}.accessor_prefix"
            )
            resource = (*group_prefix.split("."), *resource)
        return resource

    def _derived_accessor(self, endpoint: ir.Endpoint) -> tuple[tuple[str, ...], str]:
        route = names.route(endpoint.path)
        resource = [snake(s) for s in route.statics]
        if route.rpc_method is not None:  # `/chat.postMessage` → chat.post_message
            return tuple(resource), snake(route.rpc_method)
        method_words = self._desc_words(endpoint, resource)
        phrase = " " in (endpoint.desc or "").strip()
        if method_words is None or (phrase and names.path_action(endpoint.method, endpoint.path)):
            return _action_from_path(endpoint, resource)
        if phrase and method_words == ["get"]:
            # `Get goals` / `Get a goal`: a summary's generic verb; the path says which.
            return tuple(resource), names.verb_name(endpoint.method, endpoint.path)
        # Drop the trailing path segments the method name already says
        # (`.../secrets/rotate/start` + `Rotatestart` → secrets.rotate_start).
        flat_tail: list[str] = []
        cut = len(resource)
        for index in range(len(resource) - 1, 0, -1):
            flat_tail = words(resource[index]) + flat_tail
            if _ends_with(method_words, flat_tail):
                cut = index
        return tuple(resource[:cut]), "_".join(method_words)

    def _desc_words(self, endpoint: ir.Endpoint, resource: Sequence[str]) -> list[str] | None:
        """The method name's words from ``@desc``, or None when it does not give one.

        A one-word desc is a run-together method name (`Rotatestart`) split with the spec's
        own vocabulary. A short phrase (`Create authors collection`, `Find pet by ID`) gives
        its words, minus articles and the resource's own noun. Anything longer is prose.
        """
        desc = (endpoint.desc or "").strip()
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9]{0,40}", desc):
            if "_" in desc or not desc[1:].islower():
                return words(desc)
            return segment(desc, self.vocabulary)
        phrase = [word.lower() for word in desc.split() if word.lower() not in _FILLER_WORDS]
        if (
            not 2 <= len(phrase) <= 4
            or not all(word.isalpha() for word in phrase)
            or _PREPOSITIONS.intersection(phrase)
        ):
            return None
        nouns = {singular(part) for name in resource for part in words(name)}
        kept = [phrase[0]] + [word for word in phrase[1:] if not _names_noun(word, nouns)]
        return kept

    # -- resources -----------------------------------------------------------------------

    def resources(self) -> tuple[ResourcePlan, ...]:
        pending = self.named_methods()
        tree: dict[tuple[str, ...], list[MethodPlan]] = {}
        for resource, _, _, _ in pending:
            tree.setdefault(resource, [])
            for depth in range(1, len(resource)):
                tree.setdefault(resource[:depth], [])
        # Every object shape is counted, so the model names are final: the methods' annotations
        # name the models as they are.
        for resource, endpoint, name, response_key in pending:
            response_class = None if response_key is None else self.models.name_of(response_key)
            tree[resource].append(self.method(endpoint, resource, name, response_class))
        class_names = resource_class_names(tree, RESOURCE_MODULE_NAMES)
        return self._children((), tree, class_names)

    def named_methods(self) -> list[Pending]:
        """Every method's resource and final name, in endpoint order, with the key of its
        response model (if any); every object shape recorded, name clashes warned about."""
        placed = []
        # Route order, not document order: who keeps a name two want must not depend on it.
        for endpoint in sorted(self.api.endpoints, key=lambda e: (e.path, e.method)):
            resource, method_name = self.accessor(endpoint)
            placed.append((endpoint, resource or ("default",), method_name))
        self._check_renames(placed)
        placed = _merge_singular_resources(placed)
        placed = _verbs_for_shared_names(placed, configured=self._configured)
        placed = variants.distinct_methods(placed, self.warnings)
        prefixes = {
            resource[:depth] for _, resource, _ in placed for depth in range(1, len(resource) + 1)
        }
        pending: list[Pending] = []
        taken: dict[tuple[str, ...], set[str]] = {}
        for endpoint, resource, method_name in placed:
            method_name = _attribute_name(snake(method_name))  # `import` → `import_`
            resource = tuple(
                _attribute_name(part, top_level=(index == 0)) for index, part in enumerate(resource)
            )
            if (*resource, method_name) in prefixes:
                # `users.connected_apps(...)` beside `users.connected_apps.revoke(...)`: the
                # method moves into the resource of the same name, named by its verb.
                resource, method_name = (*resource, method_name), _verb_name(endpoint)
            used = taken.setdefault(resource, set())
            name = unique(method_name, used)
            if name != method_name:
                route = f"{endpoint.method} {endpoint.path}"
                self.warnings.append(
                    Diagnostic(
                        "warning",
                        f"{'.'.join(resource)}.{method_name} is taken; {route} becomes {name} "
                        f'(name it in the config: [endpoints."{route}"] accessor = "…")',
                        endpoint.pos.line,
                        endpoint.pos.column,
                    )
                )
            used.add(name)
            pending.append((resource, endpoint, name, self.count_shapes(endpoint, resource, name)))
        return pending

    def _configured(self, endpoint: ir.Endpoint) -> bool:
        return f"{endpoint.method} {endpoint.path}" in self.accessor_overrides

    def _check_renames(self, placed: Sequence[tuple[ir.Endpoint, tuple[str, ...], str]]) -> None:
        """Config renames must apply to something and must not give two endpoints one name.

        Run on the names as derived and renamed, before clashes are resolved: a clash that
        involves an endpoint the config named or moved is an error naming the key, rather than
        a quiet rename of the other endpoint.
        """
        source = self.config.source
        declared = [
            f"accessor_prefixes.{prefix!r}" for prefix, _ in self.config.path_accessor_prefixes
        ] + [f"groups.{group}.accessor_prefix" for group, _ in self.config.group_accessor_prefixes]
        for key in declared:
            if key not in self.used_renames:
                raise ConfigError(f"{source}: error: {key}: matches no endpoint of the spec")
        self._check_endpoint_keys()
        resources = {
            resource[:depth] for _, resource, _ in placed for depth in range(1, len(resource) + 1)
        }
        first: dict[str, ir.Endpoint] = {}
        for endpoint, resource, method in placed:
            accessor = ".".join((*resource, method))
            moved_by = self._rename_key(endpoint)
            if self._configured(endpoint) and (*resource, method) in resources:
                raise ConfigError(
                    f"{source}: error: {moved_by}: {accessor} is also a resource of the spec"
                )
            other = first.setdefault(accessor, endpoint)
            if other is endpoint:
                continue
            named, rival = (endpoint, other) if moved_by is not None else (other, endpoint)
            named_key = self._rename_key(named)
            if named_key is not None:
                raise ConfigError(
                    f"{source}: error: {named_key}: {accessor} is also the accessor of "
                    f"{rival.method} {rival.path}"
                )

    def _check_endpoint_keys(self) -> None:
        """Each ``[endpoints."METHOD /path"]`` names a route of the spec, and its ``placement``
        names declared params of that route: a typo is an error, never a silent no-op."""
        routes = {f"{e.method} {e.path}": e for e in self.api.endpoints}
        keyed = {route for route, _ in self.config.accessors} | {
            route for route, _ in self.config.placements
        }
        for route in sorted(keyed - routes.keys()):
            raise ConfigError(
                f'{self.config.source}: error: endpoints."{route}": matches no endpoint of the '
                "spec (METHOD in capitals, the path as the spec writes it)"
            )
        for route, places in self.config.placements:
            endpoint = routes[route]
            known = {*self.api.declared_params(endpoint), *endpoint.path_params}
            for name, _location in places:
                if name not in known:
                    raise ConfigError(
                        f'{self.config.source}: error: endpoints."{route}".placement: {name!r} '
                        "is not a param of that endpoint"
                    )

    def _rename_key(self, endpoint: ir.Endpoint) -> str | None:
        """The config key that named or moved ``endpoint``, if one did."""
        route = f"{endpoint.method} {endpoint.path}"
        if route in self.accessor_overrides:
            return f'endpoints."{route}".accessor'
        return self.renamed_by.get(route)

    def _children(
        self,
        parent: tuple[str, ...],
        tree: dict[tuple[str, ...], list[MethodPlan]],
        class_names: dict[tuple[str, ...], str],
    ) -> tuple[ResourcePlan, ...]:
        """The resources under ``parent`` and their methods, sorted by name (not in document
        order: moving groups or endpoints around in the spec changes no generated file)."""
        children = []
        for path in sorted(tree):
            if len(path) != len(parent) + 1 or path[: len(parent)] != parent:
                continue
            names_below = {other[-1] for other in tree if other[:-1] == path}
            methods = methods_by_name(tree[path], names_below, self.warnings)
            sub = self._children(path, tree, class_names)
            children.append(ResourcePlan(path, path[-1], class_names[path], methods, sub))
        return tuple(children)

    # -- methods ---------------------------------------------------------------------------

    def count_shapes(
        self, endpoint: ir.Endpoint, resource: tuple[str, ...], name: str
    ) -> object | None:
        """Record the object shapes a method's params and response use, at their places.

        Returns the key of the method's response model, if it has one.
        """
        with self.models.owned_by(".".join((*resource, name)), endpoint.pos):
            params = (*self.api.declared_params(endpoint).values(), *endpoint.repeated_params)
            for field in params:
                self.models.register(field.type.expr, hint=field.name, for_input=True)
            chosen = endpoint.success
            if chosen is not None and chosen.fields is not None:
                return self.models.response_class(resource, name, chosen.fields)
            if chosen is not None and chosen.type is not None:
                self.models.register(chosen.type, hint="result")
        return None

    def method(
        self,
        endpoint: ir.Endpoint,
        resource: tuple[str, ...],
        name: str,
        response_class: str | None,
    ) -> MethodPlan:
        params = self.params(endpoint)
        response_model, returns, cast = self.response(endpoint, response_class)
        python_names = {p.wire: p.python for p in params}
        # A repeated name (a path `id` and a body `id`): the path template takes the path one.
        python_names.update({p.wire: p.python for p in params if p.location == "path"})
        # The module constant describing the endpoint: upper case, so no parameter (snake
        # case) can shadow it in the method body.
        endpoint_name = unique("_" + "_".join((*resource, name)).upper(), self.endpoint_names)
        self.endpoint_names.add(endpoint_name)
        return MethodPlan(
            name=name,
            accessor=".".join((*resource, name)),
            endpoint_name=endpoint_name,
            http_method=endpoint.method,
            path=endpoint.path,
            path_segments=_path_segments(endpoint.path, python_names),
            params=params,
            returns=returns,
            cast=cast,
            response_model=response_model,
            summary=_summary(endpoint, name),
            server=self.group_servers.get(endpoint.group or ""),
            pages=self.pages(params, response_model),
            line=endpoint.pos.line,
            endpoint=endpoint,
        )

    def params(self, endpoint: ir.Endpoint) -> tuple[ParamPlan, ...]:
        overrides = self.config.placement_for(f"{endpoint.method} {endpoint.path}")
        path_names = endpoint.path_params
        required = {field.name for field in endpoint.required} | set(path_names)
        declared = self.api.declared_params(endpoint)
        body_names: set[str] = set()
        for field in self.api.body_fields(endpoint):
            body_names.add(field.name)
            if field.required_marker:
                required.add(field.name)
        for missing in path_names:
            declared.setdefault(
                missing, ir.Field(missing, ir.TypeSpec(ir.Primitive("str")), endpoint.pos)
            )
        query_names = placement.listed_before_the_body(endpoint, self.auth_headers)
        taken = set(METHOD_LOCALS)
        plans = []
        for field in declared.values():
            override = overrides.get(field.name)
            location = (
                as_location(override)
                if override
                else (
                    "body"
                    if field.name in body_names
                    else placement.place(
                        endpoint.method,
                        field,
                        path_names,
                        named_types=self.models.named_types,
                        auth_headers=self.auth_headers,
                        query_names=query_names,
                    )
                )
            )
            if location == "header" and not is_header_name(field.name):
                raise PlanError(
                    [
                        Diagnostic(
                            "error",
                            f"{field.name!r} cannot be sent as an HTTP header name",
                            field.pos.line,
                            field.pos.column,
                        )
                    ]
                )
            python = unique(snake(field.name), taken)
            taken.add(python)
            annotation = self.models.annotation(field.type, for_input=True)
            plans.append(
                ParamPlan(
                    field.name,
                    python,
                    location,
                    field.name in required,
                    annotation,
                    field.comment or "",
                    field.type,
                )
            )
        plans += self._repeated_params(endpoint, query_names, taken)
        # Path params in path order first, then required, then optional.
        order = {name: index for index, name in enumerate(path_names)}
        plans.sort(
            key=lambda p: (
                0 if p.location == "path" else 1 if p.required else 2,
                order.get(p.wire, 0),
            )
        )
        return tuple(plans)

    def _repeated_params(
        self, endpoint: ir.Endpoint, query_names: Collection[str], taken: set[str]
    ) -> list[ParamPlan]:
        """The second param of a repeated name: placed as if the first were not there."""
        plans = []
        for field in endpoint.repeated_params:
            # Placed as if the first of that name were not there (so never in the path), with
            # its own Python name (`body_id`) and its wire name unchanged.
            location = placement.place(
                endpoint.method,
                field,
                (),
                named_types=self.models.named_types,
                auth_headers=self.auth_headers,
                query_names=query_names,
            )
            python = unique(f"{location}_{snake(field.name)}", taken)
            taken.add(python)
            annotation = self.models.annotation(field.type, for_input=True)
            is_required = any(field is other for other in endpoint.required)
            plans.append(
                ParamPlan(
                    field.name,
                    python,
                    location,
                    is_required,
                    annotation,
                    field.comment or "",
                    field.type,
                )
            )
        return plans

    def response(
        self, endpoint: ir.Endpoint, response_class: str | None
    ) -> tuple[str | None, Annotation, ResponseCast]:
        """The response model, the return annotation and how the JSON becomes the result."""
        chosen = endpoint.success
        if chosen is None or (chosen.fields is None and chosen.type is None):
            if chosen is not None and chosen.code == "204":
                return None, NONE, ResponseCast("discard")
            return None, ANY, ResponseCast("passthrough")
        if response_class is not None:
            return response_class, ModelRef(response_class), ResponseCast("model", response_class)
        assert chosen.type is not None
        annotation = self.models.annotation(ir.TypeSpec(chosen.type))
        model = self.models.model_of(chosen.type)
        if model is not None:
            return model, ModelRef(model), ResponseCast("model", model)
        if isinstance(chosen.type, ir.ArrayType):
            item = self.models.model_of(chosen.type.items)
            if item is not None:  # `→ [Address]`
                return None, annotation, ResponseCast("model_list", item)
        return None, annotation, ResponseCast("passthrough")

    def pages(self, params: Sequence[ParamPlan], response_model: str | None) -> PagesPlan | None:
        cursor = next((p for p in params if p.wire == "cursor"), None)
        if cursor is None or response_model is None:
            return None
        path = self.models.find_cursor(response_model, "next_cursor", depth=2)
        return PagesPlan(cursor.python, path) if path is not None else None
