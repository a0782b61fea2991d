"""The storage ports. Every write that can race is a conditional update reporting success."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeVar

from keysmith.core.records import NewToken, TokenRecord

R = TypeVar("R", bound=TokenRecord)


class TokenStore(Protocol[R]):
    """Synchronous storage of token records.

    After a conditional update succeeds, the store also sets the new values on the record it
    was given, so callers holding it see the change.
    """

    def insert(self, new: NewToken) -> R:
        """Store a new token; raise ``PrefixCollision`` if its prefix is taken."""
        ...

    def get_by_prefix(self, prefix: str) -> R | None:
        """The record with this prefix, read without locking it, or None."""
        ...

    def replace_key(
        self,
        record: R,
        *,
        key: str,
        previous_key: str | None,
        previous_key_expires_at: datetime | None,
    ) -> bool:
        """Rotate: set the new hash, keep (or drop) the old one, clear ``last_used_at``.

        A compare-and-swap (``records.rotation``): applies only while the stored hash is still
        ``record.key`` and the token is neither revoked nor purged; returns whether it did.
        """
        ...

    def upgrade_key(self, record: R, *, old_key: str, new_key: str) -> bool:
        """Replace the hash only if it is still ``old_key`` (a concurrent rotation wins)."""
        ...

    def revoke(self, record: R, *, purge: bool) -> bool:
        """Set ``revoked`` (and ``purged`` when asked); True only if that changed the row."""
        ...

    def touch(self, record: R, *, now: datetime, stale_before: datetime | None) -> bool:
        """Set ``last_used_at = now`` where it is null or older than ``stale_before``.

        ``stale_before=None`` writes unconditionally.
        """
        ...

    def scopes_of(self, record: R) -> frozenset[str]:
        """The scope names granted to the token."""
        ...


class AsyncTokenStore(Protocol[R]):
    """The asynchronous twin of ``TokenStore``, with the same semantics."""

    async def insert(self, new: NewToken) -> R: ...

    async def get_by_prefix(self, prefix: str) -> R | None: ...

    async def replace_key(
        self,
        record: R,
        *,
        key: str,
        previous_key: str | None,
        previous_key_expires_at: datetime | None,
    ) -> bool: ...

    async def upgrade_key(self, record: R, *, old_key: str, new_key: str) -> bool: ...

    async def revoke(self, record: R, *, purge: bool) -> bool: ...

    async def touch(self, record: R, *, now: datetime, stale_before: datetime | None) -> bool: ...

    async def scopes_of(self, record: R) -> frozenset[str]: ...
