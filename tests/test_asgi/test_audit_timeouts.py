"""Requests through the middleware answer while another connection holds the audit table."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from sqlalchemy.pool import NullPool
from support.pglock import PATIENCE, locked_table
from support.sql_audit import audit_actions
from test_asgi.apps import echo_app
from test_asgi.conftest import FAST_POLICY

from keysmith.asgi import KeysmithMiddleware, from_url
from keysmith.core import AsyncBufferedAuditSink
from keysmith.sqlalchemy import make_async_engine

HEADER = "x-keysmith-token"


async def get(app: KeysmithMiddleware, raw: str) -> int:
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await asyncio.wait_for(http.get("/items", headers={HEADER: raw}), PATIENCE)
        return response.status_code


@pytest.mark.anyio
@pytest.mark.parametrize("buffer_seconds", [0, 3600])
async def test_middleware_audit_table_locked_requests_answer_while_lock_is_held(
    postgres_url: str, buffer_seconds: float, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_async_engine(postgres_url, poolclass=NullPool)
    # The default bound (one second) on each audit write.
    keysmith = from_url(engine, policy=FAST_POLICY, audit_buffer_seconds=buffer_seconds)
    _, raw = await keysmith.service.create(name="locked")
    app = KeysmithMiddleware(echo_app, keysmith)
    try:
        logs = caplog.at_level(logging.ERROR, logger="keysmith")
        with logs, locked_table(postgres_url, "keysmith_audit_events") as lock:
            assert [await get(app, raw), await get(app, raw + "x")] == [200, 401]
            if isinstance(keysmith.service.sink, AsyncBufferedAuditSink):
                # The batch gives up after the timeout, as each row does unbuffered.
                await asyncio.wait_for(keysmith.service.sink.flush(), PATIENCE)
            assert lock.held()
        await keysmith.aclose()
    finally:
        await engine.dispose()
    assert ("dropped 2 audit events" if buffer_seconds else "could not write") in caplog.text
    assert audit_actions(postgres_url) == ["created"]


def test_from_url_audit_write_timeout_reaches_the_sql_sink(sqlite_url: str) -> None:
    keysmith = from_url(sqlite_url, audit_buffer_seconds=0, audit_write_timeout=0.3)
    assert keysmith.service.sink.write_timeout == 0.3  # type: ignore[attr-defined]
    asyncio.run(keysmith.service.store.engine.dispose())
