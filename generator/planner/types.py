"""The plan: plain data the templates print, with no decisions left to make.

Also ``plan_json``, the stable JSON ``lapgen plan --json`` prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Literal

import attrs

from .. import ir
from ..diagnostics import Diagnostic
from ..placement import Location
from .annotations import Annotation

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
        "TotalTimeout",
        "Unset",
        "SyncResource",
        "AsyncResource",
        "Client",
        "AsyncClient",
        "Endpoint",
        "RequestOptions",
        "Unpack",
    }
)
# An Endpoint's default location: the commonest, and on a tie the first of these.
_DEFAULT_ORDER: tuple[Location, ...] = ("body", "query", "header")
# Names a generated method's body reads beside its parameters (``self._call(_X, locals())``
# and ``**options``): a parameter named so is renamed (``options_2``).
METHOD_LOCALS = frozenset({"self", "options", "locals"})


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
    location: Location
    required: bool
    annotation: Annotation  # what the method's signature says (``Unset`` aside)
    doc: str
    # The IR type as written (out of equality, like positions: a plan compares by what it prints).
    type: ir.TypeSpec = attrs.field(eq=False)


@attrs.frozen
class PagesPlan:
    """Cursor pagination: pass ``cursor`` back from the response's ``next_cursor``."""

    cursor_param: str
    next_cursor_path: tuple[str, ...]


@attrs.frozen
class PathSegment:
    """A piece of a path: literal ``text``, or a ``param`` (its value names the argument)."""

    kind: Literal["text", "param"]
    value: str


@attrs.frozen
class ResponseCast:
    """How a method turns the decoded JSON into its return value.

    ``discard`` (no content), ``passthrough`` (the JSON as it is), ``model`` (``model``'s
    ``from_dict``) or ``model_list`` (a list of ``model``).
    """

    kind: Literal["discard", "passthrough", "model", "model_list"]
    model: str = ""


@attrs.frozen
class MethodPlan:
    name: str
    accessor: str
    endpoint_name: str  # the module constant (an ``Endpoint``) that the method sends
    http_method: str
    path: str
    path_segments: tuple[PathSegment, ...]  # the template builds the path expression from them
    params: tuple[ParamPlan, ...]
    returns: Annotation
    cast: ResponseCast  # how decoded JSON becomes ``returns``
    response_model: str | None
    summary: str
    server: str | None
    pages: PagesPlan | None
    line: int
    endpoint: ir.Endpoint = attrs.field(eq=False)  # the IR endpoint this method calls

    @property
    def positional(self) -> tuple[ParamPlan, ...]:
        return tuple(p for p in self.params if p.location == "path")

    @property
    def keyword(self) -> tuple[ParamPlan, ...]:
        return tuple(p for p in self.params if p.location != "path")

    def located(self, location: str) -> tuple[ParamPlan, ...]:
        return tuple(p for p in self.params if p.location == location)

    @property
    def common_location(self) -> Location | None:
        """Where most of the params outside the path go (ties: body, query, header)."""
        counts = Counter(p.location for p in self.keyword)
        if not counts:
            return None
        return max(_DEFAULT_ORDER, key=lambda location: counts[location])


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
    annotation: Annotation
    required: bool  # no ``| Unset``: the field has no default
    doc: str


@attrs.frozen
class ModelPlan:
    name: str
    doc: str
    fields: tuple[ModelField, ...]
    # The class checks a response's fields and types (``CheckedModel``), see ``[responses]``.
    checked: bool = False
    # Where the spec shows this shape (``planner/model_names.py``); the manifest's names lock.
    places: tuple[str, ...] = attrs.field(default=(), eq=False)


# ---------------------------------------------------------------------------------------------
# The runtime: credentials, environments and servers (``_client.py``, the README, mock, diff)
# ---------------------------------------------------------------------------------------------

AuthKind = Literal["basic", "bearer", "apikey", "none"]
KeyLocation = Literal["header", "query"]


@attrs.frozen
class CredentialParam:
    """A constructor argument that carries a credential, read from ``env`` when not given."""

    name: str  # a Python identifier (config.py checks a configured one)
    env: str
    doc: str


@attrs.frozen
class AuthPlan:
    """How every request is authenticated.

    ``basic`` takes two params (user, password), ``bearer`` and ``apikey`` one; ``key_name`` and
    ``key_in`` say where an API key goes and are set exactly when ``kind`` is ``apikey``.
    """

    kind: AuthKind
    params: tuple[CredentialParam, ...] = ()
    key_name: str | None = None
    key_in: KeyLocation | None = None


@attrs.frozen
class NamedURL:
    """An environment or a named server: a name and the URL it stands for."""

    name: str
    url: str


@attrs.frozen
class EnvironmentPrefix:
    """A credential starting with ``prefix`` belongs to ``environment``."""

    prefix: str
    environment: str


@attrs.frozen
class EnvironmentRule:
    """The environment is chosen by the prefix of the credential param ``param``."""

    param: str
    prefixes: tuple[EnvironmentPrefix, ...]


@attrs.frozen
class RuntimePlan:
    """What the client module prints besides the resources: identity, auth and where to send."""

    package: str
    title: str
    version: str  # with ``package``, the User-Agent
    auth: AuthPlan
    environments: tuple[NamedURL, ...] = ()
    environment_rule: EnvironmentRule | None = None
    default_base_url: str | None = None  # ASCII, or None when the spec has no usable one
    servers: tuple[NamedURL, ...] = ()


@attrs.frozen
class Plan:
    package: str
    title: str
    version: str  # PEP 440, for the package metadata and the User-Agent
    api_version: str | None  # the spec's (or config's) own version, as written
    spec_name: str
    spec_sha256: str
    config_sha256: str | None
    runtime: RuntimePlan
    resources: tuple[ResourcePlan, ...]
    models: tuple[ModelPlan, ...]
    warnings: tuple[Diagnostic, ...] = ()  # positioned in the spec

    def all_resources(self) -> Iterable[ResourcePlan]:
        for resource in self.resources:
            yield from resource.walk()

    def all_methods(self) -> Iterable[MethodPlan]:
        for resource in self.all_resources():
            yield from resource.methods


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
