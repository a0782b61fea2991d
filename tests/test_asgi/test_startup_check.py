"""The start-up check: an ASGI app whose database lacks keysmith's tables fails its start-up
with an error naming the file and the fix, instead of answering every request with an error."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from test_asgi.conftest import FAST_POLICY

from keysmith.asgi import KeysmithMiddleware, SQLAuthenticator, TokenAuthenticator, from_url
from keysmith.core import AsyncMemoryTokenStore, AsyncTokenService
from keysmith.sqlalchemy import (
    MissingTablesError,
    create_all,
    create_all_async,
    make_async_engine,
)

EXAMPLE = Path(__file__).parents[2] / "examples" / "fastapi_app"


def at(url: str) -> SQLAuthenticator:
    """An authenticator over ``url``, its engine keeping no connection between event loops."""
    return from_url(make_async_engine(url, poolclass=NullPool), policy=FAST_POLICY)


def app_over(keysmith: TokenAuthenticator[Any], lifespan: Any = None) -> Starlette:
    async def home(request: Any) -> JSONResponse:
        return JSONResponse({"ok": True})

    middleware = [Middleware(KeysmithMiddleware, authenticator=keysmith)]
    return Starlette(routes=[Route("/", home)], middleware=middleware, lifespan=lifespan)


async def start(app: Any) -> list[dict[str, Any]]:
    """Drive the app's lifespan start-up as a server does; the messages it sent back."""
    incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent: list[dict[str, Any]] = []
    await incoming.put({"type": "lifespan.startup"})

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "lifespan.startup.complete":
            await incoming.put({"type": "lifespan.shutdown"})

    # Raised into the app after the server was told, as Starlette's own failures are.
    with contextlib.suppress(MissingTablesError):
        await app({"type": "lifespan", "state": {}}, incoming.get, send)
    return sent


def test_startup_without_tables_fails_naming_file_and_command(tmp_path: Path) -> None:
    database = tmp_path / "empty.sqlite3"
    sqlite3.connect(database).close()
    keysmith = at(f"sqlite:///{database}")
    sent = asyncio.run(start(app_over(keysmith)))
    assert [m["type"] for m in sent] == ["lifespan.startup.failed"]
    message = sent[0]["message"]
    assert f"the SQLite file {database} has no keysmith tables" in message
    assert f"keysmith init --database-url sqlite:///{database}" in message
    assert "create_all" in message
    with pytest.raises(MissingTablesError), TestClient(app_over(keysmith)):
        pass  # pragma: no cover - the start-up fails


def test_startup_without_file_fails_and_creates_no_file(tmp_path: Path) -> None:
    database = tmp_path / "keysmith.sqlite3"
    keysmith = at(f"sqlite:///{database}")
    sent = asyncio.run(start(app_over(keysmith)))
    assert [m["type"] for m in sent] == ["lifespan.startup.failed"]
    assert f"the SQLite file {database} does not exist" in sent[0]["message"]
    assert not database.exists()


def test_startup_with_tables_completes_and_logs_the_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "keysmith.sqlite3"
    create_all(f"sqlite:///{database}")
    keysmith = at(f"sqlite:///{database}")
    with caplog.at_level(logging.INFO, logger="keysmith"), TestClient(app_over(keysmith)) as client:
        assert client.get("/").json() == {"ok": True}
    assert f"keysmith: tokens in the SQLite file {database}" in caplog.messages


def test_startup_check_runs_after_the_apps_own_startup_creating_tables(tmp_path: Path) -> None:
    database = tmp_path / "keysmith.sqlite3"
    keysmith = at(f"sqlite:///{database}")

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        await create_all_async(keysmith.service.store.engine)
        yield

    sent = asyncio.run(start(app_over(keysmith, lifespan)))
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_startup_with_unreachable_database_warns_and_requests_answer_503(
    caplog: pytest.LogCaptureFixture,
) -> None:
    keysmith = at("postgresql://keysmith@127.0.0.1:1/keysmith")
    app = app_over(keysmith)
    with caplog.at_level(logging.WARNING, logger="keysmith"), TestClient(app) as client:
        response = client.get("/", headers={"X-Keysmith-Token": "tok_AbCd1234:" + "x" * 38})
    assert response.status_code in (401, 503)  # a checksum-valid token reaches the store below
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        "could not reach the database postgresql+asyncpg://keysmith@127.0.0.1:1/keysmith" in w
        and "answer 503" in w
        for w in warnings
    )


def test_startup_with_memory_store_completes() -> None:
    keysmith = TokenAuthenticator(AsyncTokenService(AsyncMemoryTokenStore()))
    sent = asyncio.run(start(app_over(keysmith)))
    assert sent[0]["type"] == "lifespan.startup.complete"


def test_relative_sqlite_path_is_resolved_when_the_url_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    monkeypatch.chdir(first)
    create_all("sqlite:///keysmith.sqlite3")
    keysmith = at("sqlite:///keysmith.sqlite3")
    assert keysmith.service.store.engine.url.database == str(first / "keysmith.sqlite3")
    monkeypatch.chdir(second)  # a later chdir does not move the database
    sent = asyncio.run(start(app_over(keysmith)))
    assert sent[0]["type"] == "lifespan.startup.complete"
    assert not (second / "keysmith.sqlite3").exists()


def test_fastapi_example_started_from_another_folder_stops_with_the_file_named(
    tmp_path: Path,
) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "KEYSMITH_DATABASE_URL"}
    command = [sys.executable, "-m", "uvicorn", "app:app", "--app-dir", str(EXAMPLE),
               "--port", "0"]  # fmt: skip
    result = subprocess.run(
        command,
        check=False,
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3  # uvicorn's "startup failed"
    assert f"the SQLite file {tmp_path / 'keysmith.sqlite3'} does not exist" in result.stderr
    assert "keysmith init --database-url" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "keysmith.sqlite3").exists()


@pytest.mark.anyio
async def test_without_the_middleware_an_explicit_check_raises(tmp_path: Path) -> None:
    database = tmp_path / "empty.sqlite3"
    sqlite3.connect(database).close()
    keysmith = at(f"sqlite:///{database}")
    with pytest.raises(MissingTablesError, match="has no keysmith tables"):
        await keysmith.check_store()
    await keysmith.service.store.engine.dispose()


def test_request_path_pays_no_table_check(tmp_path: Path) -> None:
    database = tmp_path / "keysmith.sqlite3"
    create_all(f"sqlite:///{database}")
    keysmith = at(f"sqlite:///{database}")
    calls: list[int] = []
    store = keysmith.service.store
    original = store.check_tables

    async def counted() -> bool:
        calls.append(1)
        return await original()

    store.check_tables = counted  # type: ignore[method-assign]
    with TestClient(app_over(keysmith)) as client:
        for _ in range(3):
            assert client.get("/").status_code == 200
    assert calls == [1]
