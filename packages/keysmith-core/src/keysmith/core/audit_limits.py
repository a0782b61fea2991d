"""The bound on one audit write: its setting, and the SQL each database applies it with.

An audit row is a record of something that already happened; a table that is locked (a
migration, ``VACUUM FULL``, an explicit ``LOCK TABLE``) must not hold the request or the
lifecycle call that wrote it. The Django and SQL sinks wrap each write (one row, or one batch)
in these statements, so the database gives up waiting after the bound and the sink logs the
loss. They are stated here once, so both adapters bound their writes the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

from keysmith.core.errors import ConfigurationError

# Long enough for an INSERT on a busy but healthy database, short enough for a request to wait.
DEFAULT_WRITE_TIMEOUT = 1.0
MAX_WRITE_TIMEOUT = 3600.0

# PostgreSQL: both settings local to the write's own transaction (``is_local`` true), so they
# end with it and never outlive it on a pooled connection. lock_timeout bounds the wait for the
# table lock, statement_timeout the whole statement (a lock taken by a trigger, a slow disk).
_POSTGRES_LIMITS = (
    "SELECT set_config('lock_timeout', '{ms}', true), set_config('statement_timeout', '{ms}', true)"
)
# SQLite: the connection's busy timeout, read first and put back after the write, because the
# connection (and its setting) is shared with the token store's writes.
_SQLITE_BUSY_TIMEOUT = "PRAGMA busy_timeout"


class Bounds(NamedTuple):
    """The statements around one audit write on one database."""

    read: str | None = None  # run first; its first value is handed to ``restore``
    limit: str | None = None  # run before the write, inside the write's transaction
    restore: Callable[[Any], str] | None = None  # run after the write, even a failed one


def bounds(database: str, seconds: float | None) -> Bounds:
    """What bounds a write on ``database`` (``postgresql``, ``sqlite``: the names Django and
    SQLAlchemy both give them) to ``seconds``; other databases keep their own timeouts."""
    if seconds is None:
        return Bounds()
    ms = milliseconds(seconds)
    if database == "postgresql":
        return Bounds(limit=_POSTGRES_LIMITS.format(ms=ms))
    if database == "sqlite":
        return Bounds(_SQLITE_BUSY_TIMEOUT, _sqlite_busy_timeout(ms), _sqlite_busy_timeout)
    return Bounds()


def write_timeout(value: object, name: str = "audit_write_timeout") -> float | None:
    """``value`` checked: a number of seconds above 0 and at most an hour, or None (no bound)."""
    if value is None:
        return None
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if number is None or math.isnan(number) or not 0 < number <= MAX_WRITE_TIMEOUT:
        raise ConfigurationError(
            f"{name} must be a number of seconds above 0 and at most {MAX_WRITE_TIMEOUT:g}, "
            f"or None for no bound; got {value!r}."
        )
    return float(number)


def milliseconds(seconds: float) -> int:
    """Whole milliseconds, at least one (0 means "no limit" to both databases)."""
    return max(1, round(seconds * 1000))


def _sqlite_busy_timeout(ms: Any) -> str:
    return f"{_SQLITE_BUSY_TIMEOUT} = {int(ms)}"
