"""Where keysmith's time goes per request: cProfile over one scheme and case, plus its SQL.

``python -m benchmarks.profile_keysmith [--scheme ks_default] [--case valid] [--requests N]``
with the ``BENCH_*`` variables of ``djproject/settings.py`` (default: a SQLite file in a
temporary folder). Prints per-request time of the stages that matter and the top functions.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time

if "BENCH_SQLITE_PATH" not in os.environ:
    os.environ["BENCH_SQLITE_PATH"] = os.path.join(
        tempfile.mkdtemp(prefix="keysmith-prof-"), "p.sqlite3"
    )

from django.db import connection

from benchmarks.djproject.worker import QueryLog, setup

# (label, file suffix, function name): cumulative time per request of each stage; stages whose
# function is not found (renamed, or not on this path) are left out of the table.
STAGES = (
    ("whole request (WSGI handler)", "django/core/handlers/wsgi.py", "__call__"),
    ("DRF dispatch (view + authentication)", "rest_framework/views.py", "dispatch"),
    ("keysmith: authenticate_request", "keysmith/django/authentication.py", "authenticate_request"),
    ("keysmith: core service authenticate", "keysmith/core/service.py", "authenticate"),
    ("keysmith: parse + checksum", "keysmith/core/format.py", "parse"),
    ("keysmith: verified-secret cache check", "keysmith/core/cache.py", "check"),
    ("keysmith: hasher verify (cache miss)", "keysmith/core/hashing.py", "verify"),
    ("keysmith: store get_by_prefix (SELECT)", "keysmith/django/store.py", "get_by_prefix"),
    ("keysmith: store touch (UPDATE last_used_at)", "keysmith/django/store.py", "touch"),
    (
        "keysmith: record_request_outcome (all auditing)",
        "keysmith/django/authentication.py",
        "record_request_outcome",
    ),
    ("keysmith: build the audit event", "keysmith/core/events.py", "request_event"),
    ("keysmith: audit sink emit (INSERT)", "keysmith/django/audit.py", "emit"),
    ("keysmith: request_context", "keysmith/django/context.py", "request_context"),
    ("keysmith: get_settings", "keysmith/django/settings.py", "get_settings"),
    ("keysmith: get_service", "keysmith/django/runtime.py", "get_service"),
    ("DB: cursor execute (all queries)", "django/db/backends/utils.py", "_execute"),
)


def stage_table(stats: pstats.Stats, requests: int) -> list[str]:
    raw = stats.stats  # type: ignore[attr-defined]
    lines = ["| stage | calls/request | µs/request (profiled) |", "| --- | ---: | ---: |"]
    for label, suffix, name in STAGES:
        calls, cumulative = 0, 0.0
        for (filename, _line, function), (_cc, nc, _tt, ct, _callers) in raw.items():
            if function == name and filename.endswith(suffix):
                calls += nc
                cumulative += ct
        if calls:
            lines.append(
                f"| {label} | {calls / requests:.2f} | {cumulative / requests * 1e6:,.1f} |"
            )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scheme", default="ks_default")
    parser.add_argument("--case", default="valid")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    bench = setup()
    scheme = next(s for s in bench.schemes if s.key == args.scheme)
    bench.prepare(scheme)()
    call = bench.request(scheme, args.case)
    for _ in range(200):
        call()
    started = time.perf_counter()
    for _ in range(args.requests):
        call()
    plain = (time.perf_counter() - started) / args.requests * 1e6
    log = QueryLog()
    with connection.execute_wrapper(log):
        call()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        call()
    profiler.disable()
    stats = pstats.Stats(profiler)
    where = f"{scheme.label} / {args.case} on {connection.vendor}"
    print(f"{where}: {plain:,.1f} µs per request unprofiled")
    print(f"\nSQL of one request ({len(log.statements)} queries):")
    for sql in log.statements:
        print(f"  {sql[:200]}")
    print("\n" + "\n".join(stage_table(stats, args.requests)) + "\n")
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main(sys.argv[1:])
