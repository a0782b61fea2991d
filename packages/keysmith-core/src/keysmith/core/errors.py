"""The exceptions keysmith raises, shared by every adapter."""

from __future__ import annotations

from typing import Any


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
