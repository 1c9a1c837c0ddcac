"""Whole-process `lapgen generate` against openapi-python-client on the same API.

The API is an OpenAPI document and the LAP file lapsh compiled from it (default: the pair
tests/corpus/lapsh-names-placement.{openapi.yaml,lap}), so both tools generate from the same
description. Each round times, as separate processes (time.perf_counter, spawn to exit):

- first: into a new directory (lapgen also with an empty cache: nothing from earlier runs);
- in place: again into the directory the first run wrote (lapgen's cache as that run left it;
  openapi-python-client with --overwrite): nothing changed, the output is up to date;
- in place after a one-line edit: then once more into that directory from a copy of the spec
  whose first description is changed (the CI case: the spec changed a little). lapgen's copy
  keeps the file name and the config beside it; the OpenAPI copy changes ``info.description``.

The tools alternate, each round starting with the other one. openapi-python-client (the `bench`
extra) runs its default post-hooks (ruff), as its users get it. When it is not installed or
fails (it needs nothing from the network), the benchmark says so and times lapgen alone.

Run: python benchmarks/generate.py [--runs N] [--lap PATH --openapi PATH] [--quick]
(``--quick``: one round, no warm-up, a smoke test for tests/test_benchmarks.py; its figures mean
nothing.)
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _process import bytecode_env, lapgen_command, run_timed, summary, tool  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "corpus"
DEFAULT_LAP = CORPUS / "lapsh-names-placement.lap"
DEFAULT_OPENAPI = CORPUS / "lapsh-names-placement.openapi.yaml"
OPC = "openapi-python-client"


def opc_problem(executable: str | None, openapi: Path, scratch: Path, env: dict[str, str]) -> str:
    """Why openapi-python-client cannot be timed here, or "" when it can."""
    if executable is None:
        return "not installed (the `bench` extra)"
    out = scratch / "opc-probe"
    done = subprocess.run(
        [executable, "generate", "--path", str(openapi), "--output-path", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0 or not any(out.rglob("*.py")):
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return f"failed here (exit {done.returncode}: {last[0]})"
    return ""


def edited_lap(spec: Path, directory: Path) -> Path:
    """A copy of ``spec`` (same name, config beside it) with its first ``@desc`` changed."""
    directory.mkdir(parents=True, exist_ok=True)
    lines = spec.read_text("utf-8").splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.startswith("@desc "):
            lines[index] = line.rstrip("\n") + " (edited)\n"
            break
    else:
        lines.append("# edited\n")
    copy = directory / spec.name
    copy.write_text("".join(lines), "utf-8")
    config = spec.with_suffix(".toml")
    if config.is_file():
        shutil.copyfile(config, copy.with_suffix(".toml"))
    return copy


def edited_openapi(openapi: Path, directory: Path) -> Path:
    """A JSON copy of ``openapi`` with ``info.description`` changed."""
    directory.mkdir(parents=True, exist_ok=True)
    text = openapi.read_text("utf-8")
    if openapi.suffix == ".json":
        document = json.loads(text)
    else:
        import yaml  # openapi-python-client depends on it

        document = yaml.safe_load(text)
    info = document.setdefault("info", {})
    info["description"] = f"{info.get('description') or ''} (edited)".strip()
    copy = directory / f"{openapi.stem}.json"
    copy.write_text(json.dumps(document, indent=1), "utf-8")
    return copy


Times = tuple[float, float, float]
ROWS = ("first", "in place", "in place after a one-line edit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=9, help="timed rounds (default 9)")
    parser.add_argument("--lap", type=Path, default=DEFAULT_LAP)
    parser.add_argument("--openapi", type=Path, default=DEFAULT_OPENAPI)
    parser.add_argument("--quick", action="store_true", help="one round: a smoke test")
    args = parser.parse_args()
    runs: int = 1 if args.quick else args.runs

    with tempfile.TemporaryDirectory(prefix="lapgen-bench-generate-") as temp:
        scratch = Path(temp)
        env = bytecode_env(scratch)
        lapgen = lapgen_command()
        opc = tool(OPC)
        problem = opc_problem(opc, args.openapi, scratch, env)
        if problem:
            print(f"{OPC}: {problem}; timing lapgen alone")

        counter = iter(range(1_000_000))

        edited_spec = edited_lap(args.lap, scratch / "edited-lap")
        edited_api = edited_openapi(args.openapi, scratch / "edited-openapi") if opc else None

        def lapgen_round() -> Times:
            number = next(counter)
            out = scratch / f"lapgen-{number}"
            cold_env = {**env, "LAPGEN_CACHE_DIR": str(scratch / f"cache-{number}")}
            command = [*lapgen, "generate", str(args.lap), "-o", str(out)]
            first = run_timed(command, cold_env)
            in_place = run_timed(command, cold_env)
            edit = [*lapgen, "generate", str(edited_spec), "-o", str(out)]
            edited = run_timed(edit, cold_env)
            shutil.rmtree(out)
            return first, in_place, edited

        def opc_round() -> Times:
            assert opc is not None and edited_api is not None
            out = scratch / f"opc-{next(counter)}"
            command = [opc, "generate", "--output-path", str(out)]
            first = run_timed([*command, "--path", str(args.openapi)], env)
            in_place = run_timed([*command, "--path", str(args.openapi), "--overwrite"], env)
            edited = run_timed([*command, "--path", str(edited_api), "--overwrite"], env)
            shutil.rmtree(out)
            return first, in_place, edited

        tools: dict[str, Callable[[], Times]] = {"lapgen": lapgen_round}
        if not problem:
            tools[OPC] = opc_round
        if not args.quick:  # warm-up: bytecode cached for both, then not timed
            for run in tools.values():
                run()
        samples: dict[str, dict[str, list[float]]] = {row: {n: [] for n in tools} for row in ROWS}
        names = list(tools)
        for round_number in range(runs):
            shift = round_number % len(names)
            for name in names[shift:] + names[:shift]:
                for row, seconds in zip(ROWS, tools[name](), strict=True):
                    samples[row][name].append(seconds)

        print(
            f"{args.lap.name} and {args.openapi.name}: whole processes, {runs} interleaved rounds"
        )
        width = len(OPC) + len(" (in place after a one-line edit)") + 1
        for name in names:
            for row in ROWS:
                print(summary(f"{name} ({row})", samples[row][name], width))
        if OPC in names:
            for row in ROWS:
                lapgen_median = statistics.median(samples[row]["lapgen"])
                ratio = lapgen_median / statistics.median(samples[row][OPC])
                print(f"ratio lapgen / {OPC} ({row}): {ratio:.2f}")


if __name__ == "__main__":
    main()
