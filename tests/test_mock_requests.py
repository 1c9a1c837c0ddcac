"""Hostile requests to ``lapgen mock``, sent in process (``mock_support.call``, no sockets).

Each test covers one class of bad input found against the mock: malformed control headers,
over-large or over-deep bodies, too many headers, unknown keys that cannot go raw into a
header, and floods of refused requests or distinct control headers that grew the server.
Every answer must be a clear 4xx (never a 500, never an exception out of the app).
"""

from __future__ import annotations

import asyncio
import datetime
import email.utils
import json
import re
import string
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from mock_support import AUTH_HEADER, Answer, asgi_call, call, stytch_app, stytch_plan

from generator.config import Config
from generator.frontend import parse
from generator.mock import (
    CONTROL_KEYS,
    DEFAULT_LIMITS,
    ControlError,
    Limits,
    MockApp,
    MockError,
    json_depth,
    parse_control,
)
from generator.plan import build_plan

APP = stytch_app()
JSON = (b"content-type", b"application/json")
SEARCH = "/v1/users/search"  # POST, every body field optional
_API, _PLAN = stytch_plan()
SEARCH_PARAMS = _API.declared_params(
    next(e for e in _API.endpoints if (e.method, e.path) == ("POST", SEARCH))
)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# What h11 lets into a header value: visible ASCII, space, tab, and bytes 0x80-0xFF.
HEADER_TEXT = st.text(
    st.characters(codec="latin-1", blacklist_characters="\r\n\0", blacklist_categories=["Cc"]),
    max_size=40,
)


def control(value: str, path: str = "/v1/users/u1") -> Answer:
    return call(APP, "GET", path, headers=[AUTH_HEADER, (b"x-lapgen-mock", value.encode())])


def search(body: bytes, app: MockApp = APP, **options: Any) -> Answer:
    return call(app, "POST", SEARCH, headers=[AUTH_HEADER, JSON], body_chunks=[body], **options)


def assert_refused(answer: Answer, status: int, error_type: str, *words: str) -> None:
    assert answer.status == status, answer.body
    error = answer.json()
    assert error["status_code"] == status and error["error_type"] == error_type, error
    for word in words:
        assert word in error["error_message"], error


def assert_header_safe(answer: Answer) -> None:
    """Every header value is printable ASCII: h11 refuses CR, LF and controls, and starlette
    cannot encode anything past latin-1."""
    for name, value in answer.headers:
        assert re.fullmatch(rb"[\x20-\x7e]*", value), (name, value)


# ---------------------------------------------------------------------------------------------
# The control header
# ---------------------------------------------------------------------------------------------

NOT_A_NUMBER = HEADER_TEXT.map(str.strip).filter(
    lambda text: not re.fullmatch(r"\d+(\.\d+)?", text) and not re.search("[;,=]", text)
)
BAD_VALUES = {
    "status": st.one_of(
        NOT_A_NUMBER,
        st.integers(max_value=199).map(str),
        st.integers(min_value=600).map(str),
        st.sampled_from(["2e2", "0x1f4", "200.0", "+200", "٢٠٠"]),
    ),
    "delay": st.one_of(
        NOT_A_NUMBER,
        st.floats(min_value=30.001, allow_infinity=False).map(lambda f: f"{f:f}"),
        st.sampled_from(["1e9", "-1", "nan", "inf", "0x10", "1_0"]),
    ),
    "times": st.one_of(
        NOT_A_NUMBER,
        st.integers(max_value=0).map(str),
        st.integers(min_value=1_000_001).map(str),
        st.sampled_from(["x", "1.5", "1e3"]),
    ),
    "retry-after": st.one_of(
        NOT_A_NUMBER.filter(lambda text: not text.endswith("GMT")),
        st.sampled_from(["-1", "1e3", "Sun, 6 Nov 1994 08:49:37 GMT"]),
    ),
}


@PROPERTY
@given(data=st.data(), key=st.sampled_from(sorted(BAD_VALUES)))
def test_a_malformed_control_value_is_a_400_naming_the_directive(
    data: st.DataObject, key: str
) -> None:
    value = data.draw(BAD_VALUES[key], label="value")
    answer = control(f"{key}={value}")
    assert_refused(answer, 400, "invalid_control", key)
    with pytest.raises(ControlError):
        parse_control(f"{key}={value}")


@PROPERTY
@given(key=HEADER_TEXT.map(str.strip).filter(lambda k: k and not re.search("[;,=]", k)))
def test_an_unknown_control_directive_is_a_400(key: str) -> None:
    answer = control(f"{key}=1")
    if key.lower() in CONTROL_KEYS:
        assert answer.status != 500
    else:
        assert_refused(answer, 400, "invalid_control", "unknown directive")


@pytest.mark.parametrize(
    ("header", "words"),
    [
        ("status", "needs a value"),
        ("status=", "needs a value"),
        ("drop=1", "takes no value"),
        ("status=429; status=503", "twice"),
        ("delay=1; DELAY=2", "twice"),
    ],
)
def test_control_header_grammar_errors(header: str, words: str) -> None:
    assert_refused(control(header), 400, "invalid_control", words)


@PROPERTY
@given(
    status=st.integers(200, 599),
    delay=st.decimals(0, 30, places=3),
    times=st.integers(1, 1_000_000),
    retry=st.integers(0, 999_999_999),
    drop=st.booleans(),
    separator=st.sampled_from(["; ", ";", ",", " , "]),
)
def test_well_formed_control_headers_parse(
    status: int, delay: Any, times: int, retry: int, drop: bool, separator: str
) -> None:
    parts = [f"STATUS={status}", f"delay = {delay}", f"times={times}", f"retry-after={retry}"]
    parts += ["drop"] if drop else []
    fault = parse_control(separator.join(parts))
    assert (fault.status, fault.delay, fault.times, fault.retry_after, fault.drop) == (
        status,
        float(delay),
        times,
        str(retry),
        drop,
    )


@pytest.mark.parametrize(
    "limits",
    [{"max_body_bytes": 0}, {"header_timeout": float("nan")}, {"max_delay": -1}, {"keep_alive": 0}],
)
def test_nonsense_limits_are_refused(limits: dict[str, Any]) -> None:
    with pytest.raises(MockError, match="every mock limit must be a positive number"):
        Limits(**limits)


def test_the_server_delay_is_checked_and_the_total_capped() -> None:
    with pytest.raises(MockError, match="delay must be from 0 to 30"):
        stytch_app(delay=31)
    with pytest.raises(MockError, match="fail rate must be from 0 to 1"):
        stytch_app(fail_rate=2)
    app = stytch_app(delay=20)
    assert app._fault("delay=25").delay == DEFAULT_LIMITS.max_delay


# ---------------------------------------------------------------------------------------------
# Bodies
# ---------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    depth=st.integers(DEFAULT_LIMITS.max_json_depth + 1, 50_000),
    opener=st.sampled_from([b"[", b'{"a":', b'[{"b":', b' [ "]", ']),
    closed=st.booleans(),
)
@example(depth=100_000, opener=b"[", closed=True)  # the 500 found: 100,000 deep
def test_json_nested_too_deep_is_a_400(depth: int, opener: bytes, closed: bool) -> None:
    closer = {b"[": b"]", b'{"a":': b"}", b'[{"b":': b"}]", b' [ "]", ': b"]"}[opener]
    body = opener * depth + (b"1" + closer * depth if closed else b"")
    assert_refused(search(body), 400, "invalid_request", "deeper than 64")


@PROPERTY
@given(depth=st.integers(0, 64), noise=st.text(alphabet='[]{}"\\', max_size=10))
def test_json_depth_counts_brackets_outside_strings(depth: int, noise: str) -> None:
    body = json.dumps(json.loads("[" * depth + json.dumps(noise) + "]" * depth))
    assert json_depth(body.encode()) == depth
    answer = search(("[" * depth + "1" + "]" * depth).encode()) if depth else None
    assert answer is None or answer.status == 400  # a JSON array is not an object


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)


@PROPERTY
@given(body=st.one_of(st.binary(max_size=200), JSON_VALUES.map(lambda v: json.dumps(v).encode())))
def test_any_body_gets_a_clean_answer(body: bytes) -> None:
    answer = search(body)
    assert answer.status in (200, 400), answer.body
    assert_header_safe(answer)
    if answer.status == 400:
        assert answer.json()["error_type"] in ("invalid_request", "wrong_type")


SMALL = Limits(max_body_bytes=1000)


@PROPERTY
@given(sizes=st.lists(st.integers(0, 400), min_size=1, max_size=8))
def test_a_body_over_the_limit_is_a_413_however_it_is_chunked(sizes: list[int]) -> None:
    app = stytch_app(SMALL)
    chunks = [b"{}"] + [b" " * size for size in sizes]
    answer = call(app, "POST", SEARCH, headers=[AUTH_HEADER, JSON], body_chunks=chunks)
    if sum(map(len, chunks)) > SMALL.max_body_bytes:
        assert_refused(answer, 413, "body_too_large", "1000 bytes")
        assert answer.header("connection") == "close"
    else:
        assert answer.status == 200, answer.body


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    length = (b"content-length", str(100 * 1024 * 1024).encode())
    answer = call(APP, "POST", SEARCH, headers=[AUTH_HEADER, JSON, length], body_chunks=[b"{}"])
    assert_refused(answer, 413, "body_too_large", str(DEFAULT_LIMITS.max_body_bytes))
    assert answer.header("connection") == "close"
    assert search(b" " * (DEFAULT_LIMITS.max_body_bytes + 1)).status == 413


@PROPERTY
@given(extra=st.integers(1, 200))
def test_too_many_header_lines_is_a_431(extra: int) -> None:
    headers = [AUTH_HEADER] + [(b"x-filler", b"1")] * (DEFAULT_LIMITS.max_headers - 1 + extra)
    answer = call(APP, "GET", "/v1/users/u1", headers=headers)
    assert_refused(answer, 431, "headers_too_large", "at most 100")
    headers = headers[: DEFAULT_LIMITS.max_headers]
    assert call(APP, "GET", "/v1/users/u1", headers=headers).status == 200


# ---------------------------------------------------------------------------------------------
# Warnings
# ---------------------------------------------------------------------------------------------


@PROPERTY
@given(
    body_keys=st.lists(st.text(min_size=1, max_size=12), max_size=4, unique=True),
    query_keys=st.lists(
        st.text(string.ascii_letters + "é\r\n;%ü€ ", min_size=1, max_size=8),
        max_size=3,
        unique=True,
    ),
)
def test_unknown_keys_are_warned_about_in_printable_ascii(
    body_keys: list[str], query_keys: list[str]
) -> None:
    # The fields the search endpoint declares are not unknown (and 1 is not their type).
    declared = set(SEARCH_PARAMS)
    body_keys = [key for key in body_keys if key not in declared and not key.startswith("zz_")]
    query = "&".join(f"zz_{key.encode().hex()}{key}=1" for key in query_keys)
    body = json.dumps({key: 1 for key in body_keys}).encode()
    answer = search(body, query=query.encode())
    assert answer.status == 200, answer.body
    assert_header_safe(answer)
    warning = answer.header("x-lapgen-mock-warning")
    if not body_keys and not query_keys:
        assert warning is None
        return
    assert warning is not None
    decoded = {unquote(item) for item in warning.split("; ")}
    assert {f"unknown body field {key}" for key in body_keys} <= decoded
    assert len(decoded) == len(body_keys) + len({key for key in query_keys})


def test_a_long_warning_is_cut_between_warnings() -> None:
    body = json.dumps({f"field_{index:04d}_{'é' * 20}": 1 for index in range(200)}).encode()
    warning = search(body).header("x-lapgen-mock-warning")
    assert warning is not None and len(warning) <= DEFAULT_LIMITS.max_warning_chars
    *shown, rest = warning.split("; ")
    assert re.fullmatch(r"and \d+ more", rest) and int(rest.split()[1]) + len(shown) == 200
    assert all(unquote(item).startswith("unknown body field field_") for item in shown)


# ---------------------------------------------------------------------------------------------
# Floods: what the server remembers stays bounded
# ---------------------------------------------------------------------------------------------


def test_twenty_thousand_refusals_keep_a_bounded_record() -> None:
    app = stytch_app()

    async def flood() -> list[int]:
        paths = [f"/v1/nowhere/{index}/{'x' * 4000}" for index in range(20_000)]
        return [(await asgi_call(app, "GET", path)).status for path in paths]

    assert set(asyncio.run(flood())) == {404}
    assert app.refused_count == 20_000
    assert len(app.refused) == DEFAULT_LIMITS.max_refused
    assert app.refused[-1].startswith("GET /v1/nowhere/19999/")
    assert app.refused[0].startswith(f"GET /v1/nowhere/{20_000 - DEFAULT_LIMITS.max_refused}/")
    assert max(len(entry) for entry in app.refused) <= 500


def test_distinct_times_headers_keep_a_bounded_count() -> None:
    app = stytch_app(Limits(max_fault_keys=50))
    for index in range(300):
        assert app._fault(f"status=429; times=1; id={index}").status == 429
    assert len(app._fault_counts) == 50
    # The newest keys are still counted: a repeat is past its one time.
    assert app._fault("status=429; times=1; id=299").status is None


# ---------------------------------------------------------------------------------------------
# Anything at all
# ---------------------------------------------------------------------------------------------

PATHS = sorted({route.template for route in APP.routes})
PATH_NOISE = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30)


@PROPERTY
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    path=st.one_of(
        st.sampled_from(PATHS).map(lambda template: re.sub(r"\{+[^{}]+\}+", "x%2Fy", template)),
        PATH_NOISE.map(lambda noise: "/v1/" + noise),
    ),
    query=st.binary(max_size=40),
    headers=st.lists(
        st.tuples(
            st.sampled_from([b"x-lapgen-mock", b"authorization", b"content-length", b"x-other"]),
            st.binary(max_size=30).map(lambda value: value.replace(b"\r", b"").replace(b"\n", b"")),
        ),
        max_size=4,
    ),
    body=st.binary(max_size=60),
)
def test_any_request_gets_a_clean_answer(
    method: str, path: str, query: bytes, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    """Whatever arrives, the app answers (no exception, no 5xx except a forced one) with
    headers h11 can send."""
    answer = call(
        APP, method, path, headers=[AUTH_HEADER, *headers], body_chunks=[body], query=query
    )
    forced = any(key == b"x-lapgen-mock" for key, _ in headers)
    assert answer.status < 500 or forced, answer.body
    assert_header_safe(answer)


@settings(max_examples=50, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime.datetime(1970, 1, 1), max_value=datetime.datetime(2100, 1, 1)
    ),
    separator=st.sampled_from([";", ",", "; ", ", "]),
)
def test_retry_after_takes_any_http_date(moment: datetime.datetime, separator: str) -> None:
    date = email.utils.format_datetime(moment.replace(tzinfo=datetime.UTC), usegmt=True)
    fault = parse_control(f"status=429{separator}retry-after={date}{separator}times=2")
    assert (fault.status, fault.retry_after, fault.times) == (429, date, 2)


# -- the path of `@base` ------------------------------------------------------------------------

BASE_SEGMENTS = st.lists(st.from_regex(r"[a-z0-9_-]{1,6}", fullmatch=True), min_size=1, max_size=3)


@settings(max_examples=40, deadline=None)
@given(segments=BASE_SEGMENTS, under_base=st.booleans())
def test_routes_are_served_at_the_root_and_under_the_base_path(
    segments: list[str], under_base: bool
) -> None:
    """An SDK whose base_url keeps `@base`'s path reaches the same routes as one without it;
    a path that is neither is still a 404."""
    base_path = "/" + "/".join(segments)
    text = (
        f"@lap v0.3\n@api Notes\n@base https://api.example.com{base_path}\n"
        "@endpoint GET /notes/{id}\n@required {id: str}\n@returns(200) {id: str}\n@end\n"
    )
    api = parse(text)
    plan = build_plan(api, Config(), spec_name="n.lap", spec_bytes=text.encode())
    app = MockApp(api, plan)
    prefix = base_path if under_base else ""
    found = call(app, "GET", f"{prefix}/notes/n-1")
    assert found.status == 200, found.body
    assert set(found.json()) == {"id"}
    assert call(app, "GET", f"{base_path}x/notes/n-1").status == 404
