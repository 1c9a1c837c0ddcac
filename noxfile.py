"""Developer sessions: `nox -s tests`, `nox -s lint`, `nox -s typecheck`, `nox -s regenerate`."""

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
