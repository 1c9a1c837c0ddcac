"""Runtime: the spec's ``@auth`` (and the config) in, the client's auth scheme out."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import ir
from generator.config import AuthParam, Config
from generator.frontend import read_spec
from generator.plan import Plan, build_plan
from generator.planner.runtime import _auth_from_spec, auth_plan
from generator.planner.types import AuthPlan, RuntimePlan
from generator.render import render

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
    got = _auth_from_spec(auth)
    assert (got.kind, got.key_name, got.key_in) == expected
    assert got.params == ()  # auth_plan adds them


def plan_of(auth_line: str, base: str = "", config: Config | None = None) -> Plan:
    lines = ["@lap v0.3", "@api Acme Widgets API", auth_line, base, "@endpoints 1", ""]
    lines += ["@endpoint GET /widgets", "@returns(200) ok", "", "@end", ""]
    text = "\n".join(lines).encode()
    result = read_spec(text)
    assert result.api is not None, [d.message for d in result.diagnostics]
    return build_plan(result.api, config or Config(), spec_name="t.lap", spec_bytes=text)


def runtime_of(auth_line: str, base: str = "", config: Config | None = None) -> RuntimePlan:
    return plan_of(auth_line, base, config).runtime


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
    auth = runtime_of(auth_line).auth
    assert [(p.name, p.env) for p in auth.params] == params


def test_base_url_is_ascii_or_absent() -> None:
    assert runtime_of("@auth Bearer", "@base https://bücher.example/v1").default_base_url == (
        "https://xn--bcher-kva.example/v1"
    )
    assert runtime_of("@auth Bearer", "@base not a url").default_base_url is None
    assert runtime_of("@auth Bearer").default_base_url is None


SCHEMES = st.builds(
    scheme,
    st.sampled_from(["bearer", "basic", "oauth2", "apikey", "sigv4", "digest"]),
    st.one_of(st.none(), st.sampled_from(["X-Key", "key"])),
    st.one_of(st.none(), st.sampled_from(["header", "query", "cookie", "path"])),
)
CONFIGS = st.builds(
    Config,
    auth_kind=st.one_of(st.none(), st.sampled_from(["basic", "bearer", "apikey", "none"])),
    auth_key_name=st.one_of(st.none(), st.just("X-Configured")),
    auth_key_in=st.one_of(st.none(), st.sampled_from(["header", "query"])),
)
PARAM_COUNT = {"basic": 2, "bearer": 1, "apikey": 1, "none": 0}


@given(st.lists(SCHEMES, max_size=4), CONFIGS)
def test_auth_plan_is_always_one_the_client_template_can_print(
    schemes: list[ir.AuthScheme], config: Config
) -> None:
    """Any spec schemes and config: an API key has a name and a place, others have neither,
    and each kind has the credential arguments its branch of ``_client.py`` reads."""
    auth = auth_plan(
        ir.Auth(tuple(schemes), "raw", AT) if schemes else None, config, env_prefix="A"
    )
    if auth.kind == "apikey":
        assert auth.key_name and auth.key_in in ("header", "query")
    else:
        assert auth.key_name is None and auth.key_in is None
    assert len(auth.params) == PARAM_COUNT[auth.kind]
    if config.auth_kind is not None:
        assert auth.kind == config.auth_kind


def test_configured_api_key_without_a_name_goes_in_the_conventional_header() -> None:
    """``[auth] kind = "apikey"`` alone used to print the header name ``none``."""
    config = Config(auth_kind="apikey")
    plan = plan_of("@auth Bearer token", config=config)
    assert plan.runtime.auth == AuthPlan("apikey", plan.runtime.auth.params, "X-API-Key", "header")
    client = render(plan)[f"{plan.package}/_client.py"]
    assert 'auth_headers={"x-api-key": api_key}' in client
    assert '"none"' not in client


def test_configured_params_replace_the_defaults_in_order() -> None:
    params = (AuthParam("project_id", "P_ID", "The project."), AuthParam("secret", "P_SECRET"))
    auth = runtime_of("@auth Bearer", config=Config(auth_kind="basic", auth_params=params)).auth
    assert [(p.name, p.env, p.doc) for p in auth.params] == [
        ("project_id", "P_ID", "The project."),
        ("secret", "P_SECRET", ""),
    ]


def test_runtime_plan_is_frozen_data() -> None:
    """Nothing downstream can change what the client prints (it was a mutable dict)."""
    runtime = runtime_of("@auth Bearer", "@base https://api.example/v1")
    assert (runtime.package, runtime.title) == ("acme_widgets_api", "Acme Widgets API")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        runtime.auth = AuthPlan("none")  # type: ignore[misc]
