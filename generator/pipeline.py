"""Spec file + config → IR + plan: the front and middle, as every command runs them."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from . import ir
from .diagnostics import Diagnostic, visible
from .errors import LapgenError, SpecError
from .escape import class_name_problem
from .frontend import read_spec, source_lines
from .inputs import ConfigInput, Inputs, read_bytes, read_inputs
from .plan import Plan, PlanError, build_plan
from .planner.types import MAX_CLASS_NAME

if TYPE_CHECKING:  # the output package loads only when a run seals its output
    from .output.uptodate import Seal

# What ``load`` raises. Kept for callers written before the error hierarchy (check.py).
LoadError = LapgenError
__all__ = ["ConfigInput", "Inputs", "LoadError", "Loaded", "load", "read_bytes", "read_inputs"]


@attrs.frozen
class Loaded:
    """A spec read, planned and ready to render."""

    inputs: Inputs  # the spec's and config's bytes, read once
    api: ir.API
    plan: Plan
    lock_warnings: tuple[str, ...] = ()  # entries of the output's names lock that were ignored
    spec_warnings: tuple[Diagnostic, ...] = ()  # the front end's (validate prints them too)

    @property
    def path(self) -> Path:
        return self.inputs.spec

    @property
    def data(self) -> bytes:
        return self.inputs.data

    @property
    def source_lines(self) -> list[str]:
        return source_lines(self.data.decode("utf-8", errors="replace"))

    def render_warnings(self) -> list[str]:
        """The front end's warnings, then the planner's, compiler-style
        (``spec.lap:LINE:COL: warning: …``), then the names lock's."""
        lines = self.source_lines
        path = str(self.path)
        found = [*self.spec_warnings, *self.plan.warnings]
        return [*(warning.render(path, lines) for warning in found), *self.lock_warnings]


def plan_api(
    inputs: Inputs, api: ir.API, locked_names: Mapping[str, Collection[str]] | None = None
) -> Plan:
    """Plan a parsed spec with its config (as read in ``inputs``), keeping the model names of
    ``locked_names`` (``read_names_lock``).

    Raises ``ConfigError`` for a bad config, ``SpecError`` when the spec cannot become an SDK.
    """
    settings = inputs.config.settings()
    try:
        return build_plan(
            api,
            settings,
            spec_name=inputs.spec.name,
            spec_bytes=inputs.data,
            locked_names=locked_names,
        )
    except PlanError as exc:
        raise _spec_error(inputs, exc.diagnostics) from None


def planner_warnings(inputs: Inputs, api: ir.API) -> tuple[Diagnostic, ...]:
    """What the planner would warn about (name collisions), for ``lapgen validate``, with the
    config of ``inputs``, as ``plan_api`` plans.

    Exactly ``plan_api(inputs, api).warnings``, without building the plan's methods and models
    (``planner.lint``), and it fails as ``plan_api`` does: ``SpecError`` (with the planner's
    positioned errors) for a spec that cannot become an SDK, so validate refuses what generate
    refuses; ``ConfigError`` for a bad config.
    """
    from .planner.lint import plan_warnings

    settings = inputs.config.settings()
    try:
        return plan_warnings(api, settings)
    except PlanError as exc:
        raise _spec_error(inputs, exc.diagnostics) from None


def _spec_error(
    inputs: Inputs, diagnostics: Sequence[Diagnostic], warnings: Sequence[Diagnostic] = ()
) -> SpecError:
    """The planner's (or the front end's) errors, after the front end's ``warnings``."""
    lines = source_lines(inputs.data.decode("utf-8", errors="replace"))
    return SpecError([*warnings, *diagnostics], path=str(inputs.spec), source_lines=lines)


def read_names_lock(out_dir: Path) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """The model names an earlier generation into ``out_dir`` gave (its manifest's
    ``models``: class name → places), and a warning for each entry ignored.

    The manifest is input like any other: a name that is not a valid, unreserved class name,
    or places that are not a list of short strings, are ignored with a warning; a place two
    names claim stays with the first.
    """
    # Only generate and check pass an output, and they write or read one: black may load.
    from .output import MANIFEST, read_manifest

    where = f"{visible(str(out_dir / MANIFEST))}: warning: models"
    raw = read_manifest(out_dir).get("models")
    if raw is None:
        return {}, ()
    if not isinstance(raw, dict):
        return {}, (f"{where}: not a table of class names; the names lock is ignored",)
    locked: dict[str, tuple[str, ...]] = {}
    warnings: list[str] = []
    claimed: set[str] = set()
    for name, places in sorted(raw.items()):
        shown = f"{where}.{ascii(name)[:60]}"
        if problem := class_name_problem(name, MAX_CLASS_NAME):
            warnings.append(f"{shown}: {problem}; ignored")
            continue
        if not _valid_places(places):
            warnings.append(f"{shown}: its places are not a list of places; ignored")
            continue
        if claimed.intersection(places):
            warnings.append(f"{shown}: a place another name has; those places ignored")
        locked[name] = tuple(place for place in places if place not in claimed)
        claimed.update(places)
    return locked, tuple(warnings)


def _valid_places(places: object) -> bool:
    return (
        isinstance(places, list)
        and len(places) <= _MAX_LOCK_PLACES
        and all(isinstance(p, str) and 0 < len(p) <= _MAX_PLACE_LENGTH for p in places)
    )


_MAX_LOCK_PLACES = 10_000
_MAX_PLACE_LENGTH = 1_000


def load(
    spec: Path,
    config: Path | ConfigInput | None = None,
    output: Path | None = None,
    *,
    locked: tuple[dict[str, tuple[str, ...]], tuple[str, ...]] | None = None,
    inputs: Inputs | None = None,
) -> Loaded:
    """Read ``spec`` and plan it with ``config`` (default: the TOML beside the spec), keeping
    the model names recorded in ``output``'s manifest (generating in place), or ``locked``
    (``read_names_lock``, already read). ``inputs``: the spec and config already read (the
    path and ``config`` are then not read again).

    Raises ``UsageError`` (unreadable file), ``SpecError`` (invalid spec, with compiler-style
    diagnostics; a spec the planner refuses also shows the front end's warnings first) or
    ``ConfigError``.
    """
    inputs = inputs if inputs is not None else read_inputs(spec, config)
    result = read_spec(inputs.data)
    if result.api is None:
        raise _spec_error(inputs, result.diagnostics)
    if locked is None:
        locked = read_names_lock(output) if output is not None else ({}, ())
    try:
        plan = plan_api(inputs, result.api, locked[0])
    except SpecError as error:
        raise _spec_error(inputs, error.diagnostics, result.warnings) from None
    return Loaded(inputs, result.api, plan, locked[1], result.warnings)


def seal_output(
    loaded: Loaded,
    files: Mapping[str, str],
    lock: tuple[dict[str, tuple[str, ...]], tuple[str, ...]],
    output: Path,
    black: str,
    generator: str,
    seal: Seal,
) -> None:
    """Record that ``output`` is what ``loaded``'s inputs give (``output.uptodate``), when the
    next run would read the same inputs: the names lock written plans the same as the one read
    (``lock``); otherwise the next run may write something else and must run in full."""
    from .output import MANIFEST
    from .output.uptodate import Seal, input_key, record_seal

    written = read_names_lock(output)
    if written != lock:
        replanned = plan_api(loaded.inputs, loaded.api, written[0])
        places = [(model.name, model.places) for model in loaded.plan.models]
        if replanned != loaded.plan or places != [(m.name, m.places) for m in replanned.models]:
            return
        loaded = attrs.evolve(loaded, plan=replanned, lock_warnings=written[1])
        seal = Seal(seal.summary, tuple(loaded.render_warnings()))
    # The key of the bytes planned (read once, as the next run's up-to-date check reads them).
    inputs = loaded.inputs
    key = input_key(
        inputs.spec, inputs.spec_sha256, inputs.config.path, inputs.config.sha256, black, generator
    )
    record_seal(key, files[MANIFEST], seal)
