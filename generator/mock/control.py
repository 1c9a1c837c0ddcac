"""The ``X-Lapgen-Mock`` control header (faults per request) and cheap body pre-checks."""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from urllib.parse import quote

import attrs

from .model import DEFAULT_LIMITS, ControlError, Problem

# The application
# ---------------------------------------------------------------------------------------------


@attrs.define
class Fault:
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    drop: bool = False
    times: int | None = None


CONTROL_KEYS = ("status", "retry-after", "delay", "drop", "times", "id")
DECIMAL = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})?")
# RFC 9110's IMF-fixdate, the only HTTP-date a server should send.
HTTP_DATE = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r" [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT"
)
MAX_TIMES = 1_000_000


def _shown(value: str, limit: int = 60) -> str:
    """``value`` quoted for an error message, cut to ``limit`` characters."""
    return repr(value) if len(value) <= limit else repr(value[:limit]) + "..."


def parse_control(text: str, max_delay: float = DEFAULT_LIMITS.max_delay) -> Fault:
    """``status=429; retry-after=1``, ``delay=2.5``, ``drop``, ``times=1`` (first N only),
    ``id=label`` (no effect but to make a header distinct: ``times`` counts each text apart).

    Directives are separated by ``;`` or ``,`` (not the comma of an HTTP date); keys are case-insensitive and may appear once.
    Raises ``ControlError`` saying what is wrong with a malformed header.
    """
    fault = Fault()
    seen: set[str] = set()
    # A comma before a digit is the one inside an HTTP date (`Sun, 06 Nov 1994 …`), not a separator.
    for item in re.split(r";|,(?![ \t]*[0-9])", text):
        if not item.strip():
            continue
        key, equals, value = (part.strip() for part in item.partition("="))
        key = key.lower()
        if key not in CONTROL_KEYS:
            raise ControlError(
                f"unknown directive {_shown(key)} in X-Lapgen-Mock; use {', '.join(CONTROL_KEYS)}"
            )
        if key in seen:
            raise ControlError(f"{key!r} appears twice in X-Lapgen-Mock")
        seen.add(key)
        if key == "drop":
            if equals:
                raise ControlError(f"'drop' takes no value, got drop={_shown(value)}")
            fault.drop = True
        elif not equals or not value:
            raise ControlError(f"{key!r} needs a value ({key}=...)")
        elif key == "status":
            # 1xx is not a final response; HTTP has no status outside 100-599.
            if not re.fullmatch(r"[0-9]{3}", value) or not 200 <= int(value) <= 599:
                raise ControlError(f"status must be an HTTP status 200-599, got {_shown(value)}")
            fault.status = int(value)
        elif key == "retry-after":
            if not (DECIMAL.fullmatch(value) or HTTP_DATE.fullmatch(value)):
                raise ControlError(
                    "retry-after must be seconds (like 1 or 0.5) or an HTTP date "
                    f"(like Sun, 06 Nov 1994 08:49:37 GMT), got {_shown(value)}"
                )
            fault.retry_after = value
        elif key == "delay":
            if not DECIMAL.fullmatch(value) or float(value) > max_delay:
                raise ControlError(
                    f"delay must be seconds from 0 to {max_delay:g}, got {_shown(value)}"
                )
            fault.delay = float(value)
        elif key == "times":
            if not re.fullmatch(r"[0-9]{1,7}", value) or not 1 <= int(value) <= MAX_TIMES:
                raise ControlError(
                    f"times must be a whole number from 1 to {MAX_TIMES}, got {_shown(value)}"
                )
            fault.times = int(value)
        # "id": any label, no effect of its own.
    return fault


def _header_value(warnings: Sequence[str], limit: int) -> str:
    """Warnings as one header value: printable ASCII only (anything else, ``%`` and the ``;``
    separator are percent-encoded), whole warnings up to ``limit`` characters."""
    shown: list[str] = []
    length = 0
    for index, warning in enumerate(warnings):
        encoded = quote(warning, safe=HEADER_SAFE)
        if length + len(encoded) + 2 > limit:
            shown.append(f"and {len(warnings) - index} more")
            break
        shown.append(encoded)
        length += len(encoded) + 2
    return "; ".join(shown)


HEADER_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in "%;")
# Bytes that open or close a JSON array or object; JSON strings are removed first.
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")
DEPTH_STEP = [0] * 256
DEPTH_STEP[ord("[")] = DEPTH_STEP[ord("{")] = 1
DEPTH_STEP[ord("]")] = DEPTH_STEP[ord("}")] = -1


def json_depth(raw: bytes) -> int:
    """How deep arrays and objects nest in the JSON text ``raw`` (before parsing it: the parser
    and the checks recurse)."""
    brackets = JSON_STRING.sub(b"", raw).translate(None, NOT_BRACKETS)
    return max(itertools.accumulate(DEPTH_STEP[byte] for byte in brackets), default=0)


class _BodyRefused(Exception):
    """Why the body is refused; ``close``: the connection too (the body may not be all read)."""

    def __init__(self, problem: Problem, *, close: bool) -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.close = close
