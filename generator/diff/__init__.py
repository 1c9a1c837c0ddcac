"""``lapgen diff``: what changed between two versions of a spec, for a user of the SDK.

The two IRs give the API changes (endpoints, params, types, enums, defaults, response fields,
auth); the two plans give where a param is sent (placement) and the SDK surface (methods,
models, signatures). Each change is breaking or not, and the report suggests a semver bump.
Documentation (``@desc`` wording, comments) is ignored, except where it renames a method.
"""

# Split by responsibility into the modules below; every public name stays importable here.

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import attrs

from ..config import Config
from ..inputs import read_config
from ..pipeline import Loaded, load
from ..plan import PlanError, build_plan
from .api import _Differ
from .model import (
    FORMATS,
    JSON_SCHEMA_VERSION,
    SDK_KINDS,
    Change,
    ParamChange,
    Report,
    SignatureChange,
    Surface,
    next_version,
)
from .report import (
    report_json,
    report_markdown,
    report_text,
)
from .surface import (
    _surface,
    signature,
)
from .types import (
    type_text,
)


def diff(old: Loaded, new: Loaded, *, old_config: Config | None = None) -> Report:
    """The change report from ``old`` to ``new``.

    When the two were planned with different configs, the report warns, and with
    ``old_config`` (the config ``old`` was planned with) each change the config alone makes is
    marked ``cause="config"``: those are the changes that do not appear when the new spec is
    planned with the old config.
    """
    changes = _Differ(old, new).run()
    warnings: list[str] = []
    if old.plan.config_sha256 != new.plan.config_sha256:
        attributed = ""
        if old_config is not None and old_config.sha256 == old.plan.config_sha256:
            changes, attributed = _attribute_to_config(old, new, old_config, changes)
        warnings.append(
            f"the two specs were planned with different configs (old: "
            f"{_config_text(old.plan.config_sha256)}, new: {_config_text(new.plan.config_sha256)})"
            f"{attributed}. Pass --config to compare both with one config, e.g. when the old "
            "spec comes from `git show`"
        )
    return Report(
        old_file=str(old.path),
        new_file=str(new.path),
        api=new.api.name,
        package=new.plan.package,
        old_version=old.plan.version,
        changes=changes,
        surface=_surface(old.plan, new.plan),
        warnings=tuple(warnings),
    )


def _config_text(sha256: str | None) -> str:
    return f"config sha256 {sha256[:12]}" if sha256 else "no config"


def _attribute_to_config(
    old: Loaded, new: Loaded, old_config: Config, changes: tuple[Change, ...]
) -> tuple[tuple[Change, ...], str]:
    """``changes`` with those the config alone makes marked, and a clause saying how many."""
    try:
        replanned = build_plan(new.api, old_config, spec_name=new.path.name, spec_bytes=new.data)
    except PlanError:  # the old config cannot plan the new spec: nothing to attribute
        return changes, "; the old config cannot plan the new spec, so no change is attributed"
    from_spec = set(_Differ(old, attrs.evolve(new, plan=replanned)).run())
    marked = tuple(c if c in from_spec else attrs.evolve(c, cause="config") for c in changes)
    count = sum(c.cause == "config" for c in marked)
    return marked, f"; {count} change(s) come from the config alone"


def run(
    old: Path,
    new: Path,
    *,
    config: Path | None = None,
    fmt: str = "text",
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> Report:
    """``lapgen diff``: write the report in ``fmt`` and its warnings to stderr; the CLI decides
    the exit code from it.

    Raises ``LapgenError`` when either spec (or the config) cannot be loaded.
    """
    out = stdout or sys.stdout
    # One --config for both sides: read once (it may be a pipe), as each spec is.
    shared = read_config(old, config) if config is not None else None
    old_loaded = load(old, shared)
    old_config = old_loaded.inputs.config.settings()  # parsed again, not read again
    report = diff(old_loaded, load(new, shared), old_config=old_config)
    for warning in report.warnings:
        print(f"lapgen diff: warning: {warning}", file=stderr or sys.stderr)
    if fmt == "json":
        json.dump(report_json(report), out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif fmt == "markdown":
        out.write(report_markdown(report))
    else:
        out.write(report_text(report))
    return report


def kinds() -> Iterable[str]:
    """Every change kind, for the documentation."""
    return (
        "auth-changed",
        "client-auth-changed",
        "endpoint-added",
        "endpoint-removed",
        "method-renamed",
        "param-added",
        "param-removed",
        "param-renamed",
        "param-moved",
        "param-made-required",
        "param-made-optional",
        "param-type-changed",
        "param-nullable-changed",
        "param-enum-value-added",
        "param-enum-value-removed",
        "param-default-changed",
        "param-field-added",
        "param-field-removed",
        "param-field-made-required",
        "param-field-made-optional",
        "response-changed",
        "response-field-added",
        "response-field-removed",
        "response-field-type-changed",
        "response-field-nullable-changed",
        "response-field-enum-value-added",
        "response-field-enum-value-removed",
        "response-field-renamed",
        "param-field-renamed",
        "model-added",
        "model-removed",
        "model-renamed",
        "model-field-added",
        "model-field-removed",
        "model-field-renamed",
        "model-field-type-changed",
    )


__all__ = [
    "Change",
    "FORMATS",
    "JSON_SCHEMA_VERSION",
    "ParamChange",
    "Report",
    "SDK_KINDS",
    "SignatureChange",
    "Surface",
    "next_version",
    "report_json",
    "report_markdown",
    "report_text",
    "signature",
    "type_text",
]
