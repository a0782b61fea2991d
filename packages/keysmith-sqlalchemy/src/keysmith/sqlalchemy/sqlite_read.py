"""The authentication read of a SQLite file: one trip to a reader thread of the store's own.

aiosqlite sends every call to its connection's thread and back (a cursor, the statement, the
fetch, and the ROLLBACK when the pool takes the connection back): four or five trips, each a
thread wake-up and a return through the event loop. A synchronous engine over the same file
does the whole read in one trip, on a thread that keeps its connection between reads.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool, PoolProxiedConnection

from keysmith.sqlalchemy.compiled_read import CompiledRead, Rows
from keysmith.sqlalchemy.engines import make_engine
from keysmith.sqlalchemy.records import SQLToken

_STOP = None
THREAD_NAME = "keysmith-sqlite-read"
Job = tuple[asyncio.Future[Rows], str] | None


def _resolve(future: asyncio.Future[Rows], rows: Rows | None, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(rows or [])


class SQLiteFileRead:
    """Reads by prefix on a synchronous engine over the async engine's file.

    The engine's pool follows the async engine's: with ``NullPool`` each read opens and closes
    its connection, otherwise the reader thread keeps one. The thread starts on the first read
    and ends, giving its connection back, when the async engine is disposed of, or when this
    reader is garbage (an engine dropped without ``dispose``); it is a daemon thread, so it
    never holds the interpreter open at exit either.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.keep = not isinstance(engine.pool, NullPool)
        options: dict[str, Any] = {} if self.keep else {"poolclass": NullPool}
        self.engine: Engine = make_engine(engine.url, **options)
        self.compiled = CompiledRead(self.engine.dialect)
        self.thread: threading.Thread | None = None
        self._jobs: SimpleQueue[Job] | None = None
        self._stop: weakref.finalize[Any, Any] | None = None
        self._lock = threading.Lock()
        event.listen(engine.sync_engine, "engine_disposed", self._dispose)

    async def __call__(self, prefix: str) -> SQLToken | None:
        future: asyncio.Future[Rows] = asyncio.get_running_loop().create_future()
        self._queue().put((future, prefix))
        return self.compiled.record(await future)

    def _queue(self) -> SimpleQueue[Job]:
        jobs = self._jobs
        if jobs is None:
            with self._lock:
                if self._jobs is None:
                    self._jobs = SimpleQueue()
                    # The thread holds what it needs, not this reader: a reader nobody holds any
                    # more is collected, and its finalizer stops the thread.
                    reader = _Reader(self.engine, self.compiled.text, keep=self.keep)
                    self.thread = threading.Thread(
                        target=reader.serve, args=(self._jobs,), name=THREAD_NAME, daemon=True
                    )
                    self.thread.start()
                    self._stop = weakref.finalize(self, self._jobs.put, _STOP)
                jobs = self._jobs
        return jobs

    def _dispose(self, _engine: Engine) -> None:
        with self._lock:
            stop, self._jobs, self._stop = self._stop, None, None
        if stop is not None:
            stop()  # reads already queued are served first, then the pool is emptied
        else:
            self.engine.dispose()


class _Reader:
    """The reader thread's loop: one job (a prefix and the future awaiting its rows) at a time."""

    def __init__(self, engine: Engine, text: str, *, keep: bool) -> None:
        self.engine = engine
        self.text = text
        self.keep = keep

    def serve(self, jobs: SimpleQueue[Job]) -> None:
        connection: PoolProxiedConnection | None = None
        try:
            while (job := jobs.get()) is not _STOP:
                future, prefix = job
                rows: Rows | None = None
                error: BaseException | None = None
                try:
                    connection = connection or self.engine.raw_connection()
                    rows = self.fetch(connection.dbapi_connection, prefix)
                except BaseException as failure:  # handed to the awaiting request
                    error = failure
                    connection = _drop(connection, invalidate=True)
                if not self.keep:
                    connection = _drop(connection)
                future.get_loop().call_soon_threadsafe(_resolve, future, rows, error)
        finally:
            _drop(connection)
            self.engine.dispose()

    def fetch(self, connection: DBAPIConnection | None, prefix: str) -> Rows:
        assert connection is not None
        cursor = connection.cursor()
        try:
            cursor.execute(self.text, (prefix,))
            rows: Rows = cursor.fetchall()
        finally:
            cursor.close()
        # No transaction was opened (a SELECT begins none in the sqlite3 module): there is
        # nothing to roll back, and the connection is ready for the next read as it is.
        return rows


def _drop(
    connection: PoolProxiedConnection | None, *, invalidate: bool = False
) -> PoolProxiedConnection | None:
    """Give a connection back to the pool (closing it, when it failed); always None."""
    if connection is not None:
        close: Callable[[], None] = connection.invalidate if invalidate else connection.close
        close()
    return None
