"""One benchmark process: one stack (current or legacy) on one database; writes JSON results.

Run by ``benchmarks/run.py`` as ``python -m benchmarks.djproject.worker --out FILE`` with the
``BENCH_*`` variables of ``settings.py`` set.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.djproject.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.backends.signals import connection_created  # noqa: E402

from benchmarks.djproject import concurrency, driver, schemes  # noqa: E402
from benchmarks.djproject.schemes import Scheme  # noqa: E402
from benchmarks.djproject.settings import DB, STACK  # noqa: E402
from benchmarks.djproject.views import scheme_views  # noqa: E402
from benchmarks.timing import Budget, interleaved, summary  # noqa: E402

DISTRIBUTIONS = (
    "django", "djangorestframework", "djangorestframework-api-key", "django-rest-knox",
    "django-keysmith", "keysmith-core", "keysmith-django", "keysmith-drf", "psycopg",
)  # fmt: skip
QUERY_SAMPLE = 4


def _sqlite_wal(sender: Any, connection: Any, **_: Any) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # WAL with NORMAL sync is the usual production setting for SQLite.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")


connection_created.connect(_sqlite_wal)


@dataclass
class Bench:
    schemes: list[Scheme]
    handlers: dict[str, Any]
    activate: Callable[[str], None]

    def request(self, scheme: Scheme, case: str) -> Callable[[], int]:
        return driver.request_fn(
            self.handlers[scheme.handler], scheme.path, scheme.credentials[case]
        )

    def prepare(self, scheme: Scheme) -> Callable[[], None]:
        variant = scheme.variant
        return (lambda: self.activate(variant)) if variant else (lambda: None)


def setup() -> Bench:
    call_command("migrate", verbosity=0, interactive=False)
    if STACK == "current":
        from benchmarks.djproject.variants import Variants

        activate = Variants().activate
    else:
        from benchmarks.djproject.variants import SingleVariant

        activate = SingleVariant().activate
    seeded = schemes.seed(STACK, set(scheme_views()), activate)
    handlers = {"api": driver.make_handler()}
    if any(s.handler == "keysmith-middleware" for s in seeded):
        handlers["keysmith-middleware"] = driver.make_handler([driver.KEYSMITH_MIDDLEWARE])
    return Bench(seeded, handlers, activate)


class QueryLog:
    """Records every statement run on the default connection (a bounded debug log would stop
    counting once full)."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.statements.append(sql)
        return execute(sql, params, many, context)


def queries_per_request(bench: Bench, scheme: Scheme, case: str) -> float:
    bench.prepare(scheme)()
    call = bench.request(scheme, case)
    log = QueryLog()
    with connection.execute_wrapper(log):
        for _ in range(QUERY_SAMPLE):
            call()
    return len(log.statements) / QUERY_SAMPLE


def _check(scheme: Scheme, case: str, statuses: set[int]) -> None:
    wanted_ok = (case == "valid" or scheme.key == "floor") and scheme.key not in schemes.REFUSING
    if (statuses != {200}) if wanted_ok else (not statuses or statuses & {200, 500}):
        raise SystemExit(f"{scheme.key}/{case} answered {sorted(statuses)}: the bench is broken")


def latency(bench: Bench, budget: Budget) -> list[dict[str, Any]]:
    rows = []
    for case in schemes.CASES:
        requests = {s.key: bench.request(s, case) for s in bench.schemes}
        prepare = {s.key: bench.prepare(s) for s in bench.schemes}
        cells = interleaved(requests, budget, prepare)
        for scheme in bench.schemes:
            cell = cells[scheme.key]
            _check(scheme, case, cell.statuses)
            queries = queries_per_request(bench, scheme, case)
            rows.append(
                {
                    "scheme": scheme.key,
                    "case": case,
                    "queries": queries,
                    "statuses": sorted(cell.statuses),
                    **summary(cell.samples),
                }
            )
            print(
                f"  {DB:8} {case:14} {scheme.key:13} {rows[-1]['median_us']:>9.1f} µs", flush=True
            )
    return rows


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in DISTRIBUTIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--threads", default="", help="thread counts for the throughput run, e.g. 1,8"
    )
    args = parser.parse_args(argv)
    budget = Budget.from_env(quick=args.quick)
    bench = setup()
    print(f"{STACK} stack on {DB}: {', '.join(s.key for s in bench.schemes)}", flush=True)
    result: dict[str, Any] = {
        "stack": STACK,
        "db": DB,
        "versions": versions(),
        "budget": budget.as_dict(),
        "schemes": [{"key": s.key, "label": s.label, "notes": s.notes} for s in bench.schemes],
        "latency": latency(bench, budget),
    }
    thread_counts = [int(n) for n in args.threads.split(",") if n]
    if thread_counts:
        result["throughput"] = concurrency.run(bench, thread_counts, budget)
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
