"""SIMPLE_FIELD (one token for `name: T`, `name: [T]?`, `name: map`) reads as the general rules.

The grammar reads most fields as one SIMPLE_FIELD token instead of FIELD_NAME, TYPE_NAME and
NULLABLE. These tests parse with the grammar as it is and with the same grammar without the
SIMPLE_FIELD alternatives, and require the same records (positions included) and the same
diagnostics, on every real spec and on generated field blocks full of the hard cases.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import SPEC_FILES, STYTCH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark, Token
from lark.exceptions import UnexpectedInput
from test_properties import SCALE

from generator.frontend import _parser
from generator.frontend.lines import _LineBuilder
from generator.frontend.source import _normalize
from generator.frontend.syntax import _syntax_diagnostic
from generator.frontend.terminals import grammar_text

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.lap"))


@lru_cache(maxsize=1)
def general_parser() -> Lark:
    """The grammar without SIMPLE_FIELD: every field read by the general rules."""
    lines = [
        line
        for line in grammar_text().split("\n")
        if "SIMPLE_FIELD" not in line or line.lstrip().startswith("//")
    ]
    grammar = "\n".join(lines)
    assert "SIMPLE_FIELD" not in re.sub(r"//.*", "", grammar)
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        transformer=_LineBuilder(),
        maybe_placeholders=True,
    )


def outcome(parser: Lark, text: str) -> str:
    """The records, or the diagnostic: where, and what was expected there.

    Which text a "unexpected …" quotes may differ: where the general rules took an odd token
    (an ERROR_TEXT from a merged lexer state) the one-token field is quoted instead.
    """
    try:
        return repr(parser.parse(text))
    except UnexpectedInput as exc:
        diagnostic = _syntax_diagnostic(exc, text, parser)
        message = re.sub(
            r"^unexpected .*?; expected ", "unexpected …; expected ", diagnostic.message
        )
        return f"{diagnostic.line}:{diagnostic.column}: {message}"


def assert_same_reading(source: str) -> None:
    text = _normalize(source)
    text = text if text.endswith("\n") else text + "\n"
    assert outcome(_parser(False), text) == outcome(general_parser(), text), text


@pytest.mark.parametrize("path", [*SPEC_FILES, *FIXTURES], ids=lambda path: path.name)
def test_every_real_spec_reads_as_without_simple_field(path: Path) -> None:
    assert_same_reading(path.read_text(encoding="utf-8"))


def test_simple_field_is_what_reads_most_stytch_fields() -> None:
    """The test above compares something: Stytch's fields mostly come as one token."""
    tree = Lark(grammar_text(), parser="lalr", lexer="contextual", maybe_placeholders=True).parse(
        STYTCH.read_text(encoding="utf-8")
    )
    seen = Counter(token.type for token in tree.scan_values(lambda v: isinstance(v, Token)))
    simple = seen["SIMPLE_FIELD"] + seen["NEXT_SIMPLE_FIELD"]
    general = seen["FIELD_NAME"] + seen["NEXT_FIELD_NAME"]
    assert simple > 2 * general > 0, seen


# Pieces of field blocks, the hard ones included: names holding `:`, `!` and blanks; types
# with args holding `:`; comments holding `,`, `{…}`, stray `}`; defaults with `#`, `,`, `[…]`.
NAMES = ["a", "b c", "x!", "a:b", "$ref", "'q'", "é", "a-b.c", "p:str(x", "n: m"]
TYPES = [
    "str", "int(int32)", "str(a/b)", "str(x: y)", "map", "map?", "[str]", "User", "[map]",
    "map<str,int>", "map<str, X{a: int}>", "[User]{a: str}", "map?{a: int}", "T{b: [int]}",
    "map{c: str?}", "google.rpc.Status", "enum(x/y)", "[[str]]", "str(", "map<str>", "[",
    "[str]?", "str?", "T ", "[ str]",
]  # fmt: skip
SUFFIXES = ["", "?", "=1", "=a,b", "=#F00", " = [1, 2]", "=true", "?=null", "!", "=", " ?", "??"]
COMMENTS = [
    "", " # c", " # a, b: str", " # {x: 1}", " # a } b", " # {", "#x", " # 1, 2",
    " # x, Y: str", " # ends }",
]  # fmt: skip
SEPARATORS = [", ", ",", " , ", ",  ", ", ,", " "]


@st.composite
def field_blocks(draw: st.DrawFn) -> str:
    fields = [
        f"{draw(st.sampled_from(NAMES))}: {draw(st.sampled_from(TYPES))}"
        f"{draw(st.sampled_from(SUFFIXES))}{draw(st.sampled_from(COMMENTS))}"
        for _ in range(draw(st.integers(0, 4)))
    ]
    text = "{" + draw(st.sampled_from(["", " "]))
    for index, field in enumerate(fields):
        text += (draw(st.sampled_from(SEPARATORS)) if index else "") + field
    return text + draw(st.sampled_from(["}", " }", "", "}}"]))


@st.composite
def field_lines(draw: st.DrawFn) -> str:
    block = draw(field_blocks())
    prefix = draw(
        st.sampled_from(["@required ", "@optional ", "@type T ", "@returns(200) ", "@body → X"])
    )
    tail = draw(st.sampled_from(["", " # ok", " # a, b: str rest", " tail"]))
    return prefix + block + tail


@settings(max_examples=200 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(field_lines(), min_size=1, max_size=4))
def test_generated_field_blocks_read_as_without_simple_field(lines: list[str]) -> None:
    assert_same_reading("@lap v0.3\n@api T\n@endpoint GET /a\n" + "\n".join(lines) + "\n@end\n")
