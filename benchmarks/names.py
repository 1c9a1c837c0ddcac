"""Naming figures: numeric-suffix methods, version-like resources, Stytch against its official SDK.

    python benchmarks/names.py [--quick] [SPEC.lap ...]   # default: every tests/corpus file

Prints, over the LAP files given (with no config), how many methods carry a numeric suffix
(``get_2``) and how many accessors have a version-like resource (``n3``, ``v1``, ``api``); the
same over 200 OpenAPI documents drawn with tests/test_differential.py's strategy and compiled
with lapsh, and over both; then
how many of spec/stytch.lap's method names and accessors equal the official Stytch SDK's
(tests/fixtures/stytch_official_accessors.tsv), with and without spec/stytch.toml.
"""

from __future__ import annotations

import contextlib
import re
import sys
import warnings
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from generator.config import Config  # noqa: E402
from generator.frontend import read_spec  # noqa: E402
from generator.pipeline import LoadError, load  # noqa: E402
from generator.plan import Plan, PlanError, build_plan  # noqa: E402

VERSION_LIKE = re.compile(r"n?\d+(?:_\d+)*|v\d+(?:_\d+)*|api|rest")
OFFICIAL = REPO / "tests" / "fixtures" / "stytch_official_accessors.tsv"
STYTCH = REPO / "spec" / "stytch.lap"


def bare_plan(spec: Path) -> Plan | None:
    result = read_spec(spec.read_bytes())
    if result.api is None:
        return None
    try:
        return build_plan(result.api, Config(), spec_name=spec.name, spec_bytes=b"")
    except PlanError:  # a spec lapgen refuses (not HTTP) has no names to count
        return None


def drawn_plans(count: int) -> list[Plan]:
    """Plans of ``count`` OpenAPI documents drawn as tests/test_differential.py draws them,
    compiled with lapsh in-process. Derandomized, but the count of methods still varies a
    little between runs: hypothesis' generation is not bit-for-bit reproducible."""
    from hypothesis import HealthCheck, Phase, given, settings

    from tests.test_differential import compile_with_lapsh, openapi_documents

    plans: list[Plan] = []

    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(openapi_documents())
    def draw(document: dict[str, Any]) -> None:
        result = read_spec(compile_with_lapsh(document).encode())
        if result.api is not None:
            with contextlib.suppress(PlanError):
                plans.append(build_plan(result.api, Config(), spec_name="d.lap", spec_bytes=b""))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        draw()
    return plans


def suffix_figures(plans: list[Plan]) -> str:
    methods = suffixed = versioned = 0
    for plan in plans:
        for method in plan.all_methods():
            methods += 1
            *resource, name = method.accessor.split(".")
            suffixed += re.search(r"_\d+$", name) is not None
            versioned += any(VERSION_LIKE.fullmatch(part) for part in resource)
    return (
        f"{methods} methods: numeric suffix {suffixed} ({100 * suffixed / max(methods, 1):.1f}%), "
        f"version-like resource {versioned} ({100 * versioned / max(methods, 1):.1f}%)"
    )


def stytch_figures(plan: Plan) -> str:
    rows = [line.split("\t") for line in OFFICIAL.read_text().splitlines()]
    official = {row[0]: row[1] for row in rows if not row[0].startswith("#")}
    ours = {f"{m.http_method} {m.path}": m.accessor for m in plan.all_methods()}
    names = sum(ours[r].rsplit(".", 1)[-1] == official[r].rsplit(".", 1)[-1] for r in ours)
    accessors = sum(ours[r] == official[r] for r in ours)
    return f"method names {names}/{len(ours)}, accessors {accessors}/{len(ours)}"


def main(argv: list[str]) -> int:
    quick = "--quick" in argv  # tests/test_benchmarks.py: a few files, so it cannot rot
    specs = [Path(arg) for arg in argv if arg != "--quick"]
    specs = specs or sorted((REPO / "tests" / "corpus").glob("*.lap"))
    plans = [plan for spec in (specs[:3] if quick else specs) if (plan := bare_plan(spec))]
    print(suffix_figures(plans))
    drawn = drawn_plans(3 if quick else 200)
    print(f"lapsh-compiled OpenAPI documents ({len(drawn)} drawn): {suffix_figures(drawn)}")
    print(f"both: {suffix_figures(plans + drawn)}")
    bare = bare_plan(STYTCH)
    assert bare is not None
    print(f"stytch without config: {stytch_figures(bare)}")
    try:
        configured = load(STYTCH).plan
    except LoadError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"stytch with spec/stytch.toml: {stytch_figures(configured)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
