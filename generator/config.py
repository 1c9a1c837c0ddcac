"""Per-spec configuration (``spec/NAME.toml`` beside ``spec/NAME.lap``).

Everything here is optional: with no config the generator derives all of it from the spec.
"""

from __future__ import annotations

import keyword
import re
import tomllib
from pathlib import Path
from typing import Any

import attrs

from .errors import ConfigError

LOCATIONS = frozenset({"path", "query", "header", "body"})


@attrs.frozen
class AuthParam:
    name: str
    env: str
    doc: str = ""


@attrs.frozen
class Config:
    package: str | None = None
    title: str | None = None
    package_version: str | None = None
    auth_kind: str | None = None  # basic | bearer | apikey | none
    auth_params: tuple[AuthParam, ...] = ()
    auth_key_name: str | None = None
    auth_key_in: str | None = None
    environments: tuple[tuple[str, str], ...] = ()
    environment_param: str | None = None
    environment_prefixes: tuple[tuple[str, str], ...] = ()
    servers: tuple[tuple[str, str], ...] = ()
    group_servers: tuple[tuple[str, str], ...] = ()  # group name → server name
    # "METHOD /path" → accessor ("users.get"), and → {param wire name: location}
    accessors: tuple[tuple[str, str], ...] = ()
    placements: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    # Renames: a group's endpoints under an accessor prefix (`fraud` → `fraud.rules.set`), and
    # a path prefix's resource replaced by an accessor prefix (`/v1/projects` → `project`).
    group_accessor_prefixes: tuple[tuple[str, str], ...] = ()
    path_accessor_prefixes: tuple[tuple[str, str], ...] = ()
    sha256: str | None = None
    source: str = "config"  # the file, for errors found later (accessor collisions)

    def placement_for(self, route: str) -> dict[str, str]:
        return dict(dict(self.placements).get(route, ()))


def find_config(spec: Path) -> Path | None:
    candidate = spec.with_suffix(".toml")
    return candidate if candidate.is_file() else None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    import hashlib

    try:
        data = path.read_bytes()
        raw = tomllib.loads(data.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: error: {exc}") from None
    try:
        return attrs.evolve(_build(raw, hashlib.sha256(data).hexdigest()), source=str(path))
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path}: error: {exc}") from None


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise TypeError(f"[{key}] must be a table")
    return value


def _build(raw: dict[str, Any], sha256: str) -> Config:
    package = _table(raw, "package")
    auth = _table(raw, "auth")
    environments = _table(raw, "environments")
    servers = _table(raw, "servers")
    groups = _table(raw, "groups")
    endpoints = _table(raw, "endpoints")
    name = package.get("name")
    if name is not None and (
        not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name)
    ):
        raise ValueError(f"package.name: {name!r} is not a Python package name")
    auth_params = tuple(
        AuthParam(str(item["name"]), str(item["env"]), str(item.get("doc", "")))
        for item in auth.get("params", ())
    )
    rule = auth.get("environment_from", {})
    for route, settings in endpoints.items():
        for location in settings.get("placement", {}).values():
            if location not in LOCATIONS:
                raise ValueError(
                    f"endpoints.{route!r}.placement: {location!r} is not one of "
                    f"{', '.join(sorted(LOCATIONS))}"
                )
    for group, settings in groups.items():
        server = settings.get("server")
        if server is not None and server not in servers:
            raise ValueError(f"groups.{group}.server: unknown server {server!r}")
    accessor_prefixes = _table(raw, "accessor_prefixes")
    for prefix, target in accessor_prefixes.items():
        if not prefix.startswith("/"):
            raise ValueError(f"accessor_prefixes.{prefix!r}: a path prefix starts with '/'")
        _check_accessor(f"accessor_prefixes.{prefix!r}", target)
    for group, settings in groups.items():
        if "accessor_prefix" in settings:
            _check_accessor(f"groups.{group}.accessor_prefix", settings["accessor_prefix"])
    return Config(
        package=package.get("name"),
        title=package.get("title"),
        package_version=package.get("version"),
        auth_kind=auth.get("kind"),
        auth_params=auth_params,
        auth_key_name=auth.get("key_name"),
        auth_key_in=auth.get("key_in"),
        environments=tuple((str(k), str(v)) for k, v in environments.items()),
        environment_param=rule.get("param"),
        environment_prefixes=tuple((str(k), str(v)) for k, v in rule.get("prefixes", {}).items()),
        servers=tuple((str(k), str(v)) for k, v in servers.items()),
        group_servers=tuple(
            (str(group), str(settings["server"]))
            for group, settings in groups.items()
            if "server" in settings
        ),
        accessors=tuple(
            (route, str(settings["accessor"]))
            for route, settings in endpoints.items()
            if "accessor" in settings
        ),
        placements=tuple(
            (route, tuple((str(k), str(v)) for k, v in settings["placement"].items()))
            for route, settings in endpoints.items()
            if "placement" in settings
        ),
        group_accessor_prefixes=tuple(
            (str(group), settings["accessor_prefix"])
            for group, settings in groups.items()
            if "accessor_prefix" in settings
        ),
        path_accessor_prefixes=tuple(accessor_prefixes.items()),
        sha256=sha256,
    )


_ACCESSOR = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*")


def _check_accessor(key: str, value: object) -> None:
    """An accessor prefix: dotted snake_case words, none a Python keyword."""
    if (
        not isinstance(value, str)
        or not _ACCESSOR.fullmatch(value)
        or any(keyword.iskeyword(part) for part in value.split("."))
    ):
        raise ValueError(f"{key}: {value!r} is not a dotted accessor such as 'fraud.rules'")
