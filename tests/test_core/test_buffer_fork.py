"""Buffered sinks in a forked child (gunicorn --preload): a fresh queue, writer and locks."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from keysmith.core import Action, AsyncBufferedAuditSink, AuditEvent, FrozenClock, MemoryAuditSink
from keysmith.core.buffer import BufferedAuditSink

# How long the parent waits for the child; a child that deadlocked is killed after it.
PATIENCE = 15.0

pytestmark = [
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork()"),
    # Python 3.12+ warns about forking a process with threads: these tests do so on purpose.
    pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning"),
]


def make(n: int) -> AuditEvent:
    return AuditEvent(action=Action.AUTH_SUCCESS, occurred_at=FrozenClock().now(), status_code=n)


def in_child(body: Callable[[], Any]) -> Any:
    """Run ``body`` in a forked child and return what it returned (through JSON)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        try:
            os.close(read)
            try:
                outcome = {"value": body()}
            except BaseException as error:
                outcome = {"error": repr(error)}
            os.write(write, json.dumps(outcome).encode())
        finally:
            os._exit(0)
    os.close(write)
    deadline = time.monotonic() + PATIENCE
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read)
            pytest.fail(f"the forked child was still running after {PATIENCE} s (deadlocked)")
        time.sleep(0.01)
    with os.fdopen(read, "rb") as pipe:
        outcome = json.loads(pipe.read() or b'{"error": "the child wrote nothing"}')
    assert "error" not in outcome, outcome["error"]
    return outcome["value"]


class Writer:
    """A ``write_many`` that, in the parent, blocks on ``gate`` as a write to a locked table."""

    def __init__(self) -> None:
        self.parent = os.getpid()
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.written: list[int] = []

    def __call__(self, events: Sequence[AuditEvent]) -> None:
        if os.getpid() == self.parent:
            self.entered.set()
            self.gate.wait(timeout=60)
        self.written += [event.status_code for event in events]


def test_buffer_after_fork_child_starts_with_empty_queue_own_writer_and_free_locks() -> None:
    writer = Writer()
    sink = BufferedAuditSink(MemoryAuditSink(), writer, interval=0.05, max_batch=1)
    try:
        sink.emit(make(0))
        assert writer.entered.wait(timeout=10)  # the writer thread holds the write lock, blocked
        sink.emit(make(1))  # queued in the parent at the fork

        def child() -> dict[str, Any]:
            inherited = sink.pending()
            sink.flush()  # would wait forever for the parent's write lock
            sink.emit(make(2))
            deadline = time.monotonic() + 10
            while 2 not in writer.written and time.monotonic() < deadline:
                time.sleep(0.01)  # written by the child's own writer thread
            return {"inherited": inherited, "written": writer.written}

        assert in_child(child) == {"inherited": 0, "written": [2]}
    finally:
        writer.gate.set()
        sink.close()
    # The parent wrote its own events, once; the child wrote none of them.
    assert writer.written == [0, 1]


def test_async_buffer_after_fork_child_does_not_write_the_parents_queue() -> None:
    written: list[int] = []

    async def write_many(events: Sequence[AuditEvent]) -> None:
        written.extend(event.status_code for event in events)

    sink = AsyncBufferedAuditSink(MemoryAuditSink(), write_many, interval=3600)
    asyncio.run(sink.emit(make(1)))  # still queued when the fork happens

    def child() -> dict[str, Any]:
        inherited = sink.pending()

        async def serve() -> None:
            await sink.emit(make(2))
            await sink.flush()

        asyncio.run(serve())
        return {"inherited": inherited, "written": written}

    assert in_child(child) == {"inherited": 0, "written": [2]}
    asyncio.run(sink.flush())
    assert written == [1]
