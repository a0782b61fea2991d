"""Database URLs: driver choice for sync and async use, defaults, and clear errors."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import Connection

from keysmith.core import ConfigurationError, PrefixCollision
from keysmith.sqlalchemy import DEFAULT_URL, SQLTokenStore, database_url, make_engine
from keysmith.sqlalchemy.engines import async_url, make_async_engine, sync_url
from keysmith.testing.contract import new_token


@pytest.mark.parametrize(
    ("given", "sync", "asynchronous"),
    [
        ("sqlite:///k.sqlite3", "sqlite:///k.sqlite3", "sqlite+aiosqlite:///k.sqlite3"),
        ("sqlite+aiosqlite:///k.db", "sqlite:///k.db", "sqlite+aiosqlite:///k.db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db", "postgresql+asyncpg://u@h/db"),
        (
            "postgresql+asyncpg://u@h/db",
            "postgresql+psycopg://u@h/db",
            "postgresql+asyncpg://u@h/db",
        ),
        (
            "postgresql+psycopg://u@h/db",
            "postgresql+psycopg://u@h/db",
            "postgresql+psycopg://u@h/db",
        ),
    ],
)
def test_driver_urls_one_url_gives_sync_and_async_drivers(
    given: str, sync: str, asynchronous: str
) -> None:
    assert sync_url(given).render_as_string() == sync
    assert async_url(given).render_as_string() == asynchronous


def test_database_url_argument_wins_over_environment() -> None:
    environ = {"KEYSMITH_DATABASE_URL": "sqlite:///env.sqlite3"}
    assert database_url("sqlite:///arg.sqlite3", environ) == "sqlite:///arg.sqlite3"
    assert database_url(None, environ) == "sqlite:///env.sqlite3"
    assert database_url(None, {}) == DEFAULT_URL == "sqlite:///keysmith.sqlite3"


def test_make_engine_unparseable_url_raises_without_echoing_it() -> None:
    with pytest.raises(ConfigurationError, match="Not a database URL") as caught:
        make_engine("hunter2-not-a-url")
    assert "hunter2" not in str(caught.value)


def test_make_engine_unknown_database_raises_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="Unsupported database or driver 'nosuchdb'"):
        make_async_engine("nosuchdb://user:pw@host/db")


def test_make_engine_error_message_hides_password() -> None:
    with pytest.raises(ConfigurationError) as caught:
        make_engine("nosuchdb://user:s3cret-pw@host/db")
    assert "s3cret-pw" not in str(caught.value)


def test_store_integrity_error_hides_stored_hash(sqlite_url: str) -> None:
    store = SQLTokenStore(sqlite_url)
    try:
        first = store.insert(new_token(key="pbkdf2_sha512$1$salt$VISIBLE-HASH"))
        with pytest.raises(PrefixCollision) as caught:
            store.insert(new_token(prefix=first.prefix, key="pbkdf2_sha512$1$salt$OTHER-HASH"))
    finally:
        store.engine.dispose()
    assert "HASH" not in str(caught.value.__cause__)


def _pragmas(connection: Connection) -> tuple[object, ...]:
    return tuple(
        connection.exec_driver_sql(f"PRAGMA {name}").scalar()
        for name in ("foreign_keys", "journal_mode", "synchronous")
    )


def test_make_engine_sqlite_file_turns_on_foreign_keys_and_wal(sqlite_file_url: str) -> None:
    engine = make_engine(sqlite_file_url)
    try:
        with engine.connect() as connection:
            assert _pragmas(connection) == (1, "wal", 1)
    finally:
        engine.dispose()


def test_make_async_engine_sqlite_file_turns_on_foreign_keys_and_wal(
    sqlite_file_url: str,
) -> None:
    async def pragmas() -> tuple[object, ...]:
        engine = make_async_engine(sqlite_file_url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(_pragmas)
        finally:
            await engine.dispose()

    assert asyncio.run(pragmas()) == (1, "wal", 1)


def test_make_engine_sqlite_memory_keeps_default_journal() -> None:
    engine = make_engine("sqlite://")
    try:
        with engine.connect() as connection:
            assert _pragmas(connection)[:2] == (1, "memory")
    finally:
        engine.dispose()
