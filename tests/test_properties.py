"""Property tests: damaged real specs and arbitrary bytes never crash the front end.

``read_spec`` must return a result for any input; ``parse`` may only raise ``LapError``.
"""

from __future__ import annotations

import os
import tracemalloc
from functools import lru_cache

from conftest import SAMPLES_DIR, STYTCH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import mock
from generator.config import Config
from generator.diagnostics import Diagnostic, LapError, visible
from generator.frontend import ParseResult, parse, read_spec, source_lines
from generator.plan import PlanError, build_plan

# `nox -s fuzz` multiplies every example count here (LAPGEN_FUZZ_SCALE=20 by default there).
SCALE = int(os.environ.get("LAPGEN_FUZZ_SCALE", "1"))

SAMPLES = [
    "fixture-special_chars.lap",
    "example-protobuf-user.lap",
    "example-smithy-weather.lap",
    "openapi-petstore.lean.lap",
    "openapi-stripe-charges.lap",
    "postman-paginated.lap",
]
HEADER_LINES = 12  # Stytch's header, up to and including its first @group


@lru_cache(maxsize=1)
def bases() -> list[bytes]:
    texts = [(SAMPLES_DIR / name).read_bytes() for name in SAMPLES]
    lines = STYTCH.read_bytes().split(b"\n")
    # Slices of Stytch: the header, then 25 lines from here and there (some are 20 KB long).
    texts += [
        b"\n".join(lines[:HEADER_LINES] + lines[start : start + 25])
        for start in range(HEADER_LINES, len(lines), 150)
    ]
    return texts


STRUCTURE = b"{}[](),:?=!<>#|@"
CHARS = [bytes([c]) for c in STRUCTURE] + [
    b" ",
    b"\n",
    b"\r",
    b"\t",
    b"\x00",
    b"\xff",
    "→".encode(),
    b"\\",
]
CHUNKS = [
    b", x: str",
    b"# note",
    b"@end\n",
    b"@endpoint GET /a\n",
    b"@group g\n",
    b"map{",
    b"str(",
    b"@lap v0.3\n",
]

# One edit: (kind, where, what); `where` is reduced modulo the text's length.
edits = st.tuples(
    st.sampled_from(
        [
            "flip",
            "insert",
            "delete",
            "cut",
            "cut_line",
            "drop_line",
            "swap_lines",
            "drop",
            "duplicate",
        ]
        + ["chunk", "nest", "digits"]
    ),
    st.integers(min_value=0, max_value=2**20),
    st.integers(min_value=0, max_value=255),
)


def apply(text: bytes, edit: tuple[str, int, int]) -> bytes:
    kind, where, what = edit
    if not text:
        return bytes([what])
    i = where % len(text)
    lines = text.split(b"\n")
    n = where % len(lines)
    if kind == "flip":  # any byte, so invalid UTF-8 and NUL too
        return text[:i] + bytes([what]) + text[i + 1 :]
    if kind == "insert":
        return text[:i] + CHARS[what % len(CHARS)] + text[i:]
    if kind == "delete":
        return text[:i] + text[i + 1 + what % 8 :]
    if kind == "cut":
        return text[:i]
    if kind == "cut_line":  # the line ends early, the rest of the file stays
        lines[n] = lines[n][: what % (len(lines[n]) + 1)]
        return b"\n".join(lines)
    if kind == "drop_line":
        return b"\n".join(lines[:n] + lines[n + 1 :])
    if kind == "swap_lines":
        m = what % len(lines)
        lines[n], lines[m] = lines[m], lines[n]
        return b"\n".join(lines)
    if kind == "chunk":
        return text[:i] + CHUNKS[what % len(CHUNKS)] + text[i:]
    if kind == "nest":  # a type nested up to 2000 deep: `[[…[str]…]]` or `map{a: map{…}}`
        return _at_one(text, b": str", where, _nest(what))
    if kind == "digits":  # a number thousands of digits long: counts, defaults, codes
        return _at_one(text, b"1", where, b"1" * (what * 40 + 1))
    # drop or duplicate one occurrence of a structural character: { } [ ] ( ) , : …
    char = STRUCTURE[what % len(STRUCTURE)]
    positions = [p for p, c in enumerate(text) if c == char]
    if not positions:
        return text
    p = positions[where % len(positions)]
    return text[:p] + text[p + 1 :] if kind == "drop" else text[:p] + text[p : p + 1] + text[p:]


def _at_one(text: bytes, old: bytes, where: int, new: bytes) -> bytes:
    """Replace one occurrence of ``old`` (the ``where``-th, cyclically) with ``new``."""
    count = text.count(old)
    if not count:
        return text
    start = -1
    for _ in range(where % count + 1):
        start = text.index(old, start + 1)
    return text[:start] + new + text[start + len(old) :]


def _nest(what: int) -> bytes:
    depth = what * 8 + 1
    if what % 2:
        return b": " + b"[" * depth + b"str" + b"]" * depth
    return b": " + b"map{a: " * depth + b"str" + b"}" * depth


@st.composite
def damaged_specs(draw: st.DrawFn) -> bytes:
    text = draw(st.sampled_from(bases()))
    for edit in draw(st.lists(edits, min_size=1, max_size=4)):
        text = apply(text, edit)
    return text


def check(data: bytes | str, accelerate: bool = True) -> ParseResult:
    """Everything that must hold for any input; returns the result for further checks."""
    result = read_spec(data, accelerate=accelerate)  # must not raise
    assert isinstance(result, ParseResult)
    assert (result.api is None) == bool(result.errors)
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    last_line = text.count("\n") + text.count("\r") + 1
    lines = source_lines(text)
    for diagnostic in result.diagnostics:
        assert diagnostic.severity in ("error", "warning")
        assert diagnostic.message
        assert 1 <= diagnostic.line <= last_line
        assert diagnostic.column >= 1
        assert_nothing_invisible(diagnostic, lines)
    try:
        api = parse(data)
    except LapError as exc:
        assert result.api is None
        assert exc.diagnostics == list(result.errors)
    else:
        assert api == result.api
    return result


def assert_nothing_invisible(diagnostic: Diagnostic, lines: list[str]) -> None:
    """What reaches a terminal holds no control, bidi or zero-width character from the spec."""
    rendered = diagnostic.render("spec.lap", lines)
    assert all(visible(line) == line for line in rendered.split("\n")), ascii(rendered)


SETTINGS = settings(
    max_examples=300 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(damaged_specs())
def test_damaged_specs_never_crash(data: bytes) -> None:
    check(data)


@settings(max_examples=60 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_specs())
def test_damaged_specs_never_crash_the_pure_python_parser(data: bytes) -> None:
    fast = check(data)
    assert check(data, accelerate=False) == fast


@SETTINGS
@given(st.binary(max_size=2000), st.booleans())
def test_arbitrary_bytes_never_crash(data: bytes, with_header: bool) -> None:
    check(b"@lap v0.3\n@api X\n" + data if with_header else data)


@settings(max_examples=150 * SCALE, deadline=None)
@given(st.text(max_size=500))
def test_arbitrary_text_never_crashes(text: str) -> None:
    check("@lap v0.3\n" + text)


def test_the_edits_damage_the_specs() -> None:
    """The property above is only worth something if the edits break specs in many ways."""
    base = bases()[0]
    messages = set()
    for kind in ["drop", "duplicate", "cut_line", "flip", "chunk"]:
        for what in range(len(STRUCTURE)):
            result = read_spec(apply(base, (kind, 7, what)))
            messages.update(d.message.split(" ")[0] for d in result.errors)
    assert len(messages) >= 5, messages


# -- hostile names and text that reach the planner and the mock --------------------------------

HOSTILE_CHARS = st.sampled_from(
    [
        '"',
        "\\",
        "'",
        "\x1b",
        "\x07",
        "\u202e",
        "\u200b",
        "\u2028",
        "{",
        "}",
        "%",
        " ",
        "é",
        "a",
        "-",
    ]
)
HOSTILE_NAMES = st.text(HOSTILE_CHARS, min_size=1, max_size=6).filter(lambda name: "{" not in name)


@settings(max_examples=80 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_NAMES, HOSTILE_NAMES, st.sampled_from(["GET", "PUT"]))
def test_hostile_path_params_never_crash_plan_or_mock(name: str, other: str, method: str) -> None:
    """A spec the front end accepts plans and mocks; one it refuses has a positioned error."""
    text = (
        "@lap v0.3\n@api Hostile\n"
        f"@endpoint {method} /a/{{{name}}}/b/{{{other}}}\n"
        f"@required {{{name}: str, {other}: int, x: str}}\n@end\n"
    )
    result = check(text)
    if result.api is None:
        return
    try:
        plan = build_plan(result.api, Config(), spec_name="h.lap", spec_bytes=text.encode())
    except PlanError:
        return  # a refusal with a message is fine; a KeyError is not
    mock._routes(result.api, plan)


def test_path_param_names_with_quotes_backslashes_or_controls_are_refused() -> None:
    for bad in ['x"y', "x\\y", "x\x1by", "x\u202ey"]:
        result = read_spec(f"@lap v0.3\n@api T\n@endpoint GET /a/{{{bad}}}\n@end\n")
        (error,) = result.errors
        assert (error.line, error.column) == (3, 20), bad
        assert visible(error.message) == error.message


def test_a_megabyte_comment_line_parses_in_memory_linear_in_its_size() -> None:
    """A ~1 MB comment of `a, a, …` (a 6 MB one took 1 GB): the peak stays a small multiple."""
    line = "@optional {q: str # " + "a, " * 350_000 + "}"
    text = f"@lap v0.3\n@api T\n@endpoint GET /a\n{line}\n@end\n"
    read_spec(text)  # build and cache the parser outside the measurement
    tracemalloc.start()
    try:
        result = read_spec(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.api is not None
    assert result.api.endpoints[0].optional[0].comment is not None
    assert peak < 30 * len(text), (peak, len(text))


@settings(max_examples=100 * SCALE, deadline=None)
@given(st.text(st.characters(categories=("Cc", "Cf", "Zl", "Zp", "Co")), min_size=1, max_size=8))
def test_control_and_bidi_characters_are_escaped_in_diagnostics(junk: str) -> None:
    for text in (
        f"@lap v0.3\n@api T\n@endpoint GET /a{junk}\n@end\n",
        f"@lap v0.3\n@api T\n@endpoint GET /a\n@required {{{junk}: %}}\n@end\n",
        f"@lap v0.3\n@api T\n@frob{junk}\n@end\n",
        f"{junk}@lap v0.3\n",
    ):
        check(text)
