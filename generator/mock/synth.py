"""Synthesising response bodies from IR types, deterministic for a seed."""

from __future__ import annotations

import base64
import datetime as dt
import random
import re
import uuid
from collections.abc import Sequence
from typing import Any, assert_never

from .. import ir
from .model import EPOCH, MAX_DEPTH

# ---------------------------------------------------------------------------------------------
# Synthesising responses
# ---------------------------------------------------------------------------------------------


class _Synth:
    """Realistic JSON for a type, drawn from a seeded random generator."""

    def __init__(self, api: ir.API, rng: random.Random, status: int) -> None:
        self.api = api
        self.rng = rng
        self.status = status

    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def fields(self, fields: Sequence[ir.Field], depth: int) -> dict[str, Any]:
        return {
            field.name: self.value(field.type.expr, field.name, depth + 1)
            for field in fields
            if depth < MAX_DEPTH or field.required_marker
        }

    def value(self, expr: ir.TypeExpr, name: str, depth: int = 0) -> Any:
        fields = self.api.fields_of(expr)
        if fields is not None:
            return self.fields(fields, depth) if depth <= MAX_DEPTH + 2 else {}
        match expr:
            case ir.RefType() | ir.ObjectType():  # a type the spec does not define
                return self.string(name, None)
            case ir.ArrayType(items=items):
                count = self.rng.randint(0, 2) if depth < MAX_DEPTH else 0
                return [self.value(items, name, depth + 1) for _ in range(count)]
            case ir.DictType(value=value):
                return {f"{name}_key": self.value(value, name, depth + 1)}
            case ir.EnumType(base=base, values=values):
                choice = self.rng.choice(values) if values else ""
                if base in ("int", "num") and re.fullmatch(r"-?\d+", choice):
                    return int(choice)
                return choice
            case ir.Primitive():
                return self.primitive(expr, name)
            case _:
                assert_never(expr)

    def primitive(self, expr: ir.Primitive, name: str) -> Any:
        kind = expr.name
        lower = name.lower()
        if kind == "int":
            return self.status if lower == "status_code" else self.rng.randint(1, 100)
        if kind in ("num", "float"):
            return round(self.rng.uniform(0, 100), 2)
        if kind == "bool":
            return self.rng.random() < 0.5
        if kind == "map":
            return {}
        if kind == "null":
            return None
        if kind in ("bytes", "file"):
            return base64.b64encode(self.rng.randbytes(12)).decode()
        return self.string(name, expr.format)

    def string(self, name: str, format: str | None) -> str:
        lower = name.lower()
        if format in ("date-time", "datetime") or lower.endswith("_at") or lower == "timestamp":
            moment = EPOCH + dt.timedelta(seconds=self.rng.randint(0, 3 * 365 * 86400))
            return moment.isoformat().replace("+00:00", "Z")
        if format == "date" or lower.endswith("_date") or lower == "date":
            day = EPOCH.date() + dt.timedelta(days=self.rng.randint(0, 3 * 365))
            return day.isoformat()
        if lower == "request_id":
            return f"request-id-test-{self.uuid()}"
        if lower == "id" or lower.endswith("_id"):
            stem = lower.removesuffix("_id").replace("_", "-") or "id"
            return f"{stem}-test-{self.uuid()}"
        if "email" in lower or format == "email":
            user = self.rng.choice(("ada", "grace", "alan", "edsger", "barbara", "donald"))
            return f"{user}.{self.rng.randint(1, 999)}@example.com"
        if "url" in lower or format in ("uri", "url"):
            return f"https://example.com/{lower.replace('_', '-')}/{self.rng.randint(1, 999)}"
        if "phone" in lower:
            return f"+1555{self.rng.randint(1000000, 9999999)}"
        return f"{lower.replace('_', '-')}-{self.rng.getrandbits(32):08x}"


# ---------------------------------------------------------------------------------------------
