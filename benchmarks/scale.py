"""How `lapgen generate` scales: cold whole-process runs on specs of growing size.

The specs are built from a real one (default spec/stytch.lap) in a temporary directory: its
endpoints, cycled, each copy after the first under a renamed path prefix (``/c2/...``) so that
every endpoint, resource and model is new, with ``@endpoints`` and ``@toc`` recounted. Sizes:
1x, 2x and 5x the spec, and 500 endpoints. Each size is generated cold (new output directory,
empty lapgen cache) as a separate process, ``--runs`` times; the benchmark prints the median
wall seconds, CPU seconds and peak RSS of the process with its children (wait4: CPU is the
figure that holds on a busy machine), CPU per endpoint, and least-squares lines through the
points, so a cost that grows
faster than the input shows as per-endpoint figures that climb with the size.

Run: python benchmarks/scale.py [--lap PATH] [--runs N] [--quick]
(``--quick``: two small sizes, one run each; a smoke test for tests/test_benchmarks.py.)
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _process import bytecode_env, lapgen_command  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HEADER_DIRECTIVES = ("@lap", "@api", "@base", "@version", "@auth", "@hint")
_GROUP = re.compile(r"^@group (\S+)\s*$")
_ENDPOINT = re.compile(r"^(@endpoint \S+ )(/\S*)(.*)$", re.DOTALL)


def endpoint_blocks(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The spec's header lines, and every endpoint block with the name of its group."""
    header: list[str] = []
    blocks: list[tuple[str, str]] = []
    group: str | None = None
    current: list[str] = []

    def flush() -> None:
        if current and group is not None:
            blocks.append((group, "".join(current)))
        current.clear()

    for line in text.splitlines(keepends=True):
        if group is None and line.startswith(HEADER_DIRECTIVES):
            header.append(line)
        elif match := _GROUP.match(line):
            flush()
            group = match[1]
        elif line.startswith("@endpoint "):
            flush()
            current.append(line)
        elif line.rstrip() in ("@endgroup", "@end"):
            flush()
        elif current:
            current.append(line)
    return header, blocks


def scaled_spec(text: str, endpoints: int) -> str:
    """A LAP spec of ``endpoints`` endpoints: the source's, cycled under renamed paths."""
    header, blocks = endpoint_blocks(text)
    if not blocks:
        raise SystemExit("the spec has no endpoints in groups")
    body: list[str] = []
    counts: Counter[str] = Counter()
    for index in range(endpoints):
        copy = index // len(blocks)
        group, block = blocks[index % len(blocks)]
        name = group if copy == 0 else f"{group}_c{copy + 1}"
        match = _ENDPOINT.match(block)
        assert match is not None, block
        prefix = "" if copy == 0 else f"/c{copy + 1}"
        body.append(f"@group {name}\n{match[1]}{prefix}{match[2]}{match[3]}\n@endgroup\n\n")
        counts[name] += 1
    toc = ", ".join(f"{name}({count})" for name, count in counts.items())
    return "".join([*header, f"@endpoints {endpoints}\n", f"@toc {toc}\n\n", *body, "@end\n"])


def generate_cold(spec: Path, scratch: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (with its children's) and peak RSS (KB) of one cold
    ``lapgen generate`` as its own process."""
    out = Path(tempfile.mkdtemp(prefix="out-", dir=scratch))
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=scratch))
    command = [*lapgen_command(), "generate", str(spec), "-o", str(out / "sdk")]
    start = time.perf_counter()
    process = subprocess.Popen(
        command,
        env={**env, "LAPGEN_CACHE_DIR": str(cache)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n{errors.decode()}")
    return elapsed, usage.ru_utime + usage.ru_stime, int(usage.ru_maxrss)  # KB on Linux


def slope(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares ``(intercept, per unit)`` through ``(x, y)`` points."""
    xs, ys = [x for x, _ in points], [y for _, y in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    per = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0
    return mean_y - per * mean_x, per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lap", type=Path, default=ROOT / "spec" / "stytch.lap")
    parser.add_argument("--runs", type=int, default=3, help="cold runs per size (default 3)")
    parser.add_argument("--quick", action="store_true", help="two small sizes, one run each")
    args = parser.parse_args()
    source = args.lap.read_text(encoding="utf-8")
    base = len(endpoint_blocks(source)[1])
    sizes = [20, 40] if args.quick else sorted({base, 2 * base, 500, 5 * base})
    runs = 1 if args.quick else args.runs

    with tempfile.TemporaryDirectory(prefix="lapgen-bench-scale-") as temp:
        scratch = Path(temp)
        # --quick uses the bytecode already compiled: compiling lapgen is not what it measures.
        env = dict(os.environ) if args.quick else bytecode_env(scratch)
        results: list[tuple[int, int, float, float, int]] = []
        for size in sizes:
            spec = scratch / f"scaled-{size}.lap"
            text = scaled_spec(source, size)
            spec.write_text(text, encoding="utf-8")
            if not args.quick:
                generate_cold(spec, scratch, env)  # warm-up: bytecode compiled, not timed
            samples = [generate_cold(spec, scratch, env) for _ in range(runs)]
            seconds = statistics.median(sample[0] for sample in samples)
            cpu = statistics.median(sample[1] for sample in samples)
            rss = max(sample[2] for sample in samples)
            results.append((size, len(text.encode()), seconds, cpu, rss))

    print(f"{args.lap.name} scaled: cold whole-process generate, median of {runs} run(s)")
    print(
        f"{'endpoints':>9}  {'spec KB':>8}  {'wall s':>7}  {'CPU s':>6}  {'peak RSS MB':>11}"
        f"  {'CPU ms/endpoint':>15}"
    )
    for size, spec_bytes, seconds, cpu, rss in results:
        print(
            f"{size:>9}  {spec_bytes / 1024:>8,.0f}  {seconds:>7.2f}  {cpu:>6.2f}"
            f"  {rss / 1024:>11,.0f}  {cpu * 1000 / size:>15.2f}"
        )
    intercept, per_endpoint = slope([(row[0], row[3]) for row in results])
    rss_intercept, rss_per_kb = slope([(row[1] / 1024, row[4]) for row in results])
    print(f"CPU: {intercept:.2f} s + {per_endpoint * 1000:.2f} ms per endpoint (least squares)")
    print(
        f"peak RSS: {rss_intercept / 1024:,.0f} MB + {rss_per_kb:.1f} KB per KB of spec"
        " (least squares)"
    )


if __name__ == "__main__":
    main()
