"""``write_many``: the buffered sinks' bulk path writes the rows the one-event path writes."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy import event as sqlalchemy_event

from keysmith.core import (
    Action,
    AsyncBufferedAuditSink,
    AuditEvent,
    MemoryAuditSink,
    RequestContext,
    TokenService,
)
from keysmith.sqlalchemy import (
    AsyncSQLAuditSink,
    SQLAuditSink,
    SQLTokenStore,
    audit_events,
    make_async_engine,
)
from keysmith.testing.contract import fast_policy

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)


def events(token: Any) -> list[AuditEvent]:
    """One of each kind of row: with and without token, request, extra, oversized values."""
    context = RequestContext(
        path="/api/items", method="GET", ip_address="10.0.0.7", user_agent="curl/8.5"
    )
    return [
        AuditEvent(Action.AUTH_SUCCESS, NOW, token, token.prefix, 200, context),
        AuditEvent(
            Action.AUTH_FAILED,
            NOW + timedelta(seconds=1),
            None,
            "tok_unknown",
            401,
            context,
            {"error": "invalid_token", "reason": "unknown_prefix", "when": NOW},
        ),
        AuditEvent(Action.AUTH_FAILED, NOW + timedelta(seconds=2), status_code=401),
        AuditEvent(
            "x" * 50,
            NOW + timedelta(seconds=3),
            context=RequestContext(path="/p", method="M" * 40, ip_address="1" * 80),
        ),
    ]


def rows_without_id(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as connection:
        result = connection.execute(select(audit_events).order_by(audit_events.c.id))
        return [{k: v for k, v in row.items() if k != "id"} for row in result.mappings()]


def take_rows(engine: Engine) -> list[dict[str, object]]:
    """The audit rows written so far (without their ids), removed from the table."""
    rows = rows_without_id(engine)
    with engine.begin() as connection:
        connection.execute(delete(audit_events))
    return rows


def token_in(engine: Engine) -> Any:
    service = TokenService(SQLTokenStore(engine), policy=fast_policy(), sink=MemoryAuditSink())
    record, _raw = service.create(name="bulk")
    return record


def test_sql_write_many_rows_identical_to_one_by_one(engine: Engine) -> None:
    batch = events(token_in(engine))
    sink = SQLAuditSink(engine)
    for event in batch:
        sink.emit(event)
    one_by_one = take_rows(engine)
    sink.write_many(batch)
    assert take_rows(engine) == one_by_one
    assert len(one_by_one) == 4
    assert one_by_one[3]["method"] == "M" * 16  # cut to the column, on both paths


def test_async_sql_write_many_rows_identical_to_one_by_one(
    engine: Engine, database_url: str
) -> None:
    batch = events(token_in(engine))

    async def write(bulk: bool) -> None:
        async_engine = make_async_engine(database_url)
        sink = AsyncSQLAuditSink(async_engine)
        if bulk:
            await sink.write_many(batch)
        else:
            for event in batch:
                await sink.emit(event)
        await async_engine.dispose()

    asyncio.run(write(bulk=False))
    one_by_one = take_rows(engine)
    asyncio.run(write(bulk=True))
    assert take_rows(engine) == one_by_one
    assert [row["action"] for row in one_by_one] == [
        "auth_success",
        "auth_failed",
        "auth_failed",
        "x" * 32,
    ]
    assert one_by_one[1]["extra"] == {
        "error": "invalid_token",
        "reason": "unknown_prefix",
        "when": str(NOW),
    }


def test_sql_write_many_nothing_writes_nothing(engine: Engine) -> None:
    SQLAuditSink(engine).write_many([])

    async def write() -> None:
        async_engine = make_async_engine(engine.url)
        await AsyncSQLAuditSink(async_engine).write_many([])
        await async_engine.dispose()

    asyncio.run(write())
    assert rows_without_id(engine) == []


def drop_audit_table(engine: Engine) -> None:
    with engine.begin() as connection:
        audit_events.drop(connection)


def test_sql_write_many_failure_raises_for_the_buffer_to_handle(engine: Engine) -> None:
    batch = events(token_in(engine))
    drop_audit_table(engine)
    with pytest.raises(Exception, match="keysmith_audit_events"):
        SQLAuditSink(engine).write_many(batch)


def test_async_buffer_over_sql_failed_batch_logged_and_dropped(
    engine: Engine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    authentications = events(token_in(engine))[:3]
    drop_audit_table(engine)

    async def emit_and_close() -> None:
        async_engine = make_async_engine(database_url)
        rows = AsyncSQLAuditSink(async_engine)
        sink = AsyncBufferedAuditSink(rows, rows.write_many, interval=3600)
        for event in authentications:
            await sink.emit(event)
        await sink.aclose()  # does not raise
        await async_engine.dispose()

    with caplog.at_level(logging.ERROR, logger="keysmith"):
        asyncio.run(emit_and_close())
    assert [record.getMessage() for record in caplog.records] == [
        "keysmith: dropped 3 audit events"
    ]


def test_sql_write_many_runs_one_statement_for_the_batch(engine: Engine) -> None:
    inserts: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO KEYSMITH_AUDIT_EVENTS"):
            inserts.append(statement)

    batch = events(token_in(engine))
    sqlalchemy_event.listen(engine, "before_cursor_execute", record)
    try:
        SQLAuditSink(engine).write_many(batch)
    finally:
        sqlalchemy_event.remove(engine, "before_cursor_execute", record)
    assert len(inserts) == 1
    assert len(rows_without_id(engine)) == 4
