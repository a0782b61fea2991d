"""The self-service reads of the SQL store (sync and async, SQLite and PostgreSQL) agree with
the in-memory reference: a token by id, an owner's tokens by state, newest first, counted."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from itertools import combinations
from typing import Any

import pytest
from sqlalchemy.pool import NullPool

from keysmith.core import FrozenClock, MemoryTokenStore, NullAuditSink, TokenService
from keysmith.core.selfservice import STATES
from keysmith.core.selfservice.listing import MemoryTokenListing
from keysmith.sqlalchemy import SQLTokenStore, make_async_engine, make_engine
from keysmith.sqlalchemy.listing import AsyncSQLTokenListing, SQLTokenListing


def fill(service: TokenService[Any], clock: FrozenClock) -> None:
    """alice: one token in each state, and one that lives on; bob: one."""
    made = {}
    for name in ("live", "forever", "expired", "revoked", "purged", "revoked-expired"):
        clock.advance(timedelta(seconds=1))
        expires_at = clock.now() + timedelta(seconds=30) if "expired" in name else None
        made[name], _ = service.create(name=name, user="alice", expires_at=expires_at)
    service.create(name="bob's", user="bob")
    service.revoke(made["revoked"])
    service.revoke(made["revoked-expired"])
    service.purge(made["purged"])
    clock.advance(timedelta(minutes=1))


def answers(listing: Any, clock: FrozenClock) -> dict[str, Any]:
    now = clock.now()
    result: dict[str, Any] = {}
    for size in range(len(STATES) + 1):
        for states in combinations(STATES, size):
            count, rows = listing.page("alice", frozenset(states), now, 0, 100)
            result[",".join(states)] = (count, [row.name for row in rows])
    count, rows = listing.page("alice", frozenset(), now, 2, 3)
    result["slice"] = (count, [row.name for row in rows])
    result["live"] = listing.count_live("alice", now)
    result["nobody"] = listing.page("carol", frozenset(), now, 0, 10)
    first = listing.page("alice", frozenset(), now, 0, 1)[1][0]
    result["found"] = listing.find(str(first.id)).name
    result["missing"] = (listing.find(str(uuid.uuid4())), listing.find("not-a-uuid"))
    return result


class Synchronously:
    """The async listing's methods, run to completion one by one."""

    def __init__(self, listing: AsyncSQLTokenListing) -> None:
        self.listing = listing

    def __getattr__(self, name: str) -> Any:
        return lambda *args: asyncio.run(getattr(self.listing, name)(*args))


@pytest.fixture
def reference() -> dict[str, Any]:
    store, clock = MemoryTokenStore(), FrozenClock()
    fill(TokenService(store, sink=NullAuditSink(), clock=clock), clock)
    return answers(MemoryTokenListing(store), clock)


def test_listing_sql_sync_and_async_agree_with_memory(
    database_url: str, reference: dict[str, Any]
) -> None:
    clock = FrozenClock()
    engine = make_engine(database_url)
    fill(TokenService(SQLTokenStore(engine), sink=NullAuditSink(), clock=clock), clock)
    assert answers(SQLTokenListing(engine), clock) == reference
    async_engine = make_async_engine(database_url, poolclass=NullPool)
    assert answers(Synchronously(AsyncSQLTokenListing(async_engine)), clock) == reference
    engine.dispose()
    asyncio.run(async_engine.dispose())
    assert reference["active"] == (2, ["forever", "live"])
    assert reference["expired"] == (1, ["expired"])
    assert reference["revoked"] == (2, ["revoked-expired", "revoked"])
    assert reference["purged"] == (1, ["purged"])
    assert reference["live"] == 2
    assert reference[""][0] == 6
