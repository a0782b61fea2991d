"""The start-up check: does the database hold the keysmith tables? One query, sync or async.

Every adapter runs it once before serving (never per request), so a database without the
tables (``keysmith init`` never run, or a relative SQLite path read from another folder) is a
clear error at start-up instead of a refusal on every request.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from keysmith.core.errors import ConfigurationError
from keysmith.sqlalchemy.engines import redacted, sqlite_file
from keysmith.sqlalchemy.schema import missing_in
from keysmith.sqlalchemy.tables import TABLES

logger = logging.getLogger("keysmith.sqlalchemy")

# What "cannot reach the database" raises: the driver's errors (wrapped by SQLAlchemy), and the
# socket's own when a driver lets them through.
_UNREACHABLE = (DBAPIError, OSError, TimeoutError)


class MissingTablesError(ConfigurationError):
    """The database lacks keysmith's tables: create them before serving."""


def describe(url: URL) -> str:
    """Where the tokens live, for messages: a SQLite file's absolute path, or the URL with
    its password hidden."""
    path = sqlite_file(url)
    if path is not None:
        return f"the SQLite file {path.resolve()}"
    return f"the database {redacted(url)}"


def _init_command(url: URL) -> str:
    path = sqlite_file(url)
    # The file's absolute URL, so the command works from any folder; another URL may hold a
    # password, which a message must not repeat.
    target = f"sqlite:///{path.resolve()}" if path is not None else "<the same URL>"
    return f"keysmith init --database-url {target}"


def missing_tables_error(
    url: URL, missing: list[str], *, no_file: bool = False
) -> MissingTablesError:
    """The start-up error: which database, what is missing, and how to create the tables."""
    found = (
        "does not exist" if no_file else f"has no keysmith tables ({', '.join(missing)} missing)"
    )
    return MissingTablesError(
        f"{describe(url)} {found}. Create the tables with `{_init_command(url)}` "
        "(in a Flask app: `flask keysmith init`), or with keysmith.sqlalchemy.create_all() / "
        "create_all_async() before serving. A relative SQLite path is read from the current "
        "folder: start the app from the folder where the tables were created, or give an "
        "absolute path."
    )


def _absent_file(url: URL) -> bool:
    # Connecting would create an empty file (the wrong one, if the path is relative to
    # another folder): a file that does not exist is reported as it is.
    path = sqlite_file(url)
    return path is not None and not path.exists()


def _verdict(url: URL, missing: list[str]) -> bool:
    if missing:
        raise missing_tables_error(url, missing)
    logger.info("keysmith: tokens in %s", describe(url))
    return True


def _unreachable(url: URL, error: BaseException) -> bool:
    lines = str(getattr(error, "orig", None) or error).strip().splitlines()
    logger.warning(
        "keysmith: could not reach %s at start-up to check its tables (%s); requests that "
        "need the token store answer 503 until it can be reached.",
        describe(url),
        lines[0] if lines else type(error).__name__,
    )
    return False


def check_tables(engine: Engine) -> bool:
    """Raise ``MissingTablesError`` when the database lacks a keysmith table; True when all
    exist; False (and a logged warning) when the database cannot be reached."""
    if _absent_file(engine.url):
        raise missing_tables_error(engine.url, [t.name for t in TABLES], no_file=True)
    try:
        with engine.connect() as connection:
            missing = missing_in(connection)
    except _UNREACHABLE as error:
        return _unreachable(engine.url, error)
    return _verdict(engine.url, missing)


async def check_tables_async(engine: AsyncEngine) -> bool:
    """``check_tables`` for an ``AsyncEngine``."""
    if _absent_file(engine.url):
        raise missing_tables_error(engine.url, [t.name for t in TABLES], no_file=True)
    try:
        async with engine.connect() as connection:
            missing = await connection.run_sync(missing_in)
    except _UNREACHABLE as error:
        return _unreachable(engine.url, error)
    return _verdict(engine.url, missing)
