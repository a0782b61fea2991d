"""Audit sinks writing events to ``keysmith_audit_events``, each in a connection of its own."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from keysmith.core.audit import AuditEvent
from keysmith.sqlalchemy.engines import make_async_engine, make_engine
from keysmith.sqlalchemy.statements import insert_event, insert_events

logger = logging.getLogger("keysmith.sqlalchemy.audit")


def _log_failure(event: AuditEvent) -> None:
    logger.exception("keysmith: could not write the %r audit event", event.action)


class SQLAuditSink:
    """``emit`` writes each event in its own autocommitted connection and never raises.

    A failed write is logged and dropped: it can neither break authentication nor leave the
    caller's transaction (on another connection) aborted. ``write_many`` is the bulk path of
    the buffered sinks.
    """

    def __init__(self, engine: Engine | str | URL | None = None) -> None:
        self.engine = engine if isinstance(engine, Engine) else make_engine(engine)
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    def emit(self, event: AuditEvent) -> None:
        try:
            with self._autocommit.connect() as connection:
                connection.execute(insert_event(event))
        except Exception:
            _log_failure(event)

    def write_many(self, events: Sequence[AuditEvent]) -> None:
        """All ``events`` in one executemany, for ``BufferedAuditSink``.

        One transaction, not autocommit: SQLite would otherwise commit every row. Unlike
        ``emit`` it raises, so the buffer can log the failed batch and drop it.
        """
        if events:
            statement, rows = insert_events(events)
            with self.engine.begin() as connection:
                connection.execute(statement, rows)


class AsyncSQLAuditSink:
    """The asyncio twin of ``SQLAuditSink``: same rows, same isolation, never raises."""

    def __init__(self, engine: AsyncEngine | str | URL | None = None) -> None:
        self.engine = engine if isinstance(engine, AsyncEngine) else make_async_engine(engine)
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")

    async def emit(self, event: AuditEvent) -> None:
        try:
            async with self._autocommit.connect() as connection:
                await connection.execute(insert_event(event))
        except Exception:
            _log_failure(event)

    async def write_many(self, events: Sequence[AuditEvent]) -> None:
        """All ``events`` in one executemany and one transaction, for
        ``AsyncBufferedAuditSink``; raises, as ``SQLAuditSink.write_many`` does."""
        if events:
            statement, rows = insert_events(events)
            async with self.engine.begin() as connection:
                await connection.execute(statement, rows)
