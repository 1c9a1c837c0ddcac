"""The intermediate representation of a LAP document.

Small frozen attrs classes built by the front end (``generator.frontend``). They carry source
positions and the meaning of the spec, never file paths, templates or Python names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import assert_never

import attrs

# ---------------------------------------------------------------------------------------------
# Rules every layer shares (the front end, the planner, the mock, diff and the tests ask here)
# ---------------------------------------------------------------------------------------------

HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"})
# Methods without a request body: their non-path params travel in the query string.
QUERY_METHODS = frozenset({"GET", "DELETE", "HEAD", "OPTIONS", "TRACE"})
# ``{id}``, and Postman's ``{{var}}``: one or more braces around a name without braces.
PATH_PARAM = re.compile(r"\{+([^{}]+)\}+")


def path_params(path: str) -> tuple[str, ...]:
    """The names of the ``{params}`` in a path template, in path order (repeats kept)."""
    return tuple(PATH_PARAM.findall(path))


def is_success_code(code: str) -> bool:
    """A 2xx status, or the ``OK`` some converters write instead of a number."""
    return code.startswith("2") or code == "OK"


@attrs.frozen
class Pos:
    """A 1-based line and column in the spec text."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


# ---------------------------------------------------------------------------------------------
# Type expressions
# ---------------------------------------------------------------------------------------------

PRIMITIVES = frozenset(
    {"str", "int", "num", "float", "bool", "map", "any", "bytes", "null", "file"}
)


@attrs.frozen
class Primitive:
    """A built-in scalar such as ``str``, ``int(int32)`` or ``str(date-time)``.

    ``map`` without fields is a primitive too: an object whose shape the spec does not give.
    """

    name: str
    format: str | None = None


@attrs.frozen
class EnumType:
    """``enum(a/b)`` or ``T(a/b)`` read as an enum; ``base`` is ``T`` (``enum`` when unstated)."""

    base: str
    values: tuple[str, ...]
    raw: str  # as written, e.g. ``str(a/b)``: ``T(x/y)`` is ambiguous, see frontend.decode_args


@attrs.frozen
class ArrayType:
    """``[T]``; ``[[T]]`` nests."""

    items: TypeExpr


@attrs.frozen
class DictType:
    """``map<K,V>``: a dictionary with free keys."""

    key: TypeExpr
    value: TypeExpr


@attrs.frozen
class ObjectType:
    """An object with known fields: ``map{…}``, ``Name{…}`` or ``[T]{…}``'s children.

    ``name`` is the type name written before the braces (``CityCoordinates{…}``), if any.
    """

    fields: tuple[Field, ...]
    name: str | None = None


@attrs.frozen
class RefType:
    """A reference to a named ``@type`` (``User``, ``google.rpc.Status``)."""

    name: str


TypeExpr = Primitive | EnumType | ArrayType | DictType | ObjectType | RefType


@attrs.frozen
class TypeSpec:
    """A type as written on a param or field: the expression and its ``?``."""

    expr: TypeExpr
    nullable: bool = False


# ---------------------------------------------------------------------------------------------
# Params, fields and types
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class Default:
    """A ``=default`` as written; ``value`` is the decoded Python value when it has one."""

    raw: str
    value: object = None


@attrs.frozen
class Field:
    """A param or object field: ``name[!]: TYPE[?][=DEFAULT] [# comment]``."""

    name: str
    type: TypeSpec
    pos: Pos = attrs.field(eq=False)
    required_marker: bool = False  # the trailing ``!`` of nested fields
    default: Default | None = None
    comment: str | None = None


@attrs.frozen
class NamedType:
    """``@type Name {…}``."""

    name: str
    fields: tuple[Field, ...]
    pos: Pos = attrs.field(eq=False)


# ---------------------------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class Response:
    """One ``@returns(CODE)``: a shape, ``→ Type``, free text, or nothing."""

    code: str
    pos: Pos = attrs.field(eq=False)
    fields: tuple[Field, ...] | None = None
    type: TypeExpr | None = None
    description: str | None = None


@attrs.frozen
class ErrorCase:
    """One entry of ``@errors``: ``400``, ``400: text`` or ``404:Name: text``."""

    code: str
    pos: Pos = attrs.field(eq=False)
    type_name: str | None = None
    description: str | None = None


@attrs.frozen
class AuthScheme:
    """One alternative of ``@auth``.

    ``kind`` is ``bearer``, ``basic``, ``apikey``, ``oauth2``, ``sigv4``, ``digest`` or
    ``other``; ``raw`` keeps the words as written (``Bearer basic``).
    """

    kind: str
    raw: str
    param: str | None = None  # a qualifier such as ``basic`` in ``Bearer basic``
    key_name: str | None = None  # ApiKey NAME
    key_in: str | None = None  # header | query | path | cookie


@attrs.frozen
class Auth:
    """An ``@auth`` line: alternatives joined with ``|``."""

    schemes: tuple[AuthScheme, ...]
    raw: str
    pos: Pos = attrs.field(eq=False)


@attrs.frozen
class Endpoint:
    method: str
    path: str
    pos: Pos = attrs.field(eq=False)
    group: str | None = None
    desc: str | None = None
    auth: Auth | None = None
    body: TypeExpr | None = None  # ``@body → Type``
    required: tuple[Field, ...] = ()
    optional: tuple[Field, ...] = ()
    responses: tuple[Response, ...] = ()
    errors: tuple[ErrorCase, ...] = ()
    example_request: str | None = None

    @property
    def params(self) -> tuple[Field, ...]:
        """``@required`` then ``@optional``, as written (not the common fields or the body)."""
        return self.required + self.optional

    @property
    def path_params(self) -> tuple[str, ...]:
        """The ``{names}`` in the path, in path order."""
        return path_params(self.path)

    @property
    def repeated_params(self) -> tuple[Field, ...]:
        """Params whose name an earlier param of this endpoint has (the front end warns).

        Real files hold a path ``id`` and a body ``id`` in one endpoint: both are sent.
        """
        seen: set[str] = set()
        repeated = []
        for field in self.params:
            if field.name in seen:
                repeated.append(field)
            seen.add(field.name)
        return tuple(repeated)

    @property
    def success(self) -> Response | None:
        """The success response: the first 2xx (or ``OK``) ``@returns``; None when none is."""
        return next((r for r in self.responses if is_success_code(r.code)), None)


@attrs.frozen
class Group:
    """A ``@group``; a reopened group is one Group with every occurrence's endpoints."""

    name: str
    pos: Pos = attrs.field(eq=False)
    endpoints: tuple[Endpoint, ...]


@attrs.frozen
class TocEntry:
    name: str
    count: int
    pos: Pos = attrs.field(eq=False)


@attrs.frozen
class Directive:
    """A directive the front end does not know (kept so the writer can reproduce it)."""

    name: str
    text: str | None
    pos: Pos = attrs.field(eq=False)


@attrs.frozen
class API:
    """A whole LAP document."""

    lap_version: str
    name: str
    pos: Pos = attrs.field(eq=False)
    base_url: str | None = None
    version: str | None = None
    auth: Auth | None = None
    common_fields: tuple[Field, ...] = ()
    declared_endpoints: int | None = None
    hints: tuple[str, ...] = ()
    toc: tuple[TocEntry, ...] = ()
    types: tuple[NamedType, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()  # document order, grouped or not
    groups: tuple[Group, ...] = ()  # first-appearance order, reopened groups merged
    unknown_directives: tuple[Directive, ...] = ()
    # Where each document-level directive (`base`, `version`, …) stands, for diagnostics.
    directive_positions: tuple[tuple[str, Pos], ...] = attrs.field(default=(), eq=False)

    def directive_pos(self, name: str) -> Pos:
        """The position of the ``@name`` directive, or of the document when it has none."""
        return dict(self.directive_positions).get(name, self.pos)

    def type_named(self, name: str) -> NamedType | None:
        for named in self.types:
            if named.name == name:
                return named
        return None

    def fields_of(self, expr: TypeExpr | None) -> tuple[Field, ...] | None:
        """The fields of an object type, resolving a ``@type`` reference.

        None when ``expr`` is not an object or names an undefined type; ``()`` for an object
        that lists no fields (``map{}``, ``@type T {}``).
        """
        match expr:
            case ObjectType(fields=fields):
                return fields
            case RefType(name=name):
                named = self.type_named(name)
                return named.fields if named is not None else None
            case Primitive() | EnumType() | ArrayType() | DictType() | None:
                return None
            case _:
                assert_never(expr)

    def body_fields(self, endpoint: Endpoint) -> tuple[Field, ...]:
        """The fields of ``@body → Type``: sent as keyword arguments like the other params."""
        return self.fields_of(endpoint.body) or ()

    def declared_params(self, endpoint: Endpoint) -> dict[str, Field]:
        """Every declared param of an endpoint by wire name.

        The common fields, ``@required``/``@optional`` and the fields of ``@body → Type``, in
        that order; on a name clash an endpoint param wins over a common field, which wins over
        a body field. Path params the spec does not declare are not invented here.
        """
        declared = {field.name: field for field in self.common_fields}
        own: dict[str, Field] = {}
        for field in endpoint.params:
            own.setdefault(field.name, field)  # a repeated name: see Endpoint.repeated_params
        declared.update(own)
        for field in self.body_fields(endpoint):
            declared.setdefault(field.name, field)
        return declared

    def response_fields(self, response: Response | None) -> tuple[Field, ...] | None:
        """The fields of a response: its inline shape, or those of ``→ Type``."""
        if response is None:
            return None
        if response.fields is not None:
            return response.fields
        return self.fields_of(response.type)


# ---------------------------------------------------------------------------------------------
# Types as text
# ---------------------------------------------------------------------------------------------


def type_text(expr: TypeExpr | TypeSpec, *, as_written: bool = True) -> str:
    """A type in LAP syntax: the one place a type becomes text.

    ``as_written`` keeps what the writer must reproduce (enum spelling, field defaults and
    comments); without it the text is canonical, for comparing two types (``lapgen diff``).
    """
    match expr:
        case TypeSpec(expr=inner, nullable=nullable):
            return type_text(inner, as_written=as_written) + ("?" if nullable else "")
        case Primitive(name=name, format=None):
            return name
        case Primitive(name=name, format=format):
            return f"{name}({format})"
        case EnumType():
            return expr.raw if as_written else f"{expr.base}({'/'.join(expr.values)})"
        case RefType(name=name):
            return name
        case DictType(key=key, value=value):
            key_text = type_text(key, as_written=as_written)
            return f"map<{key_text},{type_text(value, as_written=as_written)}>"
        case ArrayType(items=ObjectType(name=str(name), fields=fields)):
            # `[Name]{…}`: an array of a named inline object keeps its fields after the brackets.
            return f"[{name}]{fields_text(fields, as_written=as_written)}"
        case ArrayType(items=items):
            return f"[{type_text(items, as_written=as_written)}]"
        case ObjectType(name=name, fields=fields):
            return f"{name or 'map'}{fields_text(fields, as_written=as_written)}"
        case _:
            assert_never(expr)


def field_text(field: Field, *, as_written: bool = True) -> str:
    """``name[!]: TYPE[?][=DEFAULT] [# comment]`` (default and comment only ``as_written``)."""
    marker = "!" if field.required_marker else ""
    text = f"{field.name}{marker}: {type_text(field.type, as_written=as_written)}"
    if as_written and field.default is not None:
        text += f"={field.default.raw}"
    if as_written and field.comment is not None:
        text += f" # {field.comment}"
    return text


def fields_text(fields: Iterable[Field], *, as_written: bool = True) -> str:
    """``{field, field}``."""
    return "{" + ", ".join(field_text(field, as_written=as_written) for field in fields) + "}"
