"""A run's input files, each read exactly once: the spec's bytes and the config's.

A spec or config may be a pipe (``<(...)``, ``/dev/stdin``, a FIFO): a second read of it is
empty. So every command reads them here once, and every consumer (the up-to-date check's key,
the parse, the plan, a re-plan, the seal) takes these bytes, never the path again.

Light on purpose: ``generate`` builds its up-to-date key from these bytes before it knows
whether lark, the planner or jinja2 are needed at all.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from .errors import ConfigError, UsageError

if TYPE_CHECKING:
    from .config import Config


@attrs.frozen
class ConfigInput:
    """The config a run plans with: ``path`` None for none (the defaults), else its bytes, or
    why they could not be read (raised by ``settings``, after the spec's own errors)."""

    path: Path | None = None
    data: bytes | None = None
    problem: str | None = None

    @property
    def sha256(self) -> str | None:
        return None if self.data is None else hashlib.sha256(self.data).hexdigest()

    def settings(self) -> Config:
        """The parsed config; ``ConfigError`` for an unreadable or invalid one."""
        from . import config as config_file

        if self.path is None:
            return config_file.Config()
        if self.problem is not None or self.data is None:
            raise ConfigError(self.problem or f"{self.path}: error: cannot read")
        return config_file.parse_config(self.path, self.data)


def find_config(spec: Path) -> Path | None:
    """The config beside ``spec`` (``SPEC`` with ``.toml``), when it is a file."""
    candidate = spec.with_suffix(".toml")
    return candidate if candidate.is_file() else None


def read_config(spec: Path, config: Path | None) -> ConfigInput:
    """Read ``config`` (default: the TOML beside ``spec``) once; an unreadable one is kept as a
    problem, raised when the config is needed (after the spec's errors)."""
    path = config if config is not None else find_config(spec)
    if path is None:
        return ConfigInput()
    try:
        return ConfigInput(path, path.read_bytes())
    except OSError as exc:
        return ConfigInput(path, problem=f"{path}: error: {exc}")


def read_bytes(spec: Path) -> bytes:
    """The spec's bytes; ``UsageError`` when the file cannot be read."""
    try:
        return spec.read_bytes()
    except OSError as exc:
        raise UsageError(f"{spec}: error: cannot read: {exc.strerror or exc}") from None


@attrs.frozen
class Inputs:
    """The spec's bytes and the config, as read once for a run."""

    spec: Path
    data: bytes
    config: ConfigInput

    @property
    def spec_sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def read_inputs(spec: Path, config: Path | ConfigInput | None) -> Inputs:
    """Read the spec (``UsageError`` when it cannot be) and the config, each once; a config
    already read (``ConfigInput``, one ``--config`` for several specs) is not read again."""
    data = read_bytes(spec)
    found = config if isinstance(config, ConfigInput) else read_config(spec, config)
    return Inputs(spec, data, found)
