"""What ``lapgen diff`` reports: changes, signature changes, the SDK surface, the report."""

from __future__ import annotations

import re
from typing import TypeVar

import attrs

from .. import ir
from ..plan import ModelField

FORMATS = ("text", "markdown", "json")
JSON_SCHEMA_VERSION = 2  # 2: bump "none", warnings, scope/cause, signature params
_COLLAPSE_AFTER = 10  # markdown: longer lists go in a <details>
_Named = TypeVar("_Named", ir.Field, ModelField)  # a spec field or a model's attribute


@attrs.frozen
class Change:
    """One API change. ``kind`` is one of the names documented in the README."""

    kind: str
    breaking: bool
    endpoint: str | None  # "POST /v1/users"; None for API-wide changes
    target: str | None  # a param name or a dotted response field path
    message: str
    before: str | None = None  # null only on the side where the thing does not exist
    after: str | None = None
    cause: str = "spec"  # spec | config: the config alone makes this change (see diff())

    @property
    def scope(self) -> str:
        """``sdk`` for changes to the generated code only (names, models, placement)."""
        return "sdk" if self.kind in SDK_KINDS or self.kind.startswith("model-") else "api"

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "breaking": self.breaking,
            "scope": self.scope,
            "cause": self.cause,
            "endpoint": self.endpoint,
            "target": self.target,
            "message": self.message,
            "before": self.before,
            "after": self.after,
        }


# What the planner decides rather than the spec's wire API: the SDK may change while the API
# does not (a config, a naming rule).
SDK_KINDS = frozenset({"method-renamed", "client-auth-changed", "param-moved"})


@attrs.frozen
class ParamChange:
    """One param of a method whose signature changed; ``before``/``after`` are null when absent."""

    name: str
    change: str  # added | removed | changed
    before: str | None
    after: str | None

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "change": self.change,
            "before": self.before,
            "after": self.after,
        }

    def text(self) -> str:
        if self.change == "added":
            return f"`{self.name}` added (`{self.after}`)"
        if self.change == "removed":
            return f"`{self.name}` removed (was `{self.before}`)"
        return f"`{self.name}`: `{self.before}` → `{self.after}`"


@attrs.frozen
class SignatureChange:
    accessor: str
    before: str
    after: str
    params: tuple[ParamChange, ...] = ()
    returns_before: str = ""
    returns_after: str = ""

    def summary(self) -> str:
        """The changed params only, then the return type when it changed."""
        parts = [p.text() for p in self.params]
        if self.returns_before != self.returns_after:
            parts.append(f"returns `{self.returns_before}` → `{self.returns_after}`")
        return "; ".join(parts)

    def as_json(self) -> dict[str, object]:
        returns = (
            {"before": self.returns_before, "after": self.returns_after}
            if self.returns_before != self.returns_after
            else None
        )
        return {
            "accessor": self.accessor,
            "before": self.before,
            "after": self.after,
            "params": [p.as_json() for p in self.params],
            "returns": returns,
        }


@attrs.frozen
class Surface:
    """How the generated SDK changed."""

    methods_added: tuple[str, ...]
    methods_removed: tuple[str, ...]
    methods_changed: tuple[SignatureChange, ...]
    models_added: tuple[str, ...]
    models_removed: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "methods_added": list(self.methods_added),
            "methods_removed": list(self.methods_removed),
            "methods_changed": [c.as_json() for c in self.methods_changed],
            "models_added": list(self.models_added),
            "models_removed": list(self.models_removed),
        }


_NO_SURFACE_CHANGE = Surface((), (), (), (), ())


@attrs.frozen
class Report:
    old_file: str
    new_file: str
    api: str
    package: str
    old_version: str
    changes: tuple[Change, ...]
    surface: Surface
    warnings: tuple[str, ...] = ()

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)

    @property
    def non_breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if not c.breaking)

    @property
    def api_changes(self) -> tuple[Change, ...]:
        """Changes to the wire API that the spec made."""
        return tuple(c for c in self.changes if c.scope == "api" and c.cause == "spec")

    @property
    def sdk_changes(self) -> tuple[Change, ...]:
        """Changes to the generated SDK only, or made by the config."""
        return tuple(c for c in self.changes if c.scope == "sdk" or c.cause == "config")

    @property
    def bump(self) -> str:
        """major when anything breaks, minor when something was added, patch when anything else
        changed, none when nothing did."""
        if self.breaking:
            return "major"
        additions = any(c.kind.endswith("-added") for c in self.changes)
        if additions or self.surface.methods_added or self.surface.models_added:
            return "minor"
        if self.changes or self.surface != _NO_SURFACE_CHANGE:
            return "patch"
        return "none"

    @property
    def next_version(self) -> str | None:
        return next_version(self.old_version, self.bump)


def next_version(version: str, bump: str) -> str | None:
    """The version after ``version`` for ``bump``; 0.x moves a breaking change to the minor.

    None when ``version`` is not ``MAJOR.MINOR.PATCH``; ``version`` itself for bump ``none``.
    """
    match = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+.].*)?", version.strip())
    if match is None:
        return None
    major, minor, patch = int(match[1]), int(match[2]), int(match[3] or 0)
    if bump == "none":
        return version.strip()
    if major == 0 and bump == "major":  # semver: anything may change in 0.x
        bump = "minor"
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"
