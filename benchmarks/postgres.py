"""A throwaway PostgreSQL server for the suite: the test suite's own helper, reused."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent.parent / "tests"


@contextmanager
def server(databases: tuple[str, ...]) -> Iterator[Any | None]:
    """A running server with ``databases`` created, or None when PostgreSQL is not installed."""
    if str(TESTS) not in sys.path:
        sys.path.append(str(TESTS))
    from support.pgserver import PostgresUnavailableError, find_bindir, start_postgres

    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL binaries not found: skipping the PostgreSQL runs", flush=True)
        yield None
        return
    running = start_postgres(bindir)
    try:
        info = next(running)
    except PostgresUnavailableError as error:
        print(f"PostgreSQL cannot run here ({error}): skipping its runs", flush=True)
        yield None
        return
    try:
        import psycopg

        with psycopg.connect(info.dsn, autocommit=True) as connection:
            for name in databases:
                connection.execute(f'CREATE DATABASE "{name}"')
        yield info
    finally:
        running.close()  # stops the server and deletes its data directory
