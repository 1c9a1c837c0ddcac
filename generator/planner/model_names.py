"""Model class names, chosen from the places a model stands for, never from document order.

A *place* says where a model's shape appears, as a string a config can name:

- ``users.get``: the response of ``client.users.get()``;
- ``users.get/address``: the inline object in that response's ``address`` field (nested
  objects add a segment each: ``users.get/address/geo``);
- ``users.create(address)``: the inline object in the ``address`` param of
  ``client.users.create()``;
- ``type:Address``: the declared ``@type Address`` (``type:Address/geo``: an inline object in
  one of its fields).

``choose_names`` names every model from its set of places. Config names (``[models.names]``)
come first, then the lock (the names an earlier generation gave, from the manifest), then the
derived names: declared types, responses, inline objects. In each tier every model offers
candidate names in preference order; round by round a name goes to the one model that wants
it, or, when several do, to the one it names by its whole path, else to none of them (a plain
``Connection`` for one of three connection shapes would claim to be *the* connection). The
result depends on the sets of places and shapes alone, so reordering the spec renames
nothing. A number is the last resort, with a warning naming the config key.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Literal

import attrs

from ..naming import numbered_class, pascal, singular, type_name
from .types import MAX_CLASS_NAME

ModelKind = Literal["type", "response", "object"]
_TIERS: tuple[ModelKind, ...] = ("type", "response", "object")
TYPE_PREFIX = "type:"
_PARAM = re.compile(r"(?P<accessor>[^()/]*)\((?P<param>[^()/]*)\)")


@attrs.frozen
class Candidate:
    """A model to name: ``key`` identifies it for the caller; ``places`` are sorted."""

    key: object
    kind: ModelKind
    places: tuple[str, ...]
    declared: str = ""  # the declared name of a ``@type``
    line: int = 0
    column: int = 0

    @property
    def first_place(self) -> str:
        return self.places[0]


@attrs.frozen
class NamingProblem:
    """A model that got a numbered name (or lost a configured one): what to tell the user."""

    candidate: Candidate
    message: str


@attrs.frozen
class Naming:
    names: Mapping[object, str]
    problems: tuple[NamingProblem, ...]


def choose_names(
    candidates: Iterable[Candidate],
    *,
    configured: Mapping[str, str],
    locked: Mapping[str, Collection[str]],
    reserved: Collection[str],
) -> Naming:
    """A unique class name for every candidate (see the module's docstring for the rules)."""
    pending = sorted(candidates, key=lambda c: c.places)
    taken = set(reserved)
    names: dict[object, str] = {}
    problems: list[NamingProblem] = []

    def assign(candidate: Candidate, name: str) -> None:
        names[candidate.key] = name
        taken.add(name)

    for candidate in pending:
        wanted = [configured[place] for place in candidate.places if place in configured]
        if not wanted:
            continue
        if wanted[0] in taken:
            problems.append(
                NamingProblem(
                    candidate,
                    f"[models.names] gives {wanted[0]!r} to {candidate.first_place!r}, but "
                    "another model has that name",
                )
            )
            continue
        assign(candidate, wanted[0])
    holder_of = {place: candidate for candidate in pending for place in candidate.places}
    for name in sorted(locked):
        if name in taken:
            continue
        # How many of the name's old places each unnamed candidate holds now.
        overlap: dict[object, tuple[int, Candidate]] = {}
        for place in set(locked[name]):
            holder = holder_of.get(place)
            if holder is not None and holder.key not in names:
                count = overlap.get(holder.key, (0, holder))[0]
                overlap[holder.key] = (count + 1, holder)
        if overlap:
            # A shape that split keeps its name where most of its old places are.
            best = min(overlap.values(), key=lambda item: (-item[0], item[1].places))[1]
            assign(best, name)
    for tier in _TIERS:
        unnamed = [c for c in pending if c.kind == tier and c.key not in names]
        # Declared types: a name as written beats one made from other text (`User` over
        # `Uｓer`, which NFKC folds into it), then the first declared name in sort order.
        # Derived names clash with no winner: a plain name would claim to be *the* object.
        first_wins = tier == "type"
        if first_wins:
            unnamed.sort(key=lambda c: (type_name(c.declared) != c.declared, c.places))
        derived = _derive(unnamed, taken, first_wins=first_wins)
        # Derived names first, numbered ones after: a number never takes a derived name.
        derived.sort(key=lambda pair: pair[1].startswith("#"))
        for candidate, name in derived:
            if name.startswith("#"):  # options exhausted: numbered
                name = numbered_class(name[1 : MAX_CLASS_NAME - 2], taken.__contains__)
                place = candidate.first_place
                problems.append(
                    NamingProblem(
                        candidate,
                        f"model name {_options(candidate)[0]!r} is taken, so "
                        f"{place!r} is named {name!r}: set a name with [models.names] "
                        f'"{place}" = "…"',
                    )
                )
            assign(candidate, name)
    return Naming(names, tuple(problems))


def _derive(
    unnamed: Sequence[Candidate], taken: set[str], *, first_wins: bool = False
) -> list[tuple[Candidate, str]]:
    """Round by round, each candidate proposes its next option. A free name proposed once is
    taken; proposed by several, it goes to the one it names by its whole path (``Sessions…``
    for ``sessions.authenticate``, not for ``b2b.sessions.authenticate``), or with
    ``first_wins`` to the first. ``#base`` marks a candidate whose options ran out."""
    options = {c.key: _options(c) for c in unnamed}
    result: list[tuple[Candidate, str]] = []
    busy = set(taken)
    left = list(unnamed)
    round_ = 0
    while left:
        contenders: dict[str, list[Candidate]] = {}
        for candidate in left:
            if round_ < len(options[candidate.key]):
                contenders.setdefault(options[candidate.key][round_], []).append(candidate)
            else:
                result.append((candidate, "#" + options[candidate.key][0]))
        winners: dict[object, str] = {}
        for name, group in contenders.items():
            whole = [c for c in group if name in _whole_names(c)]
            chosen = group if len(group) == 1 or first_wins else whole if len(whole) == 1 else []
            if chosen and name not in busy:
                busy.add(name)
                winners[chosen[0].key] = name
        result += [(c, winners[c.key]) for c in left if c.key in winners]
        left = [c for c in left if c.key not in winners and round_ < len(options[c.key])]
        round_ += 1
    return result


def _options(candidate: Candidate) -> list[str]:
    """The names a candidate would take, best first (each at most ``MAX_CLASS_NAME`` long)."""
    if candidate.kind == "type":
        wanted = [type_name(candidate.declared)]
    elif candidate.kind == "response":
        wanted = response_options(candidate.places)
    else:
        wanted = object_options(candidate.places)
    fitting = [name for name in wanted if len(name) <= MAX_CLASS_NAME]
    return list(dict.fromkeys(fitting or [wanted[0][:MAX_CLASS_NAME]]))


def response_options(places: Sequence[str]) -> list[str]:
    """One place: its accessor path (``B2BOauthAuthenticateResponse``). Shared by several:
    the resources they share and the method name they share (``magic_links.authenticate`` and
    ``otps.authenticate`` → ``AuthenticateResponse``), then each place's own name."""
    paths = [place.split(".") for place in sorted(places)]
    own = [_fitting_response_name(path) for path in paths]
    if len(paths) == 1:
        return own
    prefix = _common_prefix(paths)
    suffix = _common_prefix([list(reversed(path)) for path in paths])[::-1]
    shortest = min(len(path) for path in paths)
    suffix = suffix[max(0, len(prefix) + len(suffix) - shortest) :]
    shared = [_pascal_words([*prefix, *suffix]) + "Response"] if suffix else []
    return [*shared, *own]


def _fitting_response_name(path: Sequence[str]) -> str:
    """The accessor path's name, the leading resources dropped while it is too long."""
    names = [_pascal_words(path[start:]) + "Response" for start in range(len(path))]
    return next((name for name in names if len(name) <= MAX_CLASS_NAME), names[-1])


def _whole_names(candidate: Candidate) -> set[str]:
    """The names that use all of a candidate's path: a clash over one goes to it."""
    if candidate.kind == "response":
        return {_fitting_response_name(place.split(".")) for place in candidate.places[:1]}
    if candidate.kind == "object":
        base = object_base(candidate.first_place)
        owners = [_owner_words(place) for place in candidate.places]
        shared = _common_prefix(owners) or owners[0]
        own = _owner_words(candidate.first_place, with_method=True)
        return {_pascal_words(shared) + base, _pascal_words(own) + base}
    return set()


def object_options(places: Sequence[str]) -> list[str]:
    """An inline object: its field's name (``Connection``), then qualified by the resources
    (or type) and parent fields its places share, shortest first (``OidcConnection``), then
    by the first place's path with its method, shortest first."""
    base = object_base(places[0])
    owners = [_owner_words(place) for place in sorted(places)]
    shared = _common_prefix(owners) or owners[0]
    qualified = [_pascal_words(shared[-depth:]) + base for depth in range(1, len(shared) + 1)]
    # Then by the first place's own path, the method included (``CreateConnection``).
    own = _owner_words(places[0], with_method=True)
    by_method = [_pascal_words(own[-depth:]) + base for depth in range(1, len(own) + 1)]
    return [base, *qualified, *by_method]


def object_base(place: str) -> str:
    """An inline object's plain name: its field's, singular (``users.get/connections`` →
    ``Connection``)."""
    fields = _split(place)[1] if "/" in place or "(" in place else [place]
    return pascal(singular(fields[-1] if fields else "object"))


def _split(place: str) -> tuple[list[str], list[str]]:
    """``users.create(address)/geo`` → (``["users", "create"]``, ``["address", "geo"]``);
    ``type:Address/geo`` → (``["Address"]``, ``["geo"]``)."""
    head, *fields = place.split("/")
    match = _PARAM.fullmatch(head)
    if match:
        head, fields = match["accessor"], [match["param"], *fields]
    if head.startswith(TYPE_PREFIX):
        return [head.removeprefix(TYPE_PREFIX)], fields
    return head.split("."), fields


def _owner_words(place: str, *, with_method: bool = False) -> list[str]:
    """The words that say whose field an inline object is: resources (or the type), then the
    parent fields; the method only when asked."""
    owner, fields = _split(place)
    if not with_method and not place.startswith(TYPE_PREFIX):
        owner = owner[:-1]
    return [*owner, *fields[:-1]]


def _common_prefix(lists: Sequence[Sequence[str]]) -> list[str]:
    prefix: list[str] = []
    for words in zip(*lists, strict=False):
        if any(word != words[0] for word in words):
            break
        prefix.append(words[0])
    return prefix


def _pascal_words(words: Iterable[str]) -> str:
    return "".join(pascal(word) if word[:1].islower() else type_name(word) for word in words)
