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
from .escape import (
    BUILTINS,
    NAME_RESERVED,
    class_name_problem,
    is_env_var,
    is_header_name,
    is_snake_identifier,
    package_name_problem,
    toml_string,
)
from .escape import ascii_url as _ascii_url
from .inputs import find_config as find_config  # the rule, kept importable here

LOCATIONS = frozenset({"path", "query", "header", "body"})
AUTH_KINDS = frozenset({"basic", "bearer", "apikey", "none"})
KEY_LOCATIONS = frozenset({"header", "query"})
# The generated constructors' own keyword arguments, which an auth param must not repeat, and
# the runtime's module-level helpers it must not shadow inside them.
CLIENT_ARGUMENTS = frozenset(
    {"self", "environment", "base_url", "timeout", "total_timeout", "max_retries"}
    | {"max_response_size", "default_headers", "http_client"}
    # what templates/sdk/_client.py.jinja imports in lower case
    | {"basic_auth", "choose_base_url", "credential", "environment_from_prefix", "cached_property"}
)
# The modules the runtime (_base_client.py) imports: an auth param would shadow them in the
# constructor. Update with the runtime's imports.
RUNTIME_MODULES = frozenset(
    {"base64", "email", "json", "os", "random", "threading", "time", "httpx", "types", "typing"}
)


RESPONSE_FIELD_MODES = ("optional", "present")


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
    # "optional": every response field may be left out (`X | Unset`); "present": the fields a
    # response declares are there (`X`), which the client checks.
    response_fields: str = "optional"
    # Model class names chosen by place (``users.get``, ``users.get/address``, ``type:User``;
    # generator/planner/model_names.py), where the derived name does not read well.
    model_names: tuple[tuple[str, str], ...] = ()
    sha256: str | None = None
    source: str = "config"  # the file, for errors found later (accessor collisions)

    def placement_for(self, route: str) -> dict[str, str]:
        return dict(dict(self.placements).get(route, ()))


def load_config(path: Path | None) -> Config:
    """Read and parse the config at ``path`` (None: the defaults)."""
    if path is None:
        return Config()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: error: {exc}") from None
    return parse_config(path, data)


def parse_config(path: Path, data: bytes) -> Config:
    """The config in ``data``, read from ``path`` (which its errors name); ``ConfigError``."""
    import hashlib

    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
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


# The keys each table may hold: anything else is a typo, reported rather than ignored.
_KEYS: dict[str, frozenset[str]] = {
    "": frozenset(
        {
            "package",
            "auth",
            "environments",
            "servers",
            "groups",
            "endpoints",
            "accessor_prefixes",
            "responses",
            "models",
        }
    ),
    "models": frozenset({"names"}),
    "package": frozenset({"name", "title", "version"}),
    "responses": frozenset({"declared_fields"}),
    "auth": frozenset({"kind", "params", "key_name", "key_in", "environment_from"}),
    "auth.params": frozenset({"name", "env", "doc"}),
    "auth.environment_from": frozenset({"param", "prefixes"}),
    "groups.*": frozenset({"server", "accessor_prefix"}),
    "endpoints.*": frozenset({"accessor", "placement"}),
}


def _check_keys(raw: dict[str, Any]) -> None:
    def check(table: object, where: str, allowed: frozenset[str]) -> None:
        if not isinstance(table, dict):
            return  # the table's own reader reports a wrong type
        for key in table:
            if key not in allowed:
                place = f"[{where}]" if where else "the top level"
                raise ValueError(
                    f"{where + '.' if where else ''}{key}: unknown key in {place} "
                    f"(known: {', '.join(sorted(allowed))})"
                )

    check(raw, "", _KEYS[""])
    for table in ("package", "auth", "responses", "models"):
        check(raw.get(table, {}), table, _KEYS[table])
    auth = raw.get("auth", {})
    if isinstance(auth, dict):
        check(
            auth.get("environment_from", {}),
            "auth.environment_from",
            _KEYS["auth.environment_from"],
        )
        params = auth.get("params", [])
        for index, item in enumerate(params if isinstance(params, list) else []):
            check(item, f"auth.params[{index}]", _KEYS["auth.params"])
    for table in ("groups", "endpoints"):
        entries = raw.get(table, {})
        for name, entry in entries.items() if isinstance(entries, dict) else ():
            if not isinstance(entry, dict):
                raise TypeError(f"{table}.{name!r} must be a table")
            check(
                entry,
                f"{table}.{name!r}" if table == "endpoints" else f"{table}.{name}",
                _KEYS[f"{table}.*"],
            )


def _build(raw: dict[str, Any], sha256: str) -> Config:
    """Check every table, in the order errors are reported, and build the ``Config``."""
    _check_keys(raw)
    package = _table(raw, "package")
    auth = _table(raw, "auth")
    environments = _table(raw, "environments")
    servers = _table(raw, "servers")
    groups = _table(raw, "groups")
    endpoints = _table(raw, "endpoints")
    fields: dict[str, Any] = {}
    fields |= _read_package(package)
    fields |= _read_auth(auth)
    _check_urls(environments, "environments")
    _check_urls(servers, "servers")
    fields |= _read_environment_from(_table(auth, "environment_from"), environments, fields)
    fields |= _read_endpoints(endpoints)
    fields |= _read_group_servers(groups, servers)
    fields |= _read_path_prefixes(_table(raw, "accessor_prefixes"))
    fields |= _read_group_prefixes(groups)
    fields |= _read_responses(_table(raw, "responses"))
    fields |= _read_model_names(_table(_table(raw, "models"), "names"))
    return Config(
        environments=tuple((str(k), str(v)) for k, v in environments.items()),
        servers=tuple((str(k), str(v)) for k, v in servers.items()),
        sha256=sha256,
        **fields,
    )


def _read_model_names(names: dict[str, Any]) -> dict[str, Any]:
    """``[models.names]``: place → class name; each name a valid, unreserved, unique class."""
    given: dict[str, str] = {}
    for place, name in names.items():
        key = f"models.names.{toml_string(place)}"
        if not isinstance(name, str):
            raise TypeError(f"{key}: must be a string (a class name)")
        if not place or len(place) > 300 or not place.isprintable():
            raise ValueError(f"{key}: not a model place (users.get, users.get/address, type:User)")
        if problem := class_name_problem(name):
            raise ValueError(f"{key}: {name!r} {problem}")
        if name in given:
            raise ValueError(f"{key}: {name!r} is also the name of {given[name]!r}")
        given[name] = place
    return {"model_names": tuple((place, name) for name, place in given.items())}


def _read_package(package: dict[str, Any]) -> dict[str, Any]:
    """``[package]``: the distribution name, title and version."""
    name = _optional_text(package, "package.name")
    if name is not None and (problem := package_name_problem(name)):
        raise ValueError(f"package.name: {problem}")
    return {
        "package": name,
        "title": _optional_text(package, "package.title"),
        "package_version": _optional_text(package, "package.version"),
    }


def _read_auth(auth: dict[str, Any]) -> dict[str, Any]:
    """``[auth]``: the scheme, its params and where an API key goes."""
    auth_params = _auth_params(auth)
    kind = _optional_text(auth, "auth.kind")
    if kind is not None and kind not in AUTH_KINDS:
        raise ValueError(f"auth.kind: {kind!r} is not one of {', '.join(sorted(AUTH_KINDS))}")
    key_name = _optional_text(auth, "auth.key_name")
    if key_name is not None and not is_header_name(key_name):
        raise ValueError(f"auth.key_name: {key_name!r} is not an HTTP header or query name")
    key_in = _optional_text(auth, "auth.key_in")
    if key_in is not None and key_in not in KEY_LOCATIONS:
        raise ValueError(f"auth.key_in: {key_in!r} is not one of header, query")
    return {
        "auth_kind": kind,
        "auth_params": auth_params,
        "auth_key_name": key_name,
        "auth_key_in": key_in,
    }


def _read_environment_from(
    rule: dict[str, Any], environments: dict[str, Any], auth_fields: dict[str, Any]
) -> dict[str, Any]:
    """``[auth.environment_from]``: the environment chosen by a credential's prefix."""
    param = _optional_text(rule, "auth.environment_from.param")
    if param is not None and param not in {p.name for p in auth_fields["auth_params"]}:
        raise ValueError(
            f"auth.environment_from.param: {param!r} is not one of the [[auth.params]] names"
        )
    prefixes = _table(rule, "prefixes")
    for prefix, environment in prefixes.items():
        if not (prefix.isascii() and prefix.isprintable()):
            raise ValueError(f"auth.environment_from.prefixes: {prefix!r} is not printable ASCII")
        if environment not in environments:
            raise ValueError(
                f"auth.environment_from.prefixes.{prefix}: unknown environment {environment!r}"
            )
    return {
        "environment_param": param,
        "environment_prefixes": tuple((str(k), str(v)) for k, v in prefixes.items()),
    }


def _read_endpoints(endpoints: dict[str, Any]) -> dict[str, Any]:
    """``[endpoints."METHOD /path"]``: an accessor and param placements per route."""
    for route, settings in endpoints.items():
        accessor = settings.get("accessor")
        if accessor is not None and (
            not isinstance(accessor, str)
            or not all(is_snake_identifier(part) for part in accessor.split("."))
        ):
            raise ValueError(
                f"endpoints.{route!r}.accessor: {accessor!r} is not dotted lower-case "
                "Python names (`users.get`)"
            )
    for route, settings in endpoints.items():
        for location in settings.get("placement", {}).values():
            if location not in LOCATIONS:
                raise ValueError(
                    f"endpoints.{route!r}.placement: {location!r} is not one of "
                    f"{', '.join(sorted(LOCATIONS))}"
                )
    return {
        "accessors": tuple(
            (route, str(settings["accessor"]))
            for route, settings in endpoints.items()
            if "accessor" in settings
        ),
        "placements": tuple(
            (route, tuple((str(k), str(v)) for k, v in settings["placement"].items()))
            for route, settings in endpoints.items()
            if "placement" in settings
        ),
    }


def _read_group_servers(groups: dict[str, Any], servers: dict[str, Any]) -> dict[str, Any]:
    """``[groups.NAME] server``: the server a group's endpoints use."""
    for group, settings in groups.items():
        server = settings.get("server")
        if server is not None and server not in servers:
            raise ValueError(f"groups.{group}.server: unknown server {server!r}")
    return {
        "group_servers": tuple(
            (str(group), str(settings["server"]))
            for group, settings in groups.items()
            if "server" in settings
        )
    }


def _read_path_prefixes(accessor_prefixes: dict[str, Any]) -> dict[str, Any]:
    """``[accessor_prefixes]``: a path prefix's resource replaced by an accessor prefix."""
    for prefix, target in accessor_prefixes.items():
        if not prefix.startswith("/"):
            raise ValueError(f"accessor_prefixes.{prefix!r}: a path prefix starts with '/'")
        _check_accessor(f"accessor_prefixes.{prefix!r}", target)
    return {"path_accessor_prefixes": tuple(accessor_prefixes.items())}


def _read_group_prefixes(groups: dict[str, Any]) -> dict[str, Any]:
    """``[groups.NAME] accessor_prefix``: a group's endpoints under an accessor prefix."""
    for group, settings in groups.items():
        if "accessor_prefix" in settings:
            _check_accessor(f"groups.{group}.accessor_prefix", settings["accessor_prefix"])
    return {
        "group_accessor_prefixes": tuple(
            (str(group), settings["accessor_prefix"])
            for group, settings in groups.items()
            if "accessor_prefix" in settings
        )
    }


_ACCESSOR = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*")


def _read_responses(responses: dict[str, Any]) -> dict[str, Any]:
    """``[responses]``: whether declared response fields are typed as present."""
    value = _optional_text(responses, "responses.declared_fields") or "optional"
    if value not in RESPONSE_FIELD_MODES:
        raise ValueError(
            f"responses.declared_fields: {value!r} is not one of "
            f"{', '.join(map(repr, RESPONSE_FIELD_MODES))}"
        )
    return {"response_fields": value}


def _check_accessor(key: str, value: object) -> None:
    """An accessor prefix: dotted snake_case words, none a Python keyword."""
    if (
        not isinstance(value, str)
        or not _ACCESSOR.fullmatch(value)
        or any(keyword.iskeyword(part) for part in value.split("."))
    ):
        raise ValueError(f"{key}: {value!r} is not a dotted accessor such as 'fraud.rules'")


def _optional_text(table: dict[str, Any], key: str) -> str | None:
    value = table.get(key.rsplit(".", 1)[-1])
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{key}: {value!r} is not a string")
    return value


def _auth_params(auth: dict[str, Any]) -> tuple[AuthParam, ...]:
    """``[[auth.params]]``: constructor arguments read from environment variables."""
    items = auth.get("params", [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise TypeError("auth.params must be an array of tables ([[auth.params]])")
    params: list[AuthParam] = []
    for index, item in enumerate(items):
        key = f"auth.params[{index}]"
        name = _optional_text(item, f"{key}.name")
        env = _optional_text(item, f"{key}.env")
        doc = _optional_text(item, f"{key}.doc") or ""
        if name is None or env is None:
            raise KeyError(f"{key}: needs both name and env")
        # A lower-case name that shadows nothing the generated constructor uses.
        if (
            not is_snake_identifier(name)
            or name in BUILTINS
            or name in NAME_RESERVED
            or name in RUNTIME_MODULES
            or name in CLIENT_ARGUMENTS
            or name in {p.name for p in params}
        ):
            raise ValueError(
                f"{key}.name: {name!r} must be a new lower-case Python name (not a keyword, "
                f"builtin, runtime module or helper, repeated name or one of {', '.join(sorted(CLIENT_ARGUMENTS))})"
            )
        if not is_env_var(env):
            raise ValueError(f"{key}.env: {env!r} is not an environment variable name")
        params.append(AuthParam(name, env, doc))
    return tuple(params)


def _check_urls(table: dict[str, Any], key: str) -> None:
    """Names and URLs of ``[environments]`` or ``[servers]``: ASCII the client can send."""
    for name, url in table.items():
        if not (name.isascii() and name.isprintable() and name):
            raise ValueError(f"{key}: {name!r} is not a printable ASCII name")
        if not isinstance(url, str) or not url.isascii() or _ascii_url(url) is None:
            raise ValueError(
                f"{key}.{name}: {url!r} is not an ASCII http(s) URL without a query or fragment"
            )
