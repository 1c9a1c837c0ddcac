"""Where a param goes on the wire: path, query, header or body.

LAP lists a route's params without saying where each goes, so this is a documented rule
(README.md, "Placement"), overridable per endpoint and param in the config.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from . import ir

# Methods whose params go in the query string unless they cannot.
QUERY_METHODS = frozenset({"GET", "DELETE", "HEAD", "OPTIONS", "TRACE"})
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
# ending in a credential word (`api-key`, `access-token`): names no query string uses.
_CAPITALISED_HEADER = re.compile(r"[Xx]-[\w-]+|[A-Z][a-z0-9]*(?:-[A-Z][A-Za-z0-9]*)+")
_CREDENTIAL_HEADER = re.compile(r"[\w]+(?:-[\w]+)*-(?:key|token|signature|secret)", re.IGNORECASE)


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
) -> str:
    """The documented rule, in order: path template, header name, model, then by method."""
    if field.name in path_names:
        return "path"
    expr = field.type.expr
    if is_scalar(expr) and is_header_name(field.name, auth_headers):
        return "header"
    if is_structured(expr, named_types):
        return "body"
    return "query" if method in QUERY_METHODS else "body"


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
