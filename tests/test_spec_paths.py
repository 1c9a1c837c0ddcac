"""A ``?`` or ``#`` in an endpoint's path text is refused by the front end, at its line and
column: on the wire it would start the URL's query (replacing the params' query) or its
fragment (never sent, nor any path param after it). Inside a ``{param}`` name it is only a
name, and is allowed.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from generator.frontend import read_spec

LITERAL = st.text(st.sampled_from("abz09-_.~:@!$&'()*+,;=%/?#"), min_size=1, max_size=8)
PARAM = st.text(st.sampled_from("abz_ ?#"), min_size=1, max_size=6).filter(
    lambda name: name.strip() == name
)
PARTS = st.lists(st.one_of(LITERAL.map(lambda text: (text, False)), PARAM.map(lambda n: (n, True))))
COLUMN = len("@endpoint GET ") + 1  # the path's first column


def _spec(path: str, params: list[str]) -> str:
    required = f"@required {{{', '.join(f'{name}: str' for name in params)}}}\n" if params else ""
    return f"@lap v0.3\n@api P\n@endpoint GET {path}\n{required}@returns(200) {{a: str}}\n@end\n"


def _path_errors(text: str) -> list[tuple[int, int, str]]:
    result = read_spec(text)
    return [(d.line, d.column, d.message) for d in result.errors if "path holds" in d.message]


@given(PARTS)
def test_a_query_or_fragment_in_the_path_text_is_refused_where_it_starts(
    parts: list[tuple[str, bool]],
) -> None:
    path, expected = "/", None
    for text, is_param in parts:
        if not is_param and expected is None:
            found = [text.find(char) for char in "?#" if char in text]
            if found:
                offset = min(found)
                expected = (3, COLUMN + len(path) + offset, text[offset])
        path += f"{{{text}}}" if is_param else text
    errors = _path_errors(_spec(path, []))
    if expected is None:
        assert errors == []
    else:
        ((line, column, message),) = errors
        assert (line, column) == expected[:2]
        assert f"path holds '{expected[2]}'" in message


def test_the_reviewed_paths_are_refused() -> None:
    assert _path_errors(_spec("/search?type=user", [])) == [
        (
            3,
            22,
            "path holds '?', which would start the URL's query: declare query params in"
            " @required or @optional instead",
        )
    ]
    ((line, column, message),) = _path_errors(_spec("/items#frag/{id}", ["id"]))
    assert (line, column) == (3, 21) and "URL's fragment" in message


@given(PARAM)
def test_a_param_name_may_hold_them(name: str) -> None:
    assert _path_errors(_spec(f"/a/{{{name}}}/b", [name])) == []
