"""`lapgen validate SPEC` as a whole process against lapsh's parse of the same file.

The contenders run alternately, each round starting with the next one, as separate processes
timed with time.perf_counter from spawn to exit:

- ``lapgen validate SPEC`` (the console script of this environment);
- ``python -c "from lap.core.parser import parse_lap; parse_lap(open(SPEC).read())"`` (lapsh's
  parse, when lapsh is installed: the `test` extra);
- ``python -c "from generator.frontend import read_spec; ..."``: lapgen's parse alone, as a
  process (validate minus the planner's warnings and the imports only they need);
- the same with pure-Python lark (``accelerate=False``): what lark-cython (the `fast` extra)
  gains a whole process;
- ``lapgen validate`` with an empty cache directory: what lark's cached tables save;
- ``python -c pass``: the interpreter's own start, the floor under both;
- with ``--base DIR`` (another checkout of lapgen, e.g. ``git worktree add /tmp/base main``):
  ``python -m generator validate`` from that checkout and from this one, for a before/after in
  one interleaved run (the same interpreter, packages and lapsh).

Both tools get the same bytecode caching, lapgen a private cache directory (see
``_process.bytecode_env``), and one untimed warm-up run (which also leaves lark's grammar
cache in place, as any second run finds it).
Then a breakdown of one lapgen validate process: where its time goes (imports, the grammar
load, the parse, the planner's warnings) and its heaviest imports by ``python -X importtime``.

Run: python benchmarks/validate.py [--runs N] [--spec PATH] [--base DIR] [--quick]
(``--quick``: 3 runs on a small spec, a smoke test for tests/test_benchmarks.py; its figures
mean nothing.)
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _process import bytecode_env, interleaved, lapgen_command, run_timed, summary  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
QUICK_SPEC = ROOT / "tests" / "corpus" / "openapi-petstore.lap"
QUICK_RUNS = 3
LAPGEN_PARSE = (
    "import sys; from generator.frontend import read_spec; read_spec(open(sys.argv[1]).read())"
)
LAPSH_PARSE = (
    "import sys; from lap.core.parser import parse_lap; parse_lap(open(sys.argv[1]).read())"
)

# One validate, its phases timed inside the process (what `lapgen validate` calls, in order).
PHASES = """
import json, sys, time
from pathlib import Path
start = time.perf_counter()
import generator.cli
cli = time.perf_counter()
import gc
gc.set_threshold(generator.cli._GC_THRESHOLD, 20, 20)  # as `lapgen validate` does first
from generator.frontend import _parser, read_spec
front = time.perf_counter()
from generator.inputs import read_inputs
from generator.pipeline import planner_warnings
import generator.planner.lint
imported = time.perf_counter()
_parser(True)
grammar = time.perf_counter()
path = Path(sys.argv[1])
inputs = read_inputs(path, None)
result = read_spec(inputs.data)
parsed = time.perf_counter()
planner_warnings(inputs, result.api)
planned = time.perf_counter()
json.dump({"import generator.cli": cli - start, "import generator.frontend (lark, attrs)":
    front - cli, "import generator.pipeline, planner.lint (planner, config)": imported - front,
    "lark grammar (cached tables)":
    grammar - imported, "read_spec (parse + IR)": parsed - grammar,
    "planner warnings": planned - parsed}, sys.stdout)
"""


def heaviest_imports(env: dict[str, str], spec: Path, count: int) -> list[tuple[str, float]]:
    """Packages by the cumulative time of their imports in one ``validate`` (-X importtime).

    A package counts where another package imported it, with all it imported in turn: httpx's
    figure includes the click and rich its command line pulls in (which count on their own too).
    """
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "generator", "validate", str(spec)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    entries = []  # (depth, package, cumulative seconds), children before their parent
    for line in done.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) == 3 and fields[1].strip().isdigit():
            name = fields[2].rstrip()
            depth = (len(name) - len(name.lstrip())) // 2
            entries.append((depth, name.strip().split(".")[0], int(fields[1]) / 1e6))
    totals: dict[str, float] = defaultdict(float)
    for index, (depth, package, cumulative) in enumerate(entries):
        importer = next((p for d, p, _ in entries[index + 1 :] if d < depth), None)
        if importer != package:
            totals[package] += cumulative
    return sorted(totals.items(), key=lambda item: -item[1])[:count]


BASE = "base: python -m generator validate"
HERE = "this: python -m generator validate"


def _checkouts(base: Path, spec: Path, env: dict[str, str]) -> dict[str, Callable[[], float]]:
    """``python -m generator validate`` from ``base`` and from this checkout (each first on
    the import path, run in its own directory), for a before/after."""
    command = [sys.executable, "-m", "generator", "validate", str(spec.resolve())]
    timed: dict[str, Callable[[], float]] = {}
    for name, root in ((BASE, base.resolve()), (HERE, ROOT)):
        checkout_env = {**env, "PYTHONPATH": str(root)}
        timed[name] = partial(run_timed, command, checkout_env, root)
    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=21, help="timed runs of each (default 21)")
    parser.add_argument("--spec", type=Path, default=ROOT / "spec" / "stytch.lap")
    parser.add_argument(
        "--base", type=Path, help="another lapgen checkout to time alongside (before/after)"
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK_RUNS} runs on {QUICK_SPEC.name}: a smoke test"
    )
    args = parser.parse_args()
    spec: Path = QUICK_SPEC if args.quick else args.spec
    runs: int = QUICK_RUNS if args.quick else args.runs

    with tempfile.TemporaryDirectory(prefix="lapgen-bench-validate-") as scratch:
        env = bytecode_env(Path(scratch))
        commands = {
            "lapgen validate": [*lapgen_command(), "validate", str(spec)],
            # The front end alone, as a process: what validate costs beyond it is the planner.
            "lapgen read_spec": [sys.executable, "-c", LAPGEN_PARSE, str(spec)],
            "python -c pass": [sys.executable, "-c", "pass"],
        }
        if importlib.util.find_spec("lap") is not None:
            commands["lapsh parse_lap"] = [sys.executable, "-c", LAPSH_PARSE, str(spec)]
        else:
            print("lapsh: not installed (the `test` extra); timing lapgen alone")
        commands["lapgen read_spec, pure-Python lark"] = [
            sys.executable,
            "-c",
            LAPGEN_PARSE.replace("read()", "read(), accelerate=False"),
            str(spec),
        ]
        contenders: dict[str, Callable[[], float]] = {
            name: partial(run_timed, command, env) for name, command in commands.items()
        }
        if args.base is not None:
            contenders.update(_checkouts(args.base, spec, env))
        fresh_caches = (Path(scratch) / f"lark-cache-{number}" for number in itertools.count())

        def without_grammar_cache() -> float:
            """validate building lark's tables, as a first run (or an unusable cache) does."""
            cold = {**env, "LAPGEN_CACHE_DIR": str(next(fresh_caches))}
            return run_timed(commands["lapgen validate"], cold)

        contenders["lapgen validate, no grammar cache"] = without_grammar_cache
        for run in contenders.values():  # warm-up: bytecode and grammar caches written
            run()
        times = interleaved(contenders, runs)

        print(
            f"{spec.name}: {spec.stat().st_size:,} bytes; whole processes, {runs} interleaved runs"
        )
        width = max(map(len, times)) + 1
        for name, samples in times.items():
            print(summary(name, samples, width))
        medians = {name: statistics.median(samples) for name, samples in times.items()}
        if "lapsh parse_lap" in medians:
            ratio = medians["lapgen validate"] / medians["lapsh parse_lap"]
            print(f"ratio lapgen validate / lapsh parse_lap: {ratio:.2f}")
            for name in (BASE, HERE):
                if name in medians:
                    print(
                        f"ratio {name} / lapsh parse_lap: {medians[name] / medians['lapsh parse_lap']:.2f}"
                    )
            ratio = medians["lapgen read_spec"] / medians["lapsh parse_lap"]
            print(f"ratio lapgen read_spec / lapsh parse_lap: {ratio:.2f}")

        phases = json.loads(
            subprocess.run(
                [sys.executable, "-c", PHASES, str(spec)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        print("one lapgen validate, inside the process:")
        for phase, seconds in phases.items():
            print(f"  {phase}: {seconds * 1000:,.0f} ms")
        print("heaviest imports of lapgen validate (python -X importtime, cumulative):")
        for name, seconds in heaviest_imports(env, spec, 10):
            print(f"  {name}: {seconds * 1000:,.0f} ms")


if __name__ == "__main__":
    main()
