"""The shape of a stored token as the core reads it, and of a token about to be stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


class TokenRecord(Protocol):
    """The fields the core reads from a store's record; stores may hand over their own type.

    ``previous_key`` and ``previous_key_expires_at`` carry the old hash during a rotation grace
    period (both None otherwise).
    """

    @property
    def prefix(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def revoked(self) -> bool: ...
    @property
    def purged(self) -> bool: ...
    @property
    def expires_at(self) -> datetime | None: ...
    @property
    def last_used_at(self) -> datetime | None: ...
    @property
    def previous_key(self) -> str | None: ...
    @property
    def previous_key_expires_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class NewToken:
    """Everything a store needs to insert a token. ``key`` is the hash, never the secret.

    ``user`` and ``created_by`` are whatever owner references the adapter uses (a Django user,
    an id string); ``scopes`` are the values the adapter passed (names or its own objects), or
    the configured default names.
    """

    prefix: str
    key: str
    name: str
    created_at: datetime
    expires_at: datetime | None = None
    description: str = ""
    token_type: str = "user"
    user: Any = None
    created_by: Any = None
    scopes: tuple[Any, ...] = ()


def rotation_changes(
    *, key: str, previous_key: str | None, previous_key_expires_at: datetime | None
) -> dict[str, Any]:
    """The columns a rotation writes, in every store: the new hash, the old one (kept for a
    grace period, or None), and ``last_used_at`` cleared."""
    return {
        "key": key,
        "previous_key": previous_key,
        "previous_key_expires_at": previous_key_expires_at,
        "last_used_at": None,
    }
