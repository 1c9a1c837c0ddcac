"""The line scanner reads what lark reads, into the same records, or leaves the text to lark.

``read_spec`` tries the scanner first (generator/frontend/scanner.py) and falls back to the
lark parser when the scanner gives up. The contract checked here: wherever the scanner returns
records they equal the records of lark's parse (positions included), and wherever lark refuses
the text the scanner gives up, so every diagnostic still comes from lark.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SPEC_FILES, STYTCH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark.exceptions import UnexpectedInput
from lark.load_grammar import eval_escaping
from test_properties import SCALE, damaged_specs

from generator.frontend import _parser, read_spec
from generator.frontend.records import _Line
from generator.frontend.scanner import _Scanner, scan
from generator.frontend.source import _check_header, _check_nesting, _normalize
from generator.frontend.terminals import grammar_text, terminal_sources

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.lap"))
REPO = Path(__file__).resolve().parents[1]


def prepared(text: str) -> str:
    """The text as read_spec hands it to either reader."""
    text = _normalize(text)
    return text if text.endswith("\n") else text + "\n"


def lark_records(text: str) -> list[_Line] | None:
    try:
        records: list[_Line] = _parser(True).parse(text)  # type: ignore[assignment]
    except UnexpectedInput:
        return None
    return records


def assert_scanner_agrees(source: str) -> list[_Line] | None:
    """The scanner's records are lark's, and it gives up wherever lark refuses the text."""
    text = prepared(source)
    expected, scanned = lark_records(text), scan(text)
    if expected is None:
        assert scanned is None, text
    elif scanned is not None:
        assert repr(scanned) == repr(expected), text  # repr: positions too, which == skips
    # And the whole result, diagnostics included, is the same either way.
    both = read_spec(source), read_spec(source, scanner=False)
    assert repr(both[0]) == repr(both[1])
    return scanned


@pytest.mark.parametrize("path", [*SPEC_FILES, *FIXTURES], ids=lambda path: path.name)
def test_every_real_spec_is_scanned_into_lark_records(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    scanned = assert_scanner_agrees(text)
    # The corpus is what the scanner is for: it reads every file lark reads.
    assert (scanned is None) == (lark_records(prepared(text)) is None), path.name


def test_the_scanner_lexes_with_the_grammars_own_terminals() -> None:
    lark_terminals = {
        terminal.name: terminal.pattern.value
        for terminal in _parser(True).terminals
        if type(terminal.pattern).__name__ == "PatternRE"
    }
    ours = terminal_sources()
    # lark turns the escapes `\t` and `\n` into the characters, which `re` reads alike.
    for pattern in ours.values():
        assert eval_escaping(pattern) == pattern.replace("\\t", "\t").replace("\\n", "\n")
    evaluated = {name: eval_escaping(pattern) for name, pattern in ours.items()}
    # lark names the terminals it builds from inline regexes itself; ours are the named ones.
    assert evaluated == {name: lark_terminals[name] for name in ours}
    assert {"FIELD_NAME", "NEXT_FIELD_NAME", "FIELD_COMMENT", "DEFAULT", "TYPE_NAME"} <= set(ours)


def test_every_directive_keyword_of_the_grammar_has_a_handler() -> None:
    keywords = set(re.findall(r'"(@\w+)"', grammar_text()))
    handlers = _Scanner("@lap v0.3\n").handlers()
    assert keywords == set(handlers), keywords ^ set(handlers)


def test_validating_stytch_neither_imports_lark_nor_falls_back_to_it() -> None:
    code = (
        "import sys\n"
        "import generator.frontend as frontend\n"
        "def refuse(*args, **kwargs): raise AssertionError('lark parsed the spec')\n"
        "frontend._parse_with_lark = refuse\n"
        "result = frontend.read_spec(open(sys.argv[1], 'rb').read())\n"
        "assert result.api is not None and len(result.api.endpoints) == 184\n"
        "assert 'lark' not in sys.modules, 'lark was imported'\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(STYTCH)], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_a_syntax_error_still_gets_lark_s_diagnostic() -> None:
    text = "@lap v0.3\n@api T\n@endpoint GET /a\n@required {a: str, b str}\n@end\n"
    assert scan(prepared(text)) is None
    (error,) = read_spec(text).errors
    assert (error.line, error.column) == (4, 18)
    assert error.message == "param 'b str' has no type (expected 'name: TYPE')"


# -- generated input -------------------------------------------------------------------------

SETTINGS = settings(
    max_examples=150 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(damaged_specs())
def test_damaged_real_specs_are_scanned_as_lark_parses_them(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace").replace("\x00", "")
    normal = _normalize(text)
    # What read_spec refuses before parsing reaches neither reader.
    if _check_header(normal) is None and _check_nesting(normal) is None:
        assert_scanner_agrees(text)


# Pieces of field blocks, types and directive lines, the hard ones included: names holding
# `:`, `!` and blanks; comments holding `,`, `{…}`, stray `}`; defaults with `#`, `,` and `[…]`.
NAMES = ["a", "b c", "x!", "a:b", "$ref", "'q'", "é", "a-b.c", "p/q"]
TYPES = [
    "str", "int(int32)", "str(a/b)", "str(ipv4/prefix_length)", "map", "map?", "[str]", "User",
    "map<str,int>", "map<str, X{a: int}>", "[User]{a: str}", "map?{a: int}", "T{b: [int]}",
    "map{c: str?}", "google.rpc.Status", "enum(x/y)", "[[str]]", "str(", "map<str>", "[",
]  # fmt: skip
SUFFIXES = ["", "?", "=1", "=a,b", "=#F00", " = [1, 2]", "=true", "?=null", "!", "=", " ?"]
COMMENTS = [
    "", " # c", " # a, b: str", " # {x: 1}", " # a } b", " # {", "#x", " # e.g. {a: {b: 1}}",
    " # 1, 2", " # x, Y: str", " # ends }",
]  # fmt: skip
SEPARATORS = [", ", ",", " , ", ",  ", ", ,"]


@st.composite
def field_blocks(draw: st.DrawFn) -> str:
    count = draw(st.integers(0, 4))
    fields = [
        f"{draw(st.sampled_from(NAMES))}: {draw(st.sampled_from(TYPES))}"
        f"{draw(st.sampled_from(SUFFIXES))}{draw(st.sampled_from(COMMENTS))}"
        for _ in range(count)
    ]
    text = "{" + draw(st.sampled_from(["", " "]))
    for index, field in enumerate(fields):
        text += (draw(st.sampled_from(SEPARATORS)) if index else "") + field
    return text + draw(st.sampled_from(["}", " }", "", "}}"]))


ERROR_CASES = [
    "400", "400: Bad", "404:NoSuch: gone", "4XX", "default: x", "500: {}", "400: a, b",
    "401: a } b", "402:", "403: , x", "409:T:", "410: e.g. {\"a\": 1}",
]  # fmt: skip


@st.composite
def directive_lines(draw: st.DrawFn) -> str:
    block = draw(field_blocks())
    kind = draw(st.integers(0, 9))
    if kind <= 3:
        return draw(st.sampled_from(["@required ", "@optional ", "@common_fields "])) + block
    if kind == 4:
        return "@type " + draw(st.sampled_from(["T", "T.x", " T"])) + " " + block
    if kind == 5:
        tail = draw(st.sampled_from(["", " # ok", " # a, b: str rest", " # x } y", " tail"]))
        return f"@returns({draw(st.sampled_from(['200', 'OK', '2XX']))}) {block}{tail}"
    if kind == 6:
        target = draw(st.sampled_from(TYPES + ["User {a: int}", "X", "→ Y"]))
        arrow = draw(st.sampled_from([" → ", " -> ", "→", " ", " => "]))
        return draw(st.sampled_from(["@body", "@returns(200)"])) + arrow + target
    if kind == 7:
        cases = draw(st.lists(st.sampled_from(ERROR_CASES), max_size=4))
        return "@errors {" + draw(st.sampled_from([", ", ",", " , "])).join(cases) + "}"
    if kind == 8:
        return draw(
            st.sampled_from(
                [
                    "@auth Bearer | ApiKey X-Key in header",
                    "@auth Bearer |",
                    "@auth",
                    "@toc a(1), b c(2)",
                    "@toc a(1),",
                    "@endpoints 12",
                    "@endpoints x",
                    "@desc",
                    "@desc text { with } braces",
                    "@x-new thing",
                    "@x:y",
                    "@lap v0.3",
                    "# a comment",
                    "  # not at the start",
                    "@returns(200) just text",
                    "@returns (200)",
                    "@returns(200)",
                    "@endpoint GET /a/{b c}",
                    "@endpoint get /a",
                    "@endgroup x",
                    "@apix",
                ]
            )
        )
    return "@endpoint POST /a"


@SETTINGS
@given(st.lists(directive_lines(), min_size=1, max_size=6))
def test_generated_directive_lines_are_scanned_as_lark_parses_them(lines: list[str]) -> None:
    text = "@lap v0.3\n@api T\n@endpoint GET /a\n" + "\n".join(lines) + "\n@end\n"
    assert_scanner_agrees(text)


def test_the_generated_lines_reach_both_readers() -> None:
    """The strategy is worth running: some lines scan, and some only lark judges."""
    samples = [
        "@required {a: str, b c: map<str, X{a: int}>=1 # x } y, q!: [User]{a: str}?}",
        "@errors {400: a, b, 404:NoSuch: gone, 4XX}",
        "@returns(200) {a: int} # a, b: str rest",
    ]
    for line in samples:
        text = f"@lap v0.3\n@api T\n@endpoint GET /a\n{line}\n@end\n"
        assert assert_scanner_agrees(text) is not None, line
    refused = "@lap v0.3\n@api T\n@endpoint GET /a\n@errors {403: , x}\n@end\n"
    assert scan(prepared(refused)) is None
