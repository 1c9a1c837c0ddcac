"""Whole-process timing shared by benchmarks/validate.py and benchmarks/generate.py."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

Command = Sequence[str]


def bytecode_env(scratch: Path) -> dict[str, str]:
    """The environment with bytecode cached under ``scratch`` for every contender alike.

    Without it, an editable install under PYTHONDONTWRITEBYTECODE=1 recompiles lapgen's own
    sources in every process while installed packages (lapsh) load their pip-compiled .pyc:
    a handicap no installed lapgen has. lapgen's caches live there too: the user's cache file
    of lark's tables has one name for every grammar, so another lapgen checkout running at
    the same time would make runs here rebuild the tables now and then.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pyc")
    env["LAPGEN_CACHE_DIR"] = str(scratch / "lapgen-cache")
    return env


def lapgen_command() -> list[str]:
    """The ``lapgen`` console script of this interpreter's environment, else ``-m generator``."""
    script = Path(sys.executable).with_name("lapgen")
    return [str(script)] if script.exists() else [sys.executable, "-m", "generator"]


def tool(name: str) -> str | None:
    """A console script of this interpreter's environment (then PATH), or None."""
    script = Path(sys.executable).with_name(name)
    return str(script) if script.exists() else shutil.which(name)


def run_timed(command: Command, env: Mapping[str, str], cwd: Path | None = None) -> float:
    """Seconds from spawn to exit; a failed run is an error, not a figure."""
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, timeout=300)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(command)} exited {done.returncode}:\n{done.stderr.decode(errors='replace')}"
        )
    return elapsed


def interleaved(
    contenders: Mapping[str, Callable[[], float]], rounds: int
) -> dict[str, list[float]]:
    """Each contender once per round, the starting one rotating: noise hits them alike."""
    names = list(contenders)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(rounds):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(contenders[name]())
    return times


def summary(name: str, samples: Sequence[float], width: int) -> str:
    median = statistics.median(samples) * 1000
    low, high = min(samples) * 1000, max(samples) * 1000
    return f"{name + ':':<{width}} median {median:,.0f} ms  (min {low:,.0f}, max {high:,.0f})"
