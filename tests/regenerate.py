"""Regenerate the committed outputs that the golden tests compare against.

- ``generated/stytch_api`` from ``spec/stytch.lap`` and ``spec/stytch.toml``;
- ``tests/fixtures/golden/<name>/`` from each ``tests/fixtures/<name>.lap`` (with
  ``tests/fixtures/<name>.toml`` when there is one, as ``lapgen generate`` finds it).

Golden directories whose spec is gone are removed. Run from anywhere:

    python -m tests.regenerate        # or: python tests/regenerate.py, nox -s regenerate
    python -m tests.regenerate corners   # only some fixtures (and not Stytch)
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "spec" / "stytch.lap"
SPEC_CONFIG = REPO / "spec" / "stytch.toml"
GENERATED = REPO / "generated" / "stytch_api"
FIXTURES = REPO / "tests" / "fixtures"
GOLDEN = FIXTURES / "golden"


def jobs(only: Sequence[str]) -> list[tuple[Path, Path, Path | None]]:
    """(spec, output directory, config) for everything to regenerate."""
    specs = sorted(FIXTURES.glob("*.lap"))
    unknown = set(only) - {spec.stem for spec in specs}
    if unknown:
        raise SystemExit(f"regenerate: no tests/fixtures/<name>.lap for {sorted(unknown)}")
    selected: list[tuple[Path, Path, Path | None]] = []
    if not only:
        selected.append((SPEC, GENERATED, SPEC_CONFIG))
    selected += [
        (spec, GOLDEN / spec.stem, None) for spec in specs if not only or spec.stem in only
    ]
    return selected


def _forget_model_names(out: Path) -> None:
    """Drop the names lock of the previous output: the goldens are what a fresh generation
    gives, so a change of naming rule shows in them (users keep their lock)."""
    manifest = out / ".lapgen-manifest.json"
    if manifest.is_file():
        record = json.loads(manifest.read_text(encoding="utf-8"))
        if isinstance(record, dict) and record.pop("models", None) is not None:
            manifest.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.regenerate", description=__doc__)
    parser.add_argument("fixtures", nargs="*", help="fixture names (default: everything)")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))  # `python tests/regenerate.py` from a checkout
    from generator.cli import main as lapgen

    failed = []
    for spec, out, config in jobs(args.fixtures):
        _forget_model_names(out)
        argv_ = ["generate", str(spec), "-o", str(out)]
        if config is not None:
            argv_ += ["--config", str(config)]
        if lapgen(argv_) != 0:
            failed.append(spec)
    if not args.fixtures and GOLDEN.is_dir():
        names = {spec.stem for spec in FIXTURES.glob("*.lap")}
        for orphan in sorted(p for p in GOLDEN.iterdir() if p.is_dir() and p.name not in names):
            print(f"{orphan}: removed (no tests/fixtures/{orphan.name}.lap)")
            shutil.rmtree(orphan)
    for spec in failed:
        print(f"regenerate: lapgen generate failed for {spec}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
