"""Spec file + config → IR + plan: the front and middle, as every command runs them."""

from __future__ import annotations

from pathlib import Path

import attrs

from . import config as config_file
from . import ir
from .diagnostics import Diagnostic
from .errors import LapgenError, SpecError, UsageError
from .frontend import read_spec, source_lines
from .plan import Plan, PlanError, build_plan

# What ``load`` raises. Kept for callers written before the error hierarchy (check.py).
LoadError = LapgenError


@attrs.frozen
class Loaded:
    """A spec read, planned and ready to render."""

    path: Path
    data: bytes
    api: ir.API
    plan: Plan

    @property
    def source_lines(self) -> list[str]:
        return source_lines(self.data.decode("utf-8", errors="replace"))

    def render_warnings(self) -> list[str]:
        """The planner's warnings, compiler-style (``spec.lap:LINE:COL: warning: …``)."""
        lines = self.source_lines
        return [warning.render(str(self.path), lines) for warning in self.plan.warnings]


def read_bytes(spec: Path) -> bytes:
    """The spec's bytes; ``UsageError`` when the file cannot be read."""
    try:
        return spec.read_bytes()
    except OSError as exc:
        raise UsageError(f"{spec}: error: cannot read: {exc.strerror or exc}") from None


def plan_api(spec: Path, data: bytes, api: ir.API, config: Path | None = None) -> Plan:
    """Plan a parsed spec with ``config`` (default: the TOML beside the spec).

    Raises ``ConfigError`` for a bad config, ``SpecError`` when the spec cannot become an SDK.
    """
    config_path = config if config is not None else config_file.find_config(spec)
    settings = config_file.load_config(config_path)
    try:
        return build_plan(api, settings, spec_name=spec.name, spec_bytes=data)
    except PlanError as exc:
        lines = source_lines(data.decode("utf-8", errors="replace"))
        raise SpecError(exc.diagnostics, path=str(spec), source_lines=lines) from None


def planner_warnings(spec: Path, data: bytes, api: ir.API) -> tuple[Diagnostic, ...]:
    """What the planner would warn about (name collisions), for ``lapgen validate``.

    A spec the planner refuses yields none: the front end has already warned about what makes
    it so (a non-HTTP method), and validate checks LAP, not whether an SDK can be made.
    """
    try:
        return plan_api(spec, data, api).warnings
    except SpecError:
        return ()


def load(spec: Path, config: Path | None = None) -> Loaded:
    """Read ``spec`` and plan it with ``config`` (default: the TOML beside the spec).

    Raises ``UsageError`` (unreadable file), ``SpecError`` (invalid spec, with compiler-style
    diagnostics) or ``ConfigError``.
    """
    data = read_bytes(spec)
    result = read_spec(data)
    if result.api is None:
        lines = source_lines(data.decode("utf-8", errors="replace"))
        raise SpecError(result.diagnostics, path=str(spec), source_lines=lines)
    return Loaded(spec, data, result.api, plan_api(spec, data, result.api, config))
