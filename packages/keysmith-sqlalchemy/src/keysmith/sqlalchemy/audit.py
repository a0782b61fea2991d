"""Audit sinks writing events to ``keysmith_audit_events``, each write a bounded transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from keysmith.core.audit import AuditEvent
from keysmith.core.audit_limits import DEFAULT_WRITE_TIMEOUT, bounds, write_timeout
from keysmith.sqlalchemy.engines import make_async_engine, make_engine
from keysmith.sqlalchemy.statements import insert_events

logger = logging.getLogger("keysmith.sqlalchemy.audit")


def _log_failure(event: AuditEvent) -> None:
    logger.exception(
        "keysmith: could not write the %r audit event of %s", event.action, event.token_prefix
    )


class SQLAuditSink:
    """``emit`` writes each event in a transaction of its own and never raises.

    A write still waiting for a locked table after ``write_timeout`` seconds gives up (see
    ``keysmith.core.audit_limits``; ``None`` leaves the database's own timeouts). A failed
    write is logged and dropped: it can neither break authentication nor hold it, nor leave
    the caller's transaction (on another connection) aborted. ``write_many`` is the bulk path
    of the buffered sinks.
    """

    def __init__(
        self,
        engine: Engine | str | URL | None = None,
        *,
        write_timeout: float | None = DEFAULT_WRITE_TIMEOUT,
    ) -> None:
        self.write_timeout = _checked(write_timeout)
        self.engine = engine if isinstance(engine, Engine) else make_engine(engine)

    def emit(self, event: AuditEvent) -> None:
        try:
            self.write_many([event])
        except Exception:
            _log_failure(event)

    def write_many(self, events: Sequence[AuditEvent]) -> None:
        """All ``events`` in one executemany and one transaction, for ``BufferedAuditSink``.

        Unlike ``emit`` it raises, so the buffer can log the failed batch and drop it.
        """
        if not events:
            return
        statement, rows = insert_events(events)
        with self.engine.begin() as connection:
            bound = bounds(connection.dialect.name, self.write_timeout)
            before = connection.exec_driver_sql(bound.read).scalar() if bound.read else None
            if bound.limit:
                connection.exec_driver_sql(bound.limit)
            try:
                connection.execute(statement, rows)
            finally:
                if bound.restore:
                    connection.exec_driver_sql(bound.restore(before))


class AsyncSQLAuditSink:
    """The asyncio twin of ``SQLAuditSink``: same rows, same bounds, never raises."""

    def __init__(
        self,
        engine: AsyncEngine | str | URL | None = None,
        *,
        write_timeout: float | None = DEFAULT_WRITE_TIMEOUT,
    ) -> None:
        self.write_timeout = _checked(write_timeout)
        self.engine = engine if isinstance(engine, AsyncEngine) else make_async_engine(engine)

    async def emit(self, event: AuditEvent) -> None:
        try:
            await self.write_many([event])
        except Exception:
            _log_failure(event)

    async def write_many(self, events: Sequence[AuditEvent]) -> None:
        """All ``events`` in one executemany and one transaction, for
        ``AsyncBufferedAuditSink``; raises, as ``SQLAuditSink.write_many`` does."""
        if not events:
            return
        statement, rows = insert_events(events)
        async with self.engine.begin() as connection:
            bound = bounds(connection.dialect.name, self.write_timeout)
            read = await connection.exec_driver_sql(bound.read) if bound.read else None
            before = read.scalar() if read is not None else None
            if bound.limit:
                await connection.exec_driver_sql(bound.limit)
            try:
                await connection.execute(statement, rows)
            finally:
                if bound.restore:
                    await connection.exec_driver_sql(bound.restore(before))


def _checked(seconds: float | None) -> float | None:
    return write_timeout(seconds, "write_timeout")
