"""Time as a dependency, so tests can freeze and move it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class _Substitute:
    # Read by every SystemClock: one attribute lookup per reading while nothing is set.
    clock: Clock | None = None


class SystemClock:
    """The real time, timezone-aware UTC (or the clock ``substituted`` in, while it is)."""

    def now(self) -> datetime:
        substitute = _Substitute.clock
        return datetime.now(timezone.utc) if substitute is None else substitute.now()


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime | None = None) -> None:
        self.current = at or datetime(2030, 1, 1, tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


@contextmanager
def substituted(clock: Clock) -> Iterator[Clock]:
    """Make every ``SystemClock`` of the process read ``clock`` until the block ends.

    A test's way to move time for services it did not build (a Django project's, an app's):
    they read the time through a ``SystemClock`` unless they were given a clock of their own.
    Process-wide on purpose: a test client may run the app in another thread.
    """
    before, _Substitute.clock = _Substitute.clock, clock
    try:
        yield clock
    finally:
        _Substitute.clock = before


def now() -> datetime:
    """The time a ``SystemClock`` reads: for code that has no service's clock at hand."""
    return SystemClock().now()
