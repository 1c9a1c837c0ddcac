"""Parse+IR time of `generator.frontend.read_spec` on a spec (default: spec/stytch.lap).

Times lapgen with lark-cython (when installed) and with pure-Python lark (`accelerate=False`)
and, when lapsh is importable (the `test` extra), lapsh's `lap.core.parser.parse_lap` on the
same text. The contenders run interleaved, round after round, so that machine noise hits them
alike; each round starts with a different one. Prints the medians and the ratios ours/lapsh.

Run: python benchmarks/parse.py [--runs N] [--spec PATH] [--quick]
(``--quick``: 3 runs on a small spec, a few seconds; tests/test_benchmarks.py runs it so the
benchmark cannot rot. Its figures mean nothing.)
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from generator.frontend import read_spec

ROOT = Path(__file__).resolve().parents[1]
QUICK_SPEC = ROOT / "tests" / "corpus" / "openapi-petstore.lap"
QUICK_RUNS = 3


def contenders(text: str) -> dict[str, Callable[[], int]]:
    """name → a call that parses ``text`` and returns the endpoint count it found."""

    def ours(accelerate: bool) -> Callable[[], int]:
        def run() -> int:
            api = read_spec(text, accelerate=accelerate).api
            assert api is not None, "the spec does not parse"
            return len(api.endpoints)

        return run

    found: dict[str, Callable[[], int]] = {}
    if importlib.util.find_spec("lark_cython") is not None:
        found["lapgen (lark-cython)"] = ours(True)
    found["lapgen (pure Python)"] = ours(False)
    if importlib.util.find_spec("lap") is not None:
        from lap.core.parser import parse_lap

        found["lapsh parse_lap"] = lambda: len(parse_lap(text).endpoints)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each (default 15)")
    parser.add_argument("--spec", type=Path, default=ROOT / "spec" / "stytch.lap")
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_RUNS} runs on {QUICK_SPEC.name}: a smoke test"
    )
    args = parser.parse_args()
    if args.quick:
        args.runs, args.spec = QUICK_RUNS, QUICK_SPEC
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    text = args.spec.read_text("utf-8")
    calls = contenders(text)
    names = list(calls)
    counts = {}
    for name, call in calls.items():  # warm-up, untimed: builds lapgen's parsers
        started = time.perf_counter()
        counts[name] = call()
        print(
            f"{name}: first call {time.perf_counter() - started:.3f} s ({counts[name]} endpoints)"
        )
    if len(set(counts.values())) != 1:
        raise SystemExit(f"the parsers disagree on the endpoint count: {counts}")

    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(args.runs):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            gc.collect()
            started = time.perf_counter()
            calls[name]()
            times[name].append(time.perf_counter() - started)

    print(
        f"\n{args.spec.name}: {len(text.encode()):,} bytes; median of {args.runs} interleaved runs"
    )
    medians = {name: statistics.median(values) for name, values in times.items()}
    width = max(map(len, names))
    for name in names:
        print(
            f"{name + ':':<{width + 1}} median {medians[name]:.3f} s"
            f"  (min {min(times[name]):.3f}, max {max(times[name]):.3f})"
        )
    lapsh = medians.get("lapsh parse_lap")
    if lapsh is None:
        print("lapsh is not installed (pip install -e '.[test]'): no ratios")
        return
    for name in names:
        if name.startswith("lapgen"):
            print(f"ratio {name} / lapsh: {medians[name] / lapsh:.2f}")


if __name__ == "__main__":
    main()
