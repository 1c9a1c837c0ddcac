"""The middle: passes over the IR that decide what to render.

1. placement — where each param goes on the wire (path, query, header, body);
2. names — resources and methods from paths and ``@desc``, Python identifiers;
3. models — one attrs class per distinct inline object shape, response classes per endpoint.

The result is a ``Plan``: plain data the templates print, with no decisions left to make.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import assert_never

import attrs

from . import ir, names, placement, variants
from .config import Config
from .diagnostics import Diagnostic
from .errors import ConfigError
from .escape import (
    CLASS_RESERVED,
    ascii_url,
    fstring_text,
    is_header_name,
    pep440_version,
    python_string,
)
from .naming import (
    is_class_reserved,
    pascal,
    segment,
    singular,
    snake,
    type_name,
    unique,
    words,
)

MAX_CLASS_NAME = 40
# Verbs a one-word ``@desc`` is likely made of, beyond the spec's own words.
COMMON_WORDS = frozenset(
    [
        "get",
        "list",
        "create",
        "update",
        "delete",
        "remove",
        "add",
        "set",
        "search",
        "send",
        "start",
        "cancel",
        "complete",
        "authenticate",
        "revoke",
        "rotate",
        "reset",
        "check",
        "lookup",
        "exchange",
        "migrate",
        "verify",
        "by",
        "or",
        "and",
        "for",
        "to",
        "from",
        "with",
        "of",
        "in",
        "on",
        "at",
        "all",
    ]
)
# Names the generated modules import, which a generated class must not shadow.
MODEL_RESERVED = frozenset(
    {"Any", "Dict", "List", "Literal", "Mapping", "Self", "ClassVar", "Unset", "UNSET"}
)
RESOURCE_MODULE_NAMES = frozenset(
    {
        "Any",
        "Dict",
        "List",
        "Literal",
        "Iterator",
        "AsyncIterator",
        "Headers",
        "NotGiven",
        "Timeout",
        "Unset",
        "SyncResource",
        "AsyncResource",
        "Client",
        "AsyncClient",
    }
)


class PlanError(Exception):
    """The spec cannot become an SDK (e.g. a non-HTTP method); carries diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__(diagnostics[0].message)


# ---------------------------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class ParamPlan:
    wire: str
    python: str
    location: str  # path | query | header | body
    required: bool
    annotation: str
    doc: str


@attrs.frozen
class PagesPlan:
    """Cursor pagination: pass ``cursor`` back from the response's ``next_cursor``."""

    cursor_param: str
    next_cursor_path: tuple[str, ...]


@attrs.frozen
class MethodPlan:
    name: str
    accessor: str
    http_method: str
    path: str
    path_code: str  # a Python f-string literal building the path
    params: tuple[ParamPlan, ...]
    returns: str  # the return annotation
    cast: str  # the callable that turns decoded JSON into ``returns``
    response_model: str | None
    summary: str
    server: str | None
    pages: PagesPlan | None
    line: int

    @property
    def positional(self) -> tuple[ParamPlan, ...]:
        return tuple(p for p in self.params if p.location == "path")

    @property
    def keyword(self) -> tuple[ParamPlan, ...]:
        return tuple(p for p in self.params if p.location != "path")

    def located(self, location: str) -> tuple[ParamPlan, ...]:
        return tuple(p for p in self.params if p.location == location)


@attrs.frozen
class ResourcePlan:
    path: tuple[str, ...]
    attr: str
    class_name: str
    methods: tuple[MethodPlan, ...]
    children: tuple[ResourcePlan, ...]

    @property
    def accessor(self) -> str:
        return ".".join(self.path)

    def walk(self) -> Iterable[ResourcePlan]:
        yield self
        for child in self.children:
            yield from child.walk()


@attrs.frozen
class ModelField:
    wire: str
    python: str
    annotation: str
    required: bool
    parse: str  # expression reading the field in ``from_dict`` (``get`` is ``data.get``)
    dump: str  # expression writing the field in ``to_dict``
    doc: str


@attrs.frozen
class ModelPlan:
    name: str
    doc: str
    fields: tuple[ModelField, ...]


@attrs.frozen
class Plan:
    package: str
    title: str
    version: str  # PEP 440, for the package metadata and the User-Agent
    api_version: str | None  # the spec's (or config's) own version, as written
    spec_name: str
    spec_sha256: str
    config_sha256: str | None
    runtime: dict[str, object] = attrs.field(eq=False)
    resources: tuple[ResourcePlan, ...]
    models: tuple[ModelPlan, ...]
    warnings: tuple[Diagnostic, ...] = ()  # positioned in the spec

    def all_resources(self) -> Iterable[ResourcePlan]:
        for resource in self.resources:
            yield from resource.walk()

    def all_methods(self) -> Iterable[MethodPlan]:
        for resource in self.all_resources():
            yield from resource.methods


# ---------------------------------------------------------------------------------------------
# Building it
# ---------------------------------------------------------------------------------------------


def build_plan(api: ir.API, config: Config, *, spec_name: str, spec_bytes: bytes) -> Plan:
    _refuse_non_http(api)
    _refuse_bad_header_keys(api)
    builder = _Builder(api, config)
    resources = tuple(_resolve_resource(r, builder.models) for r in builder.resources())
    package = config.package or default_package_name(api.name)
    title = config.title or api.name
    api_version = config.package_version or api.version
    version = pep440_version(api_version) if api_version else "0.1.0"
    warnings = list(builder.warnings)
    if api.base_url and ascii_url(api.base_url) is None:
        warnings.append(
            Diagnostic(
                "warning",
                f"@base {api.base_url!r} is not an http(s) URL the client can use: "
                "the client will need base_url=",
                api.pos.line,
                api.pos.column,
            )
        )
    if api_version and version != api_version:
        warnings.append(
            Diagnostic(
                "warning",
                f"version {api_version!r} is not a PEP 440 version: the package is {version!r} "
                f"(the API's version stays in __api_version__)",
                api.pos.line,
                api.pos.column,
            )
        )
    return Plan(
        package=package,
        title=title,
        version=version,
        api_version=api_version,
        spec_name=spec_name,
        spec_sha256=hashlib.sha256(spec_bytes).hexdigest(),
        config_sha256=config.sha256,
        runtime={
            "package": package,
            "title": title,
            "version": version,
            **_runtime_settings(api, config, env_prefix=package.removesuffix("_api").upper()),
        },
        resources=resources,
        models=builder.models.plans(),
        warnings=tuple(warnings),
    )


def _resolve_resource(resource: ResourcePlan, models: _ModelRegistry) -> ResourcePlan:
    """Put the final model names into a resource's annotations."""
    methods = tuple(
        attrs.evolve(
            method,
            params=tuple(
                attrs.evolve(p, annotation=models.resolve(p.annotation)) for p in method.params
            ),
            returns=models.resolve(method.returns),
            cast=models.resolve(method.cast),
            response_model=(
                models.resolve(method.response_model) if method.response_model else None
            ),
        )
        for method in resource.methods
    )
    children = tuple(_resolve_resource(child, models) for child in resource.children)
    return attrs.evolve(resource, methods=methods, children=children)


def default_package_name(api_name: str) -> str:
    """``Stytch API`` → ``stytch_api``; ``Swagger Petstore - OpenAPI 3.0`` → ``swagger_petstore_api``."""
    title = re.split(r"\s[-–(:]\s?", api_name, maxsplit=1)[0]
    kept = [
        word
        for word in re.split(r"[^0-9a-z]+", title.lower())
        if word
        and word not in ("api", "apis", "rest", "openapi", "http")
        and not re.fullmatch(r"v?\d+", word)
    ]
    name = "_".join(kept)[:30].strip("_") or "client"
    return snake(f"{name}_api")


def _refuse_non_http(api: ir.API) -> None:
    bad = [e for e in api.endpoints if e.method not in ir.HTTP_METHODS]
    if bad:
        raise PlanError(
            [
                Diagnostic(
                    "error",
                    f"cannot generate an HTTP SDK: method {e.method} of {e.path} is not HTTP",
                    e.pos.line,
                    e.pos.column,
                )
                for e in bad
            ]
        )


def _refuse_bad_header_keys(api: ir.API) -> None:
    """An API key sent in a header needs a name httpx can send (checked before rendering)."""
    if api.auth is None:
        return
    for scheme in api.auth.schemes:
        name = scheme.key_name
        if scheme.kind == "apikey" and scheme.key_in == "header" and name:
            if is_header_name(name):
                continue
            message = f"API key name {name!r} is not an HTTP header name"
            raise PlanError([Diagnostic("error", message, api.auth.pos.line, api.auth.pos.column)])


class _Builder:
    def __init__(self, api: ir.API, config: Config) -> None:
        self.api = api
        self.config = config
        self.warnings: list[Diagnostic] = []
        self.vocabulary = _vocabulary(api)
        self.models = _ModelRegistry(api)
        self.group_servers = dict(config.group_servers)
        self.accessor_overrides = dict(config.accessors)
        self.used_renames: set[str] = set()
        self.renamed_by: dict[str, str] = {}  # "METHOD /path" → the config key that moved it
        self.auth_headers = placement.auth_header_names(api)

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
        placed = []
        for endpoint in self.api.endpoints:
            resource, method_name = self.accessor(endpoint)
            placed.append((endpoint, resource or ("default",), method_name))
        self._check_renames(placed)
        placed = _merge_singular_resources(placed)
        placed = _verbs_for_shared_names(placed, configured=self._configured)
        placed = variants.distinct_methods(placed, self.warnings)
        prefixes = {
            resource[:depth] for _, resource, _ in placed for depth in range(1, len(resource) + 1)
        }
        tree: dict[tuple[str, ...], list[MethodPlan]] = {}
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
            tree.setdefault(resource, []).append(self.method(endpoint, resource, name))
            for depth in range(1, len(resource)):
                tree.setdefault(resource[:depth], [])
        class_names: set[str] = set(RESOURCE_MODULE_NAMES)
        return self._children((), tree, class_names)

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
        class_names: set[str],
    ) -> tuple[ResourcePlan, ...]:
        children = []
        for path in tree:
            if len(path) != len(parent) + 1 or path[: len(parent)] != parent:
                continue
            methods = tree[path]
            class_name = _resource_class_name(path, class_names)
            class_names.add(class_name)
            sub = self._children(path, tree, class_names)
            children.append(ResourcePlan(path, path[-1], class_name, tuple(methods), sub))
        return tuple(children)

    # -- methods ---------------------------------------------------------------------------

    def method(self, endpoint: ir.Endpoint, resource: tuple[str, ...], name: str) -> MethodPlan:
        params = self.params(endpoint)
        response_model, returns, cast = self.response(endpoint, resource, name)
        python_names = {p.wire: p.python for p in params}
        # A repeated name (a path `id` and a body `id`): the path template takes the path one.
        python_names.update({p.wire: p.python for p in params if p.location == "path"})
        path_code = _path_code(endpoint.path, python_names)
        return MethodPlan(
            name=name,
            accessor=".".join((*resource, name)),
            http_method=endpoint.method,
            path=endpoint.path,
            path_code=path_code,
            params=params,
            returns=returns,
            cast=cast,
            response_model=response_model,
            summary=_summary(endpoint),
            server=self.group_servers.get(endpoint.group or ""),
            pages=self.pages(params, response_model),
            line=endpoint.pos.line,
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
        taken: set[str] = set()
        plans = []
        for field in declared.values():
            location = overrides.get(field.name) or (
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
            annotation = self.models.annotation(field.type, hint=field.name, for_input=True)
            plans.append(
                ParamPlan(
                    field.name,
                    python,
                    location,
                    field.name in required,
                    annotation,
                    field.comment or "",
                )
            )
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
            annotation = self.models.annotation(field.type, hint=field.name, for_input=True)
            is_required = any(field is other for other in endpoint.required)
            plans.append(
                ParamPlan(
                    field.name, python, location, is_required, annotation, field.comment or ""
                )
            )
        # Path params in path order first, then required, then optional.
        order = {name: index for index, name in enumerate(path_names)}
        plans.sort(
            key=lambda p: (
                0 if p.location == "path" else 1 if p.required else 2,
                order.get(p.wire, 0),
            )
        )
        return tuple(plans)

    def response(
        self, endpoint: ir.Endpoint, resource: tuple[str, ...], method: str
    ) -> tuple[str | None, str, str]:
        chosen = endpoint.success
        if chosen is None or (chosen.fields is None and chosen.type is None):
            if chosen is not None and chosen.code == "204":
                return None, "None", "discard"
            return None, "Any", "passthrough"
        if chosen.fields is not None:
            name = self.models.response_class(resource, method, chosen.fields)
            return name, f"models.{name}", f"models.{name}.from_dict"
        assert chosen.type is not None
        annotation = self.models.annotation(ir.TypeSpec(chosen.type), hint="result")
        model = self.models.model_of(chosen.type)
        if model is not None:
            return model, f"models.{model}", f"models.{model}.from_dict"
        if isinstance(chosen.type, ir.ArrayType):
            item = self.models.model_of(chosen.type.items)
            if item is not None:  # `→ [Address]`
                return (
                    None,
                    annotation,
                    f"lambda data: parse_object_list(models.{item}.from_dict, data)",
                )
        return None, annotation, "passthrough"

    def pages(self, params: Sequence[ParamPlan], response_model: str | None) -> PagesPlan | None:
        cursor = next((p for p in params if p.wire == "cursor"), None)
        if cursor is None or response_model is None:
            return None
        path = self.models.find_field(response_model, "next_cursor", depth=2)
        return PagesPlan(cursor.python, path) if path is not None else None


# Attributes the runtime classes define: a resource or method of that name would hide them.
CLIENT_ATTRIBUTES = frozenset(
    {
        "base_url",
        "timeout",
        "total_timeout",
        "max_retries",
        "max_response_size",
        "close",
        "with_raw_response",
    }
)
RESOURCE_ATTRIBUTES = frozenset({"with_raw_response"})


def _attribute_name(name: str, *, top_level: bool = False) -> str:
    reserved = CLIENT_ATTRIBUTES if top_level else RESOURCE_ATTRIBUTES
    return f"{name}_" if name in reserved or name.startswith("_") else name


# `Async` + name + `WithRawResponse` must stay within MAX_CLASS_NAME.
MAX_RESOURCE_CLASS_NAME = MAX_CLASS_NAME - len("Async") - len("WithRawResponse")


def _resource_class_name(path: tuple[str, ...], taken: set[str]) -> str:
    """The shortest unique name from the path's tail: `Members`, else `OrganizationsMembers`."""
    parts = [pascal(part) for part in path]
    taken = taken | {part for part in parts if is_class_reserved(part)}
    if len(path) == 1 and parts[0] not in taken:
        return parts[0]  # top-level classes are imported together by _client.py
    candidates = ["".join(parts[-depth:]) for depth in range(1, len(parts) + 1)]
    for candidate in candidates:
        if candidate not in taken and len(candidate) <= MAX_RESOURCE_CLASS_NAME:
            return candidate
    return _numbered(parts[-1][: MAX_RESOURCE_CLASS_NAME - 2], taken)


def _merge_singular_resources(
    placed: list[tuple[ir.Endpoint, tuple[str, ...], str]],
) -> list[tuple[ir.Endpoint, tuple[str, ...], str]]:
    """Put ``.../member`` endpoints into a sibling ``.../members`` resource when one exists.

    APIs mix ``/organizations/{id}/member`` and ``/organizations/{id}/members/{member_id}``;
    a hand-written SDK has one ``members`` resource. Kept apart when method names would clash.
    """
    resources = {resource for _, resource, _ in placed}
    methods: dict[tuple[str, ...], set[str]] = {}
    for _, resource, name in placed:
        methods.setdefault(resource, set()).add(name)
    merged = []
    for endpoint, resource, name in placed:
        if resource and resource not in (
            r[: len(resource)] for r in resources if len(r) > len(resource)
        ):
            plural = next(
                (
                    other
                    for other in sorted(resources)
                    if len(other) == len(resource)
                    and other[:-1] == resource[:-1]
                    and other[-1] != resource[-1]
                    and singular(other[-1]) == resource[-1]
                ),
                None,
            )
            if plural is not None and name not in methods[plural]:
                methods[plural].add(name)
                resource = plural
        merged.append((endpoint, resource, name))
    return merged


def _ends_with(sequence: Sequence[str], tail: Sequence[str]) -> bool:
    """``tail`` ends ``sequence``, comparing words by their singular form."""
    if len(tail) > len(sequence) or not tail:
        return False
    ending = sequence[len(sequence) - len(tail) :]
    return all(singular(a) == singular(b) for a, b in zip(ending, tail, strict=True))


_FILLER_WORDS = frozenset(
    {"a", "an", "the", "single", "all", "new", "existing", "specific", "given"}
)
_PREPOSITIONS = frozenset({"of", "by", "for", "in", "into", "to", "from", "with", "on", "at", "as"})


def _names_noun(word: str, nouns: set[str]) -> bool:
    """``repository`` names the resource ``repos``; ``pets`` names ``pet``."""
    word = singular(word)
    return word in nouns or any(
        len(noun) >= 4 and (word.startswith(noun) or noun.startswith(word)) for noun in nouns
    )


def _under_prefix(path: str, prefix: str) -> bool:
    """``/v1/projects/metrics`` is under ``/v1/projects``, ``/v1/projectsx`` is not."""
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def _verbs_for_shared_names(
    placed: list[tuple[ir.Endpoint, tuple[str, ...], str]],
    *,
    configured: Callable[[ir.Endpoint], bool],
) -> list[tuple[ir.Endpoint, tuple[str, ...], str]]:
    """Endpoints that would share a name in a resource take their verb's name instead.

    ``GET /goals`` and ``GET /goals/{id}`` both named ``get`` become ``list`` and ``get``;
    PUT and PATCH both named ``update`` become ``replace`` and ``update``; then an item route
    still sharing its name takes its param's (`GET /contacts/{email}` → ``get_by_email``). A
    name the config gave, or one no other endpoint of the resource wants, is kept; what still
    clashes gets a numeric suffix later.
    """
    wanted = Counter((resource, name) for _, resource, name in placed)
    result = []
    for endpoint, resource, name in placed:
        if wanted[(resource, name)] > 1 and not configured(endpoint):
            verb = names.verb_name(endpoint.method, endpoint.path, replace=True)
            if verb != name and wanted[(resource, verb)] == 0:
                wanted[(resource, name)] -= 1
                wanted[(resource, verb)] += 1
                name = verb
        result.append((endpoint, resource, name))
    # Still shared: an item route says which param it takes (`get_by_email`).
    # Last declared first, so the first declared keeps the plain name.
    for index in reversed(range(len(result))):
        endpoint, resource, name = result[index]
        last_param = ir.PATH_PARAM.fullmatch(endpoint.path.rstrip("/").rsplit("/", 1)[-1])
        if wanted[(resource, name)] > 1 and last_param and not configured(endpoint):
            by_param = f"{name}_by_{snake(last_param.group(1))}"
            if wanted[(resource, by_param)] == 0:
                wanted[(resource, name)] -= 1
                wanted[(resource, by_param)] += 1
                result[index] = (endpoint, resource, by_param)
    return result


def _action_from_path(endpoint: ir.Endpoint, resource: list[str]) -> tuple[tuple[str, ...], str]:
    """Name a method from its path when ``@desc`` does not: an action segment or the verb.

    An action segment (`findByStatus`, `…/{id}/disable`, `POST /pulls/{n}/merge`; see
    ``names.path_action``) is the method.
    """
    if names.path_action(endpoint.method, endpoint.path) and len(resource) > 1:
        return tuple(resource[:-1]), resource[-1]
    return tuple(resource), _verb_name(endpoint)


def _verb_name(endpoint: ir.Endpoint) -> str:
    return names.verb_name(endpoint.method, endpoint.path)


def _vocabulary(api: ir.API) -> set[str]:
    vocabulary = set(COMMON_WORDS)
    for endpoint in api.endpoints:
        for part in re.split(r"[/{}]+", endpoint.path):
            vocabulary.update(words(part))
        for field in endpoint.params:
            vocabulary.update(words(field.name))
    vocabulary.update(singular(word) for word in list(vocabulary))
    vocabulary.update(f"{word}s" for word in list(vocabulary) if len(word) > 2)  # Getgroups
    return {word for word in vocabulary if len(word) > 1 or word in ("a", "i")}


def _path_code(path: str, python_names: dict[str, str]) -> str:
    """A Python expression for the path: a literal, or an f-string quoting each path param."""
    # re.split with a group alternates literal text and param names.
    pieces = ir.PATH_PARAM.split(path)
    if len(pieces) == 1:
        return python_string(path)
    code = "".join(
        fstring_text(piece) if index % 2 == 0 else "{path_param(" + python_names[piece] + ")}"
        for index, piece in enumerate(pieces)
    )
    return f'f"{code}"'


def _summary(endpoint: ir.Endpoint) -> str:
    desc = (endpoint.desc or "").strip()
    text = desc if desc else f"{endpoint.method} {endpoint.path}"
    if " " not in text and desc:
        text = f"{desc}: {endpoint.method} {endpoint.path}"
    return text  # raw: templates escape spec text with the `doc` filter


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

    def __init__(self, api: ir.API) -> None:
        self.api = api
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
                    return f"models.{_MODEL_TOKEN}{self._ref_token(self._key_of_named(expr.name))}"
                return "Any"
            case ir.ObjectType():
                if not expr.fields:
                    return "Dict[str, Any]"
                return f"models.{_MODEL_TOKEN}{self._ref_token(self._register(hint, expr, ''))}"
            case _:
                assert_never(expr)

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

    def resolve(self, text: str) -> str:
        """Replace model placeholders in an annotation with final class names."""
        if _MODEL_TOKEN not in text:
            return text
        if self._token_names is None:
            self._token_names = {self._ref_token(key): name for key, name in self._names().items()}
        tokens = self._token_names
        return re.sub(_MODEL_TOKEN + r"(\d+)", lambda m: tokens[m.group(1)], text)

    def find_field(self, model: str, wire: str, depth: int) -> tuple[str, ...] | None:
        fields = self.responses.get(model)
        if fields is None:
            return None
        return _find_field(fields, wire, depth)

    def plans(self) -> tuple[ModelPlan, ...]:
        names = self._names()
        plans = [
            ModelPlan(
                names[key],
                spec.doc or f"The ``{spec.hint}`` object.",
                self._fields(spec.fields),
            )
            for key, spec in self.by_shape.items()
        ]
        plans += [
            ModelPlan(name, self.response_docs[name], self._fields(fields))
            for name, fields in self.responses.items()
        ]
        return tuple(sorted(plans, key=lambda plan: plan.name))

    def _fields(self, fields: Sequence[ir.Field]) -> tuple[ModelField, ...]:
        taken: set[str] = set()
        result = []
        for field in fields:
            python = unique(snake(field.name), taken)
            taken.add(python)
            annotation = self.resolve(self.annotation(field.type, hint=field.name))
            result.append(
                ModelField(
                    wire=field.name,
                    python=python,
                    annotation=annotation.replace("models.", ""),
                    required=field.required_marker,
                    parse=self._parse_code(field.type.expr, f"get({field.name!r}, UNSET)"),
                    dump=self._dump_code(field.type.expr, f"self.{python}"),
                    doc=field.comment or "",
                )
            )
        # attrs needs fields without defaults first.
        result.sort(key=lambda f: not f.required)
        return tuple(result)

    def _model_name_of(self, expr: ir.TypeExpr) -> str | None:
        if isinstance(expr, ir.ObjectType) and expr.fields:
            return self._names().get(_object_key(expr))
        if isinstance(expr, ir.RefType) and expr.name in self.named_types:
            return self._names()[self._key_of_named(expr.name)]
        return None

    def _parse_code(self, expr: ir.TypeExpr, value: str) -> str:
        model = self._model_name_of(expr)
        if model is not None:
            return f"parse_object({model}.from_dict, {value})"
        if isinstance(expr, ir.ArrayType):
            item_model = self._model_name_of(expr.items)
            if item_model is not None:
                return f"parse_object_list({item_model}.from_dict, {value})"
            inner = self._parse_code(expr.items, "item")
            if inner != "item":
                return f"parse_list(lambda item: {inner}, {value})"
        if isinstance(expr, ir.DictType):
            inner = self._parse_code(expr.value, "item")
            if inner != "item":
                return f"parse_dict(lambda item: {inner}, {value})"
        return value

    def _dump_code(self, expr: ir.TypeExpr, value: str) -> str:
        return value if self._parse_code(expr, value) == value else f"dump({value})"


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


def _runtime_settings(api: ir.API, config: Config, *, env_prefix: str) -> dict[str, object]:
    """The runtime templates' auth, environments and servers (the ``sdk`` variables)."""
    prefix = env_prefix
    kind = config.auth_kind
    key_name = config.auth_key_name
    key_in = config.auth_key_in
    if kind is None:
        kind, key_name, key_in = _auth_from_spec(api.auth)
    params = [{"name": p.name, "env": p.env, "doc": p.doc} for p in config.auth_params]
    if not params:
        params = {
            "basic": [
                {"name": "username", "env": f"{prefix}_USERNAME", "doc": "HTTP basic user name."},
                {"name": "password", "env": f"{prefix}_PASSWORD", "doc": "HTTP basic password."},
            ],
            "bearer": [{"name": "api_key", "env": f"{prefix}_API_KEY", "doc": "The bearer token."}],
            "apikey": [{"name": "api_key", "env": f"{prefix}_API_KEY", "doc": "The API key."}],
        }.get(kind, [])
    environments = [{"name": k, "url": v} for k, v in config.environments]
    rule = None
    if config.environment_param:
        rule = {
            "param": config.environment_param,
            "prefixes": [{"prefix": k, "environment": v} for k, v in config.environment_prefixes],
        }
    # ASCII (IDNA host, percent-encoded path) or nothing: the client sends it as it is.
    base = ascii_url(api.base_url) if api.base_url else None
    return {
        "auth": {"kind": kind, "params": params, "key_name": key_name, "key_in": key_in},
        "environments": environments,
        "environment_rule": rule,
        "default_base_url": base,
        "servers": [{"name": k, "url": v} for k, v in config.servers],
    }


def _auth_from_spec(auth: ir.Auth | None) -> tuple[str, str | None, str | None]:
    """The first scheme the runtime supports: bearer, basic, or an API key in header/query."""
    if auth is None:
        return "none", None, None
    for scheme in auth.schemes:
        if scheme.kind in ("bearer", "basic"):
            return scheme.kind, None, None
        if scheme.kind == "apikey":
            if scheme.key_in in ("header", "query") and scheme.key_name:
                return "apikey", scheme.key_name, scheme.key_in
            return "apikey", "X-API-Key", "header"
        if scheme.kind == "oauth2":
            return "bearer", None, None
    return "none", None, None


def plan_json(plan: Plan) -> dict[str, object]:
    """The plan as the stable JSON that ``lapgen plan --json`` prints."""
    return {
        "package": plan.package,
        "endpoints": [
            {
                "method": m.http_method,
                "path": m.path,
                "accessor": m.accessor,
                "line": m.line,
                "params": [
                    {"wire": p.wire, "python": p.python, "in": p.location, "required": p.required}
                    for p in m.params
                ],
                "request_model": None,  # params are keyword arguments, not a request class
                "response_model": m.response_model,
                "paginated": m.pages is not None,
            }
            for m in plan.all_methods()
        ],
        "models": [
            {"name": model.name, "fields": [f.wire for f in model.fields]} for model in plan.models
        ],
    }


def model_counts(plan: Plan) -> Counter[str]:
    return Counter("response" if m.name.endswith("Response") else "nested" for m in plan.models)
