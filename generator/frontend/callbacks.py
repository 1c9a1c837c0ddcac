"""Direct callbacks for the commonest reductions, installed in the LALR parser lark built.

lark calls one callback per reduction (23,000 on Stytch's spec), each wrapped: a child filter
that drops anonymous tokens, splices inlined rules (``_line``, the ``x*`` helpers) and inserts
``None`` for absent ``[optional]`` parts, then ``_LineBuilder``'s method or, for an inlined
rule, a partial of lark's default callback. The wrappers were most of the parse's time. For
the rules where what the wrapper does is fixed by the rule's shape, this module puts in a
callback that does exactly that and no more:

- an inlined rule or ``x*`` helper (lark's default callback, so ``_LineBuilder.__default__``)
  whose filter keeps every child, splices only its first child, or splices the first and
  keeps or splices the rest: the same ``_Expanded`` list, built in place as lark's LALR
  filter builds it;
- ``simple_field`` (a ``SIMPLE_FIELD`` token and its optional ``=default`` and ``# comment``)
  and ``field_block``: ``records.simple_field`` and the fields' tuple, from the children by
  position.

Any other rule, or a wrapper of a shape this module does not know (another lark), keeps
lark's own callback: the result is the same either way (``tests/test_frontend_callbacks.py``
parses every spec both ways and compares).
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from functools import partial
from typing import Any

from .. import ir
from .lines import _Expanded, _LineBuilder
from .records import simple_field

Callback = Callable[[list[Any]], Any]


def specialise(callbacks: MutableMapping[Any, Callback]) -> int:
    """Replace the callbacks this module has a direct form for; returns how many."""
    replaced = 0
    for rule, callback in list(callbacks.items()):
        direct = _direct(rule, callback)
        if direct is not None:
            callbacks[rule] = direct
            replaced += 1
    return replaced


def _direct(rule: Any, callback: Any) -> Callback | None:
    names = [symbol.name for symbol in getattr(rule, "expansion", ())]
    wrapper = type(callback).__name__
    inner = getattr(callback, "node_builder", callback)
    include = getattr(callback, "to_include", None)
    if _is_default(inner):
        if inner is callback:  # no filter: every child kept
            return _Expanded
        if wrapper == "ChildFilterLALR_NoPlaceholders" and include is not None:
            return _spliced(include, len(names))
        return None
    method = getattr(inner, "__func__", None)
    if (
        getattr(rule, "alias", None) == "simple_field"
        and method is _LineBuilder.simple_field
        and (inner is callback or wrapper == "ChildFilterLALR")
    ):
        return _simple_field(names)
    if (
        getattr(getattr(rule, "origin", None), "name", None) == "field_block"
        and len(names) == 4
        and names[:2] == ["LBRACE", "field"]
        and names[3] == "RBRACE"
        and include == [(0, False), (1, False), (2, True), (3, False)]
        and method is _LineBuilder.field_block
    ):
        return _fields
    return None


def _is_default(inner: Any) -> bool:
    """lark's default callback (an inlined rule's), which calls ``_LineBuilder.__default__``."""
    return isinstance(inner, partial) and getattr(inner.func, "__name__", "") == "default_callback"


def _spliced(include: Sequence[tuple[int, bool]], size: int) -> Callback | None:
    """A filter's list for the shapes inlined rules and ``x*`` helpers have."""
    if include == [(0, True)]:
        return _first
    if include == [(index, False) for index in range(size)]:
        return _Expanded
    if include[:1] == [(0, True)] and all(index > 0 for index, _ in include[1:]):
        rest = tuple(include[1:])
        if rest == ((1, False),):
            return _append_second
        if rest == ((1, True),):
            return _extend_second
        if all(not expand for _, expand in rest):
            return partial(_append_kept, tuple(index for index, _ in rest))
    return None


def _first(children: list[Any]) -> Any:
    """``[(0, spliced)]``: the first child's list is the result (lark reuses it too)."""
    return children[0]


def _append_second(children: list[Any]) -> Any:
    """``x* x``: the list so far, and the next item appended (in place, as lark does)."""
    head = children[0]
    head.children.append(children[1])
    return head


def _extend_second(children: list[Any]) -> Any:
    head = children[0]
    head.children += children[1].children
    return head


def _append_kept(kept: tuple[int, ...], children: list[Any]) -> Any:
    head = children[0]
    head.children += [children[index] for index in kept]
    return head


def _simple_field(names: Sequence[str]) -> Callback | None:
    """``SIMPLE_FIELD [DEFAULT] [FIELD_COMMENT]`` with the optional parts this rule has."""
    if names[1:] not in ([], ["DEFAULT"], ["FIELD_COMMENT"], ["DEFAULT", "FIELD_COMMENT"]):
        return None
    default_at = names.index("DEFAULT") if "DEFAULT" in names else 0
    comment_at = names.index("FIELD_COMMENT") if "FIELD_COMMENT" in names else 0

    def callback(children: list[Any]) -> ir.Field:
        token = children[0]
        return simple_field(
            token.value,
            token.line or 0,
            token.column or 0,
            children[default_at].value if default_at else None,
            children[comment_at].value if comment_at else None,
        )

    return callback


def _fields(children: list[Any]) -> tuple[ir.Field, ...]:
    """``{ field next_field* }``: every child between the braces is a field."""
    return (children[1], *children[2].children)
