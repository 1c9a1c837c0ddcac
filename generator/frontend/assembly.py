"""Building the ``API`` from the line records, with the structural checks."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, assert_never

from .. import ir
from ..diagnostics import Diagnostic
from .records import _Line
from .words import HTTP_METHODS, NON_HTTP_METHODS, ParseResult

# ---------------------------------------------------------------------------------------------
# Assembly: lines → API, with the structural checks
# ---------------------------------------------------------------------------------------------

_ENDPOINT_DIRECTIVES = frozenset(
    {"desc", "body", "required", "optional", "returns", "errors", "example_request"}
)


class _EndpointBuilder:
    def __init__(self, method: str, path: str, pos: ir.Pos, group: str | None) -> None:
        self.method, self.path, self.pos, self.group = method, path, pos, group
        self.fields: dict[str, Any] = {}
        self.responses: list[ir.Response] = []
        self.errors: list[ir.ErrorCase] = []


def _assemble(lines: Sequence[_Line]) -> ParseResult:
    """The ``API`` from the line records, or none if any diagnostic is an error."""
    return _Assembler(lines).run()


# The header directives: each once, the first kept.
_HEADER_DIRECTIVES = frozenset(
    {"api", "base", "version", "auth", "common_fields", "endpoints", "toc"}
)


class _Assembler:
    """Walks the line records once, tracking the open group and endpoint block."""

    def __init__(self, lines: Sequence[_Line]) -> None:
        self.lines = lines
        self.diagnostics: list[Diagnostic] = []
        self.header: dict[str, Any] = {}
        self.header_pos: dict[str, ir.Pos] = {}
        self.types: list[ir.NamedType] = []
        self.endpoints: list[ir.Endpoint] = []
        self.unknown: list[ir.Directive] = []
        self.group_order: dict[str, ir.Pos] = {}
        self.current_group: str | None = None
        self.current: _EndpointBuilder | None = None
        self.end_pos: ir.Pos | None = None
        self.arrow_types: list[tuple[ir.TypeExpr, ir.Pos]] = []  # `@body → T`, `@returns(…) → T`

    def report(self, severity: str, message: str, pos: ir.Pos) -> None:
        self.diagnostics.append(Diagnostic(severity, message, pos.line, pos.column))  # type: ignore[arg-type]

    def finish(self) -> None:
        """Close the open endpoint block, if any."""
        if self.current is not None:
            common = {field.name for field in self.header.get("common_fields", ())}
            self.endpoints.append(_finish_endpoint(self.current, common, self.report))
            self.current = None

    def run(self) -> ParseResult:
        for line in self.lines[1:]:
            kind = line.kind
            if self.end_pos is not None:
                self.report("warning", "content after @end is ignored", line.pos)
                break
            if kind == "unknown":
                # Skipped without closing the current endpoint: a newer minor version may add
                # directives inside endpoint blocks.
                name, text = line.value
                self.report("warning", f"unknown directive @{name} is ignored", line.pos)
                self.unknown.append(ir.Directive(name, text, line.pos))
            elif kind in _ENDPOINT_DIRECTIVES or (kind == "auth" and self.current is not None):
                self.endpoint_directive(line)
            elif kind == "endpoint":
                self.finish()
                self.open_endpoint(line)
            else:
                self.finish()
                self.top_level(line)
        self.finish()
        self.check_ends()
        api = self.build_api()
        _check_duplicate_routes(api, self.report)
        _check_completeness(api, self.header_pos, self.report)
        _check_type_refs(api, self.arrow_types, self.report)
        self.diagnostics.sort(key=lambda d: (d.line, d.column))
        failed = any(d.severity == "error" for d in self.diagnostics)
        return ParseResult(None if failed else api, tuple(self.diagnostics))

    def endpoint_directive(self, line: _Line) -> None:
        """A directive that belongs inside an ``@endpoint`` block."""
        kind, current = line.kind, self.current
        if current is None:
            self.report("error", f"@{kind} outside an @endpoint block", line.pos)
        elif kind == "returns":
            current.responses.append(line.value)
            if line.value.type is not None:
                self.arrow_types.append((line.value.type, line.pos))
        elif kind == "errors":
            current.errors.extend(line.value)
        elif kind in current.fields:
            self.report("warning", f"second @{kind} in one endpoint; the first is kept", line.pos)
        else:
            current.fields[kind] = line.value
            if kind == "body":
                self.arrow_types.append((line.value, line.pos))

    def open_endpoint(self, line: _Line) -> None:
        """``@endpoint METHOD /path``: check the method and path, open a block."""
        method, path, path_pos = line.value
        problem = _path_problem(path)
        if problem is not None:
            offset, message = problem
            self.report("error", message, ir.Pos(path_pos.line, path_pos.column + offset))
        if method not in HTTP_METHODS:
            if method in NON_HTTP_METHODS:
                self.report(
                    "warning",
                    f"non-HTTP method {method}: no SDK can be generated for it",
                    line.pos,
                )
            else:
                self.report("error", f"unknown HTTP method {method!r}", line.pos)
        self.current = _EndpointBuilder(method, path, line.pos, self.current_group)

    def top_level(self, line: _Line) -> None:
        """A directive outside endpoint blocks: groups, types, the header, hints, ``@end``."""
        kind = line.kind
        if kind == "group":
            if line.value is None:
                self.report("error", "@group needs a name", line.pos)
                return
            self.current_group = line.value
            self.group_order.setdefault(line.value, line.pos)
        elif kind == "endgroup":
            self.current_group = None
        elif kind == "end":
            self.end_pos = line.pos
        elif kind == "type":
            self.types.append(line.value)
        elif kind in _HEADER_DIRECTIVES:
            if kind in self.header:
                self.report("warning", f"second @{kind}; the first is kept", line.pos)
            else:
                self.header[kind] = line.value
                self.header_pos[kind] = line.pos
        elif kind == "hint":
            self.header.setdefault("hints", []).append(line.value)

    def check_ends(self) -> None:
        """``@end`` and ``@api``: a document without them is truncated or not LAP."""
        last_line = max((line.pos.line for line in self.lines), default=1)
        if self.end_pos is None:
            self.report(
                "error",
                "missing @end: the document is truncated or incomplete",
                ir.Pos(last_line, 1),
            )
        if "api" not in self.header:
            self.report(
                "error", "missing @api: every LAP document names its API", self.lines[0].pos
            )

    def build_api(self) -> ir.API:
        header = self.header
        members: dict[str | None, list[ir.Endpoint]] = {}
        for endpoint in self.endpoints:  # one pass, in document order
            members.setdefault(endpoint.group, []).append(endpoint)
        groups = tuple(
            ir.Group(name, pos, tuple(members.get(name, ())))
            for name, pos in self.group_order.items()
        )
        return ir.API(
            lap_version=self.lines[0].value,
            name=header.get("api") or "",
            pos=self.lines[0].pos,
            base_url=header.get("base"),
            version=header.get("version"),
            auth=header.get("auth"),
            common_fields=header.get("common_fields", ()),
            declared_endpoints=header.get("endpoints"),
            hints=tuple(header.get("hints", ())),
            toc=header.get("toc", ()),
            types=tuple(self.types),
            endpoints=tuple(self.endpoints),
            groups=groups,
            unknown_directives=tuple(self.unknown),
            directive_positions=tuple(self.header_pos.items()),
        )


def _path_problem(path: str) -> tuple[int, str] | None:
    """Why a path cannot be used, and the offset of the culprit; None when it can.

    Decision: refuse rather than normalise. Control, format (bidi, zero-width) and other
    invisible characters are never valid in a URL, and a path-param name with a quote or a
    backslash cannot be spelled back in generated code without changing it; a silent rewrite
    would send a different URL than the spec says.
    """
    for offset, char in enumerate(path):
        if unicodedata.category(char)[0] in "CZ" and char != " ":
            return offset, f"path holds the invisible character {ascii(char)[1:-1]}"
    for match in ir.PATH_PARAM.finditer(path):
        for offset, char in enumerate(match.group(1), start=match.start(1)):
            if char in '"\\':
                return offset, f"path param name holds {char!r}: not allowed in a path param name"
    # A `?` or `#` in the path's text would end the path on the wire: the query or fragment
    # after it would replace the params' query, or never be sent (nor a path param after it).
    if "?" in path or "#" in path:
        literal = ir.PATH_PARAM.sub(lambda match: "x" * len(match.group(0)), path)
        for offset, char in enumerate(literal):
            if char in _URL_DELIMITERS:
                return offset, _URL_DELIMITERS[char]
    return None


_URL_DELIMITERS = {
    "?": "path holds '?', which would start the URL's query: declare query params in"
    " @required or @optional instead",
    "#": "path holds '#', which would start the URL's fragment, never sent to the server",
}


def _finish_endpoint(builder: _EndpointBuilder, common: set[str], report: Any) -> ir.Endpoint:
    # Real files repeat a name (a path `id` and a body field `id`): both are real params, so
    # both stay in the IR; the planner gives the second its own Python name.
    seen: dict[str, ir.Field] = {}
    kept: dict[str, tuple[ir.Field, ...]] = {}
    for kind in ("required", "optional"):
        kept[kind] = tuple(builder.fields.get(kind, ()))
        for field in kept[kind]:
            first = seen.setdefault(field.name, field)
            if first is not field:
                report(
                    "warning",
                    f"duplicate param {field.name!r} (first at line {first.pos.line}, column "
                    f"{first.pos.column}); both are kept",
                    field.pos,
                )
    required_names = {field.name for field in kept["required"]} | common
    for match in ir.PATH_PARAM.finditer(builder.path):
        if match.group(1) not in required_names:
            report(
                "warning",
                f"path param {match.group(1)!r} is not in @required",
                builder.pos,
            )
    return ir.Endpoint(
        method=builder.method,
        path=builder.path,
        pos=builder.pos,
        group=builder.group,
        desc=builder.fields.get("desc"),
        auth=builder.fields.get("auth"),
        body=builder.fields.get("body"),
        required=kept["required"],
        optional=kept["optional"],
        responses=tuple(builder.responses),
        errors=tuple(builder.errors),
        example_request=builder.fields.get("example_request"),
    )


def _check_duplicate_routes(api: ir.API, report: Any) -> None:
    """The same METHOD+PATH twice is a warning: lapsh writes it for Postman request variants.

    Postman collections hold several named requests for one route ("Create authors
    collection", "Create books collection"); lapsh keeps each as an endpoint, and a lean file
    (no ``@desc``) makes them identical.
    """
    seen: dict[tuple[str, str], ir.Endpoint] = {}
    for endpoint in api.endpoints:
        route = (endpoint.method, endpoint.path)
        first = seen.setdefault(route, endpoint)
        if first is endpoint:
            continue
        where = f"{endpoint.method} {endpoint.path} (first at line {first.pos.line})"
        if first.desc != endpoint.desc:
            report("warning", f"route repeated with another @desc: {where}", endpoint.pos)
        else:
            # Lean files drop @desc, so Postman request variants become identical blocks.
            report("warning", f"route repeated: {where}", endpoint.pos)


def _check_completeness(api: ir.API, header_pos: dict[str, ir.Pos], report: Any) -> None:
    if api.declared_endpoints is not None and api.declared_endpoints != len(api.endpoints):
        report(
            "warning",
            f"@endpoints says {api.declared_endpoints} but the document has "
            f"{len(api.endpoints)} endpoints",
            header_pos["endpoints"],
        )
    counts = {group.name: len(group.endpoints) for group in api.groups}
    for entry in api.toc:
        actual = counts.get(entry.name)
        if actual is None and api.groups:
            report("warning", f"@toc lists group {entry.name!r}, which has no endpoints", entry.pos)
        elif actual is not None and actual != entry.count:
            report(
                "warning",
                f"@toc says group {entry.name!r} has {entry.count} endpoints; it has {actual}",
                entry.pos,
            )


_SCALARS = frozenset({ir.Primitive, ir.EnumType})


def _check_type_refs(
    api: ir.API, arrow_types: Iterable[tuple[ir.TypeExpr, ir.Pos]], report: Any
) -> None:
    """Warn about references to undefined ``@type``s, at the field that makes them."""
    defined = {named.name for named in api.types}
    # An explicit stack: Stytch has ~10,000 type nodes, and this runs on every parse.
    # Scalars (most fields) hold no reference: they are not even pushed.
    stack: list[tuple[ir.TypeExpr, ir.Pos]] = [
        (f.type.expr, f.pos) for f in _all_fields(api) if type(f.type.expr) not in _SCALARS
    ]
    stack.extend(arrow_types)
    found: list[tuple[ir.Pos, str]] = []
    while stack:
        expr, pos = stack.pop()
        match expr:
            case ir.RefType(name=name):
                if name not in defined:
                    found.append((pos, name))
            case ir.ArrayType(items=items):
                stack.append((items, pos))
            case ir.DictType(key=key, value=value):
                stack.append((key, pos))
                stack.append((value, pos))
            case ir.ObjectType(fields=fields):
                stack.extend(
                    (f.type.expr, f.pos) for f in fields if type(f.type.expr) not in _SCALARS
                )
            case ir.Primitive() | ir.EnumType():
                pass  # no references inside
            case _:
                assert_never(expr)
    for pos, name in sorted(found, key=lambda item: (item[0].line, item[0].column)):
        report("warning", f"type {name!r} is not defined by any @type; read as 'any'", pos)


def _all_fields(api: ir.API) -> Iterable[ir.Field]:
    yield from api.common_fields
    for named in api.types:
        yield from named.fields
    for endpoint in api.endpoints:
        yield from endpoint.params
        for response in endpoint.responses:
            yield from response.fields or ()
    # ``@body → T`` and ``@returns → T`` have no field: _assemble collects them for
    # _check_type_refs with their lines.
