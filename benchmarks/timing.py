"""Sampling per-request latency in interleaved rounds, and the statistics the report shows."""

from __future__ import annotations

import math
import os
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# Rounds of the throughput run: few and long, as every burst starts fresh threads, each
# opening its own database connection.
THREAD_ROUNDS = 4

# A request function: performs one request and returns its HTTP status.
Request = Callable[[], int]


@dataclass(frozen=True)
class Budget:
    """How much to measure: requests per cell, rounds they are spread over, a time cap per cell.

    ``BENCH_REQUESTS`` / ``BENCH_ROUNDS`` / ``BENCH_CELL_SECONDS`` / ``BENCH_THREAD_SECONDS``
    override the defaults; ``--quick`` divides them for development runs.
    """

    requests: int = 1000
    # Many short rounds: load from other processes changes within seconds, and each round
    # puts every scheme through the same stretch of it.
    rounds: int = 50
    warmup: int = 30
    cell_seconds: float = 8.0
    thread_seconds: float = 4.0

    @classmethod
    def from_env(cls, *, quick: bool = False) -> Budget:
        base = cls(requests=200, rounds=10, warmup=10, cell_seconds=3.0, thread_seconds=1.0)
        base = base if quick else cls()
        env = os.environ
        return cls(
            requests=int(env.get("BENCH_REQUESTS", base.requests)),
            rounds=int(env.get("BENCH_ROUNDS", base.rounds)),
            warmup=int(env.get("BENCH_WARMUP", base.warmup)),
            cell_seconds=float(env.get("BENCH_CELL_SECONDS", base.cell_seconds)),
            thread_seconds=float(env.get("BENCH_THREAD_SECONDS", base.thread_seconds)),
        )

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Cell:
    """The samples of one scheme in one case, in nanoseconds, and the statuses it answered."""

    samples: list[int] = field(default_factory=list)
    statuses: set[int] = field(default_factory=set)
    spent: float = 0.0


def summary(samples_ns: Sequence[int]) -> dict[str, float]:
    """Median and p99 in microseconds, and requests per second from the median."""
    ordered = sorted(samples_ns)
    median = statistics.median(ordered) / 1000
    p99 = ordered[min(len(ordered) - 1, math.ceil(0.99 * len(ordered)) - 1)] / 1000
    return {
        "median_us": round(median, 1),
        "p99_us": round(p99, 1),
        "rps": round(1e6 / median, 1) if median else 0.0,
        "n": len(ordered),
    }


# Runs up to ``count`` requests, stopping early after ``cap`` seconds; returns each one's
# duration in nanoseconds and the statuses answered.
Block = Callable[[int, float], tuple[list[int], set[int]]]
clock = time.perf_counter_ns


class Sampler:
    """The bookkeeping of one block, shared by the sync and the async request loops."""

    def __init__(self, count: int, cap: float) -> None:
        self.left = count
        self.deadline = clock() + int(cap * 1e9)
        self.last = 0
        self.samples: list[int] = []
        self.statuses: set[int] = set()

    def more(self) -> bool:
        return self.left > 0 and self.last <= self.deadline

    def record(self, begin: int, status: int) -> None:
        self.last = clock()
        self.samples.append(self.last - begin)
        self.statuses.add(status)
        self.left -= 1

    def result(self) -> tuple[list[int], set[int]]:
        return self.samples, self.statuses


def sync_block(request: Request) -> Block:
    def run(count: int, cap: float) -> tuple[list[int], set[int]]:
        sampler = Sampler(count, cap)
        while sampler.more():
            begin = clock()
            sampler.record(begin, request())
        return sampler.result()

    return run


def _nothing() -> None:
    return None


def interleaved(
    requests: Mapping[str, Request],
    budget: Budget,
    prepare: Mapping[str, Callable[[], None]] | None = None,
) -> dict[str, Cell]:
    """``interleaved_blocks`` for plain request functions."""
    blocks = {name: sync_block(request) for name, request in requests.items()}
    return interleaved_blocks(blocks, budget, prepare)


def interleaved_blocks(
    blocks: Mapping[str, Block],
    budget: Budget,
    prepare: Mapping[str, Callable[[], None]] | None = None,
) -> dict[str, Cell]:
    """Measure every scheme in the same rounds, rotating the order, so machine noise (other
    processes, frequency changes) lands on all of them alike rather than on one.

    ``prepare[name]`` runs before each block of a scheme's requests, outside the timing.
    """
    names = list(blocks)
    prepare = prepare or {}
    cells = {name: Cell() for name in names}
    for name in names:
        prepare.get(name, _nothing)()
        cells[name].statuses |= blocks[name](budget.warmup, budget.cell_seconds / 4)[1]
    per_round = max(1, math.ceil(budget.requests / budget.rounds))
    round_cap = budget.cell_seconds / budget.rounds
    for round_index in range(budget.rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            cell = cells[name]
            prepare.get(name, _nothing)()
            started = time.perf_counter()
            samples, statuses = blocks[name](per_round, round_cap)
            cell.spent += time.perf_counter() - started
            cell.samples += samples
            cell.statuses |= statuses
    return cells
