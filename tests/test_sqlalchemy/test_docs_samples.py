"""The samples of docs/sqlalchemy.md and docs/cli.md, run as printed, in a folder of the test's
own. The samples' placeholder server, ``postgresql://app@db/app``, becomes a SQLite file there:
the same calls, on the database every session has."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.docs_samples import docs_sample, replace_once, run_sample

from keysmith.sqlalchemy import SQLToken, create_all, make_async_engine, service

PLACEHOLDER = '"postgresql://app@db/app"'
URL = "sqlite:///keysmith.sqlite3"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEYSMITH_DATABASE_URL", raising=False)
    return tmp_path


def with_url(page: str, name: str, url: str) -> str:
    return replace_once(docs_sample(page, name), PLACEHOLDER, f'"{url}"')


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}


def actions(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        query = "SELECT action FROM keysmith_audit_events ORDER BY id"
        return [row[0] for row in connection.execute(query)]


def test_create_all_sample_creates_the_tables_sync_and_async(here: Path) -> None:
    code = with_url("sqlalchemy.md", "create-all", "sqlite:///other.sqlite3")
    run_sample("sqlalchemy.md", "create-all", code=code)
    for path in (here / "keysmith.sqlite3", here / "other.sqlite3"):
        assert {"keysmith_tokens", "keysmith_audit_events"} <= tables(path)


def test_services_sample_creates_and_authenticates_sync_then_async(here: Path) -> None:
    create_all(URL)
    namespace = run_sample(
        "sqlalchemy.md", "services", code=with_url("sqlalchemy.md", "services", URL)
    )
    token = namespace["token"]
    assert isinstance(token, SQLToken)
    assert (token.name, token.scopes, token.user) == ("nightly-report", frozenset({"read"}), "42")
    namespace["svc"].store.engine.dispose()
    assert actions(here / "keysmith.sqlite3")[0] == "created"


def test_stores_sample_builds_a_working_async_service(here: Path) -> None:
    create_all(URL)
    namespace = run_sample("sqlalchemy.md", "stores", code=with_url("sqlalchemy.md", "stores", URL))

    async def use() -> None:
        svc = namespace["svc"]
        token, raw = await svc.create(name="stores")
        assert (await svc.authenticate(raw)).prefix == token.prefix
        await namespace["engine"].dispose()

    asyncio.run(use())
    assert actions(here / "keysmith.sqlite3") == ["created", "auth_success"]


def test_buffered_sink_sample_writes_the_rows_in_batches(here: Path) -> None:
    create_all(URL)

    async def use() -> list[str]:
        engine = make_async_engine(URL)
        namespace = run_sample("sqlalchemy.md", "buffered-sink", {"engine": engine})
        svc, sink = namespace["svc"], namespace["sink"]
        assert (sink.interval, sink.max_batch) == (5.0, 1000)
        _, raw = await svc.create(name="buffered")
        await svc.authenticate(raw)
        before = actions(here / "keysmith.sqlite3")
        await sink.aclose()  # writes out what the buffer holds
        await engine.dispose()
        return before

    assert "auth_success" not in asyncio.run(use())
    assert actions(here / "keysmith.sqlite3") == ["created", "auth_success"]


def test_audit_write_timeout_sample_bounds_the_audit_writes(here: Path) -> None:
    code = with_url("sqlalchemy.md", "audit-write-timeout", URL)
    # `service` is imported by the page's earlier sample.
    names = {"service": service}
    svc = run_sample("sqlalchemy.md", "audit-write-timeout", names, code=code)["svc"]
    rows: Any = getattr(svc.sink, "direct", svc.sink)
    assert rows.write_timeout == 0.5
    svc.store.engine.dispose()


def test_cli_check_script_sample_authenticates_then_refuses_the_revoked_token(
    here: Path,
) -> None:
    create_all(URL)
    (here / "check.py").write_text(docs_sample("cli.md", "check-script"), encoding="utf-8")
    tokens = service(URL, audit_buffer_seconds=0)
    token, raw = tokens.create(name="invoices", scopes=["invoices:read"])

    def check() -> str:
        env = {"KEYSMITH_DATABASE_URL": f"sqlite:///{here / 'keysmith.sqlite3'}", "PATH": ""}
        done = subprocess.run(
            [sys.executable, "check.py", raw],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=True,
        )
        return done.stdout

    assert check() == f"authenticated {token.prefix} invoices ['invoices:read']\n"
    tokens.revoke(token)
    tokens.store.engine.dispose()
    assert check() == "refused: revoked_token\n"
