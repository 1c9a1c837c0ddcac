"""Rendering a diff ``Report`` as text, markdown or JSON."""

from __future__ import annotations

from .model import _COLLAPSE_AFTER, JSON_SCHEMA_VERSION, Change, Report, Surface

# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def report_json(report: Report) -> dict[str, object]:
    """The stable JSON of ``lapgen diff --format json`` (schema in the README)."""
    return {
        "schema": JSON_SCHEMA_VERSION,
        "old": report.old_file,
        "new": report.new_file,
        "api": report.api,
        "package": report.package,
        "version": report.old_version,
        "suggested_bump": report.bump,
        "next_version": report.next_version,
        "summary": {
            "breaking": len(report.breaking),
            "non_breaking": len(report.non_breaking),
        },
        "warnings": list(report.warnings),
        "changes": [c.as_json() for c in report.changes],
        "sdk": report.surface.as_json(),
    }


def _headline(report: Report) -> str:
    version = f" ({report.old_version} → {report.next_version})" if report.next_version else ""
    zero = (
        "; the package is 0.x, where a breaking change bumps the minor version"
        if report.bump == "major" and report.old_version.lstrip("v").startswith("0.")
        else ""
    )
    return (
        f"suggested bump: {report.bump}{version}: {len(report.breaking)} breaking, "
        f"{len(report.non_breaking)} non-breaking changes{zero}"
    )


def _line(change: Change) -> str:
    where = change.endpoint or ("SDK" if change.scope == "sdk" else "API")
    detail = f" [{change.before or '—'} → {change.after or '—'}]"
    cause = " (from the config)" if change.cause == "config" else ""
    return f"{where}: {change.message.replace('`', '')}{cause}{detail}"


def _surface_items(surface: Surface) -> list[tuple[str, list[str]]]:
    return [
        ("Methods added", [f"client.{m}" for m in surface.methods_added]),
        ("Methods removed", [f"client.{m}" for m in surface.methods_removed]),
    ]


def report_text(report: Report) -> str:
    lines = [
        f"API changes in {report.api}: {report.old_file} → {report.new_file}",
        _headline(report),
    ]
    lines += [f"warning: {w}" for w in report.warnings]
    api = report.api_changes
    for title, changes in (
        ("Breaking changes", [c for c in api if c.breaking]),
        ("Non-breaking changes", [c for c in api if not c.breaking]),
    ):
        if changes:
            lines += ["", f"{title} ({len(changes)}):"]
            lines += [f"  {'!' if c.breaking else '+'} {_line(c)}" for c in changes]
    if not api:
        lines += ["", "No API changes."]
    items = [(title, values) for title, values in _surface_items(report.surface) if values]
    sdk = report.sdk_changes
    signatures = report.surface.methods_changed
    if items or sdk or signatures:
        lines += ["", f"SDK changes ({report.package}):"]
        lines += [f"  {'!' if c.breaking else '+'} {_line(c)}" for c in sdk]
        for title, values in items:
            lines.append(f"  {title} ({len(values)}):")
            lines += [f"    {value}" for value in values]
        if signatures:
            lines.append(f"  Methods with new signatures ({len(signatures)}):")
            lines += [
                f"    client.{c.accessor}: {c.summary().replace('`', '')}" for c in signatures
            ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"``{text}``"


def _value(text: str | None) -> str:
    return _cell(_code(text)) if text is not None else "—"


def _collapsible(title: str, body: list[str]) -> list[str]:
    if len(body) <= _COLLAPSE_AFTER:
        return [f"**{title}**", "", *body, ""]
    return [f"<details><summary>{title}</summary>", "", *body, "", "</details>", ""]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    if len(rows) > _COLLAPSE_AFTER:
        return [f"<details><summary>{len(rows)} changes</summary>", "", *lines, "", "</details>"]
    return lines


def report_markdown(report: Report) -> str:
    """A pull-request comment: heading, summary line, tables grouped by breaking or not."""
    icon = {"major": "🔴", "minor": "🟡", "patch": "🟢", "none": "⚪"}[report.bump]
    version = f" (`{report.old_version}` → `{report.next_version}`)" if report.next_version else ""
    lines = [
        f"## lapgen API diff: {report.api}",
        "",
        f"{icon} **Suggested bump: {report.bump}**{version} · "
        f"{len(report.breaking)} breaking, {len(report.non_breaking)} non-breaking changes",
        "",
    ]
    lines += [f"> ⚠️ {_cell(w)}" for w in report.warnings] + ([""] if report.warnings else [])
    if report.bump == "major" and report.old_version.lstrip("v").startswith("0."):
        lines += ["> The package is 0.x: a breaking change bumps the minor version.", ""]
    api = report.api_changes
    if not api:
        lines += ["No API changes.", ""]
    for title, changes in (
        ("⚠️ Breaking changes", [c for c in api if c.breaking]),
        ("Non-breaking changes", [c for c in api if not c.breaking]),
    ):
        if not changes:
            continue
        rows = [
            [
                _cell(_code(c.endpoint)) if c.endpoint else "API",
                _cell(c.message),
                _value(c.before),
                _value(c.after),
            ]
            for c in changes
        ]
        lines += [f"### {title} ({len(changes)})", ""]
        lines += [*_table(["Endpoint", "Change", "Before", "After"], rows), ""]
    items = [(title, values) for title, values in _surface_items(report.surface) if values]
    sdk = report.sdk_changes
    signatures = report.surface.methods_changed
    if not (items or sdk or signatures):
        lines.append("<sub>Generated by `lapgen diff`.</sub>")
        return "\n".join(lines) + "\n"
    lines += [f"### SDK changes (`{report.package}`)", ""]
    if sdk:
        rows = [
            [
                "⚠️ yes" if c.breaking else "no",
                _cell(c.message) + (" (from the config)" if c.cause == "config" else ""),
                _value(c.before),
                _value(c.after),
            ]
            for c in sdk
        ]
        lines += [*_table(["Breaking", "Change", "Before", "After"], rows), ""]
    for title, values in items:
        lines += _collapsible(f"{title} ({len(values)})", [f"- {_cell(_code(v))}" for v in values])
    if signatures:
        rows = []
        for change in signatures:
            method = _cell(_code(f"client.{change.accessor}"))
            rows += [
                [method, _cell(_code(p.name)), p.change, _value(p.before), _value(p.after)]
                for p in change.params
            ]
            if change.returns_before != change.returns_after:
                rows.append(
                    [
                        method,
                        "(return)",
                        "changed",
                        _value(change.returns_before),
                        _value(change.returns_after),
                    ]
                )
        lines += [f"**Methods with new signatures ({len(signatures)})**", ""]
        lines += [*_table(["Method", "Param", "Change", "Before", "After"], rows), ""]
    lines.append("<sub>Generated by `lapgen diff`.</sub>")
    return "\n".join(lines) + "\n"
