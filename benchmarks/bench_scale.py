"""keysmith on large tables: ``python -m benchmarks.bench_scale [--max TOKENS]``.

Grows one data set in a throwaway PostgreSQL (``generate_series``) through the tiers 10 k
tokens / 100 k audit rows, 100 k / 1 M and 1 M / 10 M (``--max`` stops earlier), and at each
tier times every admin page (Django's test client, a logged-in superuser), authentication and
the listing and pruning commands (each in its own process, start-up included). A page over the
200 ms target gets the EXPLAIN ANALYZE of its slowest query. Writes ``benchmarks/SCALE.md``.
Never part of ``make test``: the largest tier takes long on a small machine.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from benchmarks import postgres

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATABASE = "keysmith_scale"
# The SQL tables apart: keysmith-sqlalchemy's keysmith_token_scopes is also the name of the
# Django model's many-to-many table.
SQL_DATABASE = "keysmith_scale_sql"
TIERS = ((10_000, 100_000), (100_000, 1_000_000), (1_000_000, 10_000_000))
PAGE_TARGET_MS = 200.0
COMMAND_TARGET_S = 1.0


@dataclass
class Measure:
    what: str
    cells: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    rows: dict[str, Measure] = field(default_factory=dict)
    plans: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)

    def put(self, what: str, tier: str, cell: str) -> None:
        self.rows.setdefault(what, Measure(what)).cells[tier] = cell
        print(f"  {what}: {cell}", flush=True)


def tier_name(tokens: int, rows: int) -> str:
    def short(n: int) -> str:
        return f"{n // 1_000_000} M" if n >= 1_000_000 else f"{n // 1000} k"

    return f"{short(tokens)} / {short(rows)}"


def timed(call: Callable[[], Any], repeat: int) -> float:
    """Median milliseconds of ``repeat`` calls, after one warm-up call."""
    call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def admin_pages(busy: Any, quiet: Any) -> list[tuple[str, str]]:
    from benchmarks.scale.data import BUSY_PREFIX, QUIET_PREFIX

    # As the time filter's "Past 7 days" link has them: midnights, with their offset.
    today = datetime.datetime.now(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    week = quote(str(today - datetime.timedelta(days=7)))
    tomorrow = quote(str(today + datetime.timedelta(days=1)))
    audit = "/admin/keysmith/tokenauditlog/"
    tokens = "/admin/keysmith/token/"
    return [
        ("admin token list", tokens),
        ("admin token list, page 50", f"{tokens}?p=50"),
        ("admin token search by prefix", f"{tokens}?q={QUIET_PREFIX[:-1]}"),
        ("admin token search by name", f"{tokens}?q=svc-4242"),
        ("admin token list, revoked", f"{tokens}?revoked__exact=1"),
        ("admin token change page (busy token)", f"{tokens}{busy.pk}/change/"),
        ("admin audit log, default page", audit),
        ("admin audit log, page 50", f"{audit}?p=50"),
        ("admin audit log of the busy token", f"{audit}?token={BUSY_PREFIX}"),
        ("admin audit log of a quiet token", f"{audit}?token={quiet.prefix}"),
        ("admin audit log, action auth_failed", f"{audit}?action__exact=auth_failed"),
        ("admin audit log, status 5xx", f"{audit}?status=5xx"),
        ("admin audit log, status 4xx", f"{audit}?status=4xx"),
        (
            "admin audit log, past 7 days",
            f"{audit}?created_at__gte={week}&created_at__lt={tomorrow}",
        ),
        ("admin audit log, search by prefix", f"{audit}?q={BUSY_PREFIX}"),
    ]


def measure_pages(report: Report, tier: str, repeat: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from benchmarks.scale.data import BUSY_PREFIX, QUIET_PREFIX
    from keysmith.models import Token

    user_model = get_user_model()
    admin, _ = user_model.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(admin)
    busy = Token.objects.get(prefix=BUSY_PREFIX)
    quiet = Token.objects.get(prefix=QUIET_PREFIX)
    for what, url in admin_pages(busy, quiet):

        def get(url: str = url) -> Any:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            return response

        try:
            median = timed(get, repeat)
        except Exception as error:
            report.put(what, tier, f"error: {error}")
            continue
        with CaptureQueriesContext(connection) as queries:
            get()
        count = len(queries.captured_queries)
        sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
        report.put(what, tier, f"{median:.0f} ms ({count} q, {sql_ms:.1f} ms SQL)")
        if median > PAGE_TARGET_MS:
            slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            report.plans.append(
                f"### {what} at {tier}: {median:.0f} ms\n\n```sql\n{slowest['sql']}\n```\n\n"
                f"```text\n{plan}\n```\n"
            )


def measure_authentication(report: Report, tier: str) -> None:
    from keysmith.auth.base import authenticate_token
    from keysmith.services.tokens import create_token

    _, raw = create_token(name="bench-auth")
    median = timed(lambda: authenticate_token(raw), 200)
    report.put("authentication (one token, secret remembered)", tier, f"{median:.2f} ms")


def run_command(env: dict[str, str], tool: str, *argv: str) -> tuple[float, int]:
    """Wall seconds (start-up included) and peak memory (MB) of one command."""
    with tempfile.NamedTemporaryFile(suffix=".rss") as rss:
        command = [sys.executable, "-m", "benchmarks.scale.command", rss.name, tool, *argv]
        start = time.perf_counter()
        subprocess.run(
            command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        elapsed = time.perf_counter() - start
        peak = int(Path(rss.name).read_text(encoding="utf-8") or 0) // 1024
    return elapsed, peak


def measure_commands(report: Report, tier: str, env: dict[str, str], sql_url: str) -> None:
    from benchmarks.scale.data import BUSY_PREFIX

    commands = [
        ("start-up alone: manage.py version", "django", ("version",)),
        ("manage.py list_tokens", "django", ("list_tokens",)),
        ("manage.py list_tokens --all --jsonl", "django", ("list_tokens", "--all", "--jsonl")),
        ("manage.py list_audit_logs", "django", ("list_audit_logs",)),
        (
            "manage.py list_audit_logs --token BUSY",
            "django",
            ("list_audit_logs", "--token", BUSY_PREFIX),
        ),
        (
            "manage.py prune_audit_logs --days 30 --dry-run",
            "django",
            ("prune_audit_logs", "--days", "30", "--dry-run"),
        ),
        ("start-up alone: keysmith --help", "keysmith", ("--help",)),
        ("keysmith list", "keysmith", ("--database-url", sql_url, "list")),
        (
            "keysmith list --all --jsonl",
            "keysmith",
            ("--database-url", sql_url, "list", "--all", "--jsonl"),
        ),
        (
            "keysmith audit --prefix BUSY",
            "keysmith",
            ("--database-url", sql_url, "audit", "--prefix", BUSY_PREFIX),
        ),
        (
            "keysmith prune-audit --days 30 --dry-run",
            "keysmith",
            ("--database-url", sql_url, "prune-audit", "--days", "30", "--dry-run"),
        ),
    ]
    for what, tool, argv in commands:
        try:
            seconds, peak = run_command(env, tool, *argv)
        except subprocess.CalledProcessError as error:
            report.put(what, tier, f"error: {error.stderr.decode().strip()[-200:]}")
            continue
        report.put(what, tier, f"{seconds:.2f} s, {peak} MB")


def measure_prune(report: Report, tier: str, env: dict[str, str], sql_url: str, days: int) -> None:
    """The real thing, last (it deletes the rows older than ``days`` of the 90): time, rows,
    WAL written."""
    import psycopg

    for what, tool, argv, pg in (
        (
            f"manage.py prune_audit_logs --days {days}",
            "django",
            ("prune_audit_logs", "--days", str(days)),
            env["BENCH_DSN"],
        ),
        (
            f"keysmith prune-audit --days {days}",
            "keysmith",
            ("--database-url", sql_url, "prune-audit", "--days", str(days)),
            sql_url,
        ),
    ):
        table = "keysmith_token_audit_log" if tool == "django" else "keysmith_audit_events"
        with psycopg.connect(pg, autocommit=True) as connection:
            before = connection.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
            rows = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        seconds, peak = run_command(env, tool, *argv)
        with psycopg.connect(pg, autocommit=True) as connection:
            wal = connection.execute(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", (before,)
            ).fetchone()[0]
            left = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        report.put(
            what,
            tier,
            f"{rows - left} rows in {seconds:.0f} s, {peak} MB, {int(wal) // 2**20} MB WAL "
            "in transactions of 10 000 rows",
        )


def render(report: Report, started: str, machine: str) -> str:
    header = "| what | " + " | ".join(report.tiers) + " |"
    rule = "| --- " * (len(report.tiers) + 1) + "|"
    lines = [
        "# keysmith at scale",
        "",
        "Written by `python -m benchmarks.bench_scale` (see its docstring); "
        f"started {started} on {machine}.",
        "",
        "Tiers: tokens / audit rows, one data set grown in place (tokens created over a year, "
        "audit rows over 90 days, one busy token holding a fifth of them). Pages: median of "
        "the timed requests after a warm-up, with the number of SQL queries of one request "
        "and their time in the database (the rest is Django rendering the page). "
        "Commands: one run each, in their own process, start-up included, with peak memory. "
        f"Targets: every admin page ≤ {PAGE_TARGET_MS:.0f} ms; the first page of a listing "
        f"≤ {COMMAND_TARGET_S:.0f} s. The server is the test suite's throwaway one "
        "(`fsync`, `synchronous_commit` and `full_page_writes` off), so write-ahead log "
        "figures are smaller than a production server's, where full-page images follow each "
        "checkpoint.",
        "",
        header,
        rule,
    ]
    for measure in report.rows.values():
        cells = [measure.cells.get(tier, "—") for tier in report.tiers]
        lines.append(f"| {measure.what} | " + " | ".join(cells) + " |")
    lines += ["", *report.notes]
    if report.plans:
        lines += ["", "## Plans of the pages over target", "", *report.plans]
    else:
        lines += ["", "No page was over its target, so no plans are shown."]
    return "\n".join(lines) + "\n"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} × {cpu}, load {os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=int, default=TIERS[-1][0], help="largest token count")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page")
    parser.add_argument("--no-prune", action="store_true", help="skip the real prune at the end")
    parser.add_argument(
        "--prune-days", type=int, default=30, help="the real prune's --days (of 90 days of rows)"
    )
    parser.add_argument("--out", type=Path, default=HERE / "SCALE.md")
    args = parser.parse_args()
    tiers = [tier for tier in TIERS if tier[0] <= args.max]
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = Report()
    with postgres.server((DATABASE, SQL_DATABASE)) as server:
        if server is None:
            raise SystemExit("PostgreSQL is needed for this benchmark")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "benchmarks.scale.settings",
            "BENCH_PG_HOST": server.host,
            "BENCH_PG_PORT": str(server.port),
            "BENCH_PG_USER": server.user,
            "BENCH_PG_NAME": DATABASE,
            "BENCH_DSN": server.url(dbname=DATABASE),
        }
        os.environ.update(env)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from benchmarks.scale.data import grow
        from keysmith.sqlalchemy import create_all

        call_command("migrate", verbosity=0)
        sql_url = server.url(dbname=SQL_DATABASE)
        create_all(sql_url)
        import psycopg

        sql_connection = psycopg.connect(sql_url, autocommit=True)
        for tokens, rows in tiers:
            tier = tier_name(tokens, rows)
            report.tiers.append(tier)
            # Other work on the machine shows in the figures: say how busy it was.
            report.put("machine load (1 min average) at the tier's start", tier,
                       f"{os.getloadavg()[0]:.1f}")  # fmt: skip
            print(f"\n== {tier}: growing the data set", flush=True)
            start = time.perf_counter()
            with connection.cursor() as cursor:
                grow(cursor, "django", tokens, rows)
            with sql_connection.cursor() as cursor:
                grow(cursor, "sql", tokens, rows)
            report.put("building the data set (both schemas)", tier,
                       f"{time.perf_counter() - start:.0f} s")  # fmt: skip
            measure_pages(report, tier, args.repeat)
            measure_authentication(report, tier)
            measure_commands(report, tier, env, sql_url)
            # After each tier: an interrupted run keeps what it measured.
            args.out.write_text(render(report, started, machine()), encoding="utf-8")
        if not args.no_prune:
            print("\n== pruning, for real", flush=True)
            measure_prune(report, report.tiers[-1], env, sql_url, args.prune_days)
    args.out.write_text(render(report, started, machine()), encoding="utf-8")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
