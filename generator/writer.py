"""IR → LAP text. ``parse(write(api)) == api`` for any API the front end builds.

Positions are not kept (they do not take part in IR equality); groups that a spec reopened
are reopened again, since endpoints are written in document order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from . import ir

# After `, ` only these codes start a new @errors case (grammar: ERROR_COMMA); after any other
# code the comma would be read as part of the previous case's description.
_JOINABLE_CODE = re.compile(r"(?:[0-9][0-9Xx]{2}|default)\b")


def write(api: ir.API) -> str:
    lines = [f"@lap {api.lap_version}", f"@api {api.name}"]
    if api.base_url is not None:
        lines.append(f"@base {api.base_url}")
    if api.version is not None:
        lines.append(f"@version {api.version}")
    if api.auth is not None:
        lines.append(f"@auth {api.auth.raw}")
    if api.common_fields:
        lines.append(f"@common_fields {write_fields(api.common_fields)}")
    if api.declared_endpoints is not None:
        lines.append(f"@endpoints {api.declared_endpoints}")
    lines.extend(f"@hint {hint}" for hint in api.hints)
    if api.toc:
        lines.append("@toc " + ", ".join(f"{entry.name}({entry.count})" for entry in api.toc))
    lines.extend(f"@type {named.name} {write_fields(named.fields)}" for named in api.types)
    for directive in api.unknown_directives:
        text = f" {directive.text}" if directive.text is not None else ""
        lines.append(f"@{directive.name}{text}")
    lines.append("")
    # Groups are ordered by their first @group line, which need not hold an endpoint:
    # a group opened before ``name`` that has not been written yet is written empty.
    order = [group.name for group in api.groups]
    opened: set[str] = set()

    def open_groups_before(name: str | None) -> None:
        for earlier in order[: order.index(name) if name is not None else len(order)]:
            if earlier not in opened:
                lines.extend([f"@group {earlier}", "@endgroup", ""])
                opened.add(earlier)

    group: str | None = None
    for endpoint in api.endpoints:
        if endpoint.group != group:
            if group is not None:
                lines.extend(["@endgroup", ""])
            if endpoint.group is not None:
                open_groups_before(endpoint.group)
                lines.append(f"@group {endpoint.group}")
                opened.add(endpoint.group)
            group = endpoint.group
        lines.extend(_endpoint_lines(endpoint))
        lines.append("")
    if group is not None:
        lines.extend(["@endgroup", ""])
    open_groups_before(None)
    lines.append("@end")
    return "\n".join(lines) + "\n"


def _endpoint_lines(endpoint: ir.Endpoint) -> Iterable[str]:
    yield f"@endpoint {endpoint.method} {endpoint.path}"
    if endpoint.desc is not None:
        yield f"@desc {endpoint.desc}"
    if endpoint.auth is not None:
        yield f"@auth {endpoint.auth.raw}"
    if endpoint.body is not None:
        yield f"@body → {write_type(endpoint.body)}"
    if endpoint.required:
        yield f"@required {write_fields(endpoint.required)}"
    if endpoint.optional:
        yield f"@optional {write_fields(endpoint.optional)}"
    for response in endpoint.responses:
        yield _returns_line(response)
    for cases in _error_lines(endpoint.errors):
        yield "@errors {" + ", ".join(_error_case(case) for case in cases) + "}"
    if endpoint.example_request is not None:
        yield f"@example_request {endpoint.example_request}"


def _returns_line(response: ir.Response) -> str:
    head = f"@returns({response.code})"
    if response.fields is not None:
        comment = f" # {response.description}" if response.description else ""
        return f"{head} {write_fields(response.fields)}{comment}"
    if response.type is not None:
        return f"{head} → {write_type(response.type)}"
    if response.description is not None:
        return f"{head} {response.description}"
    return head


def _error_lines(cases: Iterable[ir.ErrorCase]) -> Iterator[list[ir.ErrorCase]]:
    """Cases grouped per @errors line: a case whose code would not start a case after `, `
    (`4011`, `E1`) opens a line of its own, so it is not read into the previous description."""
    line: list[ir.ErrorCase] = []
    for case in cases:
        if line and not _JOINABLE_CODE.match(case.code):
            yield line
            line = []
        line.append(case)
    if line:
        yield line


def _error_case(case: ir.ErrorCase) -> str:
    text = case.code
    if case.type_name is not None:
        text += f":{case.type_name}:"
    elif case.description is not None:
        text += ":"
    if case.description is not None:
        text += f" {case.description}"
    return text


def write_fields(fields: Iterable[ir.Field]) -> str:
    return ir.fields_text(fields)


def write_field(field: ir.Field) -> str:
    return ir.field_text(field)


def write_type(expr: ir.TypeExpr) -> str:
    return ir.type_text(expr)
