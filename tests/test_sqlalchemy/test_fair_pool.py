"""The async engines' pool serves waiting checkouts in order: under more requests in flight than
it holds, no request and no audit batch waits for more than those ahead of it.

With SQLAlchemy's own asyncio pool a newcomer takes a connection just handed back before the
task woken for it runs, which sends that task to the back of the line again: the counts below
(how many checkouts overtook one waiting checkout; audit rows dropped for a writer that could
not get a connection) grow with the load there.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.pool import AsyncAdaptedQueuePool, NullPool
from sqlalchemy.util.queue import Empty

from keysmith.core import AsyncBufferedAuditSink, AsyncTokenService
from keysmith.sqlalchemy import (
    AsyncSQLAuditSink,
    AsyncSQLTokenStore,
    create_all_async,
    make_async_engine,
)
from keysmith.sqlalchemy.fair_pool import FairAsyncQueuePool, FairQueue
from keysmith.sqlalchemy.tables import audit_events
from keysmith.testing.contract import fast_policy

TASKS = 40  # in flight, against the default pool of 10 connections on PostgreSQL
ROUNDS = 30  # checkouts per task


async def overtakes(engine: Any) -> int:
    """The most checkouts granted to others while one checkout waited, over TASKS tasks each
    checking out ROUNDS times (one statement per checkout)."""
    granted = 0
    worst = 0

    async def task() -> None:
        nonlocal granted, worst
        for _ in range(ROUNDS):
            asked = granted
            async with engine.connect() as connection:
                worst = max(worst, granted - asked)
                granted += 1
                await connection.exec_driver_sql("SELECT 1")

    await asyncio.gather(*(task() for _ in range(TASKS)))
    return worst


def test_async_engines_use_the_fair_pool(sqlite_url: str, postgres_url: str) -> None:
    async def scenario() -> list[Any]:
        engines = [make_async_engine(sqlite_url), make_async_engine(postgres_url)]
        chosen = make_async_engine(postgres_url, poolclass=NullPool)
        pools = [engine.pool for engine in [*engines, chosen]]
        for engine in [*engines, chosen]:
            await engine.dispose()
        return pools

    sqlite, postgres, chosen = asyncio.run(scenario())
    assert isinstance(sqlite, FairAsyncQueuePool)
    assert isinstance(postgres, FairAsyncQueuePool)
    assert postgres.size() == 10
    assert isinstance(chosen, NullPool)  # a pool the caller chose is kept


def test_a_waiting_checkout_is_overtaken_by_no_more_than_those_ahead_of_it(
    postgres_url: str,
) -> None:
    async def scenario() -> int:
        engine = make_async_engine(postgres_url)
        try:
            return await overtakes(engine)
        finally:
            await engine.dispose()

    # In line, a checkout waits for those already waiting (at most TASKS - 1) and for the ten
    # connections in use; SQLAlchemy's own pool lets some wait through hundreds.
    assert asyncio.run(scenario()) <= TASKS + 10


def test_the_stock_pool_lets_newcomers_overtake_a_waiting_checkout(postgres_url: str) -> None:
    """What the fair pool fixes, shown on SQLAlchemy's pool with the same load."""

    async def scenario() -> int:
        engine = make_async_engine(
            postgres_url, poolclass=AsyncAdaptedQueuePool, pool_size=10, max_overflow=0
        )
        try:
            return await overtakes(engine)
        finally:
            await engine.dispose()

    assert asyncio.run(scenario()) > TASKS + 10


def test_audit_writer_keeps_up_with_requests_in_flight(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every request's row is written while requests keep every connection busy: the writer's
    checkout waits its turn instead of losing it to the next request until the load ends."""
    requests = 3_000

    async def scenario() -> tuple[int, int]:
        engine = make_async_engine(postgres_url)
        await create_all_async(engine)
        rows = AsyncSQLAuditSink(engine)
        # A small queue: a writer kept from the pool for a thousand requests drops rows.
        sink = AsyncBufferedAuditSink(rows, rows.write_many, max_queue=1_000)
        svc = AsyncTokenService(AsyncSQLTokenStore(engine), policy=fast_policy(), sink=sink)
        _, raw = await svc.create(name="busy")
        async with engine.begin() as connection:
            before = await connection.execute(select(func.count()).select_from(audit_events))
        before_count = before.scalar_one()
        left = iter(range(requests))

        async def client() -> None:
            for _ in left:
                await svc.authenticate(raw)

        await asyncio.gather(*(client() for _ in range(TASKS)))
        await sink.aclose()
        async with engine.begin() as connection:
            after = await connection.execute(select(func.count()).select_from(audit_events))
            written = after.scalar_one() - before_count
        await engine.dispose()
        return written, sink.dropped

    with caplog.at_level(logging.WARNING, logger="keysmith"):
        written, dropped = asyncio.run(scenario())
    assert dropped == 0, caplog.text
    assert written == requests


def test_fair_queue_passes_on_a_connection_handed_to_a_checkout_that_gave_up() -> None:
    """A waiter that times out or is cancelled as its connection arrives does not lose it: the
    next in line gets it, and a later waiter never receives a cancelled one's."""

    async def scenario() -> tuple[Any, Any, int]:
        queue: FairQueue[str] = FairQueue()
        loop = asyncio.get_running_loop()
        first: asyncio.Future[str] = loop.create_future()
        second: asyncio.Future[str] = loop.create_future()
        queue._waiters.extend([first, second])
        waiting = asyncio.ensure_future(queue._wait(first, None))
        await asyncio.sleep(0)
        queue.put_nowait("connection")  # handed to the first waiter...
        waiting.cancel()  # ...which is cancelled before it runs
        with pytest.raises(asyncio.CancelledError):
            await waiting
        gone: asyncio.Future[str] = loop.create_future()
        gone.cancel()
        queue._waiters.appendleft(gone)
        queue.put_nowait("another")  # skips the cancelled waiter; none left: kept idle
        return second.result(), queue.get_nowait(), queue.qsize()

    passed_on, idle, left = asyncio.run(scenario())
    assert passed_on == "connection"
    assert idle == "another"
    assert left == 0


def test_fair_queue_without_a_connection_within_the_timeout_is_empty(postgres_url: str) -> None:
    async def scenario() -> str:
        engine = make_async_engine(postgres_url, pool_size=1, max_overflow=0, pool_timeout=0.05)
        try:
            async with engine.connect():
                try:
                    async with engine.connect():
                        return "second checkout served"
                except Exception as error:  # SQLAlchemy's pool timeout
                    return type(error).__name__
        finally:
            await engine.dispose()

    assert asyncio.run(scenario()) == "TimeoutError"
    with pytest.raises(Empty):
        FairQueue[str]().get(block=False)
