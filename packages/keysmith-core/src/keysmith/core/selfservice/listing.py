"""The reads the self-service endpoints need beyond the token store's, as ports (a token by id,
an owner's tokens by state, a count of live ones), and their in-memory implementation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar

from keysmith.core.events import actor_id
from keysmith.core.memory import MemoryToken, MemoryTokenStore
from keysmith.core.selfservice.holds import OwnerHolds, Release
from keysmith.core.selfservice.shapes import ACTIVE, STATE_RULES, in_state

R = TypeVar("R")

HOLDS = OwnerHolds()
"""The creations under way in this process, keyed by store and owner."""


class TokenListing(Protocol[R]):
    """Synchronous reads by id and by owner (an owner is the text a store keeps for it)."""

    def find(self, token_id: str) -> R | None: ...

    def page(
        self, owner: str, states: frozenset[str], now: datetime, offset: int, limit: int
    ) -> tuple[int, list[R]]:
        """How many of ``owner``'s tokens are in ``states`` (every state when empty), and the
        slice ``offset:offset + limit`` of them, newest first."""
        ...

    def count_live(self, owner: str, now: datetime) -> int: ...

    def hold(self, owner: str) -> Release | None:
        """Keep every other request from creating a token for ``owner`` (in this process, and
        in others sharing the store where the store can lock) until the release is called; None,
        at once, when another request holds it."""
        ...


class AsyncTokenListing(Protocol[R]):
    """The asynchronous twin of ``TokenListing``."""

    async def find(self, token_id: str) -> R | None: ...

    async def page(
        self, owner: str, states: frozenset[str], now: datetime, offset: int, limit: int
    ) -> tuple[int, list[R]]: ...

    async def count_live(self, owner: str, now: datetime) -> int: ...

    async def hold(self, owner: str) -> Release | None: ...


def _matches(row: MemoryToken, states: Iterable[str], now: datetime) -> bool:
    expired = row.expires_at is not None and row.expires_at <= now
    return any(in_state(STATE_RULES[state], row.revoked, row.purged, expired) for state in states)


class MemoryTokenListing:
    """``TokenListing`` over a ``MemoryTokenStore``."""

    def __init__(self, store: MemoryTokenStore) -> None:
        self.store = store

    def find(self, token_id: str) -> MemoryToken | None:
        return next((row for row in self.store.all() if str(row.id) == token_id), None)

    def _owned(self, owner: str) -> list[MemoryToken]:
        rows = [row for row in self.store.all() if str(actor_id(row.user)) == owner]
        return sorted(rows, key=lambda row: (row.created_at, str(row.id)), reverse=True)

    def page(
        self, owner: str, states: frozenset[str], now: datetime, offset: int, limit: int
    ) -> tuple[int, list[MemoryToken]]:
        rows = [row for row in self._owned(owner) if not states or _matches(row, states, now)]
        return len(rows), rows[offset : offset + limit]

    def count_live(self, owner: str, now: datetime) -> int:
        return sum(_matches(row, (ACTIVE,), now) for row in self._owned(owner))

    def hold(self, owner: str) -> Release | None:
        # Keyed by store: every listing over the same store shares the holds.
        return HOLDS.try_hold(f"{id(self.store)}:{owner}")


class AsyncMemoryTokenListing:
    """``AsyncTokenListing`` over a ``MemoryTokenStore``."""

    def __init__(self, store: MemoryTokenStore) -> None:
        self.sync = MemoryTokenListing(store)

    async def find(self, token_id: str) -> MemoryToken | None:
        return self.sync.find(token_id)

    async def page(
        self, owner: str, states: frozenset[str], now: datetime, offset: int, limit: int
    ) -> tuple[int, list[MemoryToken]]:
        return self.sync.page(owner, states, now, offset, limit)

    async def count_live(self, owner: str, now: datetime) -> int:
        return self.sync.count_live(owner, now)

    async def hold(self, owner: str) -> Release | None:
        return self.sync.hold(owner)
