"""The ``lapgen`` command: wires the front end, the planner and the back end together.

Exit codes are decided here alone, from the class of the error (README, "Exit codes").
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    from .inputs import Inputs
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
        from .diagnostics import visible_lines

        print(visible_lines(str(exc)), file=sys.stderr)
        return exit_code(exc)
    except Exception as exc:  # noqa: BLE001  # a bug: one line that locates it, no traceback
        from .diagnostics import visible_lines

        where = _innermost_frame(exc)
        message = f"{type(exc).__name__}: {exc} ({where})"
        print(
            f"lapgen: internal error: {visible_lines(message)}; please report it", file=sys.stderr
        )
        return EXIT_INTERNAL
    if argv is None and args.run is _validate:  # `lapgen validate`, the process's own command
        _skip_exit_collection()
    return code


def _skip_exit_collection() -> None:
    """Exclude every object alive now from the cycle collections of interpreter shutdown.

    The process exits next, and its memory goes with it; Python's shutdown would first walk
    every tracked object (Stytch's IR, lark's tables, every module) looking for cycles: about
    an eighth of a Stytch validate's CPU. ``gc.freeze()`` moves them all to the permanent
    generation, which no collection walks; they are still finalized by reference counting as
    the modules are torn down. Only for ``main()`` run as the program (``argv`` None):
    ``main([...])`` called in a process that goes on keeps its collector as it was.
    """
    import gc

    gc.freeze()


def _innermost_frame(exc: BaseException) -> str:
    traceback = exc.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    if traceback is None:
        return "unknown location"
    code = traceback.tb_frame.f_code
    return f"{Path(code.co_filename).name}:{traceback.tb_lineno} in {code.co_name}"


# Each command's --help: (one-line summary, description, examples).
_HELP: dict[str, tuple[str, str, str]] = {
    "validate": (
        "check LAP files and report errors and warnings",
        "Check LAP files: the grammar, the structure (@endpoints and @toc counts, @end) and what"
        " the planner would warn about (two endpoints given one method name) or refuse, with"
        " generate's config. Diagnostics are printed compiler-style with the line and a caret.",
        "lapgen validate spec/api.lap\n  lapgen validate specs/*.lap --json > report.json\n"
        "  lapgen validate spec/api.lap --strict   # warnings fail too",
    ),
    "generate": (
        "generate a Python SDK from a LAP file",
        "Write a pip-installable SDK package for SPEC into OUTDIR, atomically: a failed or killed"
        " run leaves the previous output. Files lapgen did not write are never touched, and are"
        " not overwritten without --force. SPEC.toml beside the spec is the config by default.",
        "lapgen generate spec/api.lap -o sdk\n"
        "  lapgen generate spec/api.lap -o sdk --config spec/api.toml\n"
        "  pip install ./sdk && python -c 'import api_sdk'",
    ),
    "plan": (
        "print what would be generated",
        "Print each endpoint's accessor (client.users.get) and where each param goes, without"
        " writing anything; --json gives the full plan for tools.",
        "lapgen plan spec/api.lap\n  lapgen plan spec/api.lap --json | jq '.endpoints[0]'",
    ),
    "check": (
        "fail when OUTDIR is not what generate would write",
        "Regenerate SPEC in memory and compare with the bytes in OUTDIR: exit 0 when up to date,"
        " 1 with a diff (or --stat) and the reason when stale. Writes nothing; for CI.",
        "lapgen check spec/api.lap sdk\n  lapgen check spec/api.lap sdk --stat",
    ),
    "diff": (
        "report API changes between two versions of a spec",
        "Compare two versions of a spec as an SDK user sees them: endpoints, params, responses,"
        " auth and the SDK's methods and models, each breaking or not, and the semver bump they"
        " call for. Pass --config when one side has no TOML beside it (a spec from git show).",
        "git show main:spec/api.lap > /tmp/old.lap\n"
        "  lapgen diff /tmp/old.lap spec/api.lap --config spec/api.toml --format markdown\n"
        "  lapgen diff old.lap new.lap --config api.toml --fail-on-breaking",
    ),
    "mock": (
        "serve a spec-driven HTTP mock of the API",
        "Serve the API on 127.0.0.1: requests are checked against the spec (400/401/404/405) and"
        " answered with bodies synthesised from it. The X-Lapgen-Mock request header injects"
        " faults (status=429; retry-after=1, delay=2, drop). Stops on Ctrl-C or SIGTERM.",
        "lapgen mock spec/api.lap --port 8080\n  lapgen mock spec/api.lap --seed 7 --fail-rate 0.1",
    ),
}


def _command(commands: Any, name: str, run: Callable[[argparse.Namespace], int]) -> Any:
    summary, description, examples = _HELP[name]
    command = commands.add_parser(
        name,
        help=summary,
        description=textwrap.fill(description, 79, break_on_hyphens=False),
        epilog=f"examples:\n  {examples}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.set_defaults(run=run)
    return command


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lapgen",
        description="Typed Python SDKs from LAP API descriptions. "
        "Run `lapgen COMMAND --help` for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"lapgen {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    config_help = "config file (default: SPEC with .toml)"

    validate = _command(commands, "validate", _validate)
    validate.add_argument("specs", nargs="+", metavar="SPEC", type=Path)
    validate.add_argument("--json", action="store_true", help="print a JSON report on stdout")
    validate.add_argument("--strict", action="store_true", help="treat warnings as errors")
    validate.add_argument("--config", type=Path, help=f"{config_help}, as generate plans")

    generate = _command(commands, "generate", _generate)
    generate.add_argument("spec", metavar="SPEC", type=Path)
    generate.add_argument(
        "-o", "--output", required=True, type=Path, metavar="OUTDIR", help="output directory"
    )
    generate.add_argument("--config", type=Path, help=config_help)
    generate.add_argument(
        "--force", action="store_true", help="overwrite files in OUTDIR that lapgen did not write"
    )
    generate.add_argument(
        "--black",
        choices=("auto", "always"),
        default="auto",
        help="auto (default): run black only on files the templates cannot render"
        " black-formatted themselves; always: run it on every Python file",
    )

    plan = _command(commands, "plan", _plan)
    plan.add_argument("spec", metavar="SPEC", type=Path)
    plan.add_argument("--config", type=Path, help=config_help)
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")

    check = _command(commands, "check", _check)
    check.add_argument("spec", metavar="SPEC", type=Path)
    check.add_argument("outdir", metavar="OUTDIR", type=Path)
    check.add_argument("--config", type=Path, help=config_help)
    check.add_argument("--stat", action="store_true", help="summarise instead of a diff")

    diff = _command(commands, "diff", _diff)
    diff.add_argument("old", metavar="OLD", type=Path)
    diff.add_argument("new", metavar="NEW", type=Path)
    diff.add_argument("--config", type=Path, help="config for both (default: each SPEC's .toml)")
    diff.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    diff.add_argument(
        "--fail-on-breaking", action="store_true", help="exit 1 when any change is breaking"
    )

    mock = _command(commands, "mock", _mock)
    mock.add_argument("spec", metavar="SPEC", type=Path)
    mock.add_argument("--config", type=Path, help=config_help)
    mock.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    mock.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    mock.add_argument("--seed", type=int, default=0, help="seed of the synthesised bodies")
    mock.add_argument(
        "--delay", type=float, default=0.0, help="seconds added to each response (at most 30)"
    )
    mock.add_argument(
        "--fail-rate", type=float, default=0.0, help="fraction of requests answered with a 503"
    )
    return parser


_GC_THRESHOLD = 1_000_000  # objects allocated between two collections during validate


def _validate(args: argparse.Namespace) -> int:
    import gc

    # The IR and the plan are acyclic trees of small objects, freed by reference counting; at
    # the default threshold the cycle collector would still walk them every 700 allocations
    # (about a tenth of a Stytch validate), and at 50,000 still walk each once (a tenth of the
    # parse). A million is more than Stytch's validate keeps: larger specs are collected every
    # million objects, so cycles, if any, are still collected.
    thresholds = gc.get_threshold()
    gc.set_threshold(_GC_THRESHOLD, 20, 20)
    try:
        return _validate_specs(args)
    finally:
        gc.set_threshold(*thresholds)


def _validate_specs(args: argparse.Namespace) -> int:
    from .diagnostics import visible_lines
    from .frontend import read_spec
    from .inputs import read_config, read_inputs
    from .pipeline import planner_warnings

    reports = []
    exit_status = EXIT_OK
    unusable: list[UsageError | ConfigError] = []
    # One --config for every spec: read once (it may be a pipe); else each spec's own TOML.
    config = read_config(args.specs[0], args.config) if args.config is not None else None
    for path in args.specs:
        try:
            inputs = read_inputs(path, config)
            data = inputs.data
            result = read_spec(data)
            # The planner's warnings (name collisions) and errors too, with generate's config:
            # validate refuses what generate refuses, and shows what it would warn about.
            planned: tuple[Diagnostic, ...] = ()
            if result.api is not None:
                planned = planner_warnings(inputs, result.api)
        except SpecError as error:  # the planner refuses the spec: its positioned errors
            planned = tuple(error.diagnostics)
        except (UsageError, ConfigError) as error:  # report it, still validate the other files
            unusable.append(error)
            print(visible_lines(str(error)), file=sys.stderr)
            continue
        errors = [*result.errors, *(d for d in planned if d.severity == "error")]
        warnings = [*result.warnings, *(d for d in planned if d.severity == "warning")]
        failed = bool(errors) or (args.strict and bool(warnings))
        if failed:
            exit_status = EXIT_FAILED
        if args.json:
            reports.append(_json_report(str(path), result, errors, warnings, ok=not failed))
        else:
            _print_diagnostics(path, data, [*result.diagnostics, *planned])
            print(_summary(path, result, len(errors), len(warnings), failed))
    if args.json:
        import json  # only the reports need it

        json.dump(reports, sys.stdout, indent=2)
        sys.stdout.write("\n")
    return EXIT_USAGE if unusable else exit_status


def _print_diagnostics(path: Path, data: bytes, diagnostics: Sequence[Diagnostic]) -> None:
    if not diagnostics:
        return
    from .frontend import source_lines

    # Numbered like the front end numbers them: str.splitlines() also breaks at \f, \v, \x1c…
    lines = source_lines(data.decode("utf-8", errors="replace"))
    for diagnostic in diagnostics:
        print(diagnostic.render(str(path), lines), file=sys.stderr)


def _summary(path: Path, result: ParseResult, errors: int, warnings: int, failed: bool) -> str:
    from .diagnostics import visible

    counts = f"{errors} errors, {warnings} warnings"
    shown = visible(str(path))
    if result.api is None:
        return f"{shown}: invalid ({counts})"
    api = result.api
    status = "invalid" if failed else "ok"
    return (
        f"{shown}: {status}: {visible(api.name)}, {len(api.endpoints)} endpoints in "
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

    # Generating in place keeps the model names the output's manifest records.
    loaded = load(args.spec, args.config, getattr(args, "output", None))
    for warning in loaded.render_warnings():
        print(warning, file=sys.stderr)
    return loaded


def _generate(args: argparse.Namespace) -> int:
    # jinja2 loads only on the full path (black only when a file needs it), and an output that
    # is already what this run would write loads neither, nor lark nor the planner.
    from .diagnostics import visible_lines
    from .inputs import read_inputs
    from .output.uptodate import up_to_date

    output = visible_lines(str(args.output))
    # The spec and config are read here, once (either may be a pipe): the up-to-date check,
    # the full run, its re-plan and its seal all take these bytes.
    inputs = read_inputs(args.spec, args.config)
    seal = up_to_date(inputs, args.output, black=args.black)
    if seal is not None:
        for warning in seal.warnings:
            print(warning, file=sys.stderr)
        print(f"{output}: up to date: {seal.summary} (nothing written)")
        return EXIT_OK
    return _generate_fully(args, inputs, output)


def _generate_fully(args: argparse.Namespace, inputs: Inputs, output: str) -> int:
    from .diagnostics import visible_lines
    from .output import FormatError, Terminated, write_output
    from .output.uptodate import Seal
    from .output.versions import generator_digest
    from .pipeline import load, read_names_lock, seal_output
    from .render import render_files

    generator = generator_digest()  # before the work: an edit during the run seals nothing
    # The names lock read once: the plan keeps it, and the seal compares it with the one written.
    lock = read_names_lock(args.output) if args.output.is_dir() else ({}, ())
    loaded = load(args.spec, locked=lock, inputs=inputs)
    warnings = loaded.render_warnings()
    for warning in warnings:
        print(warning, file=sys.stderr)
    plan = loaded.plan
    try:
        previous = args.output if args.output.is_dir() else None
        files = render_files(plan, previous=previous, black=args.black)
        notes = write_output(files, args.output, force=args.force)
    except FormatError as exc:
        raise InternalError(f"lapgen: internal error: {exc}") from None
    except OSError as exc:
        raise OutputError(f"{args.output}: error: cannot write: {exc}") from None
    except (KeyboardInterrupt, Terminated) as exc:
        # Rolled back, unless the signal came after the last file was in place.
        print(
            f"{output}: interrupted: left whole (the previous output, or the new one)",
            file=sys.stderr,
        )
        return 128 + (exc.args[0] if isinstance(exc, Terminated) else 2)
    for note in notes:
        print(visible_lines(f"{output}: note: {note}"), file=sys.stderr)
    methods = sum(1 for _ in plan.all_methods())
    summary = f"{plan.package} with {methods} methods and {len(plan.models)} models"
    print(f"{output}: {summary}")
    seal_output(
        loaded, files, lock, args.output, args.black, generator, Seal(summary, tuple(warnings))
    )
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    from .plan import plan_json

    plan = _load(args).plan
    if args.json:
        import json

        json.dump(plan_json(plan), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for method in plan.all_methods():
            print(f"{method.http_method:7} {method.path}  ->  client.{method.accessor}")
    return EXIT_OK


def _mock(args: argparse.Namespace) -> int:
    from .mock import serve_forever  # starlette and uvicorn load only for this command

    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: not a TCP port (0 to 65535; 0 picks a free one)")
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
    file: str,
    result: ParseResult,
    errors: Sequence[Diagnostic],
    warnings: Sequence[Diagnostic],
    *,
    ok: bool,
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
        "errors": [d.as_json() for d in errors],
        "warnings": [d.as_json() for d in warnings],
    }


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
