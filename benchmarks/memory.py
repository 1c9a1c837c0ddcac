"""Peak memory of read_spec on a spec k times Stytch's size: it should grow linearly in k.

The k× spec is Stytch's header followed by k copies of its groups, each copy's groups and
paths renamed (``/copy2/v1/users``), so every endpoint stays distinct; ``@endpoints`` and
``@toc`` are dropped (their counts would no longer hold). For each k: the size, the peak of
memory allocated while reading it (tracemalloc, so the time is not a figure here) and that
peak per input byte. Linear means the per-byte figure stays flat as k grows; the IR itself is
the bulk of it (the Transformer runs inside the LALR parser: no parse tree is kept).

Run: python benchmarks/memory.py [--spec PATH] [--sizes 1,2,4,8] [--quick]
(``--quick``: sizes 1, 2 and 4 of a small spec, a smoke test for tests/test_benchmarks.py.)
"""

from __future__ import annotations

import argparse
import gc
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from generator.frontend import read_spec

ROOT = Path(__file__).resolve().parents[1]
QUICK_SPEC = ROOT / "tests" / "corpus" / "openapi-petstore.lap"


def replicated(text: str, copies: int) -> str:
    """``text`` with its body (from the first ``@group`` or ``@endpoint``) ``copies`` times."""
    lines = text.rstrip("\n").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(("@group", "@endpoint")))
    header = [line for line in lines[:start] if not line.startswith(("@endpoints", "@toc"))]
    body = [line for line in lines[start:] if line != "@end"]
    out = list(header)
    for copy in range(1, copies + 1):
        prefix = "" if copy == 1 else f"/copy{copy}"
        for line in body:
            if line.startswith("@group ") and copy > 1:
                line = f"{line}_copy{copy}"
            elif line.startswith("@endpoint "):
                method, _, path = line[len("@endpoint ") :].partition(" ")
                line = f"@endpoint {method} {prefix}{path}"
            out.append(line)
    return "\n".join([*out, "@end", ""])


def peak_bytes(call: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        result = call()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del result
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--spec", type=Path, default=ROOT / "spec" / "stytch.lap")
    parser.add_argument("--sizes", default="1,2,4,8", help="copies of the spec (default 1,2,4,8)")
    parser.add_argument("--quick", action="store_true", help="sizes 1,2,4 of a small spec")
    args = parser.parse_args()
    spec: Path = QUICK_SPEC if args.quick else args.spec
    sizes = [1, 2, 4] if args.quick else [int(size) for size in args.sizes.split(",")]
    base = spec.read_text("utf-8")
    read_spec(base)  # lark's parser built (and cached) outside the measurement
    print(f"{spec.name} × k: peak memory of read_spec (tracemalloc)")
    for copies in sizes:
        text = replicated(base, copies)
        result = read_spec(text)
        assert result.api is not None, result.errors
        endpoints = len(result.api.endpoints)
        del result
        size = len(text.encode("utf-8"))
        peak = peak_bytes(lambda text=text: read_spec(text))  # type: ignore[misc]
        print(
            f"k={copies}: {size:,} bytes, {endpoints} endpoints; peak {peak / 1e6:,.1f} MB "
            f"({peak / size:,.1f} per byte)"
        )


if __name__ == "__main__":
    main()
