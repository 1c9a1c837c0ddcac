"""``generator.writer``: IR back to LAP text, ``parse(write(parse(x))) == parse(x)``."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_frontend import (
    AUTH_FORMS,
    COMMENTS,
    DEFAULTS,
    ERROR_FORMS,
    LAP_FILES,
    NAMES,
    TYPE_FORMS,
    ids,
    lap,
)
from test_properties import damaged_specs

from generator import ir
from generator.frontend import parse, read_spec
from generator.writer import write


def round_trip(api: ir.API) -> str:
    """Write ``api``, check that the text reads back as ``api`` and is stable; return it."""
    written = write(api)
    again = read_spec(written)
    assert again.errors == ()
    assert again.api == api
    assert write(again.api) == written
    return written


@pytest.mark.parametrize("path", LAP_FILES, ids=ids(LAP_FILES))
def test_real_files_round_trip(path: Path) -> None:
    api = parse(path.read_bytes())
    written = round_trip(api)
    assert written.count("\n@endpoint ") == len(api.endpoints)


def test_every_corner_round_trips() -> None:
    params = [f"p{i}: {written}" for i, (written, _) in enumerate(TYPE_FORMS)]
    params += [f"d{i}: {written}" for i, (written, _, _) in enumerate(DEFAULTS)]
    params += [f"{name}: str" for name in NAMES]
    params += [f"c{i}: str # {comment}" for i, comment in enumerate(COMMENTS)]
    api = parse(
        lap(
            "@base https://api.example.com",
            "@version 2.0",
            "@auth Bearer basic | ApiKey X-Key in header",
            "@common_fields {project_id: str # Your project, X-Trace: str?}",
            "@endpoints 4",
            "@hint download_for_search",
            "@toc g(2), h(1)",
            "@type User {id: str, role: enum(a/b), nested: map{x!: int}}",
            "@type google.rpc.Status {code: int}",
            "@type CityCoordinates {lat: num}",
            "@type Item {id: str}",
            "@x-future something new",
            "@endpoint POST /loose",
            "@desc Loose",
            *[f"@auth {written}" for written, _ in AUTH_FORMS[:1]],
            "@body → User",
            "@required {" + ", ".join(params) + "}",
            "@returns(200) {id: str} # Success, with comma",
            "@returns(201)",
            "@returns(OK) → [User]",
            "@returns(404) Not found: really, truly",
            *[f"@errors {written}" for written, _ in ERROR_FORMS],
            '@example_request {"a": [1, 2], "b": {"c": "d, e"}}',
            "@group g",
            "@endpoint GET /g1/{project_id}",
            "@endgroup",
            "@group empty",
            "@endgroup",
            "@group h",
            "@endpoint DELETE /h1",
            "@endgroup",
            "@group g",
            "@endpoint PUT /g2",
            "@endgroup",
        )
    )
    assert len(api.endpoints[0].required) == len(params)
    assert api.endpoints[0].auth is not None
    written = round_trip(api)
    assert "@group empty\n@endgroup" in written


@pytest.mark.parametrize("written, _", AUTH_FORMS, ids=[w for w, _ in AUTH_FORMS])
def test_auth_round_trips(written: str, _: object) -> None:
    round_trip(parse(lap(f"@auth {written}", "@endpoint GET /a", f"@auth {written}")))


def test_group_order_is_kept_when_the_first_group_is_empty_or_reopened() -> None:
    api = parse(
        lap(
            "@group a",
            "@endgroup",
            "@group b",
            "@endpoint GET /b",
            "@endgroup",
            "@group a",
            "@endpoint GET /a",
            "@endgroup",
            "@group c",
            "@endgroup",
        )
    )
    assert [group.name for group in api.groups] == ["a", "b", "c"]
    round_trip(api)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_specs())
def test_whatever_parses_round_trips(data: bytes) -> None:
    result = read_spec(data)
    if result.api is not None:
        round_trip(result.api)


def test_a_case_whose_code_cannot_follow_a_comma_gets_its_own_errors_line() -> None:
    api = parse(lap("@endpoint GET /a", "@errors {400: Bad}", "@errors {4011: Auth failed.}"))
    cases = [(case.code, case.description) for case in api.endpoints[0].errors]
    assert cases == [("400", "Bad"), ("4011", "Auth failed.")]
    written = round_trip(api)
    assert "@errors {400: Bad}\n@errors {4011: Auth failed.}\n" in written


# Codes that start a case after `, ` (`404`, `4XX`, `default`) and codes that do not (`4011`,
# `E1`, `default_x`); descriptions from the characters that steer the @errors grammar.
ERROR_CODES = st.one_of(
    st.sampled_from(["400", "404", "4XX", "default", "4011", "40", "E1", "default_x", "400-x"]),
    st.from_regex(r"[0-9A-Za-z_-]{1,5}", fullmatch=True),
)
ERROR_TEXTS = st.text(alphabet="ab 4015X:,{}.", max_size=12)


@st.composite
def error_lines(draw: st.DrawFn) -> list[str]:
    lines = []
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        cases = []
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            case = draw(ERROR_CODES)
            if draw(st.booleans()):
                case += ":" + draw(ERROR_TEXTS)
            cases.append(case)
        lines.append("@errors {" + ", ".join(cases) + "}")
    return lines


@settings(max_examples=200, deadline=None)
@given(error_lines())
def test_errors_lines_round_trip(lines: list[str]) -> None:
    result = read_spec(lap("@endpoint GET /a", *lines))
    if result.api is not None:
        round_trip(result.api)
