"""Runtime: the auth scheme, environments and servers the client templates print."""

from __future__ import annotations

from .. import ir
from ..config import Config
from ..escape import (
    ascii_url,
)


def _runtime_settings(api: ir.API, config: Config, *, env_prefix: str) -> dict[str, object]:
    """The runtime templates' auth, environments and servers (the ``sdk`` variables)."""
    prefix = env_prefix
    kind = config.auth_kind
    key_name = config.auth_key_name
    key_in = config.auth_key_in
    if kind is None:
        kind, key_name, key_in = _auth_from_spec(api.auth)
    params = [{"name": p.name, "env": p.env, "doc": p.doc} for p in config.auth_params]
    if not params:
        params = {
            "basic": [
                {"name": "username", "env": f"{prefix}_USERNAME", "doc": "HTTP basic user name."},
                {"name": "password", "env": f"{prefix}_PASSWORD", "doc": "HTTP basic password."},
            ],
            "bearer": [{"name": "api_key", "env": f"{prefix}_API_KEY", "doc": "The bearer token."}],
            "apikey": [{"name": "api_key", "env": f"{prefix}_API_KEY", "doc": "The API key."}],
        }.get(kind, [])
    environments = [{"name": k, "url": v} for k, v in config.environments]
    rule = None
    if config.environment_param:
        rule = {
            "param": config.environment_param,
            "prefixes": [{"prefix": k, "environment": v} for k, v in config.environment_prefixes],
        }
    # ASCII (IDNA host, percent-encoded path) or nothing: the client sends it as it is.
    base = ascii_url(api.base_url) if api.base_url else None
    return {
        "auth": {"kind": kind, "params": params, "key_name": key_name, "key_in": key_in},
        "environments": environments,
        "environment_rule": rule,
        "default_base_url": base,
        "servers": [{"name": k, "url": v} for k, v in config.servers],
    }


def _auth_from_spec(auth: ir.Auth | None) -> tuple[str, str | None, str | None]:
    """The first scheme the runtime supports: bearer, basic, or an API key in header/query."""
    if auth is None:
        return "none", None, None
    for scheme in auth.schemes:
        if scheme.kind in ("bearer", "basic"):
            return scheme.kind, None, None
        if scheme.kind == "apikey":
            if scheme.key_in in ("header", "query") and scheme.key_name:
                return "apikey", scheme.key_name, scheme.key_in
            return "apikey", "X-API-Key", "header"
        if scheme.kind == "oauth2":
            return "bearer", None, None
    return "none", None, None
