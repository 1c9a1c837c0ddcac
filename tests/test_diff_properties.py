"""``lapgen diff`` properties over the corpus: random single edits to real specs.

Each example takes a spec from ``tests/corpus`` or ``tests/fixtures``, applies one edit to its
IR (written back as LAP with ``writer.write``) and checks what the diff says about it:
a spec compared with itself has no change and bump ``none``; one edit gives exactly the change
kind it should; the reverse edit gives the mirror kind, and only the removal breaks.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import attrs
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sdk_support import REPO

from generator import ir, variants, writer
from generator.diff import Change, Report, diff
from generator.errors import LapgenError
from generator.frontend import read_spec
from generator.pipeline import load


def _plannable(path: Path) -> ir.API | None:
    try:
        return load(path).api
    except LapgenError:  # specs the planner refuses (non-HTTP methods) have no SDK to diff
        return None


CORPUS = {
    path.name: api
    for path in sorted((REPO / "tests" / "corpus").glob("*.lap"))
    + sorted((REPO / "tests" / "fixtures").glob("*.lap"))
    if (api := _plannable(path)) is not None
}
SPECS = st.sampled_from(sorted(CORPUS))
SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _diff(old: ir.API, new: ir.API) -> Report:
    """Write both APIs as LAP and diff them as ``lapgen diff`` does (no config beside them)."""
    with tempfile.TemporaryDirectory() as tmp:
        old_path, new_path = Path(tmp) / "old.lap", Path(tmp) / "new.lap"
        old_path.write_text(writer.write(old), "utf-8")
        new_path.write_text(writer.write(new), "utf-8")
        return diff(load(old_path), load(new_path))


def _reparsed(api: ir.API) -> ir.API | None:
    """The API as the front end reads its LAP text back (counts dropped: edits change them).

    None when an edit made it invalid: dropping the first of three requests on one route can
    leave two with the same @desc, a duplicate endpoint.
    """
    api = attrs.evolve(api, declared_endpoints=None, toc=())
    return read_spec(writer.write(api)).api


def _api_changes(report: Report) -> list[Change]:
    """The wire API's changes, without their effect on generated names and models."""
    return [c for c in report.changes if c.scope == "api"]


# ---------------------------------------------------------------------------------------------
# Edits: each removes one thing, so the pair (edited, original) is an addition
# ---------------------------------------------------------------------------------------------


@attrs.frozen
class Edit:
    """``smaller`` lacks one thing ``api`` has: diff(api, smaller) reports ``removed``."""

    api: ir.API = attrs.field(repr=False)
    smaller: ir.API = attrs.field(repr=False)
    removed: str  # the change kind of diff(api, smaller)
    added: str  # the change kind of diff(smaller, api)
    endpoint: str | None
    target: str | None
    spec: str = ""  # the corpus file

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """Hypothesis prints this for a failing example: the IRs are too long to read."""
        printer.text(repr(self))


def _route(endpoint: ir.Endpoint) -> str:
    return f"{endpoint.method} {endpoint.path}"


def _replace(api: ir.API, index: int, endpoint: ir.Endpoint) -> ir.API:
    endpoints = list(api.endpoints)
    endpoints[index] = endpoint
    return attrs.evolve(api, endpoints=tuple(endpoints))


# Each edit: the places it applies to in an API (empty: not applicable), and the edit at one.
# Drawing only among applicable edits and places builds valid examples rather than rejecting.


def _endpoints(api: ir.API) -> list[int]:
    return list(range(len(api.endpoints)))


def _drop_endpoint(api: ir.API, index: int) -> Edit:
    endpoint = api.endpoints[index]
    smaller = attrs.evolve(api, endpoints=api.endpoints[:index] + api.endpoints[index + 1 :])
    return Edit(api, smaller, "endpoint-removed", "endpoint-added", _route(endpoint), None)


def _optional_params(api: ir.API) -> list[tuple[int, int]]:
    body_names = {f.name for e in api.endpoints for f in api.body_fields(e) or ()}
    return [
        (i, j)
        for i, e in enumerate(api.endpoints)
        for j, f in enumerate(e.optional)
        # a name the body type or common fields also declare stays a param when dropped here
        if f.name not in body_names
        and f.name not in {c.name for c in api.common_fields}
        and [p.name for p in e.params].count(f.name) == 1
    ]


def _drop_optional_param(api: ir.API, place: tuple[int, int]) -> Edit:
    i, j = place
    endpoint = api.endpoints[i]
    optional = endpoint.optional[:j] + endpoint.optional[j + 1 :]
    smaller = _replace(api, i, attrs.evolve(endpoint, optional=optional))
    name = endpoint.optional[j].name
    return Edit(api, smaller, "param-removed", "param-added", _route(endpoint), name)


def _response_fields(api: ir.API, min_fields: int = 1) -> list[tuple[int, int]]:
    """(endpoint, field) of each uniquely named top-level success field, in a response of at
    least ``min_fields`` fields."""
    return [
        (i, j)
        for i, e in enumerate(api.endpoints)
        if (success := e.success) is not None and len(success.fields or ()) >= min_fields
        for j in range(len(success.fields or ()))
        if [f.name for f in success.fields or ()].count((success.fields or ())[j].name) == 1
    ]


def _droppable_response_fields(api: ir.API) -> list[tuple[int, int]]:
    # `@returns(200) {}` is an empty object, not the same response without a field: never
    # drop the last one.
    return _response_fields(api, min_fields=2)


def _drop_response_field(api: ir.API, place: tuple[int, int]) -> Edit:
    i, j = place
    endpoint = api.endpoints[i]
    success = endpoint.success
    assert success is not None and success.fields is not None
    fields = success.fields[:j] + success.fields[j + 1 :]
    responses = tuple(
        attrs.evolve(r, fields=fields) if r is success else r for r in endpoint.responses
    )
    smaller = _replace(api, i, attrs.evolve(endpoint, responses=responses))
    name = success.fields[j].name
    return Edit(
        api, smaller, "response-field-removed", "response-field-added", _route(endpoint), name
    )


EDITS: list[tuple[Callable[[ir.API], list[Any]], Callable[[ir.API, Any], Edit]]] = [
    (_endpoints, _drop_endpoint),
    (_optional_params, _drop_optional_param),
    (_droppable_response_fields, _drop_response_field),
]


@cache
def _corpus_api(name: str) -> ir.API:
    """A corpus API as the front end reads its LAP text back (once per spec and process)."""
    api = _reparsed(CORPUS[name])
    assert api is not None, name
    return api


@st.composite
def edits(draw: st.DrawFn) -> Edit:
    name = draw(SPECS.filter(lambda name: any(find(_corpus_api(name)) for find, _ in EDITS)))
    api = _corpus_api(name)
    applicable = [(places, apply) for find, apply in EDITS if (places := find(api))]
    places, apply = draw(st.sampled_from(applicable))
    edit = apply(api, draw(st.sampled_from(places)))
    smaller = _reparsed(edit.smaller)
    assume(smaller is not None)
    assert smaller is not None
    # An edit that makes a request variant identical to another merges two methods into one:
    # a different change from the one the edit names.
    assume(len(variants.repeats(smaller.endpoints)) == len(variants.repeats(api.endpoints)))
    return attrs.evolve(edit, spec=name, smaller=smaller)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


@given(edits())
@SETTINGS
def test_a_spec_compared_with_itself_has_no_change(edit: Edit) -> None:
    """Any spec (a corpus spec with an edit) against itself: nothing, bump none."""
    for api in (edit.api, edit.smaller):
        report = _diff(api, api)
        assert report.changes == () and report.warnings == ()
        assert report.bump == "none"
        assert report.next_version in (None, report.old_version.strip())


@given(edits())
@SETTINGS
def test_one_edit_gives_exactly_its_change_and_the_reverse_mirrors_it(edit: Edit) -> None:
    """Removing one thing is one breaking change of the expected kind; adding it back is one
    non-breaking change of the mirror kind, on the same endpoint and target."""
    forward, backward = _diff(edit.api, edit.smaller), _diff(edit.smaller, edit.api)
    [removed] = _api_changes(forward)
    [added] = _api_changes(backward)
    assert (removed.kind, removed.endpoint, removed.target) == (
        edit.removed,
        edit.endpoint,
        edit.target,
    )
    assert (added.kind, added.endpoint, added.target) == (edit.added, edit.endpoint, edit.target)
    assert removed.breaking and not added.breaking
    assert forward.bump == "major"
    # Only the generated names and models may add to the addition, never a break of the API.
    assert backward.bump in ("minor", "major")
    assert all(c.scope == "sdk" for c in backward.breaking)


@given(edits())
@SETTINGS
def test_every_change_says_what_was_before_and_after(edit: Edit) -> None:
    """A before or after is missing only on the side where the thing does not exist."""
    for report in (_diff(edit.api, edit.smaller), _diff(edit.smaller, edit.api)):
        assert report.changes
        for change in report.changes:
            assert change.before is not None or change.kind.endswith("-added"), change
            assert change.after is not None or change.kind.endswith("-removed"), change
            assert change.before != change.after, change


@attrs.frozen
class Rename:
    """``renamed`` is ``api`` with the response field ``old_name`` of ``route`` renamed."""

    api: ir.API = attrs.field(repr=False)
    renamed: ir.API = attrs.field(repr=False)
    route: str
    old_name: str
    new_name: str
    spec: str

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@st.composite
def renamed_response_fields(draw: st.DrawFn) -> Rename:
    """A corpus API and the same with one top-level response field renamed."""
    name = draw(SPECS.filter(lambda name: bool(_response_fields(_corpus_api(name)))))
    api = _corpus_api(name)
    i, j = draw(st.sampled_from(_response_fields(api)))
    endpoint = api.endpoints[i]
    success = endpoint.success
    assert success is not None and success.fields is not None
    old_name = success.fields[j].name
    new_name = draw(st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True))
    assume(new_name not in {f.name for f in success.fields})
    fields = list(success.fields)
    fields[j] = attrs.evolve(fields[j], name=new_name)
    responses = tuple(
        attrs.evolve(r, fields=tuple(fields)) if r is success else r for r in endpoint.responses
    )
    renamed = _reparsed(_replace(api, i, attrs.evolve(endpoint, responses=responses)))
    assume(renamed is not None)
    assert renamed is not None
    return Rename(api, renamed, _route(endpoint), old_name, new_name, name)


@given(renamed_response_fields())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_renamed_response_field_is_one_probable_rename_both_ways(case: Rename) -> None:
    for report, before, after in (
        (_diff(case.api, case.renamed), case.old_name, case.new_name),
        (_diff(case.renamed, case.api), case.new_name, case.old_name),
    ):
        [change] = _api_changes(report)
        assert (change.kind, change.endpoint) == ("response-field-renamed", case.route)
        assert (change.before, change.after, change.target) == (before, after, after)
        assert change.breaking and "probably" in change.message
