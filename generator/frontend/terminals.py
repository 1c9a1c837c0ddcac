"""The grammar's text: ``grammar.lark`` with its named regex parts expanded.

``grammar.lark`` composes its field-block terminals from the named regex parts below (``${NAME}``
there); lark reads the expanded text (grammar.py), whose SHA-256 keys the cached tables.
"""

from __future__ import annotations

import re
from pathlib import Path

# The named parts of the field-block terminals in grammar.lark (``${NAME}`` there and here).
# Free-text repetitions are possessive so that the regex engine keeps no per-iteration state.
REGEX_PARTS = {
    # `name[!]:` and the blanks after it: a name runs to the first `:` whose look-ahead fits.
    "NAME": r"[^\s,{}#][^,{}\n]*?!?:[ \t]*",
    # What may follow a type: `?`, `=`, `(args)`, `<K,V>`, `{fields}`, `[`, or the field's end.
    "AFTER_TYPE": r"(?:[?=(<{\[]|[ \t]*(?:[,}#]|\n))",
    # A type as FIELD_NAME accepts it: an array, or any word followed by what follows a type.
    "LOOSE_TYPE": r"\[|[A-Za-z_][\w.]*${AFTER_TYPE}",
    # A type as a comment or default must show it to end there: a built-in or a capitalised or
    # dotted type name (`User`, `google.rpc.Status`), or an array of one (so the text
    # `c hints: [jpg?x=1]` in a comment is not a field).
    "STRICT_TYPE": (
        r"\[*+(?:(?:str|int|num|float|bool|map|any|bytes|null|file|enum)(?![\w.-])"
        r"|[A-Z][\w.]*(?=${AFTER_TYPE}|\])|[a-z_]\w*\.[\w.]+(?=${AFTER_TYPE}|\]))"
    ),
    # A type name with its `(args)`: `str`, `int(int32)`, `str(a/b)`, `User`.
    "TYPE_TEXT": r"[A-Za-z_][\w.]*(?:\([^()\n]*\))?",
    # SIMPLE_FIELD's type: `T`, `[T]` or `map`, a `?`, then the field's end, `=` or `#` (not a
    # `{` of `T{…}`, nor the `<` of `map<K, V>`, nor the `?{` of `map?{…}`).
    "SIMPLE_TYPE": r"(?>\[${TYPE_TEXT}\]|${TYPE_TEXT})(?![ \t]*\{|<)\??+(?=[ \t]*[,}=#])",
    # `, name: TYPE`: a comma that ends a comment or a default.
    "FIELD_START": r"[ \t]*${NAME}(?:${STRICT_TYPE})",
    "TEXT_RUN": r"[^,{}\n]++|,(?!${FIELD_START})",
    # Balanced braces inside a comment; an unbalanced `{` is kept as a plain character.
    "BRACED1": r"\{(?:${TEXT_RUN})*+\}",
    "BRACED2": r"\{(?:${TEXT_RUN}|${BRACED1}|\{)*+\}",
    "BRACED3": r"\{(?:${TEXT_RUN}|${BRACED2}|\{)*+\}",
    "BRACED4": r"\{(?:${TEXT_RUN}|${BRACED3}|\{)*+\}",
    # A `}` that no `{` opened and that cannot end a block (nothing block-ending follows it,
    # counting a nullable `}?`, a default `}=`, an array's `}]` and a map's `}>`): lapsh writes descriptions such as "a } b"
    # verbatim.
    "STRAY_CLOSE": r"\}(?!\??[ \t]*[,}\]>#\n]|\??=)",
    # In @errors (never nested) every `}` but the line's last is text.
    "ERROR_STRAY_CLOSE": r"\}(?=[^}\n]*+\})",
    # A comma that does not start the next case (`, 404`, `, 4XX`, `, default`).
    "ERROR_COMMA": r",(?![ \t]*(?:[0-9][0-9Xx]{2}|default)\b)",
    # Balanced braces in text, unless they would take the `}` that ends the line's block:
    # lapsh writes a description "{" as `{400: {}`.
    "TEXT_BRACES": r"${BRACED4}(?![ \t]*\n)",
    "COMMENT_TEXT": r"(?:${TEXT_RUN}|${TEXT_BRACES}|\{|${STRAY_CLOSE})*+",
    # A default: a `[list]`, words, a `#` that no blank precedes, blanks inside the value, and
    # commas that do not start a field.
    "DEFAULT_TEXT": (
        r"(?:\[[^\]\n]*+\]|[^\s,}#\[]++|\[|#|[ \t]++(?![#\s,}])|,(?!${FIELD_START}))*+"
    ),
}
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def expand_regex_parts(text: str) -> str:
    """Replace every ``${NAME}`` in ``text`` by its REGEX_PARTS definition, recursively."""
    while True:
        expanded = _PLACEHOLDER.sub(lambda match: REGEX_PARTS[match.group(1)], text)
        if expanded == text:
            return text
        text = expanded


def grammar_text() -> str:
    """``grammar.lark`` with every ``${NAME}`` expanded: the text lark compiles."""
    # Beside the package's modules (not importlib.resources, whose import costs a validate
    # run more than reading the file).
    grammar = (Path(__file__).parent.parent / "grammar.lark").read_text("utf-8")
    return expand_regex_parts(grammar)
