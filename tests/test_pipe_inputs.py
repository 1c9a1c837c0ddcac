"""A spec or config that is a pipe (``<(...)``, ``/dev/stdin``, a FIFO) can be read once: a
second read is empty. Every command reads each input exactly once, and the output (and the
up-to-date seal) of a run from pipes is that of the same run from regular files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sdk_support import FIXTURES, run_lapgen, snapshot, tree_diff

ROOT = Path(__file__).resolve().parent.parent
SPEC = (FIXTURES / "corners.lap").read_bytes()
CONFIGS = [b'[package]\nname = "piped_one"\n', b'[package]\nname = "piped_two"\n']
PIPE_KINDS = ["fifo", "stdin", "fd"]  # how the piped input reaches lapgen


class Piped:
    """One ``lapgen`` process whose spec and/or config come through pipes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.fds: list[int] = []
        self.writers: list[threading.Thread] = []
        self.fifos: list[Path] = []
        self.stdin: bytes | None = None

    def pipe(self, kind: str, data: bytes, name: str) -> str:
        """A path that reads ``data`` once, as a pipe of ``kind``."""
        if kind == "stdin":
            self.stdin = data
            return "/dev/stdin"
        if kind == "fd":  # what the shell's <(...) gives: /dev/fd/N, inherited
            read, write = os.pipe()
            os.write(write, data)  # small: fits in the pipe's buffer
            os.close(write)
            self.fds.append(read)
            return f"/dev/fd/{read}"
        fifo = self.root / name
        os.mkfifo(fifo)
        self.fifos.append(fifo)

        def write() -> None:
            with open(fifo, "wb") as stream:  # blocks until lapgen opens it
                stream.write(data)

        thread = threading.Thread(target=write, daemon=True)
        thread.start()
        self.writers.append(thread)
        return str(fifo)

    def run(self, *argv: str, cache: Path) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "LAPGEN_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
        try:
            return subprocess.run(
                [sys.executable, "-m", "generator", *argv],
                input=self.stdin.decode() if self.stdin is not None else None,
                capture_output=True,
                text=True,
                env=env,
                pass_fds=tuple(self.fds),
                timeout=120,
                check=False,
            )
        finally:
            for fd in self.fds:
                os.close(fd)
            for fifo in self.fifos:  # a writer lapgen never opened: let it finish
                with open(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK), "rb") as drain:
                    drain.read()
            for thread in self.writers:
                thread.join(timeout=10)


@pytest.fixture
def files(tmp_path: Path) -> Iterator[Path]:
    """A directory with the spec and the configs as regular files."""
    (tmp_path / "api.lap").write_bytes(SPEC)
    for number, config in enumerate(CONFIGS):
        (tmp_path / f"c{number}.toml").write_bytes(config)
    yield tmp_path


def _generate(spec: str, out: Path, config: str, cache: Path, piped: Piped | None = None) -> str:
    run = (piped or Piped(out.parent)).run(
        "generate", spec, "-o", str(out), "--config", config, cache=cache
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize(
    ("spec_kind", "config_kind"),
    [(spec, config) for spec in [None, *PIPE_KINDS] for config in [None, "fifo", "fd"]][1:],
)
def test_generate_from_pipes_is_generate_from_files(
    files: Path, spec_kind: str | None, config_kind: str | None
) -> None:
    cache = files / "cache"
    spec, first, second = files / "api.lap", files / "c0.toml", files / "c1.toml"
    # A sealed cache and an existing OUTDIR generated (from files) with the other config.
    _generate(str(spec), files / "warm", str(second), cache)
    _generate(str(spec), files / "warm", str(second), cache)
    _generate(str(spec), files / "existing", str(first), cache)

    def piped_run(out: str) -> tuple[str, str]:
        """The piped run's stdout and its spec's file name (the output names it)."""
        piped = Piped(files / "pipes")
        spec_arg = str(spec) if spec_kind is None else piped.pipe(spec_kind, SPEC, "api.lap")
        config_arg = (
            str(second) if config_kind is None else piped.pipe(config_kind, CONFIGS[1], "c.toml")
        )
        stdout = _generate(spec_arg, files / out, config_arg, cache, piped)
        for fifo in piped.fifos:
            fifo.unlink()
        return stdout, Path(spec_arg).name

    (files / "pipes").mkdir()
    for out in ("fresh", "existing"):
        stdout, name = piped_run(out)
        assert "piped_two" in stdout
        # The reference: the same run from regular files (a spec of the same name), its own
        # cache, into a fresh OUTDIR or one generated with the other config first.
        refs = files / f"refs-{out}"
        refs.mkdir()
        (refs / name).write_bytes(SPEC)
        if out == "existing":
            _generate(str(refs / name), refs / "out", str(first), refs / "cache")
        _generate(str(refs / name), refs / "out", str(second), refs / "cache")
        expected, actual = snapshot(refs / "out"), snapshot(files / out)
        assert actual == expected, tree_diff(expected, actual)
        # The seal describes the bytes planned: the same piped run again is up to date.
        # (Not for /dev/fd/N: this process may give another N, another path, another key; the
        # shell's <(...) gives /dev/fd/63 each time.)
        if "fd" not in (spec_kind, config_kind):
            assert "up to date: piped_two" in piped_run(out)[0]
            assert snapshot(files / out) == expected


def test_validate_reads_one_piped_config_for_every_spec(files: Path) -> None:
    piped = Piped(files)
    config = piped.pipe("fifo", CONFIGS[1], "config")
    spec = str(files / "api.lap")
    run = piped.run("validate", spec, spec, "--config", config, "--json", cache=files / "cache")
    from_files = run_lapgen("validate", spec, spec, "--config", files / "c1.toml", "--json")
    assert (run.returncode, run.stdout) == (from_files.code, from_files.stdout)


# -- each path opened once, every command ------------------------------------------------------


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each file was read through ``Path.read_bytes`` (all of lapgen's reads of
    a spec or config go through it)."""
    counts: Counter[str] = Counter()
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        counts[str(self)] += 1
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    return counts


def _commands(files: Path, spec: Path, config: Path) -> list[list[str | os.PathLike[str]]]:
    out, old = files / "out", files / "old.lap"
    old.write_bytes(SPEC)
    return [
        ["generate", spec, "-o", out, "--config", config],  # fresh: plans, re-plans, seals
        ["generate", spec, "-o", out, "--config", config],  # up to date
        ["generate", spec, "-o", out, "--config", files / "c0.toml"],  # full, existing
        ["plan", spec, "--config", config],
        ["check", spec, out, "--config", config],
        ["validate", spec, spec, "--config", config],
        ["diff", old, spec, "--config", config],
    ]


def test_every_command_reads_the_spec_and_config_once(
    files: Path, reads: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAPGEN_CACHE_DIR", str(files / "cache"))
    spec, config = files / "api.lap", files / "c1.toml"
    for argv in _commands(files, spec, config):
        reads.clear()
        run = run_lapgen(*argv)
        assert run.code in (0, 1), run.stderr  # check: stale after the c0 run
        inputs = [path for path in (spec, config, files / "c0.toml") if path in argv]
        specs = sum(1 for arg in argv if arg == spec)  # validate's two, each its own read
        expected = {str(path): specs if path == spec else 1 for path in inputs}
        assert {path: reads[path] for path in expected} == expected, argv


def test_the_default_config_beside_the_spec_is_read_once(
    files: Path, reads: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAPGEN_CACHE_DIR", str(files / "cache"))
    spec = files / "api.lap"
    (files / "api.toml").write_bytes(CONFIGS[0])
    for _ in range(2):  # a full run, then an up-to-date one
        reads.clear()
        assert run_lapgen("generate", spec, "-o", files / "out").code == 0
        assert (reads[str(spec)], reads[str(files / "api.toml")]) == (1, 1)


# -- a spec the planner refuses: the front end's warnings first --------------------------------


@pytest.mark.parametrize("command", ["generate", "plan"])
def test_a_refused_spec_shows_the_front_ends_warnings_first(command: str, tmp_path: Path) -> None:
    spec = ROOT / "tests" / "corpus" / "example-protobuf-user.lap"
    validate = run_lapgen("validate", spec)
    warnings = [line for line in validate.stderr.splitlines() if ": warning: " in line]
    errors = [line for line in validate.stderr.splitlines() if ": error: " in line]
    assert warnings and errors  # the corpus spec still exercises this
    argv: list[str | os.PathLike[str]] = [command, spec]
    if command == "generate":
        argv += ["-o", tmp_path / "out"]
    run = run_lapgen(*argv)
    assert run.code == 1
    lines = run.stderr.splitlines()
    shown = [line for line in lines if ": warning: " in line or ": error: " in line]
    assert shown == [*warnings, *errors]
