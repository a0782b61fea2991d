"""The SQL audit sinks: the rows they write, and failures that stay inside the sink."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

import pytest
from sqlalchemy import Engine, select, text

from keysmith.core import Action, AuditEvent, RequestContext, TokenService
from keysmith.sqlalchemy import (
    AsyncSQLAuditSink,
    SQLAuditSink,
    SQLTokenStore,
    audit_events,
    make_async_engine,
    make_engine,
    tokens,
)
from keysmith.testing.contract import fast_policy

NOW = datetime(2030, 1, 1, tzinfo=timezone.utc)
CONTEXT = RequestContext(path="/api/items", method="GET", ip_address="10.0.0.7", user_agent="curl")


def event(token: object = None, **overrides: object) -> AuditEvent:
    fields: dict[str, object] = {
        "action": Action.AUTH_FAILED,
        "occurred_at": NOW,
        "token": token,
        "token_prefix": getattr(token, "prefix", None),
        "status_code": 401,
        "context": CONTEXT,
        "extra": {"error": "invalid_token", "when": NOW},
    }
    fields.update(overrides)
    return AuditEvent(**fields)  # type: ignore[arg-type]


def audit_rows(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as connection:
        result = connection.execute(select(audit_events).order_by(audit_events.c.id))
        return [dict(row) for row in result.mappings()]


def drop_audit_table(engine: Engine) -> None:
    with engine.begin() as connection:
        audit_events.drop(connection)


def test_sql_audit_sink_event_with_token_writes_full_row(engine: Engine) -> None:
    service = TokenService(SQLTokenStore(engine), policy=fast_policy(), sink=SQLAuditSink(engine))
    record, _raw = service.create(name="audited")
    SQLAuditSink(engine).emit(event(record))
    row = audit_rows(engine)[-1]
    assert row["token_id"] == record.id
    assert row["token_prefix"] == record.prefix
    assert (row["action"], row["status_code"]) == ("auth_failed", 401)
    assert (row["method"], row["path"]) == ("GET", "/api/items")
    assert (row["ip_address"], row["user_agent"]) == ("10.0.0.7", "curl")
    assert row["extra"] == {"error": "invalid_token", "when": str(NOW)}
    assert row["created_at"] == NOW


def test_async_sql_audit_sink_event_without_token_writes_row(database_url: str) -> None:
    async def emit() -> None:
        engine = make_async_engine(database_url)
        await AsyncSQLAuditSink(engine).emit(event(context=None, extra={}))
        await engine.dispose()

    asyncio.run(emit())
    engine = make_engine(database_url)
    rows = audit_rows(engine)
    engine.dispose()
    assert [(r["token_id"], r["action"], r["path"], r["method"]) for r in rows] == [
        (None, "auth_failed", "", "")
    ]


def test_sql_audit_sink_oversized_request_values_truncated_to_columns(engine: Engine) -> None:
    # The request context itself bounds the method and keeps only a parseable address.
    long_context = RequestContext(path="/p", method="M" * 40, ip_address="1" * 80)
    SQLAuditSink(engine).emit(event(context=long_context, action="x" * 50))
    row = audit_rows(engine)[-1]
    assert (row["method"], row["ip_address"], row["action"]) == ("M" * 16, None, "x" * 32)


def test_sql_audit_sink_missing_table_logs_and_returns(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    drop_audit_table(engine)
    with caplog.at_level(logging.ERROR, logger="keysmith.sqlalchemy.audit"):
        SQLAuditSink(engine).emit(event())
    assert "could not write the 'auth_failed' audit event" in caplog.text


def test_async_sql_audit_sink_missing_table_logs_and_returns(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(database_url)
    drop_audit_table(engine)
    engine.dispose()

    async def emit() -> None:
        async_engine = make_async_engine(database_url)
        await AsyncSQLAuditSink(async_engine).emit(event())
        await async_engine.dispose()

    with caplog.at_level(logging.ERROR, logger="keysmith.sqlalchemy.audit"):
        asyncio.run(emit())
    assert "could not write the 'auth_failed' audit event" in caplog.text


def test_sql_audit_sink_failure_leaves_callers_transaction_usable(postgres_url: str) -> None:
    # On PostgreSQL one failed statement aborts its whole transaction: a sink sharing the
    # caller's connection would make the caller's next statement fail.
    engine = make_engine(postgres_url)
    drop_audit_table(engine)
    sink = SQLAuditSink(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE app_orders (id integer)"))
        sink.emit(event())
        connection.execute(text("INSERT INTO app_orders VALUES (1)"))
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM app_orders")) == 1
        connection.execute(text("DROP TABLE app_orders"))
        connection.commit()
    engine.dispose()


def test_service_with_failing_sink_still_authenticates(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    service = TokenService(SQLTokenStore(engine), policy=fast_policy(), sink=SQLAuditSink(engine))
    drop_audit_table(engine)
    with caplog.at_level(logging.ERROR, logger="keysmith.sqlalchemy.audit"):
        record, raw = service.create(name="still works")
        assert service.authenticate(raw).prefix == record.prefix
    with engine.connect() as connection:
        assert connection.scalar(select(tokens.c.last_used_at)) is not None
    assert caplog.text.count("could not write") == 2
