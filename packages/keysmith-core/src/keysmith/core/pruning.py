"""Deleting old audit rows in batches: each batch its own short transaction, with progress.

One statement deleting millions of rows holds its locks and its write-ahead log until it ends,
and a failure throws all of it away. Shared by every pruning command (Django's
``prune_audit_logs``, the ``keysmith prune-audit`` command): the store deletes one batch, this
loop says when to stop and what to report.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

__all__ = ["DEFAULT_BATCH_SIZE", "Progress", "batches_for", "progress_line", "prune_in_batches"]

DEFAULT_BATCH_SIZE = 10_000


@dataclasses.dataclass(frozen=True)
class Progress:
    batches: int
    deleted: int


def batches_for(rows: int, batch_size: int) -> int:
    """How many batches delete ``rows`` rows."""
    return -(-rows // batch_size)


def prune_in_batches(
    delete_batch: Callable[[int], int],
    batch_size: int = DEFAULT_BATCH_SIZE,
    report: Callable[[Progress], None] | None = None,
) -> Progress:
    """Call ``delete_batch(batch_size)`` (which deletes and commits about that many of the
    oldest rows to go, and returns how many it deleted) until a batch comes back short."""
    if batch_size < 1:
        raise ValueError("the batch size must be at least 1")
    progress = Progress(batches=0, deleted=0)
    while True:
        deleted = delete_batch(batch_size)
        if deleted == 0:
            return progress
        progress = Progress(batches=progress.batches + 1, deleted=progress.deleted + deleted)
        if report is not None:
            report(progress)
        if deleted < batch_size:
            return progress


def progress_line(progress: Progress, expected: int | None = None) -> str:
    of = f" of {expected}" if expected is not None else ""
    return f"batch {progress.batches}: {progress.deleted}{of} rows deleted"
