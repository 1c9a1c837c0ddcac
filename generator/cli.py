"""The ``lapgen`` command: wires the front end, the planner and the back end together.

Exit codes are decided here alone, from the class of the error (README, "Exit codes").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .errors import (
    ConfigError,
    InternalError,
    LapgenError,
    OutputError,
    SpecError,
    UsageError,
)

# Each command imports what it runs, inside its function: `lapgen --help` and `--version`
# load none of it, and no command pays for another's dependencies (lark, httpx via the
# planner's URL checks, black, jinja2, starlette).
if TYPE_CHECKING:
    from .diagnostics import Diagnostic
    from .frontend import ParseResult
    from .pipeline import Loaded

EXIT_OK = 0
EXIT_FAILED = 1  # the spec is invalid, or the check failed: stale output, a breaking change
EXIT_USAGE = 2  # bad arguments, an unreadable input file, a bad config
EXIT_OUTPUT = 3  # the output could not be written (nothing was changed)
EXIT_INTERNAL = 4  # a lapgen bug


def exit_code(error: LapgenError) -> int:
    """The exit status for an error: the same failure exits the same way in every command."""
    match error:
        case SpecError():
            return EXIT_FAILED
        case UsageError() | ConfigError():
            return EXIT_USAGE
        case OutputError():
            return EXIT_OUTPUT
        case InternalError():
            return EXIT_INTERNAL
        case _:  # a LapgenError subclass this table does not know yet is a bug
            return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    parser = _argument_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on usage errors, --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        code: int = args.run(args)
    except BrokenPipeError:  # `lapgen ... | head`
        return EXIT_OK
    except LapgenError as exc:
        print(exc, file=sys.stderr)
        return exit_code(exc)
    except Exception as exc:  # noqa: BLE001  # a bug: one line that locates it, no traceback
        where = _innermost_frame(exc)
        print(
            f"lapgen: internal error: {type(exc).__name__}: {exc} ({where}); please report it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return code


def _innermost_frame(exc: BaseException) -> str:
    traceback = exc.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    if traceback is None:
        return "unknown location"
    code = traceback.tb_frame.f_code
    return f"{Path(code.co_filename).name}:{traceback.tb_lineno} in {code.co_name}"


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lapgen", description="Typed Python SDKs from LAP API descriptions."
    )
    parser.add_argument("--version", action="version", version=f"lapgen {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate", help="check LAP files and report errors and warnings"
    )
    validate.add_argument("specs", nargs="+", metavar="SPEC", type=Path)
    validate.add_argument("--json", action="store_true", help="print a JSON report on stdout")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.set_defaults(run=_validate)

    generate = commands.add_parser("generate", help="generate a Python SDK from a LAP file")
    generate.add_argument("spec", metavar="SPEC", type=Path)
    generate.add_argument("-o", "--output", required=True, type=Path, help="output directory")
    generate.add_argument("--config", type=Path, help="config file (default: SPEC with .toml)")
    generate.add_argument(
        "--force", action="store_true", help="overwrite files in OUTDIR that lapgen did not write"
    )
    generate.set_defaults(run=_generate)

    plan = commands.add_parser("plan", help="print what would be generated")
    plan.add_argument("spec", metavar="SPEC", type=Path)
    plan.add_argument("--config", type=Path, help="config file (default: SPEC with .toml)")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.set_defaults(run=_plan)

    check = commands.add_parser("check", help="fail when OUTDIR is not what generate would write")
    check.add_argument("spec", metavar="SPEC", type=Path)
    check.add_argument("outdir", metavar="OUTDIR", type=Path)
    check.add_argument("--config", type=Path, help="config file (default: SPEC with .toml)")
    check.add_argument("--stat", action="store_true", help="summarise instead of a diff")
    check.set_defaults(run=_check)

    diff = commands.add_parser("diff", help="report API changes between two versions of a spec")
    diff.add_argument("old", metavar="OLD", type=Path)
    diff.add_argument("new", metavar="NEW", type=Path)
    diff.add_argument("--config", type=Path, help="config for both (default: each SPEC's .toml)")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    diff.add_argument(
        "--fail-on-breaking", action="store_true", help="exit 1 when any change is breaking"
    )
    diff.set_defaults(run=_diff)

    mock = commands.add_parser("mock", help="serve a spec-driven HTTP mock of the API")
    mock.add_argument("spec", metavar="SPEC", type=Path)
    mock.add_argument("--config", type=Path, help="config file (default: SPEC with .toml)")
    mock.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    mock.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    mock.add_argument("--seed", type=int, default=0, help="seed of the synthesised bodies")
    mock.add_argument("--delay", type=float, default=0.0, help="seconds added to each response")
    mock.add_argument(
        "--fail-rate", type=float, default=0.0, help="fraction of requests answered with a 503"
    )
    mock.set_defaults(run=_mock)
    return parser


def _validate(args: argparse.Namespace) -> int:
    from .frontend import read_spec
    from .pipeline import planner_warnings, read_bytes

    reports = []
    exit_status = EXIT_OK
    for path in args.specs:
        data = read_bytes(path)
        result = read_spec(data)
        # The planner's warnings (name collisions) too: validate shows what generate would.
        planned: tuple[Diagnostic, ...] = ()
        if result.api is not None:
            planned = planner_warnings(path, data, result.api)
        warnings = [*result.warnings, *planned]
        failed = bool(result.errors) or (args.strict and bool(warnings))
        if failed:
            exit_status = EXIT_FAILED
        if args.json:
            reports.append(_json_report(str(path), result, warnings, ok=not failed))
        else:
            _print_diagnostics(path, data, [*result.diagnostics, *planned])
            print(_summary(path, result, len(warnings), failed))
    if args.json:
        json.dump(reports, sys.stdout, indent=2)
        sys.stdout.write("\n")
    return exit_status


def _print_diagnostics(path: Path, data: bytes, diagnostics: Sequence[Diagnostic]) -> None:
    if not diagnostics:
        return
    from .frontend import source_lines

    # Numbered like the front end numbers them: str.splitlines() also breaks at \f, \v, \x1c…
    lines = source_lines(data.decode("utf-8", errors="replace"))
    for diagnostic in diagnostics:
        print(diagnostic.render(str(path), lines), file=sys.stderr)


def _summary(path: Path, result: ParseResult, warnings: int, failed: bool) -> str:
    from .diagnostics import visible

    counts = f"{len(result.errors)} errors, {warnings} warnings"
    if result.api is None:
        return f"{path}: invalid ({counts})"
    api = result.api
    status = "invalid" if failed else "ok"
    return (
        f"{path}: {status}: {visible(api.name)}, {len(api.endpoints)} endpoints in "
        f"{len(api.groups)} groups ({counts})"
    )


def _check(args: argparse.Namespace) -> int:
    from . import check

    return check.run(args.spec, args.outdir, args.config, stat=args.stat)


def _diff(args: argparse.Namespace) -> int:
    from . import diff

    report = diff.run(args.old, args.new, config=args.config, fmt=args.format)
    return EXIT_FAILED if args.fail_on_breaking and report.breaking else EXIT_OK


def _load(args: argparse.Namespace) -> Loaded:
    """The spec planned; prints the planner's warnings. Raises ``LapgenError``."""
    from .pipeline import load

    loaded = load(args.spec, args.config)
    for warning in loaded.render_warnings():
        print(warning, file=sys.stderr)
    return loaded


def _generate(args: argparse.Namespace) -> int:
    # black and jinja2 load only here: `lapgen mock` and `lapgen validate` start faster.
    from .output import FormatError, Terminated, write_output
    from .render import render_files

    plan = _load(args).plan
    try:
        files = render_files(plan, previous=args.output if args.output.is_dir() else None)
        notes = write_output(files, args.output, force=args.force)
    except FormatError as exc:
        raise InternalError(f"lapgen: internal error: {exc}") from None
    except OSError as exc:
        raise OutputError(f"{args.output}: error: cannot write: {exc}") from None
    except (KeyboardInterrupt, Terminated) as exc:
        # Rolled back, unless the signal came after the last file was in place.
        print(
            f"{args.output}: interrupted: left whole (the previous output, or the new one)",
            file=sys.stderr,
        )
        return 128 + (exc.args[0] if isinstance(exc, Terminated) else 2)
    for note in notes:
        print(f"{args.output}: note: {note}", file=sys.stderr)
    methods = sum(1 for _ in plan.all_methods())
    print(f"{args.output}: {plan.package} with {methods} methods and {len(plan.models)} models")
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    from .plan import plan_json

    plan = _load(args).plan
    if args.json:
        json.dump(plan_json(plan), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for method in plan.all_methods():
            print(f"{method.http_method:7} {method.path}  ->  client.{method.accessor}")
    return EXIT_OK


def _mock(args: argparse.Namespace) -> int:
    from .mock import serve_forever  # starlette and uvicorn load only for this command

    loaded = _load(args)
    return serve_forever(
        loaded.api,
        loaded.plan,
        host=args.host,
        port=args.port,
        seed=args.seed,
        delay=args.delay,
        fail_rate=args.fail_rate,
    )


def _json_report(
    file: str, result: ParseResult, warnings: Sequence[Diagnostic], *, ok: bool
) -> dict[str, object]:
    api = result.api
    return {
        "file": file,
        "ok": ok,
        "lap_version": api.lap_version if api else None,
        "api": api.name if api else None,
        "declared_endpoints": api.declared_endpoints if api else None,
        "endpoints": [
            {
                "line": endpoint.pos.line,
                "method": endpoint.method,
                "path": endpoint.path,
                "required": [field.name for field in endpoint.required],
                "optional": [field.name for field in endpoint.optional],
                "returns": [response.code for response in endpoint.responses],
            }
            for endpoint in (api.endpoints if api else ())
        ],
        "groups": {group.name: len(group.endpoints) for group in (api.groups if api else ())},
        "errors": [d.as_json() for d in result.errors],
        "warnings": [d.as_json() for d in warnings],
    }


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
