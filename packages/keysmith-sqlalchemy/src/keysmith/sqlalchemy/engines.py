"""Engines from database URLs: one URL serves the async app and the sync command-line tool."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from keysmith.core.errors import ConfigurationError
from keysmith.sqlalchemy.fair_pool import FairAsyncQueuePool

URL_VARIABLE = "KEYSMITH_DATABASE_URL"
# The embedded default: a SQLite file in the working directory.
DEFAULT_URL = "sqlite:///keysmith.sqlite3"

# Drivers used when a URL names none, or names one that only works the other way round.
# (SQLite's default driver is the stdlib one: "sqlite:///...", left as written.)
_SYNC_DRIVERS = {"postgresql": "psycopg", "sqlite": ""}
_ASYNC_DRIVERS = {"postgresql": "asyncpg", "sqlite": "aiosqlite"}
_SYNC_ONLY = {"pysqlite", "psycopg2", "pg8000"}
_ASYNC_ONLY = {"aiosqlite", "asyncpg"}


def database_url(url: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The URL given, else ``KEYSMITH_DATABASE_URL``, else the embedded SQLite file."""
    environ = os.environ if environ is None else environ
    return url or environ.get(URL_VARIABLE) or DEFAULT_URL


def _parse(url: str | URL) -> URL:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:
        # Not echoed: an unparseable URL may still hold a password.
        raise ConfigurationError(
            "Not a database URL; expected one like sqlite:///keysmith.sqlite3 or "
            "postgresql://user:password@host/dbname."
        ) from error
    if parsed.drivername in {"postgres", "postgresql"}:
        # Hosting providers hand out postgres:// URLs, which SQLAlchemy does not accept.
        parsed = parsed.set(drivername="postgresql")
    return parsed


def _with_driver(url: URL, drivers: Mapping[str, str], wrong_way: set[str]) -> URL:
    backend, _, driver = url.drivername.partition("+")
    if backend in drivers and (not driver or driver in wrong_way):
        return url.set(drivername=f"{backend}+{drivers[backend]}".rstrip("+"))
    return url


def sync_url(url: str | URL) -> URL:
    """``url`` with a synchronous driver: psycopg 3 for PostgreSQL, the stdlib for SQLite."""
    return _with_driver(_parse(url), _SYNC_DRIVERS, _ASYNC_ONLY)


def async_url(url: str | URL) -> URL:
    """``url`` with an asyncio driver: asyncpg for PostgreSQL, aiosqlite for SQLite."""
    return _with_driver(_parse(url), _ASYNC_DRIVERS, _SYNC_ONLY)


def redacted(url: str | URL) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<unparseable URL>"


# SQLite ignores ON DELETE clauses unless each connection asks for them.
_SQLITE_PRAGMAS = ("PRAGMA foreign_keys=ON",)
# For a file: write-ahead logging lets readers (the CLI, other workers) run beside a writer,
# and with it synchronous=NORMAL skips the fsync per commit (an audit row per request) while
# staying safe against application crashes; measured about three times faster per
# audited authentication.
_SQLITE_FILE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def _is_sqlite_file(url: URL) -> bool:
    database = url.database or ""
    return database not in {"", ":memory:"} and url.query.get("mode") != "memory"


def is_sqlite_file(url: str | URL) -> bool:
    """Whether a SQLite URL names a file that a second connection opens as the same database
    (not memory, not a ``file:`` URI, whose sharing depends on its options)."""
    return sqlite_file(url) is not None


def sqlite_file(url: str | URL) -> Path | None:
    """The file a SQLite URL names (None for another database, memory or a ``file:`` URI)."""
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite" or not _is_sqlite_file(parsed):
        return None
    return None if "uri" in parsed.query else Path(parsed.database or "")


def create_private(path: Path) -> None:
    """Create ``path`` empty, readable and writable by its owner only (0600), unless it exists.

    SQLite would create it with the process umask (typically 0644: every local user could read
    the token hashes and the audit trail); its journal and WAL files copy the file's mode.
    Any failure (the file exists, a missing or read-only folder) is left for SQLite to meet
    and report in its own words.
    """
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _configure(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    pragmas = _SQLITE_PRAGMAS + (_SQLITE_FILE_PRAGMAS if _is_sqlite_file(engine.url) else ())
    path = sqlite_file(engine.url)

    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    def create_file(*_: Any) -> None:
        if path is not None:
            create_private(path)

    # do_connect runs before the driver opens (and would create) the file.
    event.listen(engine, "do_connect", create_file)
    event.listen(engine, "connect", apply)


def _unusable(url: URL, error: Exception) -> ConfigurationError:
    if isinstance(error, NoSuchModuleError):
        return ConfigurationError(
            f"Unsupported database or driver {url.drivername!r} in URL {redacted(url)}."
        )
    hint = (
        " (install keysmith-sqlalchemy[postgres])" if url.get_backend_name() == "postgresql" else ""
    )
    return ConfigurationError(f"Cannot use database URL {redacted(url)}: {error}{hint}.")


def _target(url: str | URL | None) -> str | URL:
    return url if isinstance(url, URL) else database_url(url)


def absolute_sqlite(url: URL) -> URL:
    """``url`` with a relative SQLite file path made absolute against the current folder, now.

    Read once, when the engine is made: the application and the ``keysmith`` command then name
    one file in their messages, and a later ``chdir`` cannot switch databases under a pool.
    """
    path = sqlite_file(url)
    if path is None or path.is_absolute():
        return url
    return url.set(database=os.path.abspath(path))


def make_engine(url: str | URL | None = None, **options: Any) -> Engine:
    """A synchronous engine for ``url`` (see ``database_url`` for the default); a relative
    SQLite path is resolved against the current folder (``absolute_sqlite``)."""
    target = absolute_sqlite(sync_url(_target(url)))
    options.setdefault("hide_parameters", True)  # hashes must not reach error messages
    try:
        engine = create_engine(target, **options)
    except (NoSuchModuleError, ImportError, ArgumentError, TypeError) as error:
        raise _unusable(target, error) from error
    _configure(engine)
    return engine


# PostgreSQL: as many pooled connections as asyncpg's own pool keeps, and no overflow. Each is
# held for one statement; under more concurrent requests than that, an overflow connection would
# be opened for one read and closed at its return (a new server process each time), where
# waiting a moment for a pooled one costs nothing.
POSTGRES_POOL = {"pool_size": 10, "max_overflow": 0}


def make_async_engine(url: str | URL | None = None, **options: Any) -> AsyncEngine:
    """An asyncio engine for ``url`` (see ``database_url`` for the default); a relative SQLite
    path is resolved against the current folder (``absolute_sqlite``).

    On PostgreSQL and SQLite files its pool serves waiting checkouts in the order they came
    (``FairAsyncQueuePool``), unless ``options`` choose the pool (``poolclass``, ``pool``). On
    PostgreSQL it keeps 10 connections and opens no overflow ones, unless ``options`` size it
    (``pool_size``, ``max_overflow``).
    """
    target = absolute_sqlite(async_url(_target(url)))
    options.setdefault("hide_parameters", True)
    if not {"poolclass", "pool"} & options.keys() and (
        target.get_backend_name() == "postgresql" or is_sqlite_file(target)
    ):
        # Where SQLAlchemy would pick its queue pool: the same, serving checkouts in order.
        options["poolclass"] = FairAsyncQueuePool
        if target.get_backend_name() == "postgresql" and not POSTGRES_POOL.keys() & options:
            options.update(POSTGRES_POOL)
    try:
        engine = create_async_engine(target, **options)
    except (NoSuchModuleError, ImportError, ArgumentError, TypeError) as error:
        raise _unusable(target, error) from error
    _configure(engine.sync_engine)
    return engine
