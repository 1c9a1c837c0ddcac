"""The benchmarks run: each in ``--quick`` mode, as a subprocess, must exit 0 and print its
figures. (``benchmarks/sdk.py`` once failed at once on a removed private import and nobody
noticed.) The figures' values are machine noise: only their presence and form are checked.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import REPO

from generator.frontend import parse

NUMBER = r"[\d,]+(?:\.\d+)?"
PETSTORE = REPO / "tests" / "corpus" / "openapi-petstore.lap"
PETSTORE_ENDPOINTS = len(parse(PETSTORE.read_bytes()).endpoints)
STYTCH_ENDPOINTS = len(parse((REPO / "spec" / "stytch.lap").read_bytes()).endpoints)

# benchmark (and its arguments besides --quick) → lines its quick run must print (regexes,
# each matched on a whole line)
FIGURES: dict[str, list[str]] = {
    "names.py": [
        rf"{NUMBER} methods: numeric suffix {NUMBER} \({NUMBER}%\), "
        rf"version-like resource {NUMBER} \({NUMBER}%\)",
        rf"stytch without config: method names {NUMBER}/184, accessors {NUMBER}/184",
        rf"stytch with spec/stytch.toml: method names {NUMBER}/184, accessors {NUMBER}/184",
    ],
    "mock.py --hostile": [
        rf"200 GETs of 8 KB unknown paths \(.*\): RSS {NUMBER} MB before, {NUMBER} MB after",
        rf"20 half-sent requests: all closed after {NUMBER} s, {NUMBER} got a 408",
        rf"SIGTERM with 5 requests delayed 30 s in flight: exited 0 after {NUMBER} s",
    ],
    "memory.py": [
        r"openapi-petstore\.lap × k: peak memory of read_spec \(tracemalloc\)",
        *(
            rf"k={k}: {NUMBER} bytes, {PETSTORE_ENDPOINTS * k} endpoints; peak {NUMBER} MB "
            rf"\({NUMBER} per byte\)"
            for k in (1, 2, 4)
        ),
    ],
    "parse.py": [
        rf"lapgen \(pure Python\): first call {NUMBER} s \({PETSTORE_ENDPOINTS} endpoints\)",
        rf"openapi-petstore\.lap: {NUMBER} bytes; median of 3 interleaved runs",
        rf"lapgen \(pure Python\):\s+median {NUMBER} s  \(min {NUMBER}, max {NUMBER}\)",
    ],
    "sdk.py": [
        rf"generated Python lines: {NUMBER} in {NUMBER} files",
        rf"model classes: {NUMBER} nested, {NUMBER} responses; longest class name {NUMBER} chars",
        rf"import stytch_api \+ Client\(\) \[this environment\]: median {NUMBER} ms",
        rf"users\.get \({NUMBER} KB\): raw httpx {NUMBER} us, SDK {NUMBER} us, ratio {NUMBER}",
        rf"b2b member get \({NUMBER} KB\): raw httpx {NUMBER} us, SDK {NUMBER} us, ratio {NUMBER}",
        rf"lapgen generate corners \(cold\): median {NUMBER} s",
        rf"lapgen generate corners \(in place, empty cache\): median {NUMBER} s",
        rf"lapgen generate corners \(warm cache, new directory\): median {NUMBER} s",
    ],
    "validate.py": [
        rf"openapi-petstore\.lap: {NUMBER} bytes; whole processes, 3 interleaved runs",
        rf"lapgen validate:\s+median {NUMBER} ms  \(min {NUMBER}, max {NUMBER}\)",
        rf"python -c pass:\s+median {NUMBER} ms  \(min {NUMBER}, max {NUMBER}\)",
        rf"lapsh parse_lap:\s+median {NUMBER} ms  \(min {NUMBER}, max {NUMBER}\)",
        rf"lapgen read_spec, pure-Python lark:\s+median {NUMBER} ms  \(min {NUMBER}, max {NUMBER}\)",
        rf"lapgen validate, no grammar cache:\s+median {NUMBER} ms  \(min {NUMBER}, max {NUMBER}\)",
        rf"ratio lapgen validate / lapsh parse_lap: {NUMBER}",
        rf"ratio lapgen read_spec / lapsh parse_lap: {NUMBER}",
        rf"  import generator\.cli: {NUMBER} ms",
        rf"  import generator\.pipeline, planner\.lint \(planner, config\): {NUMBER} ms",
        rf"  read_spec \(parse \+ IR\): {NUMBER} ms",
        rf"  planner warnings: {NUMBER} ms",
        rf"  generator: {NUMBER} ms",  # lapgen's own modules are among the imports broken down
    ],
    "generate.py": [
        rf"lapgen \(first\):\s+median {NUMBER} ms  \(min {NUMBER}, max {NUMBER}\)",
        rf"lapgen \(in place\):\s+median {NUMBER} ms  \(min {NUMBER}, max {NUMBER}\)",
        rf"lapgen \(in place after a one-line edit\):\s+median {NUMBER} ms  \(min {NUMBER}, max"
        rf" {NUMBER}\)",
        # Either timed side by side, or the reason why not, said on its own line.
        rf"(?:ratio lapgen / openapi-python-client \(in place\): {NUMBER}"
        r"|openapi-python-client: .*; timing lapgen alone)",
    ],
    "scale.py": [
        r"stytch\.lap scaled: cold whole-process generate, median of 1 run\(s\)",
        rf"\s+20\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}",
        rf"\s+40\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER}",
        rf"CPU: -?{NUMBER} s \+ -?{NUMBER} ms per endpoint \(least squares\)",
        rf"peak RSS: -?{NUMBER} MB \+ -?{NUMBER} KB per KB of spec \(least squares\)",
    ],
    "mock.py": [
        rf"total\s+{STYTCH_ENDPOINTS}",  # every endpoint of the spec exercised
        rf"  AsyncClient: 20 calls \(<= 100 in flight\) in {NUMBER} s, {NUMBER} calls/s",
        rf"  Client x 2 threads: 10 calls in {NUMBER} s, {NUMBER} calls/s",
        rf"mock handling time per call: p50 {NUMBER} ms, p99 {NUMBER} ms, mean {NUMBER} ms "
        rf"\({NUMBER} calls\)",
        r"`lapgen mock` ready in .*: "
        r"Mock server for Stytch API listening on http://127\.0\.0\.1:\d+",
    ],
}


@pytest.mark.parametrize("script", sorted(FIGURES))
def test_benchmark_runs_in_quick_mode(script: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script.split()[0]), *script.split()[1:]]
        + ["--quick"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,  # a hang fails the test instead of the whole run
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    for figure in FIGURES[script]:
        assert re.search(f"^{figure}$", done.stdout, re.MULTILINE), (figure, done.stdout)


# What each command may load: a command that imports another's dependencies is slower to start
# for nothing (issue 12: `lapgen validate` loaded the whole back end). Packages named here are
# the heavy ones of other commands: black and jinja2 (generate), starlette and uvicorn (mock).
BACK_END = {"black", "jinja2", "starlette", "uvicorn"}
MUST_NOT_LOAD: dict[str, set[str]] = {
    "--version": BACK_END | {"lark", "httpx", "attrs", "attr", "generator.frontend"},
    "--help": BACK_END | {"lark", "httpx", "attrs", "attr", "generator.frontend"},
    "validate": BACK_END,
    "plan": BACK_END,
}
LOADED_MODULES = """
import contextlib, io, json, sys
from generator.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[1:])
json.dump({"code": code, "modules": sorted(sys.modules)}, sys.stdout)
"""


@pytest.mark.parametrize("command", sorted(MUST_NOT_LOAD))
def test_a_command_loads_only_what_it_runs(command: str) -> None:
    spec = str(REPO / "tests" / "corpus" / "openapi-petstore.lap")
    argv = [command] if command.startswith("--") else [command, spec]
    done = subprocess.run(
        [sys.executable, "-c", LOADED_MODULES, *argv],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(done.stdout)
    assert report["code"] == 0
    loaded = set(report["modules"])
    loaded_packages = loaded | {module.split(".")[0] for module in loaded}
    assert not loaded_packages & MUST_NOT_LOAD[command]
    if not command.startswith("--"):  # the command ran: it did load its front end
        assert "generator.frontend" in loaded
