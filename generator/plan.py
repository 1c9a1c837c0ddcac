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
from collections.abc import Iterable, Sequence

import attrs

from . import ir
from .config import Config
from .diagnostics import Diagnostic
from .frontend import HTTP_METHODS
from .naming import pascal, segment, singular, snake, unique, words

QUERY_METHODS = frozenset({"GET", "DELETE", "HEAD", "OPTIONS", "TRACE"})
# Header-shaped: `X-Anything`, or capitalised words joined by `-` (`Notion-Version`).
HEADER_NAME = re.compile(r"(?:[Xx]-[\w-]+|[A-Z][a-z0-9]*(?:-[A-Z][A-Za-z0-9]*)+)")
VERSION_SEGMENT = re.compile(r"v\d+(?:\.\d+)*|api")
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
    version: str
    spec_name: str
    spec_sha256: str
    config_sha256: str | None
    runtime: dict[str, object] = attrs.field(eq=False)
    resources: tuple[ResourcePlan, ...]
    models: tuple[ModelPlan, ...]
    warnings: tuple[str, ...] = ()

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
    builder = _Builder(api, config)
    resources = tuple(_resolve_resource(r, builder.models) for r in builder.resources())
    package = config.package or default_package_name(api.name)
    title = config.title or api.name
    version = config.package_version or api.version or "0.1.0"
    return Plan(
        package=package,
        title=title,
        version=version,
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
        warnings=tuple(builder.warnings),
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
    bad = [e for e in api.endpoints if e.method not in HTTP_METHODS]
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


class _Builder:
    def __init__(self, api: ir.API, config: Config) -> None:
        self.api = api
        self.config = config
        self.warnings: list[str] = []
        self.vocabulary = _vocabulary(api)
        self.models = _ModelRegistry(api)
        self.group_servers = dict(config.group_servers)
        self.accessor_overrides = dict(config.accessors)

    # -- names -----------------------------------------------------------------------------

    def accessor(self, endpoint: ir.Endpoint) -> tuple[tuple[str, ...], str]:
        override = self.accessor_overrides.get(f"{endpoint.method} {endpoint.path}")
        if override is not None:
            *resource, method = override.split(".")
            return tuple(resource), method
        statics = [
            segment_text
            for segment_text in endpoint.path.strip("/").split("/")
            if segment_text and "{" not in segment_text
        ]
        while statics and VERSION_SEGMENT.fullmatch(statics[0]):
            statics.pop(0)
        resource = [snake(s) for s in statics]
        method_words = self._desc_words(endpoint, resource)
        phrase = " " in (endpoint.desc or "").strip()
        if method_words is None or (phrase and _path_action(endpoint)):
            return _action_from_path(endpoint, resource)
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
        placed = _merge_singular_resources(placed)
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
                self.warnings.append(
                    f"line {endpoint.pos.line}: {'.'.join(resource)}.{method_name} is taken; "
                    f"{endpoint.method} {endpoint.path} becomes {name}"
                )
            used.add(name)
            tree.setdefault(resource, []).append(self.method(endpoint, resource, name))
            for depth in range(1, len(resource)):
                tree.setdefault(resource[:depth], [])
        class_names: set[str] = set(RESOURCE_MODULE_NAMES)
        return self._children((), tree, class_names)

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
        path_code = _path_code(endpoint.path, {p.wire: p.python for p in params})
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
        path_names = re.findall(r"\{+([^{}]+)\}+", endpoint.path)
        required = {field.name for field in endpoint.required} | set(path_names)
        declared = {field.name: field for field in (*self.api.common_fields, *endpoint.params)}
        body_names: set[str] = set()
        for field in self._body_fields(endpoint):
            body_names.add(field.name)
            declared.setdefault(field.name, field)
            if field.required_marker:
                required.add(field.name)
        for missing in path_names:
            declared.setdefault(
                missing, ir.Field(missing, ir.TypeSpec(ir.Primitive("str")), endpoint.pos)
            )
        taken: set[str] = set()
        plans = []
        for field in declared.values():
            location = overrides.get(field.name) or (
                "body" if field.name in body_names else _placement(endpoint, field.name, path_names)
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
        # Path params in path order first, then required, then optional.
        order = {name: index for index, name in enumerate(path_names)}
        plans.sort(
            key=lambda p: (
                0 if p.location == "path" else 1 if p.required else 2,
                order.get(p.wire, 0),
            )
        )
        return tuple(plans)

    def _body_fields(self, endpoint: ir.Endpoint) -> tuple[ir.Field, ...]:
        """The fields of ``@body → Type``: sent as keyword arguments like the other params."""
        body = endpoint.body
        if isinstance(body, ir.RefType) and body.name in self.models.named_types:
            return self.models.named_types[body.name].fields
        if isinstance(body, ir.ObjectType):
            return body.fields
        return ()

    def response(
        self, endpoint: ir.Endpoint, resource: tuple[str, ...], method: str
    ) -> tuple[str | None, str, str]:
        success = [r for r in endpoint.responses if r.code.startswith("2") or r.code == "OK"]
        chosen = success[0] if success else None
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


def _path_action(endpoint: ir.Endpoint) -> bool:
    segments = [s for s in endpoint.path.strip("/").split("/") if s]
    last = segments[-1] if segments else ""
    after_param = len(segments) > 1 and "{" in segments[-2]
    return "{" not in last and (
        re.search(r"[a-z][A-Z]", last) is not None
        or (after_param and endpoint.method not in QUERY_METHODS)
    )


def _action_from_path(endpoint: ir.Endpoint, resource: list[str]) -> tuple[tuple[str, ...], str]:
    """Name a method from its path when ``@desc`` does not: an action segment or the verb.

    A last segment written in camelCase (`findByStatus`, `uploadImage`), or a static segment
    after a path param on a non-GET route (`/pulls/{n}/merge`), is an action: the method.
    """
    if _path_action(endpoint) and len(resource) > 1:
        return tuple(resource[:-1]), resource[-1]
    return tuple(resource), _verb_name(endpoint)


def _verb_name(endpoint: ir.Endpoint) -> str:
    last = endpoint.path.rstrip("/").rsplit("/", 1)[-1]
    on_item = "{" in last
    return {
        "GET": "get" if on_item else "list",
        "POST": "create",
        "PUT": "update",
        "PATCH": "update",
        "DELETE": "delete",
    }.get(endpoint.method, endpoint.method.lower())


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


def _placement(endpoint: ir.Endpoint, name: str, path_names: Sequence[str]) -> str:
    """The documented rule: path template, header-shaped names, then query or JSON body."""
    if name in path_names:
        return "path"
    if HEADER_NAME.fullmatch(name):
        return "header"
    return "query" if endpoint.method in QUERY_METHODS else "body"


def _path_code(path: str, python_names: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        return "{path_param(" + python_names[match.group(1)] + ")}"

    escaped = path.replace("\\", "\\\\").replace('"', '\\"')
    if "{" not in escaped:
        return f'"{escaped}"'
    literal_braces = re.sub(r"\{+([^{}]+)\}+", lambda m: "\x00" + m.group(1) + "\x01", escaped)
    literal_braces = literal_braces.replace("{", "{{").replace("}", "}}")
    code = re.sub(r"\x00([^\x01]+)\x01", lambda m: replace(m), literal_braces)
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
        if isinstance(expr, ir.Primitive):
            return _PRIMITIVE_ANNOTATIONS.get(expr.name, "Any")
        if isinstance(expr, ir.EnumType):
            if not for_input:
                return "str"
            values = ", ".join(repr(value) for value in expr.values)
            return f"Literal[{values}]" if values else "str"
        if isinstance(expr, ir.ArrayType):
            return f"List[{self._annotation(expr.items, singular(hint), for_input)}]"
        if isinstance(expr, ir.DictType):
            key = self._annotation(expr.key, hint, for_input)
            value = self._annotation(expr.value, hint, for_input)
            return f"Dict[{key if key != 'Any' else 'str'}, {value}]"
        if isinstance(expr, ir.RefType):
            if expr.name in self.named_types:
                return f"models.{_MODEL_TOKEN}{self._ref_token(self._key_of_named(expr.name))}"
            return "Any"
        if not expr.fields:
            return "Dict[str, Any]"
        return f"models.{_MODEL_TOKEN}{self._ref_token(self._register(hint, expr, ''))}"

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
        taken = set(self.responses) | MODEL_RESERVED
        names: dict[object, str] = {}
        by_base: dict[str, list[tuple[object, _ModelSpec]]] = {}
        for key, spec in self.by_shape.items():
            base = pascal(singular(spec.hint)) if spec.hint not in self.named_types else spec.hint
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
    base = api.base_url if api.base_url and api.base_url.startswith("http") else None
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
