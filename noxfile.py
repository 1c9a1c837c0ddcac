"""Developer sessions: `nox -s tests`, `lint`, `typecheck`, `regenerate`, `check`, and the
longer property runs `hostile`, `fuzz`, `differential` and `deep`."""

import os
from pathlib import Path

import nox

nox.options.sessions = ["tests", "typecheck"]


@nox.session
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test,fast]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("black>=24.1", "ruff>=0.4")
    session.run("black", "--check", "generator", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "check", "generator", "tests", "benchmarks")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("mypy", "--strict", "generator")
    # The generated code is held to the same standard.
    session.run("mypy", "--strict", "generated/stytch_api/stytch_api")


@nox.session
def regenerate(session: nox.Session) -> None:
    """Regenerate generated/stytch_api and every tests/fixtures/golden/<name>/ output."""
    session.install("-e", ".[fast]")
    session.run("python", "-m", "tests.regenerate", *session.posargs)


@nox.session
def check(session: nox.Session) -> None:
    """Fail when a committed output is stale (what `regenerate` would change, as a diff)."""
    session.install("-e", ".[fast]")
    session.run(
        "lapgen", "check", "spec/stytch.lap", "generated/stytch_api", "--config", "spec/stytch.toml"
    )
    # Like tests/regenerate.py: tests/fixtures/<name>.lap → tests/fixtures/golden/<name>/.
    for spec in sorted(Path("tests/fixtures").glob("*.lap")):
        session.run("lapgen", "check", str(spec), f"tests/fixtures/golden/{spec.stem}")


@nox.session
def hostile(session: nox.Session) -> None:
    """The hostile-input properties with many more examples than the suite's (~5 minutes)."""
    session.install("-e", ".[test,fast]")
    session.env["HOSTILE_EXAMPLES"] = session.posargs[0] if session.posargs else "200"
    session.run(
        "pytest",
        "-q",
        "tests/test_hostile_generate.py",
        "tests/test_hostile_names.py",
        "tests/test_escaping.py",
    )


@nox.session
def fuzz(session: nox.Session) -> None:
    """The front-end property tests with many more examples (LAPGEN_FUZZ_SCALE, default 20)."""
    session.install("-e", ".[test,fast]")
    scale = os.environ.get("LAPGEN_FUZZ_SCALE", "20")
    session.run(
        "pytest",
        "-q",
        "tests/test_properties.py",
        *session.posargs,
        env={"LAPGEN_FUZZ_SCALE": scale},
    )


@nox.session
def deep(session: nox.Session) -> None:
    """Every hypothesis property (``-m hypothesis``) with 20x its examples and no deadline:
    ``HYPOTHESIS_PROFILE=deep`` (tests/conftest.py; ``HYPOTHESIS_DEEP_FACTOR`` changes 20). Finds
    a strategy that draws outside its property's space before CI's random seed does; pass
    ``-- --hypothesis-seed=N`` for a given seed. CI keeps each test's own count, random seeds."""
    session.install("-e", ".[test,fast]")
    session.run(
        "pytest",
        "-q",
        "-m",
        "hypothesis",
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": "deep"},
    )


@nox.session
def differential(session: nox.Session) -> None:
    """lapgen against lapsh on many drawn OpenAPI documents (LAPGEN_DIFFERENTIAL_EXAMPLES)."""
    session.install("-e", ".[test,fast]")
    examples = os.environ.get("LAPGEN_DIFFERENTIAL_EXAMPLES", "2000")
    session.run(
        "pytest",
        "-q",
        "tests/test_differential.py",
        *session.posargs,
        env={"LAPGEN_DIFFERENTIAL_EXAMPLES": examples},
    )
