"""Throughput with several threads sharing one token, each calling the WSGI handler directly.

No HTTP server or client: on a 2-core machine their own CPU would dominate what is measured.
Each thread holds its own database connection (Django's connections are per thread), as the
worker threads of a threaded WSGI server do.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from django.db import connections

from benchmarks.djproject import driver
from benchmarks.djproject.schemes import REFUSING
from benchmarks.timing import THREAD_ROUNDS, Budget

if TYPE_CHECKING:
    from benchmarks.djproject.worker import Bench

WARMUP_PER_THREAD = 5


def _burst(
    handler: Any, path: str, headers: dict[str, str], threads: int, seconds: float
) -> tuple[int, float, set[int]]:
    barrier = threading.Barrier(threads + 1)
    stop = threading.Event()
    counts = [0] * threads
    finished = [0.0] * threads
    statuses: set[int] = set()

    def work(index: int) -> None:
        call = driver.request_fn(handler, path, headers)
        try:
            for _ in range(WARMUP_PER_THREAD):
                statuses.add(call())
            barrier.wait()
            done = 0
            while not stop.is_set():
                statuses.add(call())
                done += 1
            counts[index], finished[index] = done, time.perf_counter()
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for worker in workers:
        worker.join()
    return sum(counts), max(finished) - started, statuses


def run(bench: Bench, thread_counts: list[int], budget: Budget) -> list[dict[str, Any]]:
    """Requests per second of every scheme's valid case, per thread count, in interleaved rounds."""
    totals: dict[tuple[str, int], list[float]] = {}
    # The refusal floors answer 401 to everything: they have no valid case to put under load.
    measured = [scheme for scheme in bench.schemes if scheme.key not in REFUSING]
    for round_index in range(THREAD_ROUNDS):
        shift = round_index % len(measured)
        order = measured[shift:] + measured[:shift]
        for threads in thread_counts:
            for scheme in order:
                bench.prepare(scheme)()
                handler = bench.handlers[scheme.handler]
                seconds = budget.thread_seconds / THREAD_ROUNDS
                done, elapsed, statuses = _burst(
                    handler, scheme.path, scheme.credentials["valid"], threads, seconds
                )
                if statuses != {200}:
                    raise SystemExit(
                        f"{scheme.key} under {threads} threads answered {sorted(statuses)}"
                    )
                total = totals.setdefault((scheme.key, threads), [0, 0.0])
                total[0] += done
                total[1] += elapsed
        print(f"  throughput round {round_index + 1}/{THREAD_ROUNDS} done", flush=True)
    return [
        {
            "scheme": key,
            "threads": threads,
            "requests": int(done),
            "seconds": round(elapsed, 3),
            "rps": round(done / elapsed, 1),
        }
        for (key, threads), (done, elapsed) in totals.items()
    ]
