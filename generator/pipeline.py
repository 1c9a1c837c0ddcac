"""Spec file + config → IR + plan: the front and middle, as every command runs them."""

from __future__ import annotations

from pathlib import Path

import attrs

from . import ir
from .config import ConfigError, find_config, load_config
from .frontend import read_spec, source_lines
from .plan import Plan, PlanError, build_plan


@attrs.frozen
class Loaded:
    """A spec read, planned and ready to render."""

    path: Path
    data: bytes
    api: ir.API
    plan: Plan


class LoadError(Exception):
    """A spec or config that cannot be used; the message is ready to print.

    ``exit_code`` is the CLI's: 2 for what the user must fix in the command (a missing
    file, a bad config), 1 for an invalid spec.
    """

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def load(spec: Path, config: Path | None = None) -> Loaded:
    """Read ``spec`` and plan it with ``config`` (default: the TOML beside the spec).

    Raises ``LoadError`` with compiler-style diagnostics when the spec is unreadable or
    invalid, or the config is bad.
    """
    try:
        data = spec.read_bytes()
    except OSError as exc:
        raise LoadError(f"{spec}: error: cannot read: {exc.strerror or exc}", 2) from None
    result = read_spec(data)
    lines = source_lines(data.decode("utf-8", errors="replace"))
    if result.api is None:
        raise LoadError("\n".join(d.render(str(spec), lines) for d in result.diagnostics), 1)
    config_path = config if config is not None else find_config(spec)
    try:
        plan = build_plan(
            result.api, load_config(config_path), spec_name=spec.name, spec_bytes=data
        )
    except ConfigError as exc:
        raise LoadError(str(exc), 2) from None
    except PlanError as exc:
        raise LoadError("\n".join(d.render(str(spec), lines) for d in exc.diagnostics), 1) from None
    return Loaded(spec, data, result.api, plan)
