"""The samples of docs/sqlalchemy.md and docs/cli.md, run as printed, in a folder of the test's
own, on SQLite and on the PostgreSQL server the run starts: the samples' placeholder server,
``postgresql://app@db/app``, becomes that database."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select
from support.docs_samples import docs_sample, replace_once, run_sample

from keysmith.sqlalchemy import SQLToken, audit_events, make_async_engine, make_engine, service

PLACEHOLDER = '"postgresql://app@db/app"'


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEYSMITH_DATABASE_URL", raising=False)
    return tmp_path


def with_url(page: str, name: str, url: str) -> str:
    return replace_once(docs_sample(page, name), PLACEHOLDER, f'"{url}"')


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def actions(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            query = select(audit_events.c.action).order_by(audit_events.c.id)
            return list(connection.scalars(query))
    finally:
        engine.dispose()


def test_create_all_sample_creates_the_tables_sync_and_async(
    here: Path, new_pg_database: Callable[[str], str]
) -> None:
    url = new_pg_database("docs_create_all")
    run_sample("sqlalchemy.md", "create-all", code=with_url("sqlalchemy.md", "create-all", url))
    for created in ("sqlite:///keysmith.sqlite3", url):
        assert {"keysmith_tokens", "keysmith_audit_events"} <= tables(created)


def test_services_sample_creates_sync_and_authenticates_async(
    here: Path, database_url: str
) -> None:
    code = with_url("sqlalchemy.md", "services", database_url)
    namespace = run_sample("sqlalchemy.md", "services", code=code)
    token = namespace["token"]
    assert isinstance(token, SQLToken)
    assert (token.name, token.scopes, token.user) == ("nightly-report", frozenset({"read"}), "42")
    namespace["svc"].store.engine.dispose()
    assert actions(database_url)[0] == "created"


def test_stores_sample_builds_a_working_async_service(here: Path, database_url: str) -> None:
    code = with_url("sqlalchemy.md", "stores", database_url)
    namespace = run_sample("sqlalchemy.md", "stores", code=code)

    async def use() -> None:
        svc = namespace["svc"]
        token, raw = await svc.create(name="stores")
        assert (await svc.authenticate(raw)).prefix == token.prefix
        await namespace["engine"].dispose()

    asyncio.run(use())
    assert actions(database_url) == ["created", "auth_success"]


def test_buffered_sink_sample_writes_the_rows_in_batches(here: Path, database_url: str) -> None:
    async def use() -> list[str]:
        engine = make_async_engine(database_url)
        namespace = run_sample("sqlalchemy.md", "buffered-sink", {"engine": engine})
        svc, sink = namespace["svc"], namespace["sink"]
        assert (sink.interval, sink.max_batch) == (5.0, 1000)
        _, raw = await svc.create(name="buffered")
        await svc.authenticate(raw)
        before = actions(database_url)
        await sink.aclose()  # writes out what the buffer holds
        await engine.dispose()
        return before

    assert asyncio.run(use()) == ["created"]
    assert actions(database_url) == ["created", "auth_success"]


def test_audit_write_timeout_sample_bounds_the_audit_writes(here: Path, database_url: str) -> None:
    code = with_url("sqlalchemy.md", "audit-write-timeout", database_url)
    # `service` is imported by the page's earlier sample.
    names = {"service": service}
    svc = run_sample("sqlalchemy.md", "audit-write-timeout", names, code=code)["svc"]
    rows: Any = getattr(svc.sink, "direct", svc.sink)
    assert rows.write_timeout == 0.5
    svc.store.engine.dispose()


def test_cli_check_script_sample_authenticates_then_refuses_the_revoked_token(
    here: Path, database_url: str
) -> None:
    (here / "check.py").write_text(docs_sample("cli.md", "check-script"), encoding="utf-8")
    tokens = service(database_url, audit_buffer_seconds=0)
    token, raw = tokens.create(name="invoices", scopes=["invoices:read"])

    def check() -> str:
        done = subprocess.run(
            [sys.executable, "check.py", raw],
            capture_output=True,
            text=True,
            env={"KEYSMITH_DATABASE_URL": database_url, "PATH": ""},
            timeout=60,
            check=True,
        )
        return done.stdout

    assert check() == f"authenticated {token.prefix} invoices ['invoices:read']\n"
    tokens.revoke(token)
    tokens.store.engine.dispose()
    assert check() == "refused: revoked_token\n"
