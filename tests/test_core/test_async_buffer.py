"""The asyncio buffered audit sink: batching, pass-through, bounds, failures, closing, loops."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import pytest

from keysmith.core import (
    Action,
    AsyncBufferedAuditSink,
    AuditEvent,
    FrozenClock,
    LoggingAuditSink,
    MemoryAuditSink,
    NullAuditSink,
)

# Long enough never to fire during a test that does not wait for it.
NEVER = 3600.0
# How long a test waits for something that should happen at once (never reached when it works).
PATIENCE = 10.0


def make(action: str = Action.AUTH_SUCCESS, n: int = 0) -> AuditEvent:
    return AuditEvent(action=action, occurred_at=FrozenClock().now(), status_code=n)


class Batches:
    """An async ``write_many`` recording each batch and the loop it was written from."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.loops: list[asyncio.AbstractEventLoop] = []
        self.writing = 0
        self.most_at_once = 0
        self.gate: asyncio.Event | None = None  # while set to an unset Event, writes wait

    async def __call__(self, events: Sequence[AuditEvent]) -> None:
        self.writing += 1
        self.most_at_once = max(self.most_at_once, self.writing)
        try:
            if self.gate is not None:
                await self.gate.wait()
            self.batches.append([event.status_code for event in events])
            self.loops.append(asyncio.get_running_loop())
        finally:
            self.writing -= 1

    def written(self) -> list[int]:
        return [n for batch in self.batches for n in batch]

    async def wait_for(self, count: int) -> None:
        async def until_written() -> None:
            while len(self.written()) < count:
                await asyncio.sleep(0.001)

        await asyncio.wait_for(until_written(), PATIENCE)


class AsyncMemorySink(MemoryAuditSink):
    """A direct sink whose ``emit`` is a coroutine."""

    async def emit(self, event: AuditEvent) -> None:  # type: ignore[override]
        super().emit(event)


async def settle() -> None:
    """Let every task that is ready run."""
    for _ in range(5):
        await asyncio.sleep(0)


@pytest.mark.parametrize("direct_type", [MemoryAuditSink, AsyncMemorySink])
def test_async_buffer_lifecycle_events_go_directly_at_once(
    direct_type: type[MemoryAuditSink],
) -> None:
    async def scenario() -> None:
        direct, batches = direct_type(), Batches()
        sink = AsyncBufferedAuditSink(direct, batches, interval=NEVER)
        for action in (Action.CREATED, Action.ROTATED, Action.REVOKED):
            await sink.emit(make(action))
            assert direct.actions()[-1] == action
        assert sink.pending() == 0
        await sink.aclose()
        assert batches.batches == []

    asyncio.run(scenario())


def test_async_buffer_auth_events_wait_then_flush_in_one_batch() -> None:
    async def scenario() -> None:
        direct, batches = MemoryAuditSink(), Batches()
        sink = AsyncBufferedAuditSink(direct, batches, interval=NEVER)
        for n in range(5):
            await sink.emit(make(Action.AUTH_FAILED if n % 2 else Action.AUTH_SUCCESS, n))
        await settle()
        assert (direct.events, batches.batches, sink.pending()) == ([], [], 5)
        await sink.flush()
        assert batches.batches == [[0, 1, 2, 3, 4]]
        await sink.aclose()

    asyncio.run(scenario())


def test_async_buffer_interval_elapsed_writes_without_flush() -> None:
    async def scenario() -> None:
        batches = Batches()
        sink = AsyncBufferedAuditSink(MemoryAuditSink(), batches, interval=0.02)
        for n in range(3):
            await sink.emit(make(n=n))
        await batches.wait_for(3)
        assert batches.batches == [[0, 1, 2]]
        await sink.emit(make(n=3))  # the next event starts a new interval
        await batches.wait_for(4)
        assert batches.batches == [[0, 1, 2], [3]]
        await sink.aclose()

    asyncio.run(scenario())


def test_async_buffer_full_batch_written_at_once_by_a_task() -> None:
    async def scenario() -> None:
        batches = Batches()
        sink = AsyncBufferedAuditSink(MemoryAuditSink(), batches, interval=NEVER, max_batch=3)
        for n in range(2):
            await sink.emit(make(n=n))
        await settle()
        assert batches.batches == []
        await sink.emit(make(n=2))
        await batches.wait_for(3)
        assert batches.batches == [[0, 1, 2]]
        await sink.aclose()

    asyncio.run(scenario())


def test_async_buffer_one_writer_at_a_time_takes_later_full_batches_too() -> None:
    async def scenario() -> None:
        batches = Batches()
        batches.gate = asyncio.Event()
        sink = AsyncBufferedAuditSink(MemoryAuditSink(), batches, interval=NEVER, max_batch=2)
        for n in range(2):
            await sink.emit(make(n=n))
        await settle()  # the writer has taken [0, 1] and waits at the gate
        for n in range(2, 7):
            await sink.emit(make(n=n))
        await settle()
        batches.gate.set()
        await batches.wait_for(6)
        await settle()
        # The partial batch waits for the interval (never, here) or the flush.
        assert batches.batches == [[0, 1], [2, 3], [4, 5]]
        assert batches.most_at_once == 1
        assert sink.pending() == 1
        await sink.aclose()
        assert batches.batches[-1] == [6]

    asyncio.run(scenario())


def test_async_buffer_steady_trickle_waits_for_interval_not_each_write() -> None:
    async def scenario() -> None:
        batches = Batches()
        batches.gate = asyncio.Event()
        sink = AsyncBufferedAuditSink(MemoryAuditSink(), batches, interval=NEVER, max_batch=3)
        for n in range(3):
            await sink.emit(make(n=n))
        await settle()  # a full batch: written at once, and waiting at the gate
        for n in range(3, 5):  # a few more arrive while it is written
            await sink.emit(make(n=n))
        batches.gate.set()
        await batches.wait_for(3)
        await settle()
        assert batches.batches == [[0, 1, 2]]
        assert sink.pending() == 2
        await sink.aclose()
        assert batches.batches == [[0, 1, 2], [3, 4]]

    asyncio.run(scenario())


def test_async_buffer_partial_batch_after_a_write_goes_with_the_next_interval() -> None:
    async def scenario() -> None:
        batches = Batches()
        batches.gate = asyncio.Event()
        sink = AsyncBufferedAuditSink(MemoryAuditSink(), batches, interval=0.05, max_batch=3)
        for n in range(3):
            await sink.emit(make(n=n))
        await settle()
        await sink.emit(make(n=3))
        batches.gate.set()
        await batches.wait_for(4)
        assert batches.batches == [[0, 1, 2], [3]]
        await sink.aclose()

    asyncio.run(scenario())


def test_async_buffer_full_queue_drops_events_without_awaiting_the_writes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def scenario() -> None:
        batches = Batches()
        batches.gate = asyncio.Event()  # writes wait, as on a locked table
        sink = AsyncBufferedAuditSink(
            MemoryAuditSink(), batches, interval=NEVER, max_batch=2, max_queue=4
        )
        for n in range(2):
            await sink.emit(make(n=n))
        await settle()  # the writer holds [0, 1] at the gate
        for n in range(2, 10):
            await asyncio.wait_for(sink.emit(make(n=n)), PATIENCE)
        assert (sink.pending(), sink.dropped, batches.written()) == (4, 4, [])
        assert "the audit buffer is full (4 events waiting)" in caplog.text
        batches.gate.set()
        await sink.aclose()
        assert sorted(batches.written()) == list(range(6))
        assert all(len(batch) <= 2 for batch in batches.batches)

    asyncio.run(scenario())
    assert "dropped 4 authentication audit events" in caplog.text


def test_async_buffer_failing_writer_is_logged_and_sink_keeps_working(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []

    async def broken(events: Sequence[AuditEvent]) -> None:
        calls.append(len(events))
        if len(calls) == 1:
            raise RuntimeError("database down")

    async def scenario() -> None:
        sink = AsyncBufferedAuditSink(MemoryAuditSink(), broken, interval=NEVER)
        await sink.emit(make())
        await sink.flush()  # does not raise
        await sink.emit(make())
        await sink.flush()
        await sink.aclose()

    with caplog.at_level(logging.ERROR, logger="keysmith"):
        asyncio.run(scenario())
    assert calls == [1, 1]
    assert [r.getMessage() for r in caplog.records] == ["keysmith: dropped 1 audit events"]
    assert caplog.records[0].name == "keysmith"


def test_async_buffer_aclose_writes_queue_and_later_events_go_directly() -> None:
    async def scenario() -> None:
        direct, batches = MemoryAuditSink(), Batches()
        sink = AsyncBufferedAuditSink(direct, batches, interval=NEVER)
        await sink.emit(make(n=1))
        await sink.aclose()
        assert batches.batches == [[1]]
        await sink.emit(make(n=2))
        assert [e.status_code for e in direct.events] == [2]
        assert batches.batches == [[1]]

    asyncio.run(scenario())


def test_async_buffer_flush_waits_for_a_write_under_way() -> None:
    async def scenario() -> None:
        batches = Batches()
        batches.gate = asyncio.Event()
        sink = AsyncBufferedAuditSink(MemoryAuditSink(), batches, interval=NEVER, max_batch=1)
        await sink.emit(make(n=1))
        await settle()  # the writer holds [1] at the gate; the queue is empty
        assert sink.pending() == 0
        flushing = asyncio.ensure_future(sink.flush())
        await settle()
        assert not flushing.done()
        batches.gate.set()
        await asyncio.wait_for(flushing, PATIENCE)
        assert batches.batches == [[1]]
        await sink.aclose()

    asyncio.run(scenario())


def test_async_buffer_events_of_a_stopped_loop_written_from_the_next_loop() -> None:
    batches = Batches()
    sink = AsyncBufferedAuditSink(MemoryAuditSink(), batches, interval=NEVER)

    async def first() -> asyncio.AbstractEventLoop:
        for n in range(3):
            await sink.emit(make(n=n))
        return asyncio.get_running_loop()  # stops with three events queued and a timer set

    async def second() -> asyncio.AbstractEventLoop:
        await sink.emit(make(n=3))
        await batches.wait_for(4)  # written without a flush: the old queue is not stranded
        await sink.emit(make(n=4))
        await sink.aclose()
        return asyncio.get_running_loop()

    first_loop = asyncio.run(first())
    assert batches.batches == []
    second_loop = asyncio.run(second())
    assert batches.written() == [0, 1, 2, 3, 4]
    assert all(loop is second_loop for loop in batches.loops)
    assert first_loop is not second_loop


def test_async_buffer_flush_on_a_new_loop_writes_the_old_queue() -> None:
    batches = Batches()
    sink = AsyncBufferedAuditSink(MemoryAuditSink(), batches, interval=NEVER)

    async def emit_two() -> None:
        await sink.emit(make(n=0))
        await sink.emit(make(n=1))

    asyncio.run(emit_two())
    asyncio.run(sink.flush())
    assert batches.batches == [[0, 1]]
    asyncio.run(emit_two())  # the sink works on a third loop too
    asyncio.run(sink.aclose())
    assert batches.batches == [[0, 1], [0, 1]]


def test_async_buffer_enabled_follows_direct_sink() -> None:
    quiet = logging.getLogger("keysmith.tests.quiet")
    quiet.setLevel(logging.WARNING)
    assert AsyncBufferedAuditSink(MemoryAuditSink(), Batches()).enabled is True
    assert AsyncBufferedAuditSink(NullAuditSink(), Batches()).enabled is False
    assert AsyncBufferedAuditSink(LoggingAuditSink(quiet), Batches()).enabled is False


@pytest.mark.parametrize(
    "kwargs", [{"interval": 0}, {"max_batch": 0}, {"max_batch": 10, "max_queue": 5}]
)
def test_async_buffer_bad_arguments_raise(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="interval"):
        AsyncBufferedAuditSink(MemoryAuditSink(), Batches(), **kwargs)  # type: ignore[arg-type]


def test_async_buffer_writer_tries_failed_batch_again_and_loses_nothing() -> None:
    written: list[int] = []
    failures = iter([True, True])

    async def busy_then_fine(events: Sequence[AuditEvent]) -> None:
        if next(failures, False):
            raise RuntimeError("database is locked")
        written.extend(event.status_code for event in events)

    async def scenario() -> None:
        sink = AsyncBufferedAuditSink(MemoryAuditSink(), busy_then_fine, interval=0.01)
        for n in range(3):
            await sink.emit(make(n=n))

        async def until_written() -> None:
            while len(written) < 3:
                await asyncio.sleep(0.005)

        await asyncio.wait_for(until_written(), PATIENCE)
        assert sink.pending() == 0
        await sink.aclose()

    asyncio.run(scenario())
    assert written == [0, 1, 2]
