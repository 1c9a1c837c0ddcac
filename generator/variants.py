"""Request variants: one route written several times (Postman's named requests).

lapsh writes each request of a Postman collection as an endpoint, so one route can appear
many times. Identical variants (same method, path, desc, params and returns; a lean file drops
``@desc``) are one method. Variants that differ, and other endpoints that want one name in
a resource, take a name from their ``@desc`` (``Search people`` → ``search_people``); the
planner's numeric suffix is the last resort.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

from . import ir
from .diagnostics import Diagnostic
from .naming import singular, snake, words

Placed = tuple[ir.Endpoint, tuple[str, ...], str]

# Words a desc adds that say nothing about which variant it is.
_FILLER = frozenset({"a", "an", "the", "all", "new", "existing", "specific", "given", "single"})
# A desc name longer than this is prose, not a method name.
MAX_DESC_WORDS = 6


def shape(endpoint: ir.Endpoint) -> ir.Endpoint:
    """What makes two variants one method: all but their group and example request.

    The desc counts: Postman variants that say different things (``Search people``,
    ``Search places``) are different requests, and a lean file, which drops ``@desc``, makes
    true repeats identical.
    """
    return attrs.evolve(endpoint, group=None, example_request=None)


def repeats(endpoints: Sequence[ir.Endpoint]) -> dict[int, ir.Endpoint]:
    """Each endpoint identical to an earlier one (by ``id()``), with that earlier one."""
    # Identical endpoints share their route: only a repeated route's endpoints are compared
    # whole (hashing every endpoint's shape was a tenth of the planner's time on Stytch).
    by_route: dict[tuple[str, str], list[ir.Endpoint]] = {}
    for endpoint in endpoints:
        by_route.setdefault((endpoint.method, endpoint.path), []).append(endpoint)
    found: dict[int, ir.Endpoint] = {}
    for same_route in by_route.values():
        first_of: dict[ir.Endpoint, ir.Endpoint] = {}
        for endpoint in same_route if len(same_route) > 1 else ():
            first = first_of.setdefault(shape(endpoint), endpoint)
            if first is not endpoint:
                found[id(endpoint)] = first
    return found


def distinct_methods(placed: Sequence[Placed], warnings: list[Diagnostic]) -> list[Placed]:
    """Drop repeats of an identical endpoint, then name apart the endpoints sharing a name.

    A warning says which repeat was dropped. Within a resource, endpoints wanting one name
    take names from their ``@desc``; a variant of one route gives up the plain name too (it is
    no more that route's method than its siblings are), another endpoint keeps it when it is
    the first to want it.
    """
    kept: list[Placed] = []
    first_of = repeats([endpoint for endpoint, _, _ in placed])
    for item in placed:
        endpoint = item[0]
        first = first_of.get(id(endpoint))
        if first is not None:
            warnings.append(
                Diagnostic(
                    "warning",
                    f"{endpoint.method} {endpoint.path} repeats the endpoint at line "
                    f"{first.pos.line}; one method serves both",
                    endpoint.pos.line,
                    endpoint.pos.column,
                )
            )
            continue
        kept.append(item)
    return _named_apart(kept)


def _named_apart(placed: list[Placed]) -> list[Placed]:
    groups: dict[tuple[tuple[str, ...], str], list[int]] = {}
    for index, (_, resource, name) in enumerate(placed):
        groups.setdefault((resource, name), []).append(index)
    taken = {(resource, name) for _, resource, name in placed}
    result = list(placed)
    for (resource, name), members in groups.items():
        if len(members) < 2:
            continue
        routes = {(placed[i][0].method, placed[i][0].path) for i in members}
        # Variants of one route all move to desc names when every one has its own.
        candidates = [desc_name(placed[i][0], resource, name) for i in members]
        all_variants = len(routes) == 1 and all(candidates)
        renaming = members if all_variants and len(set(candidates)) == len(members) else members[1:]
        for index in renaming:
            endpoint = placed[index][0]
            for candidate in _desc_candidates(endpoint, resource, name):
                if (resource, candidate) not in taken:
                    taken.add((resource, candidate))
                    result[index] = (endpoint, resource, candidate)
                    break
    return result


def desc_name(endpoint: ir.Endpoint, resource: Sequence[str], name: str) -> str | None:
    """The first name ``_desc_candidates`` offers, or None when the desc gives none."""
    return next(iter(_desc_candidates(endpoint, resource, name)), None)


def _desc_candidates(endpoint: ir.Endpoint, resource: Sequence[str], name: str) -> list[str]:
    """Names from ``@desc``: without the resource's nouns first, then with them.

    ``Create authors collection`` in ``collections`` → ``create_authors``, then
    ``create_authors_collection``. A name equal to the one the endpoint already has is no
    help, and one longer than ``MAX_DESC_WORDS`` words is prose.
    """
    desc = endpoint.desc or ""
    phrase = [
        word.lower()
        # A parenthesised aside (`(One-to-Many)`) qualifies the request but is not its name.
        for word in re.findall(r"[A-Za-z][A-Za-z0-9]*", re.sub(r"\([^()]*\)", " ", desc))
        if word.lower() not in _FILLER
    ]
    phrase = [part for word in phrase for part in words(word)]
    nouns = {singular(part) for segment in resource for part in words(segment)}
    # The first word is the verb (`Search places` in `search`): kept even when a noun.
    without_nouns = phrase[:1] + [word for word in phrase[1:] if singular(word) not in nouns]
    candidates = []
    for option in (without_nouns, phrase):
        if not option or len(option) > MAX_DESC_WORDS:
            continue
        candidate = snake("_".join(option))
        if candidate and candidate != name and candidate not in candidates:
            candidates.append(candidate)
    return candidates
