"""Creating the keysmith tables without Alembic, and telling whether they exist."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from keysmith.sqlalchemy.engines import make_async_engine, make_engine
from keysmith.sqlalchemy.tables import TABLES, metadata


def missing_in(connection: Connection) -> list[str]:
    """The keysmith tables missing from the connection's database."""
    inspector = inspect(connection)
    return [table.name for table in TABLES if not inspector.has_table(table.name)]


def _add_missing_indexes(connection: Connection) -> None:
    """Indexes a later keysmith version added to tables that already exist."""
    inspector = inspect(connection)
    for table in TABLES:
        if not inspector.has_table(table.name):
            continue
        present = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in present:
                index.create(connection)


def _create(connection: Connection) -> list[str]:
    missing = missing_in(connection)
    _add_missing_indexes(connection)
    metadata.create_all(connection)
    return missing


def create_all(bind: Engine | str | URL | None = None) -> list[str]:
    """Create the keysmith tables that do not exist yet, and the indexes existing tables lack
    (added by a later version); returns the names of the tables created.

    ``bind`` is an engine or a URL (default: ``KEYSMITH_DATABASE_URL`` or the SQLite file).
    Safe to run again. With Alembic, use ``keysmith.sqlalchemy.metadata`` instead.
    """
    engine = bind if isinstance(bind, Engine) else make_engine(bind)
    try:
        with engine.begin() as connection:
            missing = _create(connection)
    finally:
        if engine is not bind:
            engine.dispose()
    return missing


async def create_all_async(bind: AsyncEngine | str | URL | None = None) -> list[str]:
    """``create_all`` for an ``AsyncEngine`` (or a URL, opened with the async driver)."""
    engine = bind if isinstance(bind, AsyncEngine) else make_async_engine(bind)
    try:
        async with engine.begin() as connection:
            missing = await connection.run_sync(_create)
    finally:
        if engine is not bind:
            await engine.dispose()
    return missing


def missing_tables(engine: Engine) -> list[str]:
    """The keysmith tables the database lacks (all of them before ``create_all``)."""
    with engine.connect() as connection:
        return missing_in(connection)
