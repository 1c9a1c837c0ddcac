"""The ``lapgen`` command: wires the front end, the planner and the back end together."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .config import ConfigError, find_config, load_config
from .diagnostics import Diagnostic
from .frontend import ParseResult, read_spec, source_lines
from .output import FormatError, write_output
from .plan import Plan, PlanError, build_plan, plan_json
from .render import render_files

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


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
    return code


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
    generate.set_defaults(run=_generate)

    plan = commands.add_parser("plan", help="print what would be generated")
    plan.add_argument("spec", metavar="SPEC", type=Path)
    plan.add_argument("--config", type=Path, help="config file (default: SPEC with .toml)")
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    plan.set_defaults(run=_plan)
    return parser


def _read(path: Path) -> tuple[bytes, ParseResult] | str:
    """The spec's bytes and parse result, or why the file could not be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"{path}: error: cannot read: {exc.strerror or exc}"
    return data, read_spec(data)


def _validate(args: argparse.Namespace) -> int:
    reports = []
    exit_code = EXIT_OK
    for path in args.specs:
        read = _read(path)
        if isinstance(read, str):
            print(read, file=sys.stderr)
            return EXIT_USAGE
        data, result = read
        failed = bool(result.errors) or (args.strict and bool(result.warnings))
        if failed:
            exit_code = EXIT_INVALID
        if args.json:
            reports.append(_json_report(str(path), result, ok=not failed))
        else:
            _print_diagnostics(path, data, result.diagnostics)
            print(_summary(path, result, failed))
    if args.json:
        json.dump(reports, sys.stdout, indent=2)
        sys.stdout.write("\n")
    return exit_code


def _print_diagnostics(path: Path, data: bytes, diagnostics: Sequence[Diagnostic]) -> None:
    if not diagnostics:
        return
    # Numbered like the front end numbers them: str.splitlines() also breaks at \f, \v, \x1c…
    lines = source_lines(data.decode("utf-8", errors="replace"))
    for diagnostic in diagnostics:
        print(diagnostic.render(str(path), lines), file=sys.stderr)


def _summary(path: Path, result: ParseResult, failed: bool) -> str:
    counts = f"{len(result.errors)} errors, {len(result.warnings)} warnings"
    if result.api is None:
        return f"{path}: invalid ({counts})"
    api = result.api
    status = "invalid" if failed else "ok"
    return (
        f"{path}: {status}: {api.name}, {len(api.endpoints)} endpoints in "
        f"{len(api.groups)} groups ({counts})"
    )


def _load_plan(args: argparse.Namespace) -> Plan | int:
    """The plan for ``args.spec``, or an exit code after printing why there is none."""
    read = _read(args.spec)
    if isinstance(read, str):
        print(read, file=sys.stderr)
        return EXIT_USAGE
    data, result = read
    if result.api is None:
        _print_diagnostics(args.spec, data, result.diagnostics)
        return EXIT_INVALID
    config_path = args.config if args.config is not None else find_config(args.spec)
    try:
        config = load_config(config_path)
        return build_plan(result.api, config, spec_name=args.spec.name, spec_bytes=data)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except PlanError as exc:
        _print_diagnostics(args.spec, data, exc.diagnostics)
        return EXIT_INVALID


def _generate(args: argparse.Namespace) -> int:
    plan = _load_plan(args)
    if isinstance(plan, int):
        return plan
    try:
        files = render_files(plan, previous=args.output)
        write_output(files, args.output)
    except FormatError as exc:
        print(f"lapgen: internal error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"{args.output}: error: cannot write: {exc}", file=sys.stderr)
        return EXIT_INVALID
    for warning in plan.warnings:
        print(f"{args.spec}: warning: {warning}", file=sys.stderr)
    methods = sum(1 for _ in plan.all_methods())
    print(f"{args.output}: {plan.package} with {methods} methods and {len(plan.models)} models")
    return EXIT_OK


def _plan(args: argparse.Namespace) -> int:
    plan = _load_plan(args)
    if isinstance(plan, int):
        return plan
    if args.json:
        json.dump(plan_json(plan), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for method in plan.all_methods():
            print(f"{method.http_method:7} {method.path}  ->  client.{method.accessor}")
    return EXIT_OK


def _json_report(file: str, result: ParseResult, *, ok: bool) -> dict[str, object]:
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
        "warnings": [d.as_json() for d in result.warnings],
    }


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
