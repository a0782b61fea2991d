"""An asyncio connection pool that serves waiting checkouts in the order they came.

SQLAlchemy's ``AsyncAdaptedQueuePool`` waits on an ``asyncio.Queue``, which lets a newcomer take
a connection that was just handed back while the task woken for it has not run yet; the woken
task then queues again at the back. Under more requests in flight than the pool holds, one
task can lose that race for as long as the load lasts: a request waits seconds (or until the
pool's timeout), and the buffered audit writer, one task among many, cannot write its batch,
so its queue fills and rows are dropped.

``FairQueue`` hands a returned connection straight to the task that has waited longest, and a
newcomer takes an idle connection only when nobody is waiting: every checkout waits at most
for those ahead of it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

from sqlalchemy.pool import AsyncAdaptedQueuePool
from sqlalchemy.util import await_only
from sqlalchemy.util.queue import Empty, Full

__all__ = ["FairAsyncQueuePool", "FairQueue"]

T = TypeVar("T")


class FairQueue(Generic[T]):
    """The queue of idle connections of ``FairAsyncQueuePool`` (SQLAlchemy's queue interface)."""

    def __init__(self, maxsize: int = 0, use_lifo: bool = False) -> None:
        self.maxsize = maxsize
        self.use_lifo = use_lifo
        self._items: deque[T] = deque()
        self._waiters: deque[asyncio.Future[T]] = deque()

    def empty(self) -> bool:
        return not self._items

    def full(self) -> bool:
        return 0 < self.maxsize <= len(self._items)

    def qsize(self) -> int:
        return len(self._items)

    def put_nowait(self, item: T) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():  # one that gave up (timeout, cancellation) is skipped
                waiter.set_result(item)
                return
        if self.full():
            raise Full()
        self._items.append(item)

    def put(self, item: T, block: bool = True, timeout: float | None = None) -> None:
        # A returned connection never waits for room: the pool closes it when the queue is full.
        self.put_nowait(item)

    def get_nowait(self) -> T:
        if not self._items:
            raise Empty()
        return self._items.pop() if self.use_lifo else self._items.popleft()

    def get(self, block: bool = True, timeout: float | None = None) -> T:
        if self._items or not block:
            return self.get_nowait()
        waiter: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await_only(self._wait(waiter, timeout))
        except asyncio.TimeoutError as error:
            raise Empty() from error

    async def _wait(self, waiter: asyncio.Future[T], timeout: float | None) -> T:
        try:
            return await asyncio.wait_for(asyncio.shield(waiter), timeout)
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                # Handed over just as this task gave up: pass it to the next in line.
                self.put_nowait(waiter.result())
            else:
                waiter.cancel()
            raise


class FairAsyncQueuePool(AsyncAdaptedQueuePool):
    """``AsyncAdaptedQueuePool`` whose checkouts wait in line (see ``FairQueue``)."""

    _queue_class = FairQueue  # type: ignore[assignment]
