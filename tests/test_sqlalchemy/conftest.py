"""Databases for the SQL storage tests: a SQLite file per test, and a PostgreSQL database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from support.pgserver import PostgresServer

from keysmith.sqlalchemy import create_all, make_engine
from keysmith.sqlalchemy.tables import TABLES

PG_DATABASE = "keysmith_sqlalchemy"


def empty_tables(url: str) -> None:
    """Delete every row, recreating any table a previous test dropped."""
    engine = make_engine(url)
    try:
        create_all(engine)
        with engine.begin() as connection:
            for table in reversed(TABLES):
                connection.execute(table.delete())
    finally:
        engine.dispose()


def fresh_pg_database(server: PostgresServer, name: str) -> str:
    """(Re)create a database of our own on the shared server, so other suites never see it."""
    admin = make_engine(server.url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            connection.execute(text(f"CREATE DATABASE {name}"))
    finally:
        admin.dispose()
    return server.url(dbname=name)


@pytest.fixture(scope="session")
def pg_url(postgres_server: PostgresServer) -> str:
    """A PostgreSQL database with the keysmith tables (emptied by ``postgres_url``)."""
    url = fresh_pg_database(postgres_server, PG_DATABASE)
    create_all(url)
    return url


@pytest.fixture(scope="session")
def pg_empty_url(postgres_server: PostgresServer) -> str:
    """A PostgreSQL database without the keysmith tables."""
    return fresh_pg_database(postgres_server, PG_DATABASE + "_empty")


@pytest.fixture
def new_pg_database(postgres_server: PostgresServer) -> Callable[[str], str]:
    """Makes an empty PostgreSQL database by name (suffixed, so it never clashes)."""
    return lambda name: fresh_pg_database(postgres_server, f"{PG_DATABASE}_{name}")


@pytest.fixture
def sqlite_file_url(tmp_path: Path) -> str:
    """A SQLite URL whose file does not exist yet."""
    return f"sqlite:///{tmp_path / 'keysmith.sqlite3'}"


@pytest.fixture
def sqlite_url(sqlite_file_url: str) -> str:
    create_all(sqlite_file_url)
    return sqlite_file_url


@pytest.fixture
def postgres_url(pg_url: str) -> str:
    empty_tables(pg_url)
    return pg_url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty keysmith schema on each backend, as a driver-less URL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()
