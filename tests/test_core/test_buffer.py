"""The buffered audit sink: batching, pass-through, bounds, failures and closing."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from keysmith.core import Action, AuditEvent, AuditSink, FrozenClock, MemoryAuditSink, NullAuditSink
from keysmith.core.buffer import BufferedAuditSink


def make(action: str = Action.AUTH_SUCCESS, n: int = 0) -> AuditEvent:
    return AuditEvent(action=action, occurred_at=FrozenClock().now(), status_code=n)


class Batches:
    def __init__(self) -> None:
        self.batches: list[list[AuditEvent]] = []
        self.threads: list[str] = []
        self.written = threading.Event()

    def __call__(self, events: Sequence[AuditEvent]) -> None:
        self.batches.append(list(events))
        self.threads.append(threading.current_thread().name)
        self.written.set()


def test_buffer_lifecycle_events_go_directly() -> None:
    direct, batches = MemoryAuditSink(), Batches()
    sink = BufferedAuditSink(direct, batches, interval=60)
    for action in (Action.CREATED, Action.ROTATED, Action.REVOKED):
        sink.emit(make(action))
    assert direct.actions() == ["created", "rotated", "revoked"]
    assert sink.pending() == 0
    sink.close()
    assert batches.batches == []


def test_buffer_auth_events_wait_then_flush_in_one_batch() -> None:
    direct, batches = MemoryAuditSink(), Batches()
    sink = BufferedAuditSink(direct, batches, interval=60)
    for n in range(5):
        sink.emit(make(Action.AUTH_FAILED if n % 2 else Action.AUTH_SUCCESS, n))
    assert direct.events == []
    assert sink.pending() == 5
    sink.flush()
    assert [[e.status_code for e in b] for b in batches.batches] == [[0, 1, 2, 3, 4]]
    sink.close()


def test_buffer_background_writer_flushes_after_interval() -> None:
    batches = Batches()
    sink = BufferedAuditSink(MemoryAuditSink(), batches, interval=0.05)
    sink.emit(make())
    assert batches.written.wait(timeout=10)
    assert batches.threads == ["keysmith-audit-writer"]
    sink.close()


def test_buffer_full_batch_wakes_writer_before_interval() -> None:
    batches = Batches()
    sink = BufferedAuditSink(MemoryAuditSink(), batches, interval=3600, max_batch=3)
    for n in range(3):
        sink.emit(make(n=n))
    assert batches.written.wait(timeout=10)
    assert len(batches.batches[0]) == 3
    sink.close()


class Stuck:
    """A ``write_many`` that blocks on ``gate``, as a write to a locked table does."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.written: list[int] = []

    def __call__(self, events: Sequence[AuditEvent]) -> None:
        self.entered.set()
        self.gate.wait(timeout=60)
        self.written += [event.status_code for event in events]


def test_buffer_full_queue_drops_events_without_blocking_the_emitter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stuck = Stuck()
    sink = BufferedAuditSink(MemoryAuditSink(), stuck, interval=3600, max_batch=2, max_queue=4)
    sink.emit(make(n=0))
    sink.emit(make(n=1))  # a full batch: the writer takes it and blocks
    assert stuck.entered.wait(timeout=10)
    emitter = threading.Thread(target=lambda: [sink.emit(make(n=n)) for n in range(2, 10)])
    emitter.start()
    emitter.join(timeout=10)
    try:
        assert not emitter.is_alive(), "emit() waited for the blocked writer"
        assert (sink.pending(), sink.dropped) == (4, 4)
        assert "the audit buffer is full (4 events waiting)" in caplog.text
    finally:
        stuck.gate.set()
        sink.close()
    assert sorted(stuck.written) == list(range(6))
    assert "dropped 4 authentication audit events" in caplog.text


def test_buffer_failing_writer_is_logged_and_sink_keeps_working(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []

    def broken(events: Sequence[AuditEvent]) -> None:
        calls.append(len(events))
        if len(calls) == 1:
            raise RuntimeError("database down")

    sink = BufferedAuditSink(MemoryAuditSink(), broken, interval=3600)
    sink.emit(make())
    sink.flush()
    sink.emit(make())
    sink.flush()
    assert calls == [1, 1]
    assert "dropped 1 audit events" in caplog.text
    sink.close()


def test_buffer_close_flushes_and_later_events_go_directly() -> None:
    direct, batches = MemoryAuditSink(), Batches()
    sink = BufferedAuditSink(direct, batches, interval=3600)
    sink.emit(make())
    sink.close()
    assert len(batches.batches) == 1
    sink.emit(make())
    assert direct.actions() == ["auth_success"]


def test_buffer_concurrent_emitters_lose_nothing() -> None:
    batches = Batches()
    sink = BufferedAuditSink(MemoryAuditSink(), batches, interval=0.01, max_batch=7)

    def emit_many(worker: int) -> None:
        for n in range(200):
            sink.emit(make(n=worker * 1000 + n))

    threads = [threading.Thread(target=emit_many, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deadline = time.monotonic() + 10
    while sink.pending() and time.monotonic() < deadline:
        time.sleep(0.01)
    sink.close()
    written = [e.status_code for b in batches.batches for e in b]
    assert sorted(written) == sorted(w * 1000 + n for w in range(4) for n in range(200))


@pytest.mark.parametrize(
    "kwargs", [{"interval": 0}, {"max_batch": 0}, {"max_batch": 10, "max_queue": 5}]
)
def test_buffer_bad_arguments_raise(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="interval"):
        BufferedAuditSink(MemoryAuditSink(), Batches(), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("direct", "enabled"), [(NullAuditSink(), False), (MemoryAuditSink(), True)]
)
def test_buffered_sink_is_on_exactly_when_its_direct_sink_is(
    direct: AuditSink, enabled: bool
) -> None:
    sink = BufferedAuditSink(direct, lambda batch: None)
    try:
        assert sink.enabled is enabled
    finally:
        sink.close()


def test_buffer_background_writer_tries_failed_batch_again_and_loses_nothing() -> None:
    written: list[int] = []
    done = threading.Event()
    failures = iter([True, True])  # a busy database twice, then the write goes through

    def busy_then_fine(events: Sequence[AuditEvent]) -> None:
        if next(failures, False):
            raise RuntimeError("database is locked")
        written.extend(event.status_code for event in events)
        done.set()

    sink = BufferedAuditSink(MemoryAuditSink(), busy_then_fine, interval=0.02)
    for n in range(3):
        sink.emit(make(n=n))
    assert done.wait(timeout=10)
    sink.close()
    assert written == [0, 1, 2]
    assert sink.pending() == 0


def test_buffer_background_writer_drops_batch_that_never_writes_and_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    attempts: list[list[int]] = []
    later = threading.Event()

    def poisoned(events: Sequence[AuditEvent]) -> None:
        codes = [event.status_code for event in events]
        attempts.append(codes)
        if 0 in codes:
            raise RuntimeError("a row that can never be written")
        later.set()

    sink = BufferedAuditSink(MemoryAuditSink(), poisoned, interval=0.02)
    sink.emit(make(n=0))
    deadline = time.monotonic() + 10
    while len(attempts) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    sink.emit(make(n=1))
    assert later.wait(timeout=10)
    sink.close()
    assert attempts[:3] == [[0], [0], [0]]
    assert attempts[3:] == [[1]]
    assert "dropped 1 audit events" in caplog.text
