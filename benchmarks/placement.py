"""Placement figure: how often the planner puts a param where the OpenAPI source says it goes.

    python benchmarks/placement.py [--quick] [--examples N]

LAP lists an endpoint's params without saying where each goes, so the planner infers it
(generator/placement.py). This draws OpenAPI documents with the strategy of
tests/test_differential.py (path, query, header and body params with awkward names), adds a
few hand-written ones shaped like real APIs, compiles each with lapsh in-process, plans the
LAP text with no config and compares each param's placement with the source's ``in`` (a
request body's top-level property is ``body``). Only params that reach the LAP file count:
lapsh drops some names it cannot write. Prints the figure and the misses by class.
"""

from __future__ import annotations

import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from generator.config import Config  # noqa: E402
from generator.frontend import read_spec  # noqa: E402
from generator.plan import PlanError, build_plan  # noqa: E402
from tests.test_differential import compile_with_lapsh, openapi_documents  # noqa: E402

Location = tuple[str, str]  # (wire name, where)

# Real-world shapes the drawn documents lack: a POST with query params and a body, headers in
# lower case, a PUT whose body field shares a path param's name.
HANDWRITTEN: list[dict[str, Any]] = [
    {
        "openapi": "3.0.0",
        "info": {"title": "Handwritten", "version": "1"},
        "servers": [{"url": "https://api.example.test"}],
        "paths": {
            "/v1/charges": {
                "post": {
                    "summary": "Create a charge",
                    "parameters": [
                        {"name": "expand", "in": "query", "schema": {"type": "string"}},
                        {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}},
                    ],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["amount"],
                                    "properties": {
                                        "amount": {"type": "integer"},
                                        "currency": {"type": "string"},
                                        "metadata": {"type": "object"},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {"200": {"description": "ok"}},
                },
                "get": {
                    "summary": "List charges",
                    "parameters": [
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                        {"name": "starting_after", "in": "query", "schema": {"type": "string"}},
                        {"name": "X-Request-Id", "in": "header", "schema": {"type": "string"}},
                    ],
                    "responses": {"200": {"description": "ok"}},
                },
            },
            "/v1/charges/{id}": {
                "put": {
                    "summary": "Replace a charge",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "description": {"type": "string"},
                                        "tags": {"type": "array", "items": {"type": "string"}},
                                    },
                                }
                            }
                        }
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            },
        },
    }
]


def declared(document: dict[str, Any]) -> dict[tuple[str, str], Counter[Location]]:
    """Per route, the (name, in) pairs the OpenAPI document declares."""
    schemas = document.get("components", {}).get("schemas", {})
    routes: dict[tuple[str, str], Counter[Location]] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            found: Counter[Location] = Counter(
                (p["name"], p["in"]) for p in operation.get("parameters", [])
            )
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            if "$ref" in schema:
                schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
            for name in schema.get("properties", {}) if schema.get("type") == "object" else ():
                found[(name, "body")] += 1
            routes[(method.upper(), path)] = found
    return routes


def placed(lap_text: str) -> dict[tuple[str, str], Counter[Location]] | None:
    """Per route, the (name, location) pairs lapgen's planner gives, or None if refused."""
    result = read_spec(lap_text.encode())
    if result.api is None:
        return None
    try:
        plan = build_plan(result.api, Config(), spec_name="drawn.lap", spec_bytes=b"")
    except PlanError:
        return None
    routes: dict[tuple[str, str], Counter[Location]] = {}
    for method in plan.all_methods():
        found = routes.setdefault((method.http_method, method.path), Counter())
        found.update((p.wire, p.location) for p in method.params)
    return routes


class Tally:
    def __init__(self) -> None:
        self.params = 0
        self.matched = 0
        self.misses: Counter[str] = Counter()

    def add(self, document: dict[str, Any]) -> None:
        planned = placed(compile_with_lapsh(document))
        if planned is None:
            return
        for route, source in declared(document).items():
            ours = planned.get(route, Counter())
            for name in {name for name, _ in source}:
                wanted = Counter({where: n for (n_, where), n in source.items() if n_ == name})
                got = Counter({where: n for (n_, where), n in ours.items() if n_ == name})
                # A param lapsh dropped or renamed is not in the file: nothing to place.
                self.params += min(wanted.total(), got.total())
                self.matched += (wanted & got).total()
                for where, location in zip(
                    (wanted - got).elements(), (got - wanted).elements(), strict=False
                ):
                    self.misses[f"{where} → {location}"] += 1

    def report(self) -> str:
        share = 100 * self.matched / max(self.params, 1)
        lines = [f"placement: {self.matched}/{self.params} params where the source puts them"]
        lines[0] += f" ({share:.1f}%)"
        lines += [f"  miss {kind}: {count}" for kind, count in self.misses.most_common()]
        return "\n".join(lines)


def measure(examples: int) -> Tally:
    tally = Tally()
    for document in HANDWRITTEN:
        tally.add(document)

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(openapi_documents())
    def draw(document: dict[str, Any]) -> None:
        tally.add(document)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        draw()
    return tally


def main(argv: list[str]) -> int:
    examples = 10 if "--quick" in argv else 300
    if "--examples" in argv:
        examples = int(argv[argv.index("--examples") + 1])
    print(measure(examples).report())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
