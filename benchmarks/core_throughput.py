"""Throughput of the core's hot path: parse + verify, cached and cold (PBKDF2, HMAC)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from keysmith.core import (
    Hashing,
    HMACSHA256TokenHasher,
    MemoryTokenStore,
    NullAuditSink,
    PBKDF2SHA512TokenHasher,
    TokenPolicy,
    TokenService,
    parse,
)


def measure(label: str, fn: Callable[[], object], repeat: int) -> tuple[str, float, float]:
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        samples.append((time.perf_counter() - start) / repeat)
    per_op = statistics.median(samples)
    return label, per_op * 1e6, 1 / per_op


def main() -> None:
    pbkdf2 = PBKDF2SHA512TokenHasher()
    fast = HMACSHA256TokenHasher({"k1": "benchmark-pepper-0123456789"})
    cached = TokenService(MemoryTokenStore(), sink=NullAuditSink())
    _, raw = cached.create(name="bench")
    cached.authenticate(raw)
    uncached = TokenService(MemoryTokenStore(), sink=NullAuditSink(), cache_size=0)
    _, cold_raw = uncached.create(name="bench")
    hmac_service = TokenService(
        MemoryTokenStore(),
        policy=TokenPolicy(hashing=Hashing(fast)),
        sink=NullAuditSink(),
        cache_size=0,
    )
    _, hmac_raw = hmac_service.create(name="bench")
    stored = pbkdf2.hash("x" * 32)

    rows = [
        measure("parse only", lambda: parse(raw), 20_000),
        measure(
            "authenticate, cached PBKDF2 (memory store)", lambda: cached.authenticate(raw), 20_000
        ),
        measure(
            "authenticate, HMAC-SHA256, no cache",
            lambda: hmac_service.authenticate(hmac_raw),
            20_000,
        ),
        measure(
            "authenticate, cold PBKDF2 (cache off)", lambda: uncached.authenticate(cold_raw), 20
        ),
        measure(
            "PBKDF2-SHA512 verify alone (100k rounds)", lambda: pbkdf2.verify("x" * 32, stored), 20
        ),
    ]
    print("| operation | µs per op | ops per second |")
    print("| --- | ---: | ---: |")
    for label, micros, rate in rows:
        print(f"| {label} | {micros:,.1f} | {rate:,.0f} |")
    cold, warm = rows[3][1], rows[1][1]
    print(f"\ncached vs cold PBKDF2 authentication: {cold / warm:,.0f}x faster")


if __name__ == "__main__":
    main()
