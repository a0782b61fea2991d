"""A locked audit table never stalls the SQL services, their sinks or the ``keysmith`` command."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from io import StringIO
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError
from support.pglock import LOCK_SECONDS, PATIENCE, finishes, locked_table
from support.sql_audit import audit_actions

from keysmith.core import Action, AuditEvent, ConfigurationError
from keysmith.sqlalchemy import (
    AsyncSQLAuditSink,
    SQLAuditSink,
    async_service,
    make_async_engine,
    make_engine,
    service,
)
from keysmith.sqlalchemy.cli import main
from keysmith.testing.contract import fast_policy

AUDIT_TABLE = "keysmith_audit_events"
BOUND = 0.2


def event(n: int = 0) -> AuditEvent:
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    return AuditEvent(action=Action.AUTH_SUCCESS, occurred_at=now, status_code=n)


@contextmanager
def locked(url: str) -> Iterator[None]:
    """Another connection holds the audit table (PostgreSQL) or the database (SQLite) locked."""
    if url.startswith("postgresql"):
        with locked_table(url, AUDIT_TABLE) as lock:
            yield
            assert lock.held()
        return
    locker = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")  # the write lock, until the rollback
    release = threading.Timer(LOCK_SECONDS, locker.interrupt)
    release.start()
    try:
        yield
        assert locker.in_transaction
    finally:
        release.cancel()
        locker.execute("ROLLBACK")
        locker.close()


def patient(url: str) -> dict[str, Any]:
    """Connection arguments that would wait a minute for a lock: the audit write must not."""
    return {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {}


def test_sql_audit_sink_write_many_locked_table_gives_up_after_its_timeout(
    database_url: str,
) -> None:
    engine = make_engine(database_url, **patient(database_url))
    sink = SQLAuditSink(engine, write_timeout=BOUND)
    try:
        with locked(database_url), pytest.raises(DBAPIError):
            finishes(lambda: sink.write_many([event()]))
        sink.write_many([event(1)])  # the connection is fine afterwards
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:  # the store's connections keep their wait
                assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60000
    finally:
        engine.dispose()
    assert audit_actions(database_url) == ["auth_success"]


def test_async_sql_audit_sink_write_many_locked_table_gives_up_after_its_timeout(
    database_url: str,
) -> None:
    async def scenario() -> None:
        engine = make_async_engine(database_url, **patient(database_url))
        sink = AsyncSQLAuditSink(engine, write_timeout=BOUND)
        try:
            with locked(database_url), pytest.raises(DBAPIError):
                await asyncio.wait_for(sink.write_many([event()]), PATIENCE)
            await sink.write_many([event(1)])
            if engine.dialect.name == "sqlite":
                async with engine.connect() as connection:
                    busy = await connection.exec_driver_sql("PRAGMA busy_timeout")
                    assert busy.scalar() == 60000
        finally:
            await engine.dispose()

    asyncio.run(scenario())
    assert audit_actions(database_url) == ["auth_success"]


def test_service_authenticate_audit_table_locked_returns_while_lock_is_held(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    svc = service(postgres_url, policy=fast_policy(), audit_buffer_seconds=0)  # default bound
    try:
        record, raw = svc.create(name="locked")
        with caplog.at_level(logging.ERROR, logger="keysmith"), locked(postgres_url):
            assert finishes(lambda: svc.authenticate(raw)).id == record.id
    finally:
        svc.store.engine.dispose()
    assert f"could not write the 'auth_success' audit event of {record.prefix}" in caplog.text
    assert audit_actions(postgres_url) == ["created"]


def test_async_service_authenticate_audit_table_locked_returns_while_lock_is_held(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        svc = async_service(postgres_url, policy=fast_policy(), audit_buffer_seconds=0)
        try:
            record, raw = await svc.create(name="locked")
            with locked(postgres_url):
                found = await asyncio.wait_for(svc.authenticate(raw), PATIENCE)
            assert found.id == record.id
        finally:
            await svc.store.engine.dispose()

    with caplog.at_level(logging.ERROR, logger="keysmith"):
        asyncio.run(scenario())
    assert "could not write the 'auth_success' audit event" in caplog.text
    assert audit_actions(postgres_url) == ["created"]


def test_services_lifecycle_audit_table_locked_returns_raw_token(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    svc = service(postgres_url, policy=fast_policy(), audit_write_timeout=BOUND)
    try:
        with caplog.at_level(logging.ERROR, logger="keysmith"), locked(postgres_url):
            record, _ = finishes(lambda: svc.create(name="made while locked"))
            rotated = finishes(lambda: svc.rotate(record))
        assert svc.authenticate(rotated).id == record.id
    finally:
        svc.sink.close()  # type: ignore[attr-defined]
        svc.store.engine.dispose()
    assert "could not write the 'created' audit event" in caplog.text
    assert "could not write the 'rotated' audit event" in caplog.text
    assert audit_actions(postgres_url) == ["auth_success"]


@pytest.mark.parametrize("value", [0, -0.5, "1s", True, 3601, float("nan")])
def test_services_bad_audit_write_timeout_rejected(sqlite_url: str, value: object) -> None:
    message = "audit_write_timeout must be a number of seconds above 0 and at most 3600"
    with pytest.raises(ConfigurationError, match=message):
        service(sqlite_url, audit_write_timeout=value)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=message):
        async_service(sqlite_url, audit_write_timeout=value)  # type: ignore[arg-type]


def test_services_audit_write_timeout_default_one_second_none_allowed(sqlite_url: str) -> None:
    for timeout, expected in ((1.0, 1.0), (None, None)):
        svc = service(sqlite_url, audit_buffer_seconds=0, audit_write_timeout=timeout)
        asvc = async_service(sqlite_url, audit_buffer_seconds=0, audit_write_timeout=timeout)
        assert svc.sink.write_timeout == asvc.sink.write_timeout == expected  # type: ignore[attr-defined]
        svc.store.engine.dispose()
    assert SQLAuditSink(sqlite_url).write_timeout == 1.0


@pytest.mark.parametrize("command", ["create", "rotate"])
def test_cli_prints_raw_token_before_writing_audit_event(
    command: str, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEYSMITH_HASH_ITERATIONS", "1000")
    svc = service(sqlite_url, policy=fast_policy(), audit_buffer_seconds=0)
    record, _ = svc.create(name="to rotate")
    svc.store.engine.dispose()
    out = StringIO()
    printed_when_written: list[tuple[str, list[str]]] = []
    write_many = SQLAuditSink.write_many

    def spy(self: SQLAuditSink, events: Sequence[AuditEvent]) -> None:
        printed_when_written.append((out.getvalue(), [e.action for e in events]))
        write_many(self, events)

    monkeypatch.setattr(SQLAuditSink, "write_many", spy)
    args = ["--name", "new"] if command == "create" else [record.prefix]
    assert main(["--database-url", sqlite_url, "--json", command, *args], out=out) == 0
    raw = json.loads(out.getvalue())["token"]
    action = "created" if command == "create" else "rotated"
    assert printed_when_written == [(out.getvalue(), [action])]
    assert raw in out.getvalue()
    assert audit_actions(sqlite_url) == ["created", action]


def test_cli_create_subprocess_audit_table_locked_prints_token(postgres_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYSMITH_")}
    env["KEYSMITH_HASH_ITERATIONS"] = "1000"
    argv = ["--database-url", postgres_url, "--json", "create", "--name", "while locked"]
    with locked(postgres_url):
        done = subprocess.run(
            [sys.executable, "-m", "keysmith.sqlalchemy", *argv],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    raw = json.loads(done.stdout)["token"]
    assert done.stderr.startswith(
        "keysmith: warning: the change is saved, but its audit event could not be written: "
        "database error: canceling statement due to "
    )
    assert raw.partition(":")[2] not in done.stderr
    svc = service(postgres_url, policy=fast_policy(), audit_buffer_seconds=0)
    try:
        assert svc.authenticate(raw).name == "while locked"
    finally:
        svc.store.engine.dispose()
    assert audit_actions(postgres_url) == ["auth_success"]
