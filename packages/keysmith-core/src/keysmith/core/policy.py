"""Pure decisions of the token lifecycle: configuration and state checks."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from keysmith.core.budget import FailureBudget
from keysmith.core.errors import (
    ConfigurationError,
    ExpiredToken,
    RevokedToken,
    TokenStateError,
)
from keysmith.core.format import TokenFormat
from keysmith.core.hashers import SHA256TokenHasher
from keysmith.core.hashing import Hashing
from keysmith.core.records import TokenRecord
from keysmith.core.scopes import ScopePolicy

TOKEN_TYPES = ("user", "system")


class _NoExpiry(enum.Enum):
    NO_EXPIRY = "no expiry"


NO_EXPIRY = _NoExpiry.NO_EXPIRY
"""Pass as ``expires_at`` for a token that never expires, whatever the default lifetime."""

Expiry = datetime | Literal[_NoExpiry.NO_EXPIRY] | None

Admit = Callable[[Any], "bool | Awaitable[bool]"]
"""Asked after a token's secret and state passed: may it authenticate now (its owner active)?
Return False to refuse, or raise ``DisabledToken`` with a reason of your own."""


def _default_hashing() -> Hashing:
    return Hashing(SHA256TokenHasher())


@dataclass(frozen=True)
class TokenPolicy:
    """Everything configurable about issuing and checking tokens."""

    format: TokenFormat = field(default_factory=TokenFormat)
    hashing: Hashing = field(default_factory=_default_hashing)
    scopes: ScopePolicy = field(default_factory=ScopePolicy)
    default_lifetime: timedelta | None = timedelta(days=90)
    usage_resolution: timedelta = timedelta(seconds=60)
    rotation_grace: timedelta | None = None
    max_name_length: int = 128
    create_attempts: int = 8
    admit: Admit | None = None
    failure_budget: FailureBudget | None = field(default_factory=FailureBudget)

    def __post_init__(self) -> None:
        for name in ("default_lifetime", "rotation_grace"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, timedelta) or value <= timedelta(0)):
                raise ConfigurationError(f"{name} must be a positive timedelta or None.")
        if not isinstance(self.usage_resolution, timedelta) or self.usage_resolution < timedelta(0):
            raise ConfigurationError("usage_resolution must be a timedelta of zero or more.")
        if self.failure_budget is not None and not isinstance(self.failure_budget, FailureBudget):
            raise ConfigurationError("failure_budget must be a FailureBudget or None.")
        if self.admit is not None and not callable(self.admit):
            raise ConfigurationError(
                f"admit must be a callable taking the token (or None), got {self.admit!r}."
            )


def validate_name(name: object, max_length: int) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("Token name must be a non-empty string.")
    if len(name) > max_length:
        # django-keysmith's wording, kept for code that matches it.
        raise ValueError(f"Token name must be {max_length} characters or fewer (got {len(name)}).")
    return name


def validate_token_type(token_type: object) -> str:
    if token_type is None:
        return TOKEN_TYPES[0]
    if token_type not in TOKEN_TYPES:
        raise ValueError(f"Token type must be one of {', '.join(TOKEN_TYPES)}, got {token_type!r}.")
    return str(token_type)


def expiry_for(now: datetime, expires_at: Expiry, lifetime: timedelta | None) -> datetime | None:
    """``expires_at`` as given, ``None`` for ``NO_EXPIRY``, else ``now`` + the default lifetime."""
    if expires_at is NO_EXPIRY:
        return None
    if expires_at is not None:
        if not isinstance(expires_at, datetime) or expires_at.tzinfo is None:
            raise ValueError("expires_at must be a timezone-aware datetime.")
        return expires_at
    return now + lifetime if lifetime else None


def candidate_keys(record: TokenRecord, now: datetime) -> tuple[str, ...]:
    """The stored hashes a secret may match: the current one, and the previous one in grace."""
    previous, until = record.previous_key, record.previous_key_expires_at
    if previous and until is not None and now < until:
        return (record.key, previous)
    return (record.key,)


REVOKED_MESSAGE = (
    "This token has been revoked and can no longer be used. Please request a new token to continue."
)


def check_state(record: TokenRecord, now: datetime) -> None:
    """Raise for a revoked, purged or expired token. Call only after the secret verified."""
    # django-keysmith's messages, kept for code that matches them. Only the holder of the real
    # secret gets this far, so telling the state (and the expiry) reveals nothing to others.
    if record.revoked or record.purged:
        raise RevokedToken(
            REVOKED_MESSAGE, reason="purged" if record.purged else "revoked", token=record
        )
    if record.expires_at is not None and record.expires_at <= now:
        raise ExpiredToken(
            f"This token expired on {record.expires_at}. Please request a new token to continue.",
            reason="expired",
            token=record,
        )


def check_rotatable(record: TokenRecord, now: datetime) -> None:
    """Raise ``TokenStateError`` for a token a rotation must not hand a new secret for."""
    if record.revoked or record.purged:
        # django-keysmith's wording, kept for code that matches it.
        raise TokenStateError("Cannot rotate a revoked or purged token")
    if record.expires_at is not None and record.expires_at <= now:
        # A new secret would be refused at once: the expiry belongs to the token, not the key.
        raise TokenStateError(
            f"Cannot rotate an expired token (it expired on {record.expires_at.isoformat()}); "
            "create a new token instead."
        )


def is_usage_stale(record: TokenRecord, now: datetime, resolution: timedelta) -> bool:
    last = record.last_used_at
    return last is None or last <= now - resolution
