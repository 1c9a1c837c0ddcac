"""Developer sessions: `nox -s tests`, `lint`, `typecheck`, `regenerate`, `check`, `hostile`."""

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
