"""``AsyncSQLTokenStore``: the asyncio token store (SQLite: aiosqlite, PostgreSQL: asyncpg)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Executable, Row
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from keysmith.core.errors import PrefixCollision
from keysmith.core.records import NewToken
from keysmith.sqlalchemy import statements as sql
from keysmith.sqlalchemy.engines import make_async_engine
from keysmith.sqlalchemy.readiness import check_tables_async
from keysmith.sqlalchemy.reads import prefix_read
from keysmith.sqlalchemy.records import SQLToken


class AsyncSQLTokenStore:
    """An ``AsyncTokenStore`` over the keysmith tables, from an ``AsyncEngine`` or a URL.

    It runs the same statements as ``SQLTokenStore``; only the awaiting differs.
    """

    def __init__(self, engine: AsyncEngine | str | URL | None = None) -> None:
        self.engine = engine if isinstance(engine, AsyncEngine) else make_async_engine(engine)
        # One statement is atomic on its own: autocommit spares the BEGIN/COMMIT round trips.
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        # A read needs no transaction. aiosqlite runs each connection call on a thread of its
        # own, so switching a pooled connection to autocommit and back would add two trips
        # there per read (about half of one); in SQLite a SELECT opens no transaction anyway.
        sqlite = self.engine.dialect.name == "sqlite"
        self._reads = self.engine if sqlite else self._autocommit
        # Authentication's read, on the driver's connection where the driver allows it.
        self._prefix_read = prefix_read(self.engine)

    async def check_tables(self) -> bool:
        """The start-up check (``keysmith.sqlalchemy.readiness.check_tables_async``): raises
        ``MissingTablesError`` without the tables, False when the database is unreachable."""
        return await check_tables_async(self.engine)

    async def insert(self, new: NewToken) -> SQLToken:
        record = sql.new_record(new)
        try:
            async with self.engine.begin() as connection:
                for statement in sql.insert_token(record):
                    await connection.execute(statement)
        except IntegrityError as error:
            if await self._read(sql.prefix_taken(record.prefix)):
                raise PrefixCollision(record.prefix) from error
            raise
        return record

    async def get_by_prefix(self, prefix: str) -> SQLToken | None:
        if self._prefix_read is not None:
            found: SQLToken | None = await self._prefix_read(prefix)
            return found
        return sql.record_from_rows(await self._read(*sql.select_by_prefix(prefix)))

    async def replace_key(
        self,
        record: SQLToken,
        *,
        key: str,
        previous_key: str | None,
        previous_key_expires_at: datetime | None,
    ) -> bool:
        change = sql.replace_key(
            record,
            key=key,
            previous_key=previous_key,
            previous_key_expires_at=previous_key_expires_at,
        )
        return await self._apply(record, change)

    async def upgrade_key(self, record: SQLToken, *, old_key: str, new_key: str) -> bool:
        return await self._apply(record, sql.upgrade_key(record, old_key=old_key, new_key=new_key))

    async def revoke(self, record: SQLToken, *, purge: bool) -> bool:
        return await self._apply(record, sql.revoke(record, purge=purge))

    async def touch(
        self, record: SQLToken, *, now: datetime, stale_before: datetime | None
    ) -> bool:
        return await self._apply(record, sql.touch(record, now=now, stale_before=stale_before))

    async def scopes_of(self, record: SQLToken) -> frozenset[str]:
        # Read with the row by get_by_prefix; scopes never change after creation.
        return record.scopes

    async def list_tokens(
        self,
        *,
        user: str | None = None,
        active_at: datetime | None = None,
        limit: int | None = None,
    ) -> list[SQLToken]:
        """Newest first; ``active_at`` keeps only tokens usable at that time."""
        statement = sql.token_listing(user=user, active_at=active_at, limit=limit)
        return sql.records_from_rows(await self._read(statement))

    async def _read(
        self, statement: Executable, parameters: dict[str, Any] | None = None
    ) -> list[Row[Any]]:
        async with self._reads.connect() as connection:
            return list(await connection.execute(statement, parameters))

    async def _apply(self, record: SQLToken, change: sql.Change) -> bool:
        async with self._autocommit.connect() as connection:
            rowcount = (await connection.execute(change.statement)).rowcount
        return change.applied(record, rowcount)
