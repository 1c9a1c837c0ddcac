"""Where an endpoint's method lives: the resource path and method name a route implies.

Pure functions of a route (``METHOD /path``); ``plan.py`` adds what ``@desc`` and the config
say. The rules are documented in README.md ("Resources" and "Methods").
"""

from __future__ import annotations

import re

import attrs

from .naming import singular, snake, words

# `v1`, `v1.1`, `v2beta1`, `2`, `2010-04-01`: a version, not a resource.
VERSION_SEGMENT = re.compile(
    r"[vV]\d+(?:[._]\d+)*(?:(?:alpha|beta|preview|rc)\d*)?|\d+(?:\.\d+)*|\d{4}-\d{2}-\d{2}"
)
# Words that say "this is the API" before the first real resource (`/api/v2`, `/rest/api/3`).
API_SEGMENTS = frozenset({"api", "apis"})
# A last segment ending in one of these names a representation, not a resource.
FILE_EXTENSIONS = frozenset(
    {"json", "xml", "csv", "tsv", "txt", "yaml", "yml", "html", "htm", "pdf", "zip", "ics"}
    | {"png", "jpg", "jpeg", "gif", "svg", "atom", "rss", "md", "ndjson", "jsonl", "mp3"}
)
# First words of a path segment that name an action on its resource (`…/{id}/disable`).
ACTION_VERBS = frozenset(
    [
        "accept",
        "activate",
        "approve",
        "archive",
        "assign",
        "attach",
        "block",
        "cancel",
        "capture",
        "close",
        "complete",
        "confirm",
        "deactivate",
        "decline",
        "deny",
        "detach",
        "disable",
        "dismiss",
        "duplicate",
        "enable",
        "execute",
        "expire",
        "export",
        "finalize",
        "fork",
        "hide",
        "import",
        "invite",
        "lock",
        "merge",
        "mute",
        "pause",
        "pay",
        "pin",
        "publish",
        "reactivate",
        "reassign",
        "redeliver",
        "refresh",
        "refund",
        "reject",
        "reopen",
        "rerun",
        "resend",
        "reset",
        "restart",
        "restore",
        "resume",
        "retry",
        "revoke",
        "rotate",
        "run",
        "send",
        "share",
        "start",
        "stop",
        "submit",
        "suspend",
        "sync",
        "test",
        "transfer",
        "trigger",
        "unarchive",
        "unassign",
        "unblock",
        "unhide",
        "unlock",
        "unmute",
        "unpin",
        "unpublish",
        "unstar",
        "unsuspend",
        "unwatch",
        "validate",
        "verify",
        "void",
        "watch",
    ]
)


@attrs.frozen
class Route:
    """The parts of a path that name things.

    ``statics``: the static segments minus a version prefix and a file extension, with a
    dotted RPC segment (``chat.postMessage``) split in two; ``rpc_method``: that segment's
    last part, which is the method; ``on_item``: the path ends with a param.
    """

    statics: tuple[str, ...]
    rpc_method: str | None
    on_item: bool


def route(path: str) -> Route:
    raw = [part for part in path.strip("/").split("/") if part]
    on_item = bool(raw) and "{" in raw[-1]
    statics = [part for part in raw if "{" not in part]
    statics = statics[len(version_prefix(statics)) :]
    rpc_method = None
    if statics:
        *rest, last = statics
        stem, dot, extension = last.rpartition(".")
        if dot and extension.lower() in FILE_EXTENSIONS and stem:
            last = stem
        elif re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+", last):
            # `chat.postMessage`, `admin.users.list`: resources joined by dots, then the method.
            *parents, rpc_method = last.split(".")
            statics = [*rest, *parents]
            return Route(tuple(statics), rpc_method, on_item)
        statics = [*rest, last]
    return Route(tuple(statics), rpc_method, on_item)


def version_prefix(statics: list[str]) -> list[str]:
    """The leading segments that say which API and version rather than which resource.

    ``api``, ``apis`` and versions, and ``rest`` when an ``api`` or a version follows it
    (``/rest/api/3``): a lone ``/rest/…`` may be a resource. A path made only of these
    (``GET /api/v1``) has no resource; the plan puts it under ``default``.
    """
    count = 0
    while count < len(statics):
        part = statics[count]
        following = statics[count + 1] if count + 1 < len(statics) else ""
        if (
            VERSION_SEGMENT.fullmatch(part)
            or part.lower() in API_SEGMENTS
            or part.lower() == "rest"
            and (following.lower() in API_SEGMENTS or VERSION_SEGMENT.fullmatch(following))
        ):
            count += 1
        else:
            break
    return statics[:count]


def is_action(segment_text: str) -> bool:
    """A segment that says what to do: ``disable``, ``archive``, ``start_email_update``."""
    parts = words(segment_text)
    return bool(parts) and parts[0] in ACTION_VERBS


def path_action(method: str, path: str) -> bool:
    """The last segment is the method's name rather than a resource.

    A camelCase segment (``findByStatus``), an action verb (``…/{id}/disable``, ``…/archive``)
    or, on a route that changes something, a static segment right after a param that is not
    a plural noun (``POST /pulls/{n}/merge``, but not ``POST /droplets/{id}/actions``). ``GET /users/{id}/repos`` and ``DELETE …/{id}/subscription``
    stay resources.
    """
    segments = [s for s in path.strip("/").split("/") if s]
    last = segments[-1] if segments else ""
    if not last or "{" in last or len(segments) < 2:
        return False
    # `POST /droplets/{id}/actions` creates in a sub-collection: a plural noun is no action.
    after_param = "{" in segments[-2] and singular(last) == last
    return (
        re.search(r"[a-z][A-Z]", last) is not None
        or is_action(last)
        or (after_param and method not in ("GET", "HEAD", "OPTIONS", "DELETE", "TRACE"))
    )


def verb_name(method: str, path: str, *, replace: bool = False) -> str:
    """The method name an HTTP verb gives: ``list``/``get`` by path shape, ``create``, …

    ``replace`` names PUT ``replace``, to tell it apart from a PATCH ``update`` on the same
    route.
    """
    on_item = route(path).on_item
    return {
        "GET": "get" if on_item else "list",
        "POST": "create",
        "PUT": "replace" if replace else "update",
        "PATCH": "update",
        "DELETE": "delete",
    }.get(method, snake(method.lower()))
