"""Checking a request's values against the IR types: one ``Problem`` per bad value."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, assert_never

from .. import ir

# ---------------------------------------------------------------------------------------------
# Checking requests
# ---------------------------------------------------------------------------------------------

WHERE = {"path": "path", "query": "query", "header": "header", "body": "JSON body"}


class _Checker:
    """Type checks of one request; ``warnings`` collects unknown fields."""

    def __init__(self, api: ir.API) -> None:
        self.api = api
        self.warnings: list[str] = []

    def text(self, value: str, spec: ir.TypeSpec, where: str) -> str | None:
        """Why a path, query or header value does not fit ``spec``, or None."""
        expr = spec.expr
        if isinstance(expr, ir.ArrayType):  # a repeated param: each value is one item
            expr = expr.items
        match expr:
            case ir.EnumType(values=values):
                if value not in values:
                    return f"{where} must be one of {list(values)}, got {value!r}"
            case ir.Primitive(name=name):
                if name == "int" and not re.fullmatch(r"-?\d+", value):
                    return f"{where} must be an integer, got {value!r}"
                if name in ("num", "float"):
                    try:
                        float(value)
                    except ValueError:
                        return f"{where} must be a number, got {value!r}"
                if name == "bool" and value.lower() not in ("true", "false", "1", "0"):
                    return f"{where} must be true or false, got {value!r}"
            case ir.ArrayType() | ir.DictType() | ir.ObjectType() | ir.RefType():
                pass  # structured values in a path, query or header: not checked
            case _:
                assert_never(expr)
        return None

    def json(self, value: Any, spec: ir.TypeSpec, where: str, depth: int = 0) -> str | None:
        """Why a JSON value does not fit ``spec``, or None."""
        if value is None:
            ok = spec.nullable or (
                isinstance(spec.expr, ir.Primitive) and spec.expr.name in ("null", "any")
            )
            return None if ok else f"{where} must not be null"
        return self.json_expr(value, spec.expr, where, depth)

    def json_expr(self, value: Any, expr: ir.TypeExpr, where: str, depth: int) -> str | None:
        fields = self.api.fields_of(expr)
        if fields is not None:
            if not isinstance(value, dict):
                return f"{where} must be an object, got {_json_kind(value)}"
            # An object that lists no fields (`map{}`) takes any keys.
            return self.object(value, fields, where, depth) if fields else None
        match expr:
            case ir.RefType() | ir.ObjectType():
                return None  # a type the spec does not define: anything goes
            case ir.ArrayType(items=items):
                if not isinstance(value, list):
                    return f"{where} must be an array, got {_json_kind(value)}"
                for index, item in enumerate(value):
                    problem = self.json(item, ir.TypeSpec(items), f"{where}[{index}]", depth + 1)
                    if problem:
                        return problem
                return None
            case ir.DictType(value=value_type):
                if not isinstance(value, dict):
                    return f"{where} must be an object, got {_json_kind(value)}"
                for key, item in value.items():
                    problem = self.json(item, ir.TypeSpec(value_type), f"{where}.{key}", depth + 1)
                    if problem:
                        return problem
                return None
            case ir.EnumType(values=values):
                if value in values or str(value) in values:
                    return None
                return f"{where} must be one of {list(values)}, got {value!r}"
            case ir.Primitive(name=name):
                return _primitive_problem(value, name, where)
            case _:
                assert_never(expr)

    def object(
        self, value: Mapping[str, Any], fields: Sequence[ir.Field], where: str, depth: int
    ) -> str | None:
        known = {field.name: field for field in fields}
        for required in fields:
            if required.required_marker and required.name not in value:
                return f"{where}.{required.name} is required"
        for key, item in value.items():
            field = known.get(key)
            if field is None:
                self.warnings.append(f"unknown field {where}.{key}")
                continue
            problem = self.json(item, field.type, f"{where}.{key}", depth + 1)
            if problem:
                return problem
        return None


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, dict) else "null"


def _primitive_problem(value: Any, name: str, where: str) -> str | None:
    if name in ("str", "bytes", "file"):
        ok = isinstance(value, str)
        expected = "a string"
    elif name == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        expected = "an integer"
    elif name in ("num", "float"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        expected = "a number"
    elif name == "bool":
        ok = isinstance(value, bool)
        expected = "a boolean"
    elif name == "map":
        ok = isinstance(value, dict)
        expected = "an object"
    else:  # any, null
        return None
    return None if ok else f"{where} must be {expected}, got {_json_kind(value)}"
