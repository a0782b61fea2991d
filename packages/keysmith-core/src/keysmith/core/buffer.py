"""An audit sink that writes per-request events in batches, off the request path."""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import weakref
from collections.abc import Callable, Collection, Sequence
from typing import Any, Generic, TypeVar

from keysmith.core.audit import Action, AuditEvent, AuditSink, sink_enabled

logger = logging.getLogger("keysmith")

PER_REQUEST_ACTIONS = frozenset({Action.AUTH_SUCCESS, Action.AUTH_FAILED})


W = TypeVar("W")  # the batch writer: a function, or a coroutine function
# How often the background writer tries one batch (a busy SQLite file, a lock that is released
# within seconds) before it drops it (a row that can never be written must not block the rest).
WRITE_ATTEMPTS = 3


class BufferSettings(Generic[W]):
    """What every buffered sink, threaded or asyncio, is built from, and its ``enabled``.

    Also what they share about a full queue: the event is dropped and counted in ``dropped``;
    the sink logs when dropping starts, then the count with each batch it writes.
    """

    def __init__(
        self,
        direct: AuditSink,
        write_many: W,
        *,
        interval: float = 1.0,
        max_batch: int = 500,
        max_queue: int = 10_000,
        actions: Collection[str] = PER_REQUEST_ACTIONS,
    ) -> None:
        if not interval > 0 or not 1 <= max_batch <= max_queue:
            raise ValueError("interval must be positive and 1 <= max_batch <= max_queue.")
        self.direct = direct
        self.write_many = write_many
        self.interval = interval
        self.max_batch = max_batch
        self.max_queue = max_queue
        self.actions = frozenset(actions)
        self._closed = False
        self._start()
        _live.add(self)

    def _start(self) -> None:
        """Set up the sink's per-process state; run again in a forked child (see ``_forked``)."""
        self.dropped = 0  # events dropped on a full queue, in this process
        self._unreported = 0
        self._queue: list[AuditEvent] = []
        self._failed: list[AuditEvent] = []  # a batch whose write failed, tried again first
        self._attempts = 0

    def _next_batch(self) -> list[AuditEvent]:
        """The batch to write next: the one that failed last time, else the oldest queued."""
        if self._failed:
            batch, self._failed = self._failed, []
            return batch
        batch = self._queue[: self.max_batch]
        del self._queue[: self.max_batch]
        return batch

    def _written(self) -> None:
        self._attempts = 0

    def _failed_write(self, batch: list[AuditEvent], *, retry: bool) -> bool:
        """Called while handling a failed ``write_many``: keep ``batch`` to try again on the
        next round (True), or log and drop it (False) once it had its attempts, when closing,
        or when nobody will come back for it (``retry`` False: a flush someone waits on)."""
        self._attempts += 1
        if retry and not self._closed and self._attempts < WRITE_ATTEMPTS:
            # One line: the traceback is logged if the batch is dropped in the end.
            error = sys.exc_info()[1]
            logger.warning(
                "keysmith: writing %d audit events failed (attempt %d of %d: %s); trying again",
                len(batch), self._attempts, WRITE_ATTEMPTS, type(error).__name__,
            )  # fmt: skip
            self._failed = batch
            return True
        self._attempts = 0
        log_dropped(batch)
        return False

    def pending(self) -> int:
        """Events waiting to be written (a batch kept for another attempt included)."""
        return len(self._queue) + len(self._failed)

    @property
    def enabled(self) -> bool:
        return sink_enabled(self.direct)

    def _drop(self) -> bool:
        """Count an event that found the queue full; True for the first of a run (to log)."""
        self.dropped += 1
        self._unreported += 1
        return self._unreported == 1

    def _take_drops(self) -> int:
        """How many were dropped since the last call."""
        count, self._unreported = self._unreported, 0
        return count

    def _at_exit(self) -> None:
        """Write out what is left as the interpreter exits, where the sink can."""


# Every buffered sink of the process, held weakly: a sink with events queued has a writer
# that keeps it alive, and one nobody uses can go.
_live: weakref.WeakSet[BufferSettings[Any]] = weakref.WeakSet()


def _forked() -> None:
    # gunicorn --preload forks workers after the app, and its sink, were built in the master.
    # The child gets a copy of the queue (the parent writes those events: the child must not
    # write them again), no writer thread, and locks that a parent thread may have held at the
    # fork (they would stay locked forever): it starts over with its own.
    for sink in list(_live):
        sink._start()


def _exiting() -> None:
    for sink in list(_live):
        sink._at_exit()


os.register_at_fork(after_in_child=_forked)
atexit.register(_exiting)


def log_full(max_queue: int) -> None:
    logger.warning(
        "keysmith: the audit buffer is full (%d events waiting): authentication events are "
        "dropped until the writer catches up",
        max_queue,
    )


def log_drops(count: int) -> None:
    if count:
        logger.warning("keysmith: dropped %d authentication audit events: buffer full", count)


def log_dropped(batch: Sequence[AuditEvent]) -> None:
    """Called while handling a failed ``write_many``: its batch is logged, then dropped."""
    logger.exception("keysmith: dropped %d audit events", len(batch))


class BufferedAuditSink(BufferSettings[Callable[[Sequence[AuditEvent]], None]]):
    """Queue per-request events and hand them to ``write_many`` in bulk; pass the rest through.

    One INSERT per request costs more than the rest of authentication, so authentication events
    (``actions``) are queued and written by a background thread every ``interval`` seconds or
    every ``max_batch`` events, whichever comes first. Lifecycle events (created, rotated,
    revoked) go to ``direct`` at once, so they stay durable and keep their transaction.

    ``emit`` never waits for the database. What can be lost, each time logged on ``keysmith``:
    events that find ``max_queue`` events already waiting (a writer that cannot keep up, or a
    locked table) are dropped and counted in ``dropped``; a batch whose ``write_many`` failed
    ``WRITE_ATTEMPTS`` times, one interval apart (a write past its timeout each time, a row
    that can never be written); and the events still queued when the process dies without
    running ``atexit`` (SIGKILL, a crash), at most ``interval`` seconds' or ``max_queue``
    events' worth. A normal exit writes them out. A forked child starts with an empty queue and
    a writer of its own.
    """

    def _start(self) -> None:
        super()._start()
        self._wake = threading.Condition()
        self._write_lock = threading.Lock()
        self._worker: threading.Thread | None = None

    def emit(self, event: AuditEvent) -> None:
        if event.action not in self.actions or self._closed:
            self.direct.emit(event)
            return
        with self._wake:
            queue = self._queue
            full = len(queue) >= self.max_queue
            if full:
                # Never wait for the writer here: this is the request's thread.
                first = self._drop()
            else:
                queue.append(event)
                if len(queue) >= self.max_batch:
                    self._wake.notify()
                if self._worker is None:
                    self._worker = threading.Thread(
                        target=self._run, name="keysmith-audit-writer", daemon=True
                    )
                    self._worker.start()
        if full and first:
            log_full(self.max_queue)

    def flush(self, *, retry: bool = False) -> None:
        """Write everything queued so far, in the calling thread. A failed batch is dropped,
        unless ``retry`` (the background writer): then it is kept for the next round."""
        with self._write_lock:
            while True:
                with self._wake:
                    batch = self._next_batch()
                    drops = self._take_drops()
                log_drops(drops)
                if not batch:
                    return
                try:
                    self.write_many(batch)
                except Exception:
                    if self._failed_write(batch, retry=retry):
                        return
                else:
                    self._written()

    def close(self) -> None:
        """Stop the writer and flush what is left; later events are written directly."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        worker = self._worker
        if worker is not None and worker.is_alive() and worker is not threading.current_thread():
            worker.join(timeout=self.interval + 5)
        self.flush()

    def _at_exit(self) -> None:
        self.close()

    def _run(self) -> None:
        while not self._closed:
            with self._wake:
                # Checked under the lock, so a close() cannot slip in before the wait.
                if not self._closed and len(self._queue) < self.max_batch:
                    self._wake.wait(self.interval)
            self.flush(retry=True)
