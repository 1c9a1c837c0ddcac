"""``generator.layout.fit`` lays out calls, defs and literals as black does.

Property tests over any length, long annotations and hostile string literals; the rendered
modules themselves are held to black in tests/test_black_stable.py.
"""

from __future__ import annotations

import ast
import keyword

import black
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.escape import python_string
from generator.layout import fit
from generator.output.formatting import BLACK_MODE

# -- generator.layout.fit against black ------------------------------------------------------

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,40}", fullmatch=True).filter(
    lambda name: not keyword.iskeyword(name)
)
TEXTS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
LITERALS = TEXTS.map(python_string)
ATOMS = st.one_of(NAMES, LITERALS, st.integers(0, 10**12).map(str))
TYPE_NAMES = st.sampled_from(["str", "int", "bool", "Any", "models.Widget"]) | NAMES.map(
    lambda name: f"models.{name.title().replace('_', '')}"
)


@st.composite
def annotations(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["name", "literal", "list", "dict"] if depth < 2 else ["name"]))
    if kind == "literal":
        return f"Literal[{', '.join(draw(st.lists(LITERALS, min_size=1, max_size=12)))}]"
    if kind == "list":
        return f"List[{draw(annotations(depth + 1))}]"
    if kind == "dict":
        return f"Dict[str, {draw(annotations(depth + 1))}]"
    return draw(TYPE_NAMES)


@st.composite
def params(draw: st.DrawFn) -> str:
    name = draw(NAMES)
    annotation = draw(annotations())
    if draw(st.booleans()):
        return f"{name}: {annotation} | Unset = UNSET"
    return f"{name}: {annotation}" + (" | None" if draw(st.booleans()) else "")


def _nested(code: str, indent: int) -> str:
    """``code`` at ``indent`` spaces, inside as many ``if`` blocks as that takes."""
    opening = "".join(" " * depth + "if x:\n" for depth in range(0, indent, 4))
    return opening + code + "\n"


@settings(max_examples=150, deadline=None)
@given(
    head=st.sampled_from(["value = call(", "return self._call(", "_NAME = Endpoint("]),
    items=st.lists(ATOMS, min_size=1, max_size=12),
    indent=st.sampled_from([0, 4, 8]),
)
def test_fit_lays_out_calls_as_black_does(head: str, items: list[str], indent: int) -> None:
    if head.startswith("return"):
        indent = max(indent, 4)
    code = _nested(fit(head, "\n".join(items), ")", indent), indent)
    assert black.format_str(code, mode=BLACK_MODE) == code
    assert ast.dump(ast.parse(code)) == ast.dump(
        ast.parse(_nested(" " * indent + head + ", ".join(items) + ")", indent))
    )


@settings(max_examples=150, deadline=None)
@given(
    name=NAMES,
    positional=st.lists(params(), max_size=3),
    keyword=st.lists(params(), max_size=6),
    # What a method returns: a model, a list of models or plain JSON (a return annotation too
    # long for its line is not laid out by fit).
    returns=TYPE_NAMES | TYPE_NAMES.map("List[{}]".format) | st.just("Dict[str, Any]"),
    indent=st.sampled_from([0, 4]),
)
def test_fit_lays_out_defs_as_black_does(
    name: str, positional: list[str], keyword: list[str], returns: str, indent: int
) -> None:
    items = ["self", *positional, *(["*", *keyword] if keyword else []), "**options: Options"]
    text = fit(f"def {name}(", "\n".join(items), f") -> {returns}:", indent, "def")
    method = f"{text}\n{' ' * (indent + 4)}pass\n"
    code = f"class C:\n{method}" if indent else method
    assert black.format_str(code, mode=BLACK_MODE) == code


@settings(max_examples=60, deadline=None)
@given(items=st.lists(LITERALS, min_size=1, max_size=20))
def test_fit_lays_out_literals_as_black_does(items: list[str]) -> None:
    code = fit("__all__ = [", "\n".join(items), "]", 0, "collection") + "\n"
    assert black.format_str(code, mode=BLACK_MODE) == code
