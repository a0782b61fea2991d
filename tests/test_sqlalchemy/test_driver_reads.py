"""The async store's authentication read on the driver's connection: the same record as
SQLAlchemy's execution builds, fresh state on every read, and no thread or connection left."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import NullPool, QueuePool, StaticPool

from keysmith.core import AsyncTokenService, NullAuditSink
from keysmith.sqlalchemy import (
    AsyncSQLTokenStore,
    SQLTokenStore,
    create_all_async,
    make_async_engine,
    make_engine,
)
from keysmith.sqlalchemy import statements as sql
from keysmith.sqlalchemy.reads import AsyncpgRead
from keysmith.sqlalchemy.sqlite_read import SQLiteFileRead
from keysmith.testing.contract import fast_policy

T = TypeVar("T")


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(scenario())  # type: ignore[arg-type]


def service(store: AsyncSQLTokenStore) -> AsyncTokenService[Any]:
    return AsyncTokenService(store, policy=fast_policy(), sink=NullAuditSink())


def test_async_store_driver_read_builds_the_record_of_the_generic_path(database_url: str) -> None:
    async def scenario() -> tuple[Any, Any, Any]:
        engine = make_async_engine(database_url)
        store = AsyncSQLTokenStore(engine)
        svc = service(store)
        record, raw = await svc.create(name="full", user="alice", scopes=["read", "write"])
        await svc.authenticate(raw)  # sets last_used_at
        await svc.rotate(record, grace=timedelta(minutes=5))  # sets the previous key and expiry
        fast = await store.get_by_prefix(record.prefix)
        generic = sql.record_from_rows(await store._read(*sql.select_by_prefix(record.prefix)))
        await engine.dispose()
        return store._prefix_read, fast, generic

    read, fast, generic = run(scenario)
    assert isinstance(read, (AsyncpgRead, SQLiteFileRead))
    assert fast == generic
    assert fast.scopes == frozenset({"read", "write"})
    assert fast.previous_key is not None
    assert fast.last_used_at is None  # rotation clears it
    assert fast.expires_at.tzinfo is not None


def test_async_store_driver_read_sees_revocation_committed_by_another_engine(
    database_url: str,
) -> None:
    async def scenario() -> tuple[bool, bool]:
        engine = make_async_engine(database_url)
        store = AsyncSQLTokenStore(engine)
        record, _ = await service(store).create(name="shared")
        before = await store.get_by_prefix(record.prefix)  # the reader keeps its connection
        other = make_engine(database_url)
        SQLTokenStore(other).revoke(record, purge=False)  # a second process, say the CLI
        other.dispose()
        after = await store.get_by_prefix(record.prefix)
        await engine.dispose()
        assert before is not None
        assert after is not None
        return before.revoked, after.revoked

    assert run(scenario) == (False, True)


def test_async_store_sqlite_reader_thread_ends_when_engine_disposed(sqlite_url: str) -> None:
    async def scenario() -> SQLiteFileRead:
        engine = make_async_engine(sqlite_url)
        store = AsyncSQLTokenStore(engine)
        record, _ = await service(store).create(name="t")
        assert await store.get_by_prefix(record.prefix) is not None
        read = store._prefix_read
        assert isinstance(read, SQLiteFileRead)
        assert read.thread is not None
        assert read.thread.is_alive()
        await engine.dispose()
        return read

    read = run(scenario)
    assert read.thread is not None
    read.thread.join(timeout=10)
    assert not read.thread.is_alive()
    pool = read.engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.checkedout() == 0


def test_async_store_sqlite_reader_thread_ends_when_store_is_dropped(sqlite_url: str) -> None:
    async def scenario() -> threading.Thread:
        engine = make_async_engine(sqlite_url, poolclass=NullPool)
        store = AsyncSQLTokenStore(engine)
        record, _ = await service(store).create(name="t")
        assert await store.get_by_prefix(record.prefix) is not None
        assert isinstance(store._prefix_read, SQLiteFileRead)
        thread = store._prefix_read.thread
        assert thread is not None
        return thread  # the engine and the store go: nobody disposes of them

    thread = run(scenario)
    gc.collect()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_async_store_sqlite_null_pool_keeps_no_connection_open(sqlite_url: str) -> None:
    opened: list[object] = []
    closed: list[object] = []

    async def scenario() -> None:
        engine = make_async_engine(sqlite_url, poolclass=NullPool)
        store = AsyncSQLTokenStore(engine)
        assert isinstance(store._prefix_read, SQLiteFileRead)
        reader = store._prefix_read.engine
        event.listen(reader, "connect", lambda connection, _: opened.append(connection))
        event.listen(reader, "close", lambda connection, _: closed.append(connection))
        record, _ = await service(store).create(name="t")
        for _ in range(3):
            assert await store.get_by_prefix(record.prefix) is not None
        await asyncio.sleep(0.05)  # the reader thread closes the last one after answering
        await engine.dispose()

    run(scenario)
    assert len(opened) == 3
    assert closed == opened


def test_async_store_sqlite_in_memory_keeps_the_generic_read() -> None:
    async def scenario() -> bool:
        engine = make_async_engine("sqlite+aiosqlite://", poolclass=StaticPool)
        await create_all_async(engine)
        store = AsyncSQLTokenStore(engine)
        record, _ = await service(store).create(name="memory")
        found = await store.get_by_prefix(record.prefix)
        await engine.dispose()
        return store._prefix_read is None and found is not None

    assert run(scenario)


def test_async_store_postgres_broken_connection_not_given_back_to_pool(postgres_url: str) -> None:
    async def scenario() -> None:
        engine = make_async_engine(postgres_url, pool_size=1, max_overflow=0)
        store = AsyncSQLTokenStore(engine)
        record, _ = await service(store).create(name="t")
        assert await store.get_by_prefix(record.prefix) is not None
        killer = make_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with killer.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
        killer.dispose()
        with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError)):
            await store.get_by_prefix(record.prefix)
        # The dead connection was dropped, not pooled: the next read opens a new one.
        assert await store.get_by_prefix(record.prefix) is not None
        await engine.dispose()

    run(scenario)


def test_make_async_engine_postgres_pool_opens_no_overflow_connections(postgres_url: str) -> None:
    async def scenario() -> None:
        engine = make_async_engine(postgres_url, pool_timeout=0.2)
        held = [await engine.raw_connection() for _ in range(10)]
        with pytest.raises(PoolTimeout):
            await engine.raw_connection()
        for connection in held:
            connection.close()
        await engine.dispose()

    run(scenario)


def test_make_async_engine_postgres_pool_options_given_are_kept(postgres_url: str) -> None:
    engine = make_async_engine(postgres_url, pool_size=2)
    try:
        assert engine.pool.size() == 2  # type: ignore[attr-defined]
        assert "Overflow: -2" in engine.pool.status()
    finally:
        asyncio.run(engine.dispose())
