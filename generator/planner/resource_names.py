"""Names: resources and method names from paths and ``@desc``, resource class names."""

from __future__ import annotations

import keyword
import re
from collections import Counter
from collections.abc import Callable, Collection, Sequence

import attrs

from .. import ir, names
from ..diagnostics import Diagnostic
from ..escape import is_identifier
from ..naming import (
    is_class_reserved,
    numbered_class,
    pascal,
    singular,
    snake,
    words,
)
from .types import COMMON_WORDS, MAX_CLASS_NAME, MethodPlan, PathSegment

# Attributes the runtime classes define: a resource or method of that name would hide them.
CLIENT_ATTRIBUTES = frozenset(
    {
        "base_url",
        "timeout",
        "total_timeout",
        "max_retries",
        "max_response_size",
        "close",
        "with_raw_response",
    }
)
RESOURCE_ATTRIBUTES = frozenset({"with_raw_response"})


def _attribute_name(name: str, *, top_level: bool = False) -> str:
    reserved = CLIENT_ATTRIBUTES if top_level else RESOURCE_ATTRIBUTES
    return f"{name}_" if name in reserved or name.startswith("_") else name


# The resource's own name; its `Async…` and `…WithRawResponse` forms may run longer.
MAX_RESOURCE_CLASS_NAME = MAX_CLASS_NAME


def resource_class_names(
    paths: Collection[tuple[str, ...]], taken: Collection[str]
) -> dict[tuple[str, ...], str]:
    """Each resource's class name, from the set of resources alone (never from their order).

    A top-level resource is its own name (``Users``): _client.py imports them together. A
    nested one takes the shortest tail of its path that no other nested resource shares
    (``b2b.organizations.members`` → ``Members`` while it is the only ``members``, else
    ``OrganizationsMembers``); a number only when no tail is free, given in path order.
    """
    reserved = set(taken)

    def unusable(name: str) -> bool:  # `None` is a valid class name to a regex, not to Python
        return (
            name in reserved
            or is_class_reserved(name)
            or keyword.iskeyword(name)
            or not is_identifier(name)
        )

    def numbered(base: str) -> str:
        return numbered_class(base[: MAX_RESOURCE_CLASS_NAME - 2], unusable)

    names: dict[tuple[str, ...], str] = {}
    for top in sorted(p for p in paths if len(p) == 1):
        name = pascal(top[0])[:MAX_RESOURCE_CLASS_NAME]
        if unusable(name):
            name = numbered(name)
        names[top] = name
        reserved.add(name)
    nested = sorted(p for p in paths if len(p) > 1)
    depth = {path: 1 for path in nested}

    def tail(path: tuple[str, ...]) -> str:
        return "".join(pascal(part) for part in path[-depth[path] :])

    while True:
        by_name: dict[str, list[tuple[str, ...]]] = {}
        for path in nested:
            by_name.setdefault(tail(path), []).append(path)
        deeper = [
            path
            for name, owners in by_name.items()
            if len(owners) > 1 or unusable(name)
            for path in owners
            if depth[path] < len(path)
        ]
        if not deeper:
            break
        for path in deeper:
            depth[path] += 1
    for path in nested:
        name = tail(path)
        if (
            len(name) > MAX_RESOURCE_CLASS_NAME
            or unusable(name)
            or sum(tail(other) == name for other in nested) > 1
        ):
            name = numbered(pascal(path[-1]))
        names[path] = name
        reserved.add(name)
    return names


def methods_by_name(
    methods: Sequence[MethodPlan], children: Collection[str], warnings: list[Diagnostic]
) -> tuple[MethodPlan, ...]:
    """A resource's methods sorted by name; a ``<name>_pages`` iterator whose name another
    method or a sub-resource (``children``) already has is left out, with a warning."""
    taken = {method.name for method in methods} | set(children)
    result = []
    for method in sorted(methods, key=lambda method: method.name):
        if method.pages is not None and f"{method.name}_pages" in taken:
            pos = method.endpoint.pos
            message = f"{method.accessor}_pages is taken, so {method.accessor} has no iterator"
            warnings.append(Diagnostic("warning", message, pos.line, pos.column))
            method = attrs.evolve(method, pages=None)
        result.append(method)
    return tuple(result)


def _merge_singular_resources(
    placed: list[tuple[ir.Endpoint, tuple[str, ...], str]],
) -> list[tuple[ir.Endpoint, tuple[str, ...], str]]:
    """Put ``.../member`` endpoints into a sibling ``.../members`` resource when one exists.

    APIs mix ``/organizations/{id}/member`` and ``/organizations/{id}/members/{member_id}``;
    a hand-written SDK has one ``members`` resource. Kept apart when method names would clash.
    """
    resources = {resource for _, resource, _ in placed}
    methods: dict[tuple[str, ...], set[str]] = {}
    for _, resource, name in placed:
        methods.setdefault(resource, set()).add(name)
    # The resources with a resource below them (computed once: a scan per endpoint was
    # quadratic), and the candidates in sorted order.
    parents = {r[:depth] for r in resources for depth in range(1, len(r))}
    in_order = sorted(resources)
    merged = []
    for endpoint, resource, name in placed:
        if resource and resource not in parents:
            plural = next(
                (
                    other
                    for other in in_order
                    if len(other) == len(resource)
                    and other[:-1] == resource[:-1]
                    and other[-1] != resource[-1]
                    and singular(other[-1]) == resource[-1]
                ),
                None,
            )
            if plural is not None and name not in methods[plural]:
                methods[plural].add(name)
                resource = plural
        merged.append((endpoint, resource, name))
    return merged


def _ends_with(sequence: Sequence[str], tail: Sequence[str]) -> bool:
    """``tail`` ends ``sequence``, comparing words by their singular form."""
    if len(tail) > len(sequence) or not tail:
        return False
    ending = sequence[len(sequence) - len(tail) :]
    return all(singular(a) == singular(b) for a, b in zip(ending, tail, strict=True))


_FILLER_WORDS = frozenset(
    {"a", "an", "the", "single", "all", "new", "existing", "specific", "given"}
)
_PREPOSITIONS = frozenset({"of", "by", "for", "in", "into", "to", "from", "with", "on", "at", "as"})


def _names_noun(word: str, nouns: set[str]) -> bool:
    """``repository`` names the resource ``repos``; ``pets`` names ``pet``."""
    word = singular(word)
    return word in nouns or any(
        len(noun) >= 4 and (word.startswith(noun) or noun.startswith(word)) for noun in nouns
    )


def _under_prefix(path: str, prefix: str) -> bool:
    """``/v1/projects/metrics`` is under ``/v1/projects``, ``/v1/projectsx`` is not."""
    prefix = prefix.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def _verbs_for_shared_names(
    placed: list[tuple[ir.Endpoint, tuple[str, ...], str]],
    *,
    configured: Callable[[ir.Endpoint], bool],
) -> list[tuple[ir.Endpoint, tuple[str, ...], str]]:
    """Endpoints that would share a name in a resource take their verb's name instead.

    ``GET /goals`` and ``GET /goals/{id}`` both named ``get`` become ``list`` and ``get``;
    PUT and PATCH both named ``update`` become ``replace`` and ``update``; then an item route
    still sharing its name takes its param's (`GET /contacts/{email}` → ``get_by_email``). A
    name the config gave, or one no other endpoint of the resource wants, is kept; what still
    clashes gets a numeric suffix later.
    """
    wanted = Counter((resource, name) for _, resource, name in placed)
    result = []
    for endpoint, resource, name in placed:
        if wanted[(resource, name)] > 1 and not configured(endpoint):
            verb = names.verb_name(endpoint.method, endpoint.path, replace=True)
            if verb != name and wanted[(resource, verb)] == 0:
                wanted[(resource, name)] -= 1
                wanted[(resource, verb)] += 1
                name = verb
        result.append((endpoint, resource, name))
    # Still shared: an item route says which param it takes (`get_by_email`). An id route is
    # renamed last, so it is the one that keeps the plain name; otherwise route order decides.
    for index in sorted(range(len(result)), key=lambda i: _keeps_plain_name(result[i][0])):
        endpoint, resource, name = result[index]
        last_param = ir.PATH_PARAM.fullmatch(endpoint.path.rstrip("/").rsplit("/", 1)[-1])
        if wanted[(resource, name)] > 1 and last_param and not configured(endpoint):
            by_param = f"{name}_by_{snake(last_param.group(1))}"
            if wanted[(resource, by_param)] == 0:
                wanted[(resource, name)] -= 1
                wanted[(resource, by_param)] += 1
                result[index] = (endpoint, resource, by_param)
    return result


def _keeps_plain_name(endpoint: ir.Endpoint) -> tuple[bool, str, str]:
    """Sorts the endpoint that keeps a shared method name last: one taking an id."""
    last = ir.PATH_PARAM.fullmatch(endpoint.path.rstrip("/").rsplit("/", 1)[-1])
    param = snake(last.group(1)) if last else ""
    return param == "id" or param.endswith("_id"), endpoint.path, endpoint.method


def _action_from_path(endpoint: ir.Endpoint, resource: list[str]) -> tuple[tuple[str, ...], str]:
    """Name a method from its path when ``@desc`` does not: an action segment or the verb.

    An action segment (`findByStatus`, `…/{id}/disable`, `POST /pulls/{n}/merge`; see
    ``names.path_action``) is the method.
    """
    if names.path_action(endpoint.method, endpoint.path) and len(resource) > 1:
        return tuple(resource[:-1]), resource[-1]
    return tuple(resource), _verb_name(endpoint)


def _verb_name(endpoint: ir.Endpoint) -> str:
    return names.verb_name(endpoint.method, endpoint.path)


def _vocabulary(api: ir.API) -> set[str]:
    vocabulary = set(COMMON_WORDS)
    # Each distinct text once: param names repeat across endpoints (`user_id` on most).
    texts = {part for endpoint in api.endpoints for part in re.split(r"[/{}]+", endpoint.path)}
    texts.update(field.name for endpoint in api.endpoints for field in endpoint.params)
    for text in texts:
        vocabulary.update(words(text))
    vocabulary.update(singular(word) for word in list(vocabulary))
    vocabulary.update(f"{word}s" for word in list(vocabulary) if len(word) > 2)  # Getgroups
    return {word for word in vocabulary if len(word) > 1 or word in ("a", "i")}


def _path_segments(path: str, python_names: dict[str, str]) -> tuple[PathSegment, ...]:
    """The path as literal text and references to the method's path arguments, in order."""
    # re.split with a group alternates literal text and param names.
    pieces = ir.PATH_PARAM.split(path)
    return tuple(
        PathSegment("text", piece) if index % 2 == 0 else PathSegment("param", python_names[piece])
        for index, piece in enumerate(pieces)
        if piece or index % 2
    )


def _summary(endpoint: ir.Endpoint, method_name: str) -> str:
    """The docstring's first line: a sentence.

    A one-word ``@desc`` is a run-together method name (`Registerstart`): the sentence is the
    method name's words ("Register start."). A phrase is kept, capitalised and closed with a
    full stop. Without a ``@desc`` the route stands in.
    """
    desc = " ".join((endpoint.desc or "").split())
    if not desc:
        return f"{endpoint.method} {endpoint.path}"
    if desc.lower() == method_name.replace("_", "").lower():  # `Rotatestart`: rotate_start
        desc = " ".join(words(method_name))
    sentence = desc[0].upper() + desc[1:]
    return sentence if sentence.endswith((".", "!", "?")) else f"{sentence}."  # raw: `doc` escapes
