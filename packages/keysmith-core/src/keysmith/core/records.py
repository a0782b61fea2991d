"""The shape of a stored token as the core reads it, of a token about to be stored, and of the
conditional writes every store makes to it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol


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


class Guarded(NamedTuple):
    """A conditional write, the same in every store: set ``changes`` only on a row that still
    holds every value of ``expect``, so a stale record can never undo another write."""

    changes: dict[str, Any]
    expect: dict[str, Any]


def rotation(
    *,
    current_key: str,
    key: str,
    previous_key: str | None,
    previous_key_expires_at: datetime | None,
) -> Guarded:
    """A new hash, the old one kept for a grace period (or None), ``last_used_at`` cleared.

    A compare-and-swap: it applies only while the stored hash is still ``current_key`` (the one
    the caller read) and the token is neither revoked nor purged. Of concurrent rotations one
    wins; a rotation from a stale record changes nothing, so it can neither hand out a secret
    that is dead on arrival nor carry a hash another rotation killed into the grace window.
    """
    changes = {
        "key": key,
        "previous_key": previous_key,
        "previous_key_expires_at": previous_key_expires_at,
        "last_used_at": None,
    }
    return Guarded(changes, {"key": current_key, "revoked": False, "purged": False})


def hash_upgrade(*, old_key: str, new_key: str) -> Guarded:
    """The stored hash replaced, only while it is still the one that verified."""
    return Guarded({"key": new_key}, {"key": old_key})


def revocation(*, purge: bool) -> Guarded:
    """Revoked (and purged), only once: the write applies to a token not yet in that state."""
    if purge:
        return Guarded({"revoked": True, "purged": True}, {"purged": False})
    return Guarded({"revoked": True}, {"revoked": False})
