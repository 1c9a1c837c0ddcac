"""The ``lapgen`` command: wires the front end, the planner and the back end together."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .diagnostics import Diagnostic
from .frontend import ParseResult, read_spec

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _argument_parser()
    args = parser.parse_args(argv)
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
    return parser


def _read(path: Path) -> ParseResult | str:
    """The spec's parse result, or why the file could not be read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"{path}: error: cannot read: {exc.strerror or exc}"
    return read_spec(data)


def _validate(args: argparse.Namespace) -> int:
    reports = []
    exit_code = EXIT_OK
    for path in args.specs:
        result = _read(path)
        if isinstance(result, str):
            print(result, file=sys.stderr)
            return EXIT_USAGE
        failed = bool(result.errors) or (args.strict and bool(result.warnings))
        if failed:
            exit_code = EXIT_INVALID
        if args.json:
            reports.append(_json_report(str(path), result, ok=not failed))
        else:
            _print_diagnostics(path, result.diagnostics)
            print(_summary(path, result, failed))
    if args.json:
        json.dump(reports, sys.stdout, indent=2)
        sys.stdout.write("\n")
    return exit_code


def _print_diagnostics(path: Path, diagnostics: Sequence[Diagnostic]) -> None:
    if not diagnostics:
        return
    try:
        source_lines = path.read_text("utf-8", errors="replace").splitlines()
    except OSError:
        source_lines = None
    for diagnostic in diagnostics:
        print(diagnostic.render(str(path), source_lines), file=sys.stderr)


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
