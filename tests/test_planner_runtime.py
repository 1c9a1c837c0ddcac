"""Runtime: the spec's ``@auth`` (and the config) in, the client's auth scheme out."""

from __future__ import annotations

from typing import Any

import pytest

from generator import ir
from generator.config import Config
from generator.frontend import read_spec
from generator.plan import build_plan
from generator.planner.runtime import _auth_from_spec

AT = ir.Pos(1, 1)


def scheme(kind: str, key_name: str | None = None, key_in: str | None = None) -> ir.AuthScheme:
    return ir.AuthScheme(kind, kind, key_name=key_name, key_in=key_in)


AUTH_CASES = [
    # (schemes in @auth order, (kind, key name, key location))
    ((), ("none", None, None)),
    ((scheme("bearer"),), ("bearer", None, None)),
    ((scheme("basic"),), ("basic", None, None)),
    ((scheme("oauth2"),), ("bearer", None, None)),  # a token the caller already holds
    ((scheme("apikey", "X-Key", "header"),), ("apikey", "X-Key", "header")),
    ((scheme("apikey", "key", "query"),), ("apikey", "key", "query")),
    # A key the runtime cannot place (cookie, path, no name): the conventional header.
    ((scheme("apikey", "sid", "cookie"),), ("apikey", "X-API-Key", "header")),
    ((scheme("apikey"),), ("apikey", "X-API-Key", "header")),
    # Unsupported schemes are skipped for the first supported alternative, else no auth.
    ((scheme("sigv4"),), ("none", None, None)),
    ((scheme("sigv4"), scheme("digest"), scheme("basic")), ("basic", None, None)),
    ((scheme("other"), scheme("apikey", "k", "header")), ("apikey", "k", "header")),
]


@pytest.mark.parametrize(("schemes", "expected"), AUTH_CASES)
def test_auth_scheme_from_spec(
    schemes: tuple[ir.AuthScheme, ...], expected: tuple[str, str | None, str | None]
) -> None:
    auth = ir.Auth(schemes, "raw", AT) if schemes else None
    assert _auth_from_spec(auth) == expected


def runtime_of(auth_line: str, base: str = "") -> dict[str, Any]:
    lines = ["@lap v0.3", "@api Acme Widgets API", auth_line, base, "@endpoints 1", ""]
    lines += ["@endpoint GET /widgets", "@returns(200) ok", "", "@end", ""]
    text = "\n".join(lines).encode()
    result = read_spec(text)
    assert result.api is not None, [d.message for d in result.diagnostics]
    plan = build_plan(result.api, Config(), spec_name="t.lap", spec_bytes=text)
    return dict(plan.runtime)


PARAM_CASES = [
    # (@auth line, the client's credential params as (name, environment variable))
    ("@auth Bearer token", [("api_key", "ACME_WIDGETS_API_KEY")]),
    ("@auth ApiKey token in header", [("api_key", "ACME_WIDGETS_API_KEY")]),
    (
        "@auth Basic",
        [("username", "ACME_WIDGETS_USERNAME"), ("password", "ACME_WIDGETS_PASSWORD")],
    ),
    ("@auth AWS SigV4", []),
]


@pytest.mark.parametrize(("auth_line", "params"), PARAM_CASES)
def test_credential_params_and_their_environment_variables(
    auth_line: str, params: list[tuple[str, str]]
) -> None:
    auth = runtime_of(auth_line)["auth"]
    assert [(p["name"], p["env"]) for p in auth["params"]] == params


def test_base_url_is_ascii_or_absent() -> None:
    assert runtime_of("@auth Bearer", "@base https://bücher.example/v1")["default_base_url"] == (
        "https://xn--bcher-kva.example/v1"
    )
    assert runtime_of("@auth Bearer", "@base not a url")["default_base_url"] is None
    assert runtime_of("@auth Bearer")["default_base_url"] is None
