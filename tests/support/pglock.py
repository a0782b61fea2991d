"""A PostgreSQL table locked by another connection, as a migration or ``VACUUM FULL`` does."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg import sql

T = TypeVar("T")

# The lock is given up after this long at the latest, so code that waits for it (the bug the
# tests look for) finishes and the test reports a failure instead of hanging.
LOCK_SECONDS = 30.0
# How long a test waits for the call that must not wait for the lock.
PATIENCE = 10.0


class TableLock:
    """``LOCK TABLE ... IN ACCESS EXCLUSIVE MODE`` in an open transaction of its own."""

    def __init__(self, dsn: str, table: str) -> None:
        self.dsn = dsn
        self.table = table
        self.connection = psycopg.connect(dsn)
        self.connection.execute(
            sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table))
        )
        self.timer = threading.Timer(LOCK_SECONDS, self.release)
        self.timer.start()
        self._released = threading.Lock()

    def held(self) -> bool:
        """Whether the lock is still granted, seen from a third connection."""
        with psycopg.connect(self.dsn, autocommit=True) as probe:
            row = probe.execute(
                "SELECT count(*) FROM pg_locks WHERE relation = to_regclass(%s) "
                "AND mode = 'AccessExclusiveLock' AND granted",
                [self.table],
            ).fetchone()
        return row is not None and row[0] == 1

    def release(self) -> None:
        if self._released.acquire(blocking=False):
            self.timer.cancel()
            self.connection.rollback()
            self.connection.close()


@contextmanager
def locked_table(dsn: str, table: str) -> Iterator[TableLock]:
    lock = TableLock(dsn, table)
    try:
        yield lock
    finally:
        lock.release()


def finishes(call: Callable[[], T], patience: float = PATIENCE) -> T:
    """``call()`` run in a thread: its result, or AssertionError if it is still running after
    ``patience`` seconds (its exception is raised here)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the test thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(patience)
    assert not thread.is_alive(), f"still waiting after {patience} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
