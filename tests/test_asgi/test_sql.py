"""The default backend: ``from_url`` over the SQL store, auditing to the audit table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from test_asgi.apps import echo_app
from test_asgi.conftest import FAST_POLICY

from keysmith.asgi import KeysmithMiddleware, SQLAuthenticator, from_url
from keysmith.core import AsyncBufferedAuditSink
from keysmith.sqlalchemy import SQLToken, make_async_engine
from keysmith.sqlalchemy.tables import audit_events

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sqlite", "postgres"])
async def auth(request: pytest.FixtureRequest) -> AsyncIterator[SQLAuthenticator]:
    engine = make_async_engine(request.getfixturevalue(f"{request.param}_url"))
    yield from_url(engine, policy=FAST_POLICY, query_param="keysmith_token")
    await engine.dispose()


async def audit_rows(auth: SQLAuthenticator) -> list[dict[str, Any]]:
    sink = auth.service.sink
    assert isinstance(sink, AsyncBufferedAuditSink)  # from_url buffers authentication rows
    await sink.flush()
    query = select(audit_events).order_by(audit_events.c.id)
    async with auth.service.store.engine.connect() as connection:
        return [dict(row._mapping) for row in await connection.execute(query)]


async def test_from_url_authenticates_and_audits_rows_with_status(
    auth: SQLAuthenticator,
) -> None:
    record, raw = await auth.service.create(name="sql", scopes=["read"])
    transport = httpx.ASGITransport(KeysmithMiddleware(echo_app, auth))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        ok = await http.get("/status/201", params={"keysmith_token": raw})
        refused = await http.get("/items", headers={"x-keysmith-token": raw[:-1] + "x"})
    assert (ok.status_code, ok.json()["scopes"]) == (201, ["authenticated", "read"])
    assert refused.status_code == 401
    rows = await audit_rows(auth)
    assert [(r["action"], r["status_code"], r["path"]) for r in rows] == [
        ("created", 0, ""),
        ("auth_success", 201, "/status/201"),
        ("auth_failed", 401, "/items"),
    ]
    assert rows[1]["token_prefix"] == record.prefix
    secret = raw.split(":")[1]
    assert all(secret not in repr(row) for row in rows)


async def test_from_url_policy_comes_from_environment(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.setenv("KEYSMITH_TOKEN_PREFIX", "svc")
    monkeypatch.setenv("KEYSMITH_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("KEYSMITH_HASH_ITERATIONS", "1000")
    auth = from_url(header_name="x-api-key")
    try:
        _, raw = await auth.service.create(name="env")
        assert raw.startswith("svc_")
        assert auth.source.header_name == "x-api-key"
    finally:
        await auth.service.store.engine.dispose()


async def test_from_url_admit_hook_refuses_inactive_owner(sqlite_url: str) -> None:
    inactive = {"mallory"}

    async def owner_is_active(token: SQLToken) -> bool:
        return token.user not in inactive

    engine = make_async_engine(sqlite_url)
    auth = from_url(engine, policy=FAST_POLICY, admit=owner_is_active, audit_buffer_seconds=0)
    try:
        _, alice = await auth.service.create(name="a", user="alice")
        _, mallory = await auth.service.create(name="m", user="mallory")
        transport = httpx.ASGITransport(KeysmithMiddleware(echo_app, auth, required=True))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            ok = await http.get("/items", headers={"x-keysmith-token": alice})
            refused = await http.get("/items", headers={"x-keysmith-token": mallory})
        assert ok.status_code == 200
        assert (refused.status_code, refused.json()["code"]) == (401, "disabled_token")
        rows = await audit_rows_unbuffered(auth)
        assert rows[-1]["extra"]["reason"] == "not_admitted"
    finally:
        await engine.dispose()


async def audit_rows_unbuffered(auth: SQLAuthenticator) -> list[dict[str, Any]]:
    query = select(audit_events).order_by(audit_events.c.id)
    async with auth.service.store.engine.connect() as connection:
        return [dict(row._mapping) for row in await connection.execute(query)]
