"""The planner's warnings alone, for ``lapgen validate``: what ``build_plan`` warns about (and
raises), without building the methods, params, annotations and models nobody reads.

``plan_warnings(api, config) == build_plan(api, config, …).warnings`` for every spec and
config, and it raises what ``build_plan`` raises, first failure first
(``tests/test_plan_warnings.py`` checks both on the corpus, Stytch and drawn specs).
The warnings come from the same code ``build_plan`` runs: the names and clashes
(``_Builder.named_methods``), the model names (``choose_names``), the header checks; only the
``<method>_pages`` clash needs a method's params and response, so only the methods whose
``_pages`` name is taken build them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import assert_never

from .. import ir
from ..config import Config
from ..diagnostics import Diagnostic
from ..escape import is_header_name, pep440_version
from .build import Pending, _Builder
from .checks import header_warnings, refuse_bad_header_keys, refuse_non_http


def plan_warnings(
    api: ir.API,
    config: Config,
    locked_names: Mapping[str, Collection[str]] | None = None,
) -> tuple[Diagnostic, ...]:
    """``build_plan(api, config, …).warnings``, in the same order; raises ``PlanError`` and
    ``ConfigError`` where ``build_plan`` would."""
    refuse_non_http(api)
    refuse_bad_header_keys(api)
    builder = _Builder(api, config, locked_names)
    pending = builder.named_methods()
    _raise_as_built(builder, pending)
    builder.models.name_all()  # build_plan names every model (its `models`), warning or raising
    warnings = [*builder.warnings, *_pages_warnings(builder, pending), *builder.models.warnings]
    api_version = config.package_version or api.version
    version = pep440_version(api_version) if api_version else "0.1.0"
    return (*warnings, *header_warnings(api, api_version, version))


def _raise_as_built(builder: _Builder, pending: Sequence[Pending]) -> None:
    """Raise the first error building the methods would: a param that cannot be a header
    (``PlanError``) or a bad ``[models.names]`` key (``ConfigError``, raised wherever the
    models are first named: the first response model or annotation that names one)."""
    models = builder.models
    for _, endpoint, _, response_key in pending:
        if response_key is not None:
            models.name_of(response_key)
        declared = builder.api.declared_params(endpoint)
        if not all(is_header_name(name) for name in (*declared, *endpoint.path_params)):
            builder.params(endpoint)  # placed as generate places them, in the same order
        success = endpoint.success
        types = [field.type.expr for field in (*declared.values(), *endpoint.repeated_params)]
        if success is not None and success.type is not None:
            types.append(success.type)
        if any(_names_a_model(expr, models.named_types) for expr in types):
            models.name_all()


def _names_a_model(expr: ir.TypeExpr, named_types: Collection[str]) -> bool:
    """Whether the annotation of ``expr`` names a model (``_ModelRegistry._annotation``)."""
    match expr:
        case ir.ObjectType():
            return bool(expr.fields)
        case ir.RefType():
            return expr.name in named_types
        case ir.ArrayType():
            return _names_a_model(expr.items, named_types)
        case ir.DictType():
            return _names_a_model(expr.key, named_types) or _names_a_model(expr.value, named_types)
        case ir.Primitive() | ir.EnumType():
            return False
        case _:
            assert_never(expr)


def _pages_warnings(builder: _Builder, pending: Sequence[Pending]) -> list[Diagnostic]:
    """``resource_names.methods_by_name``'s warnings, in ``_Builder._children``'s order: the
    resources depth first by name, each one's methods by name."""
    methods: dict[tuple[str, ...], list[tuple[str, ir.Endpoint, object | None]]] = {}
    for resource, endpoint, name, response_key in pending:
        methods.setdefault(resource, []).append((name, endpoint, response_key))
        for depth in range(1, len(resource)):
            methods.setdefault(resource[:depth], [])
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path in sorted(methods):
        children.setdefault(path[:-1], []).append(path)
    warnings: list[Diagnostic] = []

    def visit(parent: tuple[str, ...]) -> None:
        for path in children.get(parent, ()):
            taken = {name for name, _, _ in methods[path]}
            taken.update(child[-1] for child in children.get(path, ()))
            for name, endpoint, response_key in sorted(methods[path], key=lambda m: m[0]):
                if f"{name}_pages" in taken and _has_pages(builder, endpoint, response_key):
                    accessor = ".".join((*path, name))
                    message = f"{accessor}_pages is taken, so {accessor} has no iterator"
                    warnings.append(
                        Diagnostic("warning", message, endpoint.pos.line, endpoint.pos.column)
                    )
            visit(path)

    visit(())
    return warnings


def _has_pages(builder: _Builder, endpoint: ir.Endpoint, response_key: object | None) -> bool:
    """Whether the method would have a ``_pages`` iterator (``_Builder.pages``)."""
    response_class = None if response_key is None else builder.models.name_of(response_key)
    response_model = builder.response(endpoint, response_class)[0]
    return builder.pages(builder.params(endpoint), response_model) is not None
