"""An audit sink that writes per-request events in batches, off the request path."""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Collection, Sequence
from typing import Generic, TypeVar

from keysmith.core.audit import Action, AuditEvent, AuditSink, sink_enabled

logger = logging.getLogger("keysmith")

PER_REQUEST_ACTIONS = frozenset({Action.AUTH_SUCCESS, Action.AUTH_FAILED})


W = TypeVar("W")  # the batch writer: a function, or a coroutine function


class BufferSettings(Generic[W]):
    """What every buffered sink, threaded or asyncio, is built from, and its ``enabled``."""

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
        self._start()

    def _start(self) -> None:
        """Set up the sink's own state (its queue, its writer)."""

    @property
    def enabled(self) -> bool:
        return sink_enabled(self.direct)


def log_dropped(batch: Sequence[AuditEvent]) -> None:
    """Called while handling a failed ``write_many``: its batch is logged, then dropped."""
    logger.exception("keysmith: dropped %d audit events", len(batch))


class BufferedAuditSink(BufferSettings[Callable[[Sequence[AuditEvent]], None]]):
    """Queue per-request events and hand them to ``write_many`` in bulk; pass the rest through.

    One INSERT per request costs more than the rest of authentication, so authentication events
    (``actions``) are queued and written by a background thread every ``interval`` seconds or
    every ``max_batch`` events, whichever comes first. Lifecycle events (created, rotated,
    revoked) go to ``direct`` at once, so they stay durable and keep their transaction.

    The loss window: events still queued when the process dies without running ``atexit``
    (SIGKILL, a crash) are lost — at most ``interval`` seconds' or ``max_batch`` events' worth.
    A normal exit flushes. When ``max_queue`` events are waiting (the writer cannot keep up),
    the emitting thread flushes itself: memory stays bounded and nothing is dropped. A failing
    ``write_many`` is logged and its batch dropped: auditing never breaks authentication.
    """

    def _start(self) -> None:
        self._queue: list[AuditEvent] = []
        self._wake = threading.Condition()
        self._write_lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self._worker_pid = 0
        self._closed = False
        atexit.register(self.close)

    def emit(self, event: AuditEvent) -> None:
        if event.action not in self.actions or self._closed:
            self.direct.emit(event)
            return
        with self._wake:
            self._queue.append(event)
            waiting = len(self._queue)
            if waiting >= self.max_batch:
                self._wake.notify()
        self._ensure_worker()
        if waiting >= self.max_queue:
            self.flush()

    def flush(self) -> None:
        """Write everything queued so far, in the calling thread."""
        with self._write_lock:
            while True:
                with self._wake:
                    batch = self._queue[: self.max_batch]
                    del self._queue[: self.max_batch]
                if not batch:
                    return
                try:
                    self.write_many(batch)
                except Exception:
                    log_dropped(batch)

    def pending(self) -> int:
        with self._wake:
            return len(self._queue)

    def close(self) -> None:
        """Stop the writer and flush what is left; later events are written directly."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        worker = self._worker
        if worker is not None and worker.is_alive() and worker is not threading.current_thread():
            worker.join(timeout=self.interval + 5)
        self.flush()

    def _ensure_worker(self) -> None:
        # A forked child (gunicorn --preload) inherits the queue but not the thread.
        if self._worker_pid == os.getpid() and self._worker is not None:
            return
        with self._wake:
            if self._worker_pid != os.getpid() or self._worker is None:
                self._worker_pid = os.getpid()
                self._worker = threading.Thread(
                    target=self._run, name="keysmith-audit-writer", daemon=True
                )
                self._worker.start()

    def _run(self) -> None:
        while not self._closed:
            with self._wake:
                # Checked under the lock, so a close() cannot slip in before the wait.
                if not self._closed and len(self._queue) < self.max_batch:
                    self._wake.wait(self.interval)
            self.flush()
