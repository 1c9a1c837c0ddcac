"""Killing ``lapgen generate`` at random points never leaves a mix of old and new files.

A real ``python -m generator generate`` subprocess rewrites an output of ``corners.lap`` with
``apikey_query.lap`` (files replaced, added and removed) and is killed at a random moment. Its
``os.replace`` is slowed down a little so that the kills land inside the write, which is
otherwise a few milliseconds long; it announces the first replace on stdout, so half of the
kills are timed from there and half from the start (staging, imports).

After each kill: ``lapgen check`` answers (fresh, stale or "interrupted", never a crash); the
next run's recovery leaves exactly the old or the new output with no leftovers; the next
``generate`` writes the new output. SIGTERM and SIGINT roll back before the process exits.

``LAPGEN_KILL_TRIALS=200 pytest tests/test_output_interrupt.py`` runs a longer campaign.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sdk_support import FIXTURES, GOLDEN, REPO, generate, snapshot, tree_diff

import generator.check
from generator.output import interruption_leftovers, recover

OLD_SPEC, NEW_SPEC = FIXTURES / "corners.lap", FIXTURES / "apikey_query.lap"
OLD, NEW = snapshot(GOLDEN / "corners"), snapshot(GOLDEN / "apikey_query")
USER_FILE = {"NOTES.md": b"the user's, not lapgen's\n"}
TRIALS = int(os.environ.get("LAPGEN_KILL_TRIALS", "30"))
BATCHES = 3
REPLACE_DELAY = 0.01  # seconds per os.replace in the child: ~50 replaces → a 0.5 s window

CHILD = """
import os, sys, time
real_replace = os.replace
started = False

def slow_replace(source, target):
    global started
    if not started:
        started = True
        sys.stdout.write("writing\\n")
        sys.stdout.flush()
    time.sleep(float(os.environ["LAPGEN_TEST_REPLACE_DELAY"]))
    real_replace(source, target)

os.replace = slow_replace
from generator.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A format cache holding both specs' chunks, so the children spend their time writing."""
    cache = tmp_path_factory.mktemp("kill-cache") / "lapgen"
    previous = os.environ.get("LAPGEN_CACHE_DIR")
    os.environ["LAPGEN_CACHE_DIR"] = str(cache)
    try:
        scratch = tmp_path_factory.mktemp("kill-warm")
        for spec in (OLD_SPEC, NEW_SPEC):
            assert generate(spec, scratch / spec.stem).code == 0
    finally:
        if previous is None:
            del os.environ["LAPGEN_CACHE_DIR"]
        else:
            os.environ["LAPGEN_CACHE_DIR"] = previous
    return cache


def _old_output(root: Path) -> Path:
    out = root / "out"
    shutil.copytree(GOLDEN / "corners", out)
    for name, data in USER_FILE.items():
        (out / name).write_bytes(data)
    return out


def _start(out: Path, cache: Path, delay: float = REPLACE_DELAY) -> subprocess.Popen[str]:
    env = {**os.environ, "LAPGEN_CACHE_DIR": str(cache)}
    env["LAPGEN_TEST_REPLACE_DELAY"] = str(delay)
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, "generate", str(NEW_SPEC), "-o", str(out)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _interrupt(process: subprocess.Popen[str], rng: random.Random, signum: int) -> str:
    """Send ``signum`` at a random moment (from the first replace, or from the start); the
    child's stderr."""
    assert process.stdout is not None
    if rng.random() < 0.5:
        process.stdout.readline()  # "writing" (or "" when the child ended first)
        time.sleep(rng.uniform(0, 60 * REPLACE_DELAY))
    else:
        time.sleep(rng.uniform(0, 1.5))
    if process.poll() is None:
        process.send_signal(signum)
    _stdout, stderr = process.communicate(timeout=120)
    return stderr


def _lapgen_files(out: Path) -> dict[str, bytes]:
    files = snapshot(out)
    for name, data in USER_FILE.items():
        assert files.pop(name) == data, "the user's file was touched"
    return files


def _check_answers(out: Path) -> None:
    """Directly after a kill: fresh, stale or interrupted, and never an exception."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = generator.check.run(NEW_SPEC, out, stdout=stdout, stderr=stderr)
    assert code in (0, 1), stderr.getvalue()
    if interruption_leftovers(out):
        assert code == 1 and "interrupted" in stderr.getvalue(), stderr.getvalue()


def _assert_old_or_new(out: Path, seed: int, trial: int) -> None:
    files = _lapgen_files(out)
    assert files in (OLD, NEW), f"seed {seed} trial {trial}: a mix\n" + tree_diff(NEW, files)
    assert not interruption_leftovers(out), interruption_leftovers(out)


@pytest.mark.parametrize("batch", range(BATCHES))
def test_sigkill_at_random_points(tmp_path: Path, warm_cache: Path, batch: int) -> None:
    seed = 1000 + batch
    rng = random.Random(seed)
    mid_write = 0
    for trial in range(batch, TRIALS, BATCHES):
        out = _old_output(tmp_path / f"trial{trial}")
        _interrupt(_start(out, warm_cache), rng, signal.SIGKILL)
        mid_write += bool(interruption_leftovers(out))
        _check_answers(out)
        recover(out)  # what the next generate (or a long-running tool) does first
        _assert_old_or_new(out, seed, trial)
        run = generate(NEW_SPEC, out)
        assert run.code == 0, run.stderr
        assert _lapgen_files(out) == NEW
    # The campaign tested something: some kills landed while the output was being written.
    assert mid_write, f"seed {seed}: no kill landed inside the write"
    print(f"seed {seed}: {mid_write} of {len(range(batch, TRIALS, BATCHES))} kills mid-write")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_and_sigint_roll_back_before_exit(
    tmp_path: Path, warm_cache: Path, signum: int
) -> None:
    seed = 2000 + signum
    rng = random.Random(seed)
    interrupted = 0
    for trial in range(3):
        out = _old_output(tmp_path / f"trial{trial}")
        # Slower replaces than elsewhere (~40 of them, over ~1.2 s): a parent that a loaded
        # machine wakes late after "writing" must still signal inside the write.
        process = _start(out, warm_cache, delay=3 * REPLACE_DELAY)
        assert process.stdout is not None and process.stdout.readline() == "writing\n"
        time.sleep(rng.uniform(0, 20 * REPLACE_DELAY))
        process.send_signal(signum)
        _stdout, stderr = process.communicate(timeout=120)
        # No recovery here: the process itself must have left the old or the new output.
        _assert_old_or_new(out, seed, trial)
        assert "Traceback" not in stderr, stderr
        # 0 or killed by the signal's default action: it came after the write was complete.
        assert process.returncode in (0, -signum, 128 + signum), (process.returncode, stderr)
        if process.returncode != 128 + signum:
            assert _lapgen_files(out) == NEW
        if process.returncode == 128 + signum:
            interrupted += 1
            assert "interrupted" in stderr, stderr
    assert interrupted, "every signal came too late"


def test_next_generate_rolls_back_and_reports(tmp_path: Path, warm_cache: Path) -> None:
    """A kill right after the first replace: the next run says what it recovered."""
    out = _old_output(tmp_path)
    process = _start(out, warm_cache)
    assert process.stdout is not None and process.stdout.readline() == "writing\n"
    time.sleep(10 * REPLACE_DELAY)
    process.kill()
    process.communicate(timeout=120)
    assert interruption_leftovers(out)
    stderr = io.StringIO()
    assert generator.check.run(NEW_SPEC, out, stdout=io.StringIO(), stderr=stderr) == 1
    assert "interrupted" in stderr.getvalue()
    run = generate(NEW_SPEC, out)
    assert run.code == 0, run.stderr
    assert "rolled back an interrupted generation" in run.stderr
    assert _lapgen_files(out) == NEW and not interruption_leftovers(out)
