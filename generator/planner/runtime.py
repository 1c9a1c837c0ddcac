"""Runtime: the auth scheme, environments and servers the client templates print."""

from __future__ import annotations

from typing import assert_never

from .. import ir
from ..config import Config
from ..escape import (
    ascii_url,
)
from .types import (
    AuthKind,
    AuthPlan,
    CredentialParam,
    EnvironmentPrefix,
    EnvironmentRule,
    KeyLocation,
    NamedURL,
    RuntimePlan,
)

# Where an API key goes when neither the config nor the spec says: the conventional header.
DEFAULT_KEY_NAME = "X-API-Key"
DEFAULT_KEY_IN: KeyLocation = "header"

# config.py accepts these words; the table turns a checked word into its Literal for mypy.
_AUTH_KINDS: dict[str, AuthKind] = {
    "basic": "basic",
    "bearer": "bearer",
    "apikey": "apikey",
    "none": "none",
}
_KEY_LOCATIONS: dict[str, KeyLocation] = {"header": "header", "query": "query"}


def runtime_plan(
    api: ir.API, config: Config, *, package: str, title: str, version: str
) -> RuntimePlan:
    """The client's identity, auth, environments and servers."""
    # ASCII (IDNA host, percent-encoded path) or nothing: the client sends it as it is.
    base = ascii_url(api.base_url) if api.base_url else None
    rule = None
    if config.environment_param:
        rule = EnvironmentRule(
            config.environment_param,
            tuple(EnvironmentPrefix(k, v) for k, v in config.environment_prefixes),
        )
    return RuntimePlan(
        package=package,
        title=title,
        version=version,
        auth=auth_plan(api.auth, config, env_prefix=package.removesuffix("_api").upper()),
        environments=tuple(NamedURL(k, v) for k, v in config.environments),
        environment_rule=rule,
        default_base_url=base,
        servers=tuple(NamedURL(k, v) for k, v in config.servers),
    )


def auth_plan(auth: ir.Auth | None, config: Config, *, env_prefix: str) -> AuthPlan:
    """The config's ``[auth]`` if it names a kind, else the spec's first usable scheme."""
    if config.auth_kind is None:
        spec_auth = _auth_from_spec(auth)
        kind, key_name, key_in = spec_auth.kind, spec_auth.key_name, spec_auth.key_in
    else:
        kind = _AUTH_KINDS[config.auth_kind]
        key_name = config.auth_key_name
        key_in = _KEY_LOCATIONS[config.auth_key_in] if config.auth_key_in else None
    if kind == "apikey":
        # A configured kind may leave the key out: the same default as a spec's unplaceable key.
        key_name, key_in = key_name or DEFAULT_KEY_NAME, key_in or DEFAULT_KEY_IN
    else:
        key_name, key_in = None, None
    params = tuple(CredentialParam(p.name, p.env, p.doc) for p in config.auth_params)
    return AuthPlan(kind, params or _default_params(kind, env_prefix), key_name, key_in)


def _default_params(kind: AuthKind, prefix: str) -> tuple[CredentialParam, ...]:
    """The credential arguments of a kind when the config lists none."""
    if kind == "basic":
        return (
            CredentialParam("username", f"{prefix}_USERNAME", "HTTP basic user name."),
            CredentialParam("password", f"{prefix}_PASSWORD", "HTTP basic password."),
        )
    if kind == "bearer":
        return (CredentialParam("api_key", f"{prefix}_API_KEY", "The bearer token."),)
    if kind == "apikey":
        return (CredentialParam("api_key", f"{prefix}_API_KEY", "The API key."),)
    if kind == "none":
        return ()
    assert_never(kind)  # mypy --strict flags a new AuthKind without default params


def _auth_from_spec(auth: ir.Auth | None) -> AuthPlan:
    """The first scheme the runtime supports: bearer, basic, or an API key in header/query.

    The params are left empty (``auth_plan`` adds them).
    """
    if auth is None:
        return AuthPlan("none")
    for scheme in auth.schemes:
        if scheme.kind == "bearer" or scheme.kind == "oauth2":
            return AuthPlan("bearer")
        if scheme.kind == "basic":
            return AuthPlan("basic")
        if scheme.kind == "apikey":
            if scheme.key_in in _KEY_LOCATIONS and scheme.key_name:
                return AuthPlan("apikey", (), scheme.key_name, _KEY_LOCATIONS[scheme.key_in])
            return AuthPlan("apikey", (), DEFAULT_KEY_NAME, DEFAULT_KEY_IN)
    return AuthPlan("none")
