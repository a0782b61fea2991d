"""The batch loop every pruning command shares: when it stops and what it reports."""

from __future__ import annotations

import pytest

from keysmith.core.pruning import Progress, batches_for, progress_line, prune_in_batches


def deleter(rows: int) -> tuple[list[int], object]:
    calls: list[int] = []

    def delete_batch(limit: int) -> int:
        nonlocal rows
        calls.append(limit)
        deleted = min(rows, limit)
        rows -= deleted
        return deleted

    return calls, delete_batch


@pytest.mark.parametrize(
    ("rows", "size", "batches", "calls"),
    [(25, 10, 3, 3), (20, 10, 2, 3), (0, 10, 0, 1), (1, 1, 1, 2), (9, 10, 1, 1)],
)
def test_prune_in_batches_rows_batch_size_stops_after_short_batch(
    rows: int, size: int, batches: int, calls: int
) -> None:
    made, delete_batch = deleter(rows)
    reported: list[Progress] = []
    done = prune_in_batches(delete_batch, size, reported.append)  # type: ignore[arg-type]
    assert done == Progress(batches=batches, deleted=rows)
    assert len(made) == calls
    assert set(made) <= {size}
    assert [p.batches for p in reported] == list(range(1, batches + 1))
    assert batches_for(rows, size) == batches


def test_prune_in_batches_zero_batch_size_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        prune_in_batches(lambda limit: 0, 0)


def test_progress_line_with_expected_total() -> None:
    assert progress_line(Progress(2, 20), 25) == "batch 2: 20 of 25 rows deleted"
