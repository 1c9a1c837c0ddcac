"""Type annotations as plain data: the closed set of kinds the planner gives a param, a model
field or a method's return.

The planner decides *which* type (``models.py`` picks the kind from the IR); the template
``templates/sdk/_annotations.jinja`` decides how it is written, one macro per kind, and
``generator.render.annotation_text`` is that same macro for everything outside the templates.
A model reference carries the model's final class name: nothing is filled in after rendering.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar, Literal, TypeAlias, assert_never

import attrs

ScalarName = Literal["str", "int", "float", "bool", "bytes", "None"]


@attrs.frozen
class Scalar:
    """A builtin type (``None`` included: the type of a ``null``)."""

    kind: ClassVar[str] = "scalar"
    name: ScalarName


@attrs.frozen
class AnyValue:
    """Any JSON value (``Any``)."""

    kind: ClassVar[str] = "any"


@attrs.frozen
class ModelRef:
    """One of the generated ``models``, by its final class name."""

    kind: ClassVar[str] = "model"
    name: str = attrs.field()

    @name.validator
    def _is_identifier(self, _attribute: object, name: str) -> None:
        # The name is printed as code: it must be what the planner made, a class name.
        if not name.isidentifier():
            raise ValueError(f"a model reference needs a class name, not {name!r}")


@attrs.frozen
class ListOf:
    kind: ClassVar[str] = "list"
    item: Annotation


@attrs.frozen
class DictOf:
    kind: ClassVar[str] = "dict"
    key: Annotation
    value: Annotation


@attrs.frozen
class LiteralOf:
    """One of some string values (an enum a request sends); never empty."""

    kind: ClassVar[str] = "literal"
    values: tuple[str, ...] = attrs.field(validator=attrs.validators.min_len(1))


@attrs.frozen
class Nullable:
    """``inner`` or ``None`` (the JSON ``null``); ``Unset`` for a left-out value is not this."""

    kind: ClassVar[str] = "nullable"
    inner: Annotation


Annotation: TypeAlias = Scalar | AnyValue | ModelRef | ListOf | DictOf | LiteralOf | Nullable

ANY = AnyValue()
NONE = Scalar("None")
JSON_OBJECT = DictOf(Scalar("str"), ANY)  # an object with no declared fields


def nullable(inner: Annotation) -> Annotation:
    """``inner | None``; ``Any`` and ``None`` already admit ``None``, and stay as they are."""
    return inner if inner in (ANY, NONE) or isinstance(inner, Nullable) else Nullable(inner)


def children(annotation: Annotation) -> tuple[Annotation, ...]:
    """The annotations directly inside ``annotation``."""
    match annotation:
        case Scalar() | AnyValue() | ModelRef() | LiteralOf():
            return ()
        case ListOf(item=item):
            return (item,)
        case DictOf(key=key, value=value):
            return (key, value)
        case Nullable(inner=inner):
            return (inner,)
        case _:
            assert_never(annotation)


def walk(annotation: Annotation) -> Iterator[Annotation]:
    """``annotation`` and every annotation inside it, outermost first."""
    yield annotation
    for child in children(annotation):
        yield from walk(child)


def model_names(annotation: Annotation) -> frozenset[str]:
    """The models an annotation refers to."""
    return frozenset(a.name for a in walk(annotation) if isinstance(a, ModelRef))


def renamed(annotation: Annotation, renames: Mapping[str, str]) -> Annotation:
    """``annotation`` with its model references renamed (``old name → new name``)."""
    match annotation:
        case Scalar() | AnyValue() | LiteralOf():
            return annotation
        case ModelRef(name=name):
            return ModelRef(renames.get(name, name))
        case ListOf(item=item):
            return ListOf(renamed(item, renames))
        case DictOf(key=key, value=value):
            return DictOf(renamed(key, renames), renamed(value, renames))
        case Nullable(inner=inner):
            return Nullable(renamed(inner, renames))
        case _:
            assert_never(annotation)
