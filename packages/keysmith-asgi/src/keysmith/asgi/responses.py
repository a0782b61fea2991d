"""The error answers (401, 403, 429) as framework-free data, and how to send them over ASGI."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from keysmith.asgi.extract import TokenSource
from keysmith.asgi.ratelimit import RateLimited
from keysmith.asgi.types import Send
from keysmith.core import TokenAuthError
from keysmith.core.errors import ConfigurationError

DEFAULT_MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        "missing_token": "Authentication credentials were not provided.",
        "invalid_token": "Your session has expired or the token is invalid.",
        "insufficient_scope": "You do not have permission to perform this action.",
        "rate_limited": "Too many authentication attempts. Try again later.",
    }
)
# RFC 6455 close code "policy violation": a websocket's 401, sent before the handshake completes.
WS_POLICY_VIOLATION = 1008


@dataclass(frozen=True)
class ErrorReply:
    """One error answer; ``code`` is the stable machine-readable kind sent in the JSON body."""

    status: int
    code: str
    detail: str
    headers: Mapping[str, str] = field(default_factory=dict)

    def body(self) -> bytes:
        body = {"detail": self.detail, "code": self.code}
        return json.dumps(body, separators=(",", ":")).encode("utf-8")


def _quoted(value: str) -> str:
    # Scope names are free text; a header value must stay printable ASCII whatever they hold.
    kept = "".join(c for c in value if c.isascii() and c.isprintable())
    return '"' + kept.replace("\\", "\\\\").replace('"', '\\"') + '"'


def challenge(source: TokenSource, error: str | None = None, scope: str | None = None) -> str:
    """The ``WWW-Authenticate`` value: RFC 6750 Bearer when enabled, else ``APIKey``."""
    if source.allow_bearer:
        parts = ['Bearer realm="keysmith"']
    else:
        parts = ['APIKey realm="keysmith"', f"header={_quoted(source.header_name)}"]
    if error:
        parts.append(f"error={_quoted(error)}")
    if scope:
        parts.append(f"scope={_quoted(scope)}")
    return ", ".join(parts)


class Replies:
    """Builds the error answers from one token source and the (overridable) messages."""

    def __init__(self, source: TokenSource, messages: Mapping[str, str] | None = None) -> None:
        self.source = source
        for key, value in (messages or {}).items():
            if key not in DEFAULT_MESSAGES or not isinstance(value, str) or not value:
                raise ConfigurationError(
                    f"messages: {key!r} must be one of {', '.join(DEFAULT_MESSAGES)} "
                    "with a non-empty string."
                )
        self.messages = {**DEFAULT_MESSAGES, **(messages or {})}

    def for_error(self, error: TokenAuthError) -> ErrorReply:
        """401 for a bad, expired or revoked token; 429 when the rate-limit hook refused."""
        if isinstance(error, RateLimited):
            after = error.retry_after
            headers = {"Retry-After": str(after)} if after is not None else {}
            return ErrorReply(429, error.code, self.messages["rate_limited"], headers)
        # The core tells expired and revoked apart only after the secret verified, so the code
        # says nothing to someone who holds just the public prefix.
        header = challenge(self.source, "invalid_token")
        return ErrorReply(
            401, error.code, self.messages["invalid_token"], {"WWW-Authenticate": header}
        )

    def missing(self) -> ErrorReply:
        header = challenge(self.source)
        return ErrorReply(
            401, "missing_token", self.messages["missing_token"], {"WWW-Authenticate": header}
        )

    def forbidden(self, missing_scopes: frozenset[str]) -> ErrorReply:
        header = challenge(self.source, "insufficient_scope", " ".join(sorted(missing_scopes)))
        return ErrorReply(
            403,
            "insufficient_scope",
            self.messages["insufficient_scope"],
            {"WWW-Authenticate": header},
        )


async def send_reply(send: Send, reply: ErrorReply) -> None:
    body = reply.body()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    headers += [(k.lower().encode("ascii"), v.encode("ascii")) for k, v in reply.headers.items()]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def close_websocket(send: Send, reply: ErrorReply) -> None:
    """Refuse a websocket handshake: close before accepting (the server answers 403)."""
    await send({"type": "websocket.close", "code": WS_POLICY_VIOLATION, "reason": reply.code})
