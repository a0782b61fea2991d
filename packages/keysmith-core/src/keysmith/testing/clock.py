"""A frozen clock that every keysmith service reading the system time honours."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from keysmith.core.clock import FrozenClock, SystemClock, substituted

__all__ = ["TestClock", "frozen_clock"]


class TestClock(FrozenClock):
    """The clock a ``frozen_clock`` block runs on: ``advance(days=91)`` or ``set(at)``."""

    __test__ = False  # not a test class, whatever pytest's name rules say

    def advance(self, delta: timedelta | None = None, **parts: float) -> None:
        """Move forward by ``delta`` or by ``timedelta(**parts)`` (``days=``, ``seconds=``, ...)."""
        step = (delta or timedelta()) + timedelta(**parts)
        if step < timedelta():
            raise ValueError("A frozen clock only moves forward; use set() to go back.")
        self.current += step

    def set(self, at: datetime) -> None:
        self.current = _aware(at)


def _aware(at: datetime) -> datetime:
    if not isinstance(at, datetime):
        raise TypeError(f"Expected a datetime, got {type(at).__name__}.")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(
            f"A frozen clock needs a timezone-aware time (keysmith stores UTC); got {at!r}. "
            "Use datetime(..., tzinfo=timezone.utc)."
        )
    return at.astimezone(timezone.utc)


@contextmanager
def frozen_clock(at: datetime | None = None) -> Iterator[TestClock]:
    """Stop keysmith's time at ``at`` (default: now) until the block ends.

    Every service that reads the system time (all that were not given a clock: Django's, the
    ones ``keysmith.sqlalchemy.service`` and ``keysmith.asgi.from_url`` build, a Flask app's)
    and the models' ``is_expired`` see this time; ``clock.advance(days=91)`` moves it.
    """
    clock = TestClock(_aware(at) if at is not None else SystemClock().now())
    with substituted(clock):
        yield clock
