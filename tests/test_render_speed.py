"""The render shortcuts give exactly what they stand in for (the goldens check it on real specs).

- ``render.wordwrap`` skips textwrap for lines that fit; on any text, any width and any options
  it returns what jinja's ``wordwrap`` returns.
- ``|doc`` remembers texts it escaped; cached or not, it returns ``docstring_text``'s result.
"""

from __future__ import annotations

import jinja2
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import render
from generator.escape import docstring_text

ENV = jinja2.Environment()
# Words, spaces of every kind, line breaks of every kind, hyphens, tabs.
PIECES = st.sampled_from(
    [
        "word",
        "a",
        "longerwordthanusual",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
        "\x0b",
        "\x85",
        "\u2028",
        "\xa0",
        "-",
        "x-y",
        "é",
        '"',
        "\\",
    ]
)
TEXT = st.lists(PIECES, max_size=40).map("".join) | st.text(max_size=120)


@settings(max_examples=400, deadline=None)
@given(
    text=TEXT,
    width=st.integers(1, 100),
    break_long_words=st.booleans(),
    wrapstring=st.sampled_from([None, "\n", "\n    ", "\n                "]),
    break_on_hyphens=st.booleans(),
)
def test_wordwrap_is_jinjas(
    text: str, width: int, break_long_words: bool, wrapstring: str | None, break_on_hyphens: bool
) -> None:
    options = (width, break_long_words, wrapstring, break_on_hyphens)
    expected = jinja2.filters.do_wordwrap(ENV, text, *options)
    assert render.wordwrap(ENV, text, *options) == expected


@given(text=TEXT | st.none() | st.integers())
def test_the_doc_filter_is_docstring_text(text: object) -> None:
    assert render._doc_filter(text) == docstring_text(text)
    assert render._doc_filter(text) == docstring_text(text)  # the second time from the cache


def test_the_environment_uses_the_shortcuts() -> None:
    env = render.template_environment()
    assert env.filters["doc"] is render._doc_filter
    assert env.filters["wordwrap"] is render._fast_wordwrap
