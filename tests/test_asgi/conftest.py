"""Fixtures for the ASGI tests: a token service over each store, and a way to issue tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.pool import NullPool
from support.pgserver import PostgresServer
from test_sqlalchemy.conftest import empty_tables, fresh_pg_database

from keysmith.asgi import TokenAuthenticator
from keysmith.core import (
    AsyncMemoryTokenStore,
    AsyncTokenService,
    FrozenClock,
    Hashing,
    MemoryAuditSink,
    PBKDF2SHA512TokenHasher,
    TokenPolicy,
)
from keysmith.sqlalchemy import AsyncSQLTokenStore, create_all, make_async_engine

# Real PBKDF2, with fewer rounds than production so the suite stays quick.
FAST_POLICY = TokenPolicy(
    hashing=Hashing(PBKDF2SHA512TokenHasher(iterations=1_000)),
    default_lifetime=timedelta(days=30),
)
PG_DATABASE = "keysmith_asgi"
STORES = ("memory", "sqlite", "postgres")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Keys:
    """One test's token service, audit sink and clock, plus helpers to issue tokens."""

    service: AsyncTokenService[Any]
    sink: MemoryAuditSink
    clock: FrozenClock

    async def issue(self, scopes: tuple[str, ...] = (), **fields: Any) -> tuple[Any, str]:
        fields.setdefault("name", "test token")
        return await self.service.create(scopes=scopes, **fields)

    def authenticator(self, **options: Any) -> TokenAuthenticator[Any]:
        return TokenAuthenticator(self.service, **options)

    def auth_events(self) -> list[Any]:
        return [e for e in self.sink.events if e.action in ("auth_success", "auth_failed")]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'keysmith.sqlite3'}"
    create_all(url)
    return url


@pytest.fixture(scope="session")
def pg_database(postgres_server: PostgresServer) -> str:
    """A database of the ASGI tests' own on the shared server (tables made by ``postgres_url``)."""
    return fresh_pg_database(postgres_server, PG_DATABASE)


@pytest.fixture
def postgres_url(pg_database: str) -> str:
    empty_tables(pg_database)  # creates the tables, then deletes every row
    return pg_database


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh, empty async store usable from any event loop.

    The Starlette test client and uvicorn run the app on loops of their own, so the SQL
    stores keep no pooled connection (asyncpg connections belong to the loop that opened them).
    """
    if request.param == "memory":
        yield AsyncMemoryTokenStore()
        return
    url = request.getfixturevalue(f"{request.param}_url")
    engine = make_async_engine(url, poolclass=NullPool)
    yield AsyncSQLTokenStore(engine)
    asyncio.run(engine.dispose())


@pytest.fixture
def keys(store: Any) -> Keys:
    sink, clock = MemoryAuditSink(), FrozenClock()
    return Keys(AsyncTokenService(store, policy=FAST_POLICY, sink=sink, clock=clock), sink, clock)
