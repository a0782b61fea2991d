"""The error answers (401, 403, 429, 503) as framework-free data, the same for every adapter:
status, JSON body and headers (``WWW-Authenticate``, ``Retry-After``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from keysmith.core.errors import (
    ConfigurationError,
    RateLimited,
    ServiceUnavailable,
    TokenAuthError,
)
from keysmith.core.extract import TokenSource
from keysmith.core.messages import (
    DEFAULT_MESSAGES,
    INSUFFICIENT_SCOPE,
    INVALID_TOKEN,
    MISSING_TOKEN,
    RATE_LIMITED,
    SERVICE_UNAVAILABLE,
    UNAVAILABLE_RETRY_AFTER,
)
from keysmith.core.untrusted import quoted_string

__all__ = ["WS_POLICY_VIOLATION", "WS_TRY_AGAIN_LATER", "ErrorReply", "Replies", "challenge"]

# RFC 6455 close codes, for adapters that refuse a websocket handshake: "policy violation" for
# a refused token, "try again later" when no verdict could be reached.
WS_POLICY_VIOLATION = 1008
WS_TRY_AGAIN_LATER = 1013


@dataclass(frozen=True)
class ErrorReply:
    """One error answer; ``code`` is the stable machine-readable kind sent in the JSON body."""

    status: int
    code: str
    detail: str
    headers: Mapping[str, str] = field(default_factory=dict)
    close_code: int = WS_POLICY_VIOLATION  # how a websocket handshake is refused instead

    def body(self) -> bytes:
        body = {"detail": self.detail, "code": self.code}
        return json.dumps(body, separators=(",", ":")).encode("utf-8")


def challenge(
    source: TokenSource,
    error: str | None = None,
    scope: str | None = None,
    *,
    scheme: str = "APIKey",
    realm: str = "keysmith",
) -> str:
    """The ``WWW-Authenticate`` value: a challenge naming the header, followed by an RFC 6750
    ``Bearer`` one when Bearer is accepted; ``error`` and ``scope`` go with each."""
    params = [f"error={quoted_string(error)}"] if error else []
    if scope:
        params.append(f"scope={quoted_string(scope)}")
    realm_param = f"realm={quoted_string(realm)}"
    parts = [f"{scheme} {realm_param}", f"header={quoted_string(source.header_name)}", *params]
    if source.allow_bearer:
        parts += [f"Bearer {realm_param}", *params]
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
        # The two challenges every refusal of a token sends, built once.
        self._invalid = challenge(source, INVALID_TOKEN)
        self._missing = challenge(source)

    def for_error(self, error: TokenAuthError) -> ErrorReply:
        """401 for a bad, expired or revoked token; 429 when the rate-limit hook refused; 503
        when the store or the rate limiter failed."""
        if isinstance(error, RateLimited):
            after = error.retry_after
            headers = {"Retry-After": str(after)} if after is not None else {}
            return ErrorReply(429, error.code, self.messages[RATE_LIMITED], headers)
        if isinstance(error, ServiceUnavailable):
            headers = {"Retry-After": str(UNAVAILABLE_RETRY_AFTER)}
            message = self.messages[SERVICE_UNAVAILABLE]
            return ErrorReply(503, SERVICE_UNAVAILABLE, message, headers, WS_TRY_AGAIN_LATER)
        # The core tells expired and revoked apart only after the secret verified, so the code
        # says nothing to someone who holds just the public prefix.
        return ErrorReply(
            401, error.code, self.messages[INVALID_TOKEN], {"WWW-Authenticate": self._invalid}
        )

    def missing(self) -> ErrorReply:
        return ErrorReply(
            401, MISSING_TOKEN, self.messages[MISSING_TOKEN], {"WWW-Authenticate": self._missing}
        )

    def forbidden(self, missing_scopes: frozenset[str]) -> ErrorReply:
        header = challenge(self.source, "insufficient_scope", " ".join(sorted(missing_scopes)))
        return ErrorReply(
            403,
            INSUFFICIENT_SCOPE,
            self.messages[INSUFFICIENT_SCOPE],
            {"WWW-Authenticate": header},
        )
