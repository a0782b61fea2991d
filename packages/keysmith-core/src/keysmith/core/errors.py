"""The exceptions keysmith raises, shared by every adapter."""

from __future__ import annotations

import logging
from typing import Any

from keysmith.core.messages import DEFAULT_MESSAGES, RATE_LIMITED, SERVICE_UNAVAILABLE


class KeysmithError(Exception):
    """Base class of every keysmith exception."""


class ConfigurationError(KeysmithError, ValueError):
    """A setting or constructor argument has a value keysmith cannot use."""


class TokenAuthError(KeysmithError):
    """A raw token did not authenticate.

    ``code`` is the stable machine-readable kind (``invalid_token``, ``expired_token``,
    ``revoked_token``); ``reason`` says which rule failed, for audit rows and logs. Neither ever
    contains the secret. ``token`` is the stored record when the prefix matched one, so adapters
    can attach failures to it in the audit trail.
    """

    code = "invalid_token"
    default_message = "The token is invalid."

    def __init__(self, message: str | None = None, *, reason: str = "", token: Any = None) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.reason = reason or self.code
        self.token = token


class InvalidToken(TokenAuthError):
    """Missing, malformed, bad checksum, unknown prefix or wrong secret."""

    code = "invalid_token"
    default_message = "The token is invalid."


class ExpiredToken(TokenAuthError):
    """The secret was right but the token is past its expiry."""

    code = "expired_token"
    default_message = "The token has expired."


class RevokedToken(TokenAuthError):
    """The secret was right but the token was revoked or purged."""

    code = "revoked_token"
    default_message = "The token has been revoked."


class DisabledToken(InvalidToken):
    """The secret was right and the token is live, but it may not authenticate now: its owner is
    inactive, or the application's admission check (a model's ``can_authenticate()``, the
    policy's ``admit`` hook) said no. Unlike a revocation this may change back.

    An ``InvalidToken``, so code written against the three classic kinds still catches it.
    """

    code = "disabled_token"
    default_message = "The token may not be used now."


class RateLimited(TokenAuthError):
    """Raise from a rate-limit hook to refuse the request with 429 Too Many Requests.

    ``retry_after`` (seconds) becomes the ``Retry-After`` header when given. As a
    ``TokenAuthError`` it is audited like any other failed authentication.
    """

    code = RATE_LIMITED
    default_message = DEFAULT_MESSAGES[RATE_LIMITED]

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        super().__init__(message, reason="rate_limited")
        if retry_after is not None and (isinstance(retry_after, bool) or retry_after < 0):
            raise ValueError(f"retry_after must be a number of seconds, got {retry_after!r}.")
        self.retry_after = None if retry_after is None else int(retry_after)


class ServiceUnavailable(TokenAuthError):
    """No verdict could be reached: the token store (or the rate limiter) failed.

    Adapters answer 503 with ``Retry-After``, never 401: the token may well be valid. ``reason``
    is ``store_unavailable`` or ``rate_limit_unavailable``.
    """

    code = SERVICE_UNAVAILABLE
    default_message = DEFAULT_MESSAGES[SERVICE_UNAVAILABLE]


STORE_UNAVAILABLE = "store_unavailable"
RATE_LIMIT_UNAVAILABLE = "rate_limit_unavailable"
_WHAT_FAILED = {STORE_UNAVAILABLE: "the token store", RATE_LIMIT_UNAVAILABLE: "the rate-limit hook"}


def unavailable(reason: str) -> ServiceUnavailable:
    """The 503 for the exception being handled, logged with its traceback (call it in an
    ``except`` block). A logged traceback shows code and messages, never local variables, and
    keysmith's SQL errors carry no statement parameters: the raw token stays out of the log."""
    logging.getLogger("keysmith").exception(
        "keysmith: %s failed; answering 503 Service Unavailable", _WHAT_FAILED.get(reason, reason)
    )
    return ServiceUnavailable(reason=reason)


def hook_refusal(error: Exception) -> TokenAuthError:
    """What an exception raised by a rate-limit hook means, in every adapter (call it in the
    ``except`` block that caught ``error``).

    ``RateLimited`` is a limit (429). Any other ``TokenAuthError`` refuses the token as
    django-keysmith 0.1.2 did (401). Anything else means the limiter itself failed (503).
    """
    if isinstance(error, TokenAuthError):
        return error.with_traceback(None)
    return unavailable(RATE_LIMIT_UNAVAILABLE)


class TokenStateError(KeysmithError, ValueError):
    """A lifecycle operation does not apply to the token's state (rotating a revoked token)."""


class TokenChanged(TokenStateError):
    """The token changed (rotated, revoked or purged) after the caller read it, so a write that
    depended on what was read did not apply. Read the token again and retry if still wanted."""


class PrefixCollision(KeysmithError):
    """Raised by a store when a new token's prefix is already taken; the service retries."""


class ScopeError(KeysmithError, ValueError):
    """Scopes asked for at creation are not allowed by the configuration."""


class InsufficientScope(KeysmithError):
    """The token lacks one or more scopes an operation requires."""

    def __init__(self, missing: frozenset[str]) -> None:
        super().__init__("Missing scopes: " + ", ".join(sorted(missing)))
        self.missing = missing
