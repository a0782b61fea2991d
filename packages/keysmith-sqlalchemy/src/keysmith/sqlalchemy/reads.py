"""The authentication read of ``AsyncSQLTokenStore``: the prefix SELECT on the driver's own
connection, as one statement outside any transaction, so a request costs one trip.

Through SQLAlchemy's execution layer the read pays a greenlet switch per driver call, a
transaction it begins and rolls back on return to the pool, and the result machinery. Where the
driver is known (asyncpg; aiosqlite over a file), the store reads with these instead; elsewhere
it keeps the generic path.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

from keysmith.sqlalchemy.compiled_read import CompiledRead
from keysmith.sqlalchemy.engines import is_sqlite_file
from keysmith.sqlalchemy.records import SQLToken
from keysmith.sqlalchemy.sqlite_read import SQLiteFileRead

PrefixRead = Callable[[str], Awaitable[SQLToken | None]]


class AsyncpgRead:
    """PostgreSQL: a pooled connection of the engine, read with asyncpg's prepared statement.

    The pool is the engine's (its size, its ``NullPool``, its ``dispose``); the connection holds
    no transaction at checkout, and the read opens none, so returning it costs no ROLLBACK.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.compiled = CompiledRead(engine.dialect)

    async def __call__(self, prefix: str) -> SQLToken | None:
        connection = await self.engine.raw_connection()
        try:
            driver: Any = connection.driver_connection  # an asyncpg.Connection
            rows = await driver.fetch(self.compiled.text, prefix)
        except BaseException:
            # A broken or interrupted connection must not go back to the pool as it is.
            await greenlet_spawn(connection.invalidate)
            raise
        await greenlet_spawn(connection.close)
        return self.compiled.record(rows)


def prefix_read(engine: AsyncEngine) -> PrefixRead | None:
    """The driver-level read for ``engine``, or None where the generic path must serve
    (another driver; a SQLite database in memory, which a second engine would not share)."""
    name, driver = engine.dialect.name, engine.dialect.driver
    if name == "postgresql" and driver == "asyncpg":
        return AsyncpgRead(engine)
    if name == "sqlite" and driver == "aiosqlite" and is_sqlite_file(engine.url):
        return SQLiteFileRead(engine)
    return None
