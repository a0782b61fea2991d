"""``audit_buffer_seconds``: the services' default sinks queue authentication rows only."""

from __future__ import annotations

import asyncio

import pytest
from support.sql_audit import audit_actions

from keysmith.core import AsyncBufferedAuditSink, BufferedAuditSink, ConfigurationError
from keysmith.sqlalchemy import (
    AsyncSQLAuditSink,
    SQLAuditSink,
    async_service,
    service,
)
from keysmith.testing.contract import fast_policy

HOUR = 3600.0  # an interval no test waits for: rows appear only when flushed


def test_async_service_default_sink_buffers_authentication_rows_only(database_url: str) -> None:
    async def lifecycle() -> None:
        svc = async_service(database_url, policy=fast_policy(), audit_buffer_seconds=HOUR)
        sink = svc.sink
        assert isinstance(sink, AsyncBufferedAuditSink)
        assert isinstance(sink.direct, AsyncSQLAuditSink)
        assert (sink.write_many, sink.interval) == (sink.direct.write_many, HOUR)
        record, raw = await svc.create(name="buffered")
        await svc.authenticate(raw)
        await svc.rotate(record)
        assert audit_actions(database_url) == ["created", "rotated"]
        await sink.flush()
        assert audit_actions(database_url) == ["created", "rotated", "auth_success"]
        await sink.aclose()
        await svc.store.engine.dispose()

    asyncio.run(lifecycle())


def test_service_default_sink_buffers_authentication_rows_only(database_url: str) -> None:
    svc = service(database_url, policy=fast_policy(), audit_buffer_seconds=HOUR)
    sink = svc.sink
    assert isinstance(sink, BufferedAuditSink)
    assert isinstance(sink.direct, SQLAuditSink)
    try:
        record, raw = svc.create(name="buffered")
        svc.authenticate(raw)
        svc.revoke(record)
        assert audit_actions(database_url) == ["created", "revoked"]
        sink.flush()
        assert audit_actions(database_url) == ["created", "revoked", "auth_success"]
    finally:
        sink.close()
        svc.store.engine.dispose()


def test_services_buffer_one_second_by_default(sqlite_url: str) -> None:
    async_sink = async_service(sqlite_url).sink
    assert isinstance(async_sink, AsyncBufferedAuditSink)
    assert async_sink.interval == 1.0
    svc = service(sqlite_url)
    assert isinstance(svc.sink, BufferedAuditSink)
    assert svc.sink.interval == 1.0
    svc.sink.close()


def test_services_zero_buffer_seconds_write_each_event(sqlite_url: str) -> None:
    assert isinstance(async_service(sqlite_url, audit_buffer_seconds=0).sink, AsyncSQLAuditSink)
    assert isinstance(service(sqlite_url, audit_buffer_seconds=0.0).sink, SQLAuditSink)


@pytest.mark.parametrize("seconds", [-1, True, "1", None, float("nan"), float("inf")])
@pytest.mark.parametrize("factory", [service, async_service])
def test_services_bad_buffer_seconds_rejected(
    factory: object, seconds: object, sqlite_url: str
) -> None:
    with pytest.raises(ConfigurationError, match="audit_buffer_seconds must be a finite number"):
        factory(sqlite_url, audit_buffer_seconds=seconds)  # type: ignore[operator]
