"""One audit write in a transaction of its own, bounded (see ``keysmith.core.audit_limits``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections, transaction

from keysmith.core.audit_limits import bounds

_POSTGRES_READ = "SELECT current_setting('lock_timeout'), current_setting('statement_timeout')"
_POSTGRES_RESTORE = (
    "SELECT set_config('lock_timeout', %s, true), set_config('statement_timeout', %s, true)"
)


@contextmanager
def bounded_write(alias: str, seconds: float | None) -> Iterator[None]:
    """An atomic block (a savepoint inside the caller's transaction) whose waits are bounded.

    A write that fails, past the bound or otherwise, rolls back to the block's start: the
    caller's transaction stays usable (PostgreSQL aborts it otherwise). PostgreSQL keeps the
    limits to the end of the transaction, so inside the caller's its own values come back
    after a write (a savepoint rolled back undoes them by itself).
    """
    connection = connections[alias]
    bound = bounds(connection.vendor, seconds)
    nested = bound.limit and connection.vendor == "postgresql" and connection.in_atomic_block
    outer = _one(alias, _POSTGRES_READ) if nested else None
    before = _one(alias, bound.read)[0] if bound.read else None
    try:
        with transaction.atomic(using=alias):
            if bound.limit:
                _one(alias, bound.limit)
            yield
            if outer is not None:
                _one(alias, _POSTGRES_RESTORE, list(outer))
    finally:
        # After the atomic block: Django refuses queries inside a block marked for rollback.
        if bound.restore:
            _one(alias, bound.restore(before))


def _one(alias: str, sql: str, params: list[Any] | None = None) -> tuple[Any, ...]:
    """Run ``sql`` and return its first row (every statement here returns one)."""
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return tuple(row) if row is not None else ()
