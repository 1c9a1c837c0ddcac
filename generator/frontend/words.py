"""The front end's vocabulary (versions, methods, formats, auth kinds) and its ``ParseResult``."""

from __future__ import annotations

import attrs

from .. import ir
from ..diagnostics import Diagnostic

SUPPORTED_VERSIONS = ("v0.2", "v0.3")
HTTP_METHODS = ir.HTTP_METHODS  # re-exported: the front end refuses the others
# Methods that lapsh writes for Protobuf and AsyncAPI sources: valid LAP, but not HTTP.
NON_HTTP_METHODS = frozenset(
    {"UNARY", "SERVER-STREAM", "CLIENT-STREAM", "BIDI-STREAM", "PUB", "SUB", "SEND", "RECEIVE"}
)
# ``T(x/y)`` formats that contain a slash; every other slashed argument list is an enum.
SLASHED_FORMATS = frozenset({"ipv4/prefix_length", "ipv6/prefix_length", "ip/prefix_length"})
MIME_TOP_LEVEL = frozenset(
    {"application", "audio", "font", "image", "message", "model", "multipart", "text", "video"}
)
AUTH_KINDS = {
    "bearer": "bearer",
    "basic": "basic",
    "apikey": "apikey",
    "oauth2": "oauth2",
    "oauth": "oauth2",
    "aws": "sigv4",
    "digest": "digest",
}


@attrs.frozen
class ParseResult:
    """What reading one spec gave: the IR (when there were no errors) and every diagnostic."""

    api: ir.API | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")
