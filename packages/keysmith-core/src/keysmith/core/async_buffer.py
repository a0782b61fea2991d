"""The asyncio twin of ``BufferedAuditSink``: per-request events written in batches by tasks."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Sequence

from keysmith.core.audit import AuditEvent
from keysmith.core.buffer import BufferSettings, log_drops, log_full


class AsyncBufferedAuditSink(BufferSettings[Callable[[Sequence[AuditEvent]], Awaitable[None]]]):
    """Queue per-request events and hand them to ``write_many`` in bulk; pass the rest through.

    Authentication events (``actions``) are queued and written by a task on the running event
    loop ``interval`` seconds after the first of them arrives, or at once when ``max_batch``
    are waiting. Lifecycle events (created, rotated, revoked) are awaited on ``direct``, so they
    stay durable.

    ``emit`` never waits for the database. What can be lost, each time logged on ``keysmith``:
    events that find ``max_queue`` events already waiting (writes that cannot keep up, or a
    locked table) are dropped and counted in ``dropped``; a batch whose ``write_many`` failed
    ``WRITE_ATTEMPTS`` times, one interval apart; and the events still queued, or being
    written, when the event loop stops without ``aclose()`` or ``flush()`` — at most
    ``interval`` seconds' or ``max_queue`` events' worth. (If the sink is used again from
    another loop in the same process, that loop writes them.) A forked child starts with an
    empty queue.

    asyncio database drivers belong to the loop that opened their connections, so the sink
    writes from the loop its queued events came from, and an event arriving on another loop
    (a second ``asyncio.run``) first has the earlier events written from the new loop. One loop
    at a time: the sink is not shared by loops running at once in several threads.
    """

    def _start(self) -> None:
        super()._start()
        self._loop: asyncio.AbstractEventLoop | None = None  # where the queued events came from
        self._timer: asyncio.TimerHandle | None = None
        self._writer: asyncio.Task[None] | None = None
        # The loop keeps only weak references to tasks: these keep each write alive to its end.
        self._tasks: set[asyncio.Task[None]] = set()

    async def emit(self, event: AuditEvent) -> None:
        if event.action not in self.actions or self._closed:
            written = self.direct.emit(event)
            if inspect.isawaitable(written):
                await written
            return
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._move_to(loop)
        queue = self._queue
        if len(queue) >= self.max_queue:
            # Never wait for the writes here: this is the request's task.
            if self._drop():
                log_full(self.max_queue)
            return
        queue.append(event)
        if len(queue) >= self.max_batch:
            self._start_writer(loop)
        if self._timer is None:
            self._timer = loop.call_later(self.interval, self._on_timer, loop)

    async def flush(self) -> None:
        """Write everything queued so far from this loop, and wait for writes under way on it.
        A batch that fails to write here is dropped (logged)."""
        await self._write_queue(retry=False)
        loop, current = asyncio.get_running_loop(), asyncio.current_task()
        running = [task for task in self._tasks if task is not current and task.get_loop() is loop]
        if running:
            await asyncio.wait(running)

    async def aclose(self) -> None:
        """Write what is left; later events go to ``direct`` one by one."""
        self._closed = True
        if self._timer is not None and self._loop is asyncio.get_running_loop():
            self._timer.cancel()
            self._timer = None
        await self.flush()

    async def _write_queue(self, *, retry: bool = True) -> None:
        """Write the queue: all of it when flushing (``retry`` False); as the background writer,
        one batch, then only full ones, leaving a partial batch to the next interval."""
        while True:
            log_drops(self._take_drops())
            batch = self._next_batch()
            if not batch:
                return
            try:
                await self.write_many(batch)
            except Exception:
                if self._failed_write(batch, retry=retry):
                    self._rearm()  # tried again one interval later, from this loop
                    return
            else:
                self._written()
            if retry and len(self._queue) < self.max_batch:
                # Under steady load, writing at once what arrived during the last write would
                # keep the writer busy with batches of a few events, each paying a transaction.
                self._rearm()
                return

    def _rearm(self) -> None:
        loop = asyncio.get_running_loop()
        if self._timer is None and loop is self._loop and self.pending():
            self._timer = loop.call_later(self.interval, self._on_timer, loop)

    def _move_to(self, loop: asyncio.AbstractEventLoop) -> None:
        # The previous loop's timer and writer are left behind: a stopped loop never runs
        # them, and a timer that still fires there is ignored (see ``_on_timer``).
        self._loop, self._timer, self._writer = loop, None, None
        if self.pending():
            self._start_writer(loop)

    def _on_timer(self, loop: asyncio.AbstractEventLoop) -> None:
        if loop is self._loop:
            self._timer = None
            if self.pending():
                self._start_writer(loop)

    def _start_writer(self, loop: asyncio.AbstractEventLoop) -> None:
        # One writer at a time: a running one keeps going until the queue is empty.
        if self._writer is not None and not self._writer.done():
            return
        self._writer = task = loop.create_task(self._write_queue())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
