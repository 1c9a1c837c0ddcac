"""Where a param goes on the wire: path, query, header or body.

LAP lists a route's params without saying where each goes, so this is a documented rule
(README.md, "Placement"), overridable per endpoint and param in the config.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal

from . import ir

# Request headers of HTTP itself and of common API conventions, compared case-insensitively.
STANDARD_HEADERS = frozenset(
    {
        "accept",
        "accept-charset",
        "accept-encoding",
        "accept-language",
        "accept-datetime",
        "authorization",
        "proxy-authorization",
        "cache-control",
        "content-md5",
        "content-language",
        "content-disposition",
        "content-encoding",
        "cookie",
        "digest",
        "idempotency-key",
        "if-match",
        "if-none-match",
        "if-modified-since",
        "if-unmodified-since",
        "if-range",
        "prefer",
        "range",
        "referer",
        "user-agent",
        "want-digest",
    }
)
# `X-Anything` or capitalised words joined by `-` (`Notion-Version`); a hyphenated name
# ending in a credential word (`api-key`, `access-token`): names no query string uses. ASCII
# only: a header name is an HTTP token.
_CAPITALISED_HEADER = re.compile(r"[Xx]-[\w-]+|[A-Z][a-z0-9]*(?:-[A-Z][A-Za-z0-9]*)+", re.ASCII)
_CREDENTIAL_HEADER = re.compile(
    r"\w+(?:-\w+)*-(?:key|token|signature|secret)", re.IGNORECASE | re.ASCII
)

# Where a param goes on the wire.
Location = Literal["path", "query", "header", "body"]
LOCATIONS: dict[str, Location] = {
    "path": "path",
    "query": "query",
    "header": "header",
    "body": "body",
}


def as_location(value: str) -> Location:
    """``value`` as a ``Location`` (the config validates placements when it reads them)."""
    try:
        return LOCATIONS[value]
    except KeyError:
        raise ValueError(f"{value!r} is not one of {', '.join(LOCATIONS)}") from None


def is_header_name(name: str, auth_headers: Collection[str] = ()) -> bool:
    """A param name that only makes sense as a request header.

    ``auth_headers`` are the header names the spec's ``@auth`` declares (``ApiKey token in
    header``): a param of that name is that header, not a query param.
    """
    lowered = name.lower()
    return (
        lowered in STANDARD_HEADERS
        or lowered in {header.lower() for header in auth_headers}
        or _CAPITALISED_HEADER.fullmatch(name) is not None
        or _CREDENTIAL_HEADER.fullmatch(name) is not None
    )


def is_structured(expr: ir.TypeExpr, named_types: Collection[str]) -> bool:
    """An object with fields, a named type, or an array of them: a model in Python.

    A query string has no encoding for these that every server reads the same way, and the
    generated query mapping cannot hold a model, so they go in the JSON body.
    """
    if isinstance(expr, ir.ObjectType):
        return bool(expr.fields)
    if isinstance(expr, ir.RefType):
        return expr.name in named_types
    if isinstance(expr, ir.ArrayType):
        return is_structured(expr.items, named_types)
    return False


def is_scalar(expr: ir.TypeExpr) -> bool:
    """A value a header can carry: not a map, array or object."""
    if isinstance(expr, ir.Primitive):
        return expr.name != "map"
    return isinstance(expr, ir.EnumType)


def place(
    method: str,
    field: ir.Field,
    path_names: Collection[str],
    *,
    named_types: Collection[str] = (),
    auth_headers: Collection[str] = (),
    query_names: Collection[str] = (),
) -> Location:
    """The documented rule, in order: path template, header name, model, then by method.

    ``query_names``: params a POST, PUT or PATCH sends in the query (``listed_before_the_body``).
    """
    if field.name in path_names:
        return "path"
    expr = field.type.expr
    if is_scalar(expr) and is_header_name(field.name, auth_headers):
        return "header"
    if is_structured(expr, named_types):
        return "body"
    return "query" if method in ir.QUERY_METHODS or field.name in query_names else "body"


def auth_header_names(api: ir.API) -> tuple[str, ...]:
    """Header names an ``ApiKey NAME in header`` scheme of the spec declares."""
    schemes = [*(api.auth.schemes if api.auth else ())]
    for endpoint in api.endpoints:
        schemes.extend(endpoint.auth.schemes if endpoint.auth else ())
    return tuple(
        sorted(
            {
                s.key_name
                for s in schemes
                if s.kind == "apikey" and s.key_in == "header" and s.key_name
            }
        )
    )


def listed_before_the_body(endpoint: ir.Endpoint, auth_headers: Collection[str] = ()) -> set[str]:
    """Params of a POST, PUT or PATCH that the list's order shows are not body fields.

    lapsh writes each of ``@required`` and ``@optional`` as the operation's parameters (path,
    query, header) followed by the request body's fields. So in one list, a param written
    before a path param or a header is a parameter too: a query param, as it is neither.
    A hand-written spec that lists body fields first is read the same way; ``placement`` in
    the config overrides it.
    """
    if endpoint.method in ir.QUERY_METHODS:
        return set()
    path_names = set(endpoint.path_params)
    found: set[str] = set()
    for listed in (endpoint.required, endpoint.optional):
        names = [field.name for field in listed]
        markers = [
            index
            for index, field in enumerate(listed)
            if field.name in path_names
            or (is_scalar(field.type.expr) and is_header_name(field.name, auth_headers))
        ]
        if markers:
            found.update(
                name
                for name in names[: markers[-1]]
                if name not in path_names and not is_header_name(name, auth_headers)
            )
    return found
