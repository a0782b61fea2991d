"""The self-service reads of the SQL store (sync and async, SQLite and PostgreSQL) agree with
the in-memory reference: a token by id, an owner's tokens by state, newest first, counted."""

from __future__ import annotations

import asyncio
import inspect
import uuid
from datetime import timedelta
from itertools import combinations
from typing import Any

import pytest
from sqlalchemy.pool import NullPool

from keysmith.core import FrozenClock, MemoryTokenStore, NullAuditSink, TokenService
from keysmith.core.selfservice import STATES
from keysmith.core.selfservice.holds import Release
from keysmith.core.selfservice.listing import MemoryTokenListing
from keysmith.sqlalchemy import SQLTokenStore, make_async_engine, make_engine
from keysmith.sqlalchemy.listing import AsyncSQLTokenListing, SQLTokenListing, advisory_lock


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


def check_holds(listing: Any) -> None:
    """One creation at a time per owner; other owners are not held up; a release frees it."""
    first = listing.hold("alice")
    assert first is not None
    assert listing.hold("alice") is None
    other = listing.hold("bob")
    assert other is not None
    other()
    first()
    again = listing.hold("alice")
    assert again is not None
    again()


def test_listing_hold_is_exclusive_per_owner_memory() -> None:
    check_holds(MemoryTokenListing(MemoryTokenStore()))


async def end(release: Release) -> None:
    """Release a hold: PostgreSQL's closes a connection (awaitable), the others do not."""
    outcome = release()
    if inspect.isawaitable(outcome):
        await outcome


def test_listing_hold_is_exclusive_per_owner_sql_sync_and_async(database_url: str) -> None:
    engine = make_engine(database_url)
    check_holds(SQLTokenListing(engine))
    engine.dispose()

    async def check_async() -> None:
        async_engine = make_async_engine(database_url, poolclass=NullPool)
        listing = AsyncSQLTokenListing(async_engine)
        first = await listing.hold("alice")
        assert first is not None
        assert await listing.hold("alice") is None
        other = await listing.hold("bob")
        assert other is not None
        await end(other)
        await end(first)
        again = await listing.hold("alice")
        assert again is not None
        await end(again)
        await async_engine.dispose()

    asyncio.run(check_async())


def other_session_may_lock(url: str, owner: str) -> bool:
    """Whether a separate PostgreSQL session (another process's) gets ``owner``'s lock now."""
    other = make_engine(url, poolclass=NullPool)
    try:
        with other.connect() as connection, connection.begin():
            held: bool = connection.execute(advisory_lock(owner)).scalar_one()
            return held
    finally:
        other.dispose()


def test_listing_hold_postgres_locks_out_other_processes(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    listing = SQLTokenListing(engine)
    release = listing.hold("alice")
    assert release is not None
    assert not other_session_may_lock(postgres_url, "alice")
    assert other_session_may_lock(postgres_url, "bob")
    release()
    assert other_session_may_lock(postgres_url, "alice")
    # Held elsewhere: this process is refused at once, without waiting.
    other = make_engine(postgres_url, poolclass=NullPool)
    with other.connect() as connection, connection.begin():
        assert connection.execute(advisory_lock("alice")).scalar_one()
        assert listing.hold("alice") is None
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]  # the connection went back
    again = listing.hold("alice")
    assert again is not None
    again()
    other.dispose()
    engine.dispose()
