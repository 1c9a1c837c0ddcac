"""The intermediate representation of a LAP document.

Small frozen attrs classes built by the front end (``generator.frontend``). They carry source
positions and the meaning of the spec, never file paths, templates or Python names.
"""

from __future__ import annotations

import attrs


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
        return self.required + self.optional


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

    def type_named(self, name: str) -> NamedType | None:
        for named in self.types:
            if named.name == name:
                return named
        return None
