"""Header values and base URLs the generated runtime refuses, and how it says so.

Every header value the SDK sends (a credential, `default_headers`, `extra_headers`, a header
parameter) is checked with h11's rule for a field value, so that h11 never refuses it later
with an error quoting it; the refusal is a ValueError that names the header, never shows the
value and chains nothing. A base URL with a user name or password is refused, and a refused
base URL is shown without its userinfo, query or fragment.

Run over real 127.0.0.1 sockets (h11 is the point) against the committed Stytch SDK and the
golden corner-cases SDK (a bearer credential).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any, BinaryIO

import h11._abnf  # the rule itself, as the installed h11 writes it
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from runtime_servers import LocalServer, Received, h11_sends, head, send_all
from sdk_support import GOLDEN, import_committed_sdk

H11_NAME = re.compile(h11._abnf.field_name.encode("ascii"))
MARK = "SeCrEt"
# ASCII with every control character, some text past ASCII and a lone surrogate.
HEADER_CHARS = st.one_of(
    st.characters(max_codepoint=0x7F), st.sampled_from(["é", "\u2028", "\x85", "\ud800"])
)
HEADER_TEXT = st.text(HEADER_CHARS, max_size=8)


@pytest.fixture(scope="module")
def stytch() -> ModuleType:
    return import_committed_sdk()


@pytest.fixture(scope="module")
def corners() -> ModuleType:
    root = str(GOLDEN / "corners")
    sys.path.insert(0, root)
    try:
        return importlib.import_module("corner_cases_api")
    finally:
        sys.path.remove(root)


def not_found(request: Received, wfile: BinaryIO) -> None:
    send_all(wfile, head(404, {"content-length": "2", "content-type": "application/json"}))
    wfile.write(b"{}")


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(not_found) as local:
        yield local
    assert not local.errors, local.errors


def texts_of(error: BaseException, seen: set[int] | None = None) -> Iterator[str]:
    """The message, args and repr of `error` and of every error it chains."""
    seen = set() if seen is None else seen
    if id(error) in seen:
        return
    seen.add(id(error))
    yield str(error)
    yield repr(error)
    yield from (repr(arg) for arg in error.args)
    for chained in (error.__cause__, error.__context__):
        if chained is not None:
            yield from texts_of(chained, seen)


@settings(max_examples=300, deadline=None)
@given(name=st.text(HEADER_CHARS, max_size=6), value=HEADER_TEXT)
def test_the_runtime_checks_headers_exactly_as_h11_does(
    corners: ModuleType, name: str, value: str
) -> None:
    runtime = sys.modules["corner_cases_api._base_client"]
    assert runtime._sendable_value(value) == h11_sends(value)
    h11_name = name.isascii() and H11_NAME.fullmatch(name.encode("ascii")) is not None
    assert runtime._sendable_name(name) == h11_name


def test_every_character_is_checked_as_h11_checks_it(corners: ModuleType) -> None:
    runtime = sys.modules["corner_cases_api._base_client"]
    for code in range(0x100):
        char = chr(code)
        for value in (char, f"a{char}b", f"a{char}", f"{char}b", f"a{char}{char}b"):
            assert runtime._sendable_value(value) == h11_sends(value), repr(value)
        for name in (char, f"a{char}b"):
            h11_name = name.isascii() and H11_NAME.fullmatch(name.encode("ascii")) is not None
            assert runtime._sendable_name(name) == h11_name, repr(name)


PLACES = ("credential", "default_headers", "extra_headers", "header_param")


def send_in(stytch: ModuleType, corners: ModuleType, url: str, place: str, value: str) -> str:
    """Send `value` in `place`; the name and the value the server must receive."""
    if place == "header_param":
        client: Any = stytch.Client(project_id="p", secret="s", base_url=url, max_retries=0)
        call = client.b2b.organizations.connected_apps
        with pytest.raises(stytch.errors.NotFoundError):
            call("org", x_stytch_member_session=value)
        return "x-stytch-member-session"
    options: dict[str, Any] = {"base_url": url, "max_retries": 0, "api_key": "k"}
    expected = ("x-token", value)
    if place == "credential":
        options["api_key"] = value
        expected = ("authorization", f"Bearer {value}")
    elif place == "default_headers":
        options["default_headers"] = {"X-Token": value}
    client = corners.Client(**options)
    with pytest.raises(corners.errors.NotFoundError):
        if place == "extra_headers":
            client.events.get("e1", extra_headers={"X-Token": value})
        else:
            client.events.get("e1")
    return "\n".join(expected)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(place=st.sampled_from(PLACES), text=HEADER_TEXT, before=st.booleans())
def test_a_header_value_is_sent_exactly_or_refused_before_sending_without_showing_it(
    stytch: ModuleType,
    corners: ModuleType,
    server: LocalServer,
    place: str,
    text: str,
    before: bool,
) -> None:
    value = text + MARK if before else MARK + text
    sent_value = f"Bearer {value}" if place == "credential" else value
    server.requests.clear()
    try:
        expected = send_in(stytch, corners, server.url, place, value)
    except ValueError as error:
        assert not h11_sends(sent_value), error
        assert server.requests == []
        for text_shown in texts_of(error):
            assert MARK not in text_shown and value not in text_shown, text_shown
        assert error.__cause__ is None and error.__context__ is None
        assert ("credential" if place == "credential" else "header") in str(error)
        return
    assert h11_sends(sent_value)
    (request,) = server.requests
    if place == "header_param":
        assert request.headers[expected] == value
    else:
        name, wire_value = expected.split("\n", 1)
        assert request.headers[name] == wire_value


def test_a_request_h11_refuses_chains_no_error_that_quotes_it(
    corners: ModuleType, server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: were a header to pass the checks and h11 still refuse it, the
    APIConnectionError neither says nor chains (cause or context) what h11 quoted."""
    runtime = sys.modules["corner_cases_api._base_client"]
    monkeypatch.setattr(runtime, "_sendable_value", lambda value: True)
    server.requests.clear()
    client = corners.Client(api_key="k", base_url=server.url, max_retries=0)
    with pytest.raises(corners.errors.APIConnectionError) as caught:
        client.events.get("e1", extra_headers={"X-Token": MARK + "\x0btail"})
    assert str(caught.value) == "Request not sent: Illegal header value."
    for text_shown in texts_of(caught.value):
        assert MARK not in text_shown, text_shown
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert server.requests == []


PASSWORD = st.text(st.characters(codec="utf-8", exclude_characters="@"), max_size=8).map(
    lambda text: "hunter2" + text
)
SAFE = st.text("abcxyz019-.", min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    user=SAFE,
    password=PASSWORD,
    host=SAFE,
    path=st.sampled_from(["", "/", "/v1", "/a@b"]),
    tail=st.sampled_from(["", "?", "?q=hunter2", "#hunter2", "?x#y"]),
    scheme=st.sampled_from(["https", "http", "ftp", ""]),
)
def test_a_base_url_with_a_password_is_refused_without_showing_it(
    corners: ModuleType, user: str, password: str, host: str, path: str, tail: str, scheme: str
) -> None:
    prefix = f"{scheme}://" if scheme else ""
    url = f"{prefix}{user}:{password}@{host}.io{path}{tail}"
    for client_class in (corners.Client, corners.AsyncClient):
        with pytest.raises(ValueError, match="Invalid base_url") as caught:
            client_class(api_key="k", base_url=url)
        for text_shown in texts_of(caught.value):
            assert "hunter2" not in text_shown, text_shown


def test_a_base_url_with_userinfo_is_refused(corners: ModuleType) -> None:
    with pytest.raises(ValueError, match="no user name or password") as caught:
        corners.Client(api_key="k", base_url="https://user:hunter2@x.io/v1")
    assert str(caught.value).startswith("Invalid base_url 'https://x.io/v1'")
    with pytest.raises(ValueError) as caught:
        corners.Client(api_key="k", base_url="https://user:hunter2@x.io/v1?")
    assert "hunter2" not in str(caught.value) and "user" not in str(caught.value)
