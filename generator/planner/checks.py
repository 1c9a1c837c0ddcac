"""The planner's checks of the spec as a whole: what refuses an SDK, and the header's warnings.

Shared by ``build_plan`` and ``plan_warnings`` (what ``lapgen validate`` asks).
"""

from __future__ import annotations

import re

from .. import ir
from ..diagnostics import Diagnostic
from ..escape import ascii_url, is_header_name
from ..naming import snake
from .types import PlanError


def default_package_name(api_name: str) -> str:
    """``Stytch API`` → ``stytch_api``; ``Swagger Petstore - OpenAPI 3.0`` → ``swagger_petstore_api``."""
    title = re.split(r"\s[-–(:]\s?", api_name, maxsplit=1)[0]
    kept = [
        word
        for word in re.split(r"[^0-9a-z]+", title.lower())
        if word
        and word not in ("api", "apis", "rest", "openapi", "http")
        and not re.fullmatch(r"v?\d+", word)
    ]
    name = "_".join(kept)[:30].strip("_") or "client"
    return snake(f"{name}_api")


def refuse_non_http(api: ir.API) -> None:
    bad = [e for e in api.endpoints if e.method not in ir.HTTP_METHODS]
    if bad:
        raise PlanError(
            [
                Diagnostic(
                    "error",
                    f"cannot generate an HTTP SDK: method {e.method} of {e.path} is not HTTP",
                    e.pos.line,
                    e.pos.column,
                )
                for e in bad
            ]
        )


def refuse_bad_header_keys(api: ir.API) -> None:
    """An API key sent in a header needs a name httpx can send (checked before rendering)."""
    if api.auth is None:
        return
    for scheme in api.auth.schemes:
        name = scheme.key_name
        if scheme.kind == "apikey" and scheme.key_in == "header" and name:
            if is_header_name(name):
                continue
            message = f"API key name {name!r} is not an HTTP header name"
            raise PlanError([Diagnostic("error", message, api.auth.pos.line, api.auth.pos.column)])


def header_warnings(api: ir.API, api_version: str | None, version: str) -> list[Diagnostic]:
    """``@base`` a client cannot use, a version that is not PEP 440 (the package's is
    ``version``)."""
    warnings = []
    if api.base_url and ascii_url(api.base_url) is None:
        warnings.append(
            Diagnostic(
                "warning",
                f"@base {api.base_url!r} is not an http(s) URL the client can use: "
                "the client will need base_url=",
                api.directive_pos("base").line,
                api.directive_pos("base").column,
            )
        )
    if api_version and version != api_version:
        warnings.append(
            Diagnostic(
                "warning",
                f"version {api_version!r} is not a PEP 440 version: the package is {version!r} "
                f"(the API's version stays in __api_version__)",
                api.directive_pos("version").line,
                api.directive_pos("version").column,
            )
        )
    return warnings
