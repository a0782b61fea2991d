"""Audit sinks writing events to ``keysmith_audit_events``, each in a connection of its own."""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from keysmith.core.audit import AuditEvent
from keysmith.sqlalchemy.engines import make_async_engine, make_engine
from keysmith.sqlalchemy.statements import insert_event

logger = logging.getLogger("keysmith.sqlalchemy.audit")


def _log_failure(event: AuditEvent) -> None:
    logger.exception("keysmith: could not write the %r audit event", event.action)


class SQLAuditSink:
    """Writes each event in its own autocommitted connection and never raises.

    A failed write is logged and dropped: it can neither break authentication nor leave the
    caller's transaction (on another connection) aborted.
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
