"""Fixtures for the Flask tests: a token service over each store, and an app built around it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from support.pgserver import PostgresServer
from test_flask.apps import build_app
from test_sqlalchemy.conftest import empty_tables, fresh_pg_database

from keysmith.core import (
    FrozenClock,
    Hashing,
    MemoryAuditSink,
    MemoryTokenStore,
    PBKDF2SHA512TokenHasher,
    TokenPolicy,
    TokenService,
)
from keysmith.flask import Keysmith
from keysmith.sqlalchemy import SQLTokenStore, create_all, make_engine

# Real PBKDF2, with fewer rounds than production so the suite stays quick.
FAST_POLICY = TokenPolicy(
    hashing=Hashing(PBKDF2SHA512TokenHasher(iterations=1_000)),
    default_lifetime=timedelta(days=30),
)
PG_DATABASE = "keysmith_flask"
STORES = ("memory", "sqlite", "postgres")


@dataclass
class Keys:
    """One test's token service, audit sink and clock, plus helpers to issue tokens."""

    service: TokenService[Any]
    sink: MemoryAuditSink
    clock: FrozenClock

    def issue(self, scopes: tuple[str, ...] = (), **fields: Any) -> tuple[Any, str]:
        fields.setdefault("name", "test token")
        return self.service.create(scopes=scopes, **fields)

    def auth_events(self) -> list[Any]:
        return [e for e in self.sink.events if e.action in ("auth_success", "auth_failed")]

    def rows(self) -> list[tuple[str, int, str]]:
        """``(action, status, error code)`` of each authentication event."""
        return [(e.action, e.status_code, e.extra.get("error", "")) for e in self.auth_events()]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'keysmith.sqlite3'}"
    create_all(url)
    return url


@pytest.fixture(scope="session")
def pg_database(postgres_server: PostgresServer) -> str:
    """A database of the Flask tests' own on the shared server (tables made by ``postgres_url``)."""
    return fresh_pg_database(postgres_server, PG_DATABASE)


@pytest.fixture
def postgres_url(pg_database: str) -> str:
    empty_tables(pg_database)  # creates the tables, then deletes every row
    return pg_database


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh, empty sync store."""
    if request.param == "memory":
        yield MemoryTokenStore()
        return
    engine = make_engine(request.getfixturevalue(f"{request.param}_url"))
    yield SQLTokenStore(engine)
    engine.dispose()


@pytest.fixture
def keys(store: Any) -> Keys:
    sink, clock = MemoryAuditSink(), FrozenClock()
    return Keys(TokenService(store, policy=FAST_POLICY, sink=sink, clock=clock), sink, clock)


@pytest.fixture
def app_for(keys: Keys) -> Any:
    """Builds the test app over ``keys``' service, with ``app.config`` keys and options."""

    def make(config: dict[str, Any] | None = None, **options: Any) -> Flask:
        return build_app(Keysmith(service=keys.service, **options), config)

    return make


@pytest.fixture
def client(app_for: Any) -> FlaskClient:
    return app_for().test_client()
