"""``service`` and ``async_service``: a database URL to a core service with SQL audit."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from support.sql_audit import audit_actions

from keysmith.core import DisabledToken, NullAuditSink, RevokedToken, TokenPolicy
from keysmith.sqlalchemy import (
    AsyncSQLAuditSink,
    SQLAuditSink,
    async_service,
    service,
)
from keysmith.testing.contract import fast_policy


def test_service_url_runs_lifecycle_and_audits_to_table(database_url: str) -> None:
    svc = service(database_url, policy=fast_policy(), audit_buffer_seconds=0)
    assert isinstance(svc.sink, SQLAuditSink)
    record, raw = svc.create(name="factory", scopes=["read"], user=7)
    assert svc.authenticate(raw).user == "7"
    svc.revoke(record)
    with pytest.raises(RevokedToken):
        svc.authenticate(raw)
    svc.store.engine.dispose()
    assert audit_actions(database_url) == ["created", "auth_success", "revoked", "auth_failed"]


def test_async_service_url_runs_lifecycle_and_audits_to_table(database_url: str) -> None:
    async def lifecycle() -> None:
        svc = async_service(database_url, policy=fast_policy(), audit_buffer_seconds=0)
        assert isinstance(svc.sink, AsyncSQLAuditSink)
        record, raw = await svc.create(name="factory", scopes=["read", "write"])
        authenticated = await svc.authenticate(raw)
        await svc.require_scopes(authenticated, ["read", "write"])
        new_raw = await svc.rotate(record)
        assert (await svc.authenticate(new_raw)).prefix == record.prefix
        await svc.store.engine.dispose()

    asyncio.run(lifecycle())
    assert audit_actions(database_url) == [
        "created",
        "auth_success",
        "rotated",
        "auth_success",
    ]


def test_service_policy_options_layer_over_environment(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEYSMITH_TOKEN_PREFIX", "svc")
    monkeypatch.setenv("KEYSMITH_DEFAULT_EXPIRY_DAYS", "7")
    svc = service(sqlite_url, sink=NullAuditSink(), default_lifetime=timedelta(days=1))
    record, raw = svc.create(name="env")
    svc.store.engine.dispose()
    assert raw.startswith("svc_")
    assert record.expires_at == record.created_at + timedelta(days=1)


def test_service_url_from_environment_variable(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEYSMITH_DATABASE_URL", sqlite_url)
    svc = service(policy=fast_policy())
    svc.create(name="from env")
    svc.store.engine.dispose()
    assert audit_actions(sqlite_url) == ["created"]


def test_service_policy_and_policy_options_together_rejected(sqlite_url: str) -> None:
    with pytest.raises(TypeError, match="either a TokenPolicy or policy options"):
        service(sqlite_url, policy=TokenPolicy(), default_lifetime=None)


def test_service_admit_option_refuses_inactive_owner(database_url: str) -> None:
    svc = service(database_url, audit_buffer_seconds=0, admit=lambda token: token.user != "gone")
    try:
        _, kept = svc.create(name="kept", user="here")
        _, dropped = svc.create(name="dropped", user="gone")
        assert svc.authenticate(kept).user == "here"
        with pytest.raises(DisabledToken):
            svc.authenticate(dropped)
    finally:
        svc.store.engine.dispose()
