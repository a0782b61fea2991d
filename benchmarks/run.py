"""Run the whole suite and write RESULTS.md and results.png: ``python -m benchmarks.run``.

Each process measures every scheme it holds in interleaved rounds, so ratios within a process
hold on a noisy machine: the workspace stack on SQLite, then on PostgreSQL (plus threads),
django-keysmith 0.1.2 in its own virtualenv (``--legacy-python``) on both, and the ASGI suite.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import postgres
from benchmarks.plot import plot
from benchmarks.report import render
from benchmarks.results import Results
from benchmarks.targets import checks, table
from benchmarks.timing import THREAD_ROUNDS, Budget

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
THREADS = "1,8"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load() -> str:
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def worker(python: str, module: str, out: Path, env: dict[str, str], *args: str) -> Path:
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | env
    command = [python, "-m", module, "--out", str(out), *args]
    print(f"\n$ {' '.join(f'{k}={v}' for k, v in env.items())} {' '.join(command)}", flush=True)
    subprocess.run(command, cwd=ROOT, env=full_env, check=True)
    return out


def method(budget: Budget, legacy: bool, pg: bool) -> list[str]:
    return [
        f"Per cell: {budget.warmup} warm-up requests, then up to {budget.requests} requests in "
        f"{budget.rounds} interleaved rounds (every scheme once per round, order rotated), capped "
        f"at {budget.cell_seconds:g} s per cell (so slow schemes get fewer samples).",
        "Django: each request is a call of Django's WSGI handler in-process (URL routing, "
        "SecurityMiddleware, CommonMiddleware, the DRF view, the response rendered and closed); "
        "persistent DB connections; SQLite is a file in WAL mode (synchronous=NORMAL); PostgreSQL "
        "is a throwaway local server (fsync off, as the test suite runs it). Queries per request "
        "count the statements on the request's own connection (not a buffered audit sink's "
        "background writes).",
        "Threads: N threads call the WSGI handler directly (no HTTP server or client, whose CPU "
        "would dominate on 2 cores), each with its own DB connection, all sending the same token; "
        f"{budget.thread_seconds:g} s per scheme and thread count, in {THREAD_ROUNDS} "
        "interleaved rounds.",
        "ASGI: direct ASGI calls of a Starlette app (no server, no HTTP client), one event-loop "
        "entry per block of requests.",
        "Flask: each request a call of the Flask app's WSGI callable in-process (routing, the "
        "view, the JSON response built and closed); every scheme on one SQLite file in WAL mode "
        "(synchronous=NORMAL) through Flask-SQLAlchemy's engine.",
        "FastAPI: the same direct calls of a FastAPI app, one process per database, each scheme "
        "over its own SQLite file or PostgreSQL database (the throwaway server, over TCP on "
        "127.0.0.1); then, per scheme, 50 tasks each sending its next valid request as soon as "
        f"the last one ended, {budget.thread_seconds:g} s per scheme in {THREAD_ROUNDS} "
        "interleaved rounds after a short warm-up, counting the requests answered 200.",
        " ".join(
            ["Ratios are of medians measured in the same process."]
            + ([] if legacy else ["django-keysmith 0.1.2 was not measured (no --legacy-python)."])
            + ([] if pg else ["PostgreSQL was not measured."])
        ),
    ]


DJANGO_WORKER = "benchmarks.djproject.worker"


def sqlite_runs(stacks: list[tuple[str, str]], work: Path, flags: list[str]) -> list[Path]:
    outputs = []
    for stack, python in stacks:
        env = {"BENCH_STACK": stack, "BENCH_DB": "sqlite"}
        env["BENCH_SQLITE_PATH"] = str(work / f"{stack}.sqlite3")
        outputs.append(worker(python, DJANGO_WORKER, work / f"{stack}-sqlite.json", env, *flags))
    return outputs


def postgres_runs(stacks: list[tuple[str, str]], work: Path, flags: list[str]) -> list[Path]:
    """One server for every stack, one database each; the thread runs happen here too."""
    outputs = []
    with postgres.server(tuple(f"bench_{stack}" for stack, _ in stacks)) as info:
        if info is None:
            return []
        for stack, python in stacks:
            env = {
                "BENCH_STACK": stack, "BENCH_DB": "postgres", "BENCH_PG_HOST": info.host,
                "BENCH_PG_PORT": str(info.port), "BENCH_PG_USER": info.user,
                "BENCH_PG_NAME": f"bench_{stack}",
            }  # fmt: skip
            out = work / f"{stack}-postgres.json"
            outputs.append(worker(python, DJANGO_WORKER, out, env, "--threads", THREADS, *flags))
    return outputs


FASTAPI_WORKER = "benchmarks.fastapi_bench"


def fastapi_runs(work: Path, flags: list[str], skip: set[str]) -> list[Path]:
    """The FastAPI suite in a process per database: SQLite files, then a PostgreSQL server."""
    outputs = []
    if "fastapi-sqlite" not in skip:
        folder = work / "fastapi-sqlite"
        folder.mkdir()
        out = work / "fastapi-sqlite.json"
        args = ("--db", "sqlite", "--target", str(folder), *flags)
        outputs.append(worker(sys.executable, FASTAPI_WORKER, out, {}, *args))
    if "fastapi-postgres" in skip:
        return outputs
    with postgres.server(("bench_fa_ks", "bench_fa_kd", "bench_fa_floor")) as info:
        if info is not None:
            target = f"postgresql://{info.user}@{info.host}:{info.port}"
            out = work / "fastapi-postgres.json"
            args = ("--db", "postgres", "--target", target, *flags)
            outputs.append(worker(sys.executable, FASTAPI_WORKER, out, {}, *args))
    return outputs


def machine(started: datetime.datetime, load_before: str, quick: bool) -> dict[str, str]:
    return {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": f"{cpu_model()}, {os.cpu_count()} cores",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "load average (1/5/15 min) before / after": f"{load_before} / {load()}",
        "mode": "quick (development numbers)" if quick else "full",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a short run for development")
    parser.add_argument("--legacy-python", help="python of a venv with django-keysmith 0.1.2")
    parser.add_argument("--output", default=str(HERE / "RESULTS.md"))
    parser.add_argument(
        "--skip",
        default="",
        help="comma-separated: sqlite,postgres,legacy,asgi,flask,fastapi (or fastapi-sqlite, "
        "fastapi-postgres)",
    )
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    budget = Budget.from_env(quick=args.quick)
    flags = ["--quick"] if args.quick else []
    work = Path(tempfile.mkdtemp(prefix="keysmith-bench-"))
    started, load_before = datetime.datetime.now(datetime.timezone.utc), load()
    legacy = None if "legacy" in skip else args.legacy_python
    stacks = [("current", sys.executable)] + ([("legacy", legacy)] if legacy else [])
    outputs = [] if "sqlite" in skip else sqlite_runs(stacks, work, flags)
    pg_outputs = [] if "postgres" in skip else postgres_runs(stacks, work, flags)
    outputs += pg_outputs
    if "asgi" not in skip:
        sqlite_file = str(work / "asgi.sqlite3")
        out = work / "asgi.json"
        outputs.append(
            worker(
                sys.executable, "benchmarks.asgi_bench", out, {}, "--sqlite", sqlite_file, *flags
            )
        )
    if "flask" not in skip:
        flask_args = ("--sqlite", str(work / "flask.sqlite3"), *flags)
        outputs.append(
            worker(sys.executable, "benchmarks.flask_bench", work / "flask.json", {}, *flask_args)
        )
    if "fastapi" not in skip:
        outputs += fastapi_runs(work, flags, skip)
    results = Results.load(outputs)
    found = checks(results)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    about = method(budget, bool(legacy), bool(pg_outputs))
    output.write_text(
        render(results, found, machine(started, load_before, args.quick), about), encoding="utf-8"
    )
    plot(results, output.with_name("results.png"))
    print("\n" + "\n".join(table(found)))
    print(f"\nwrote {output} and {output.with_name('results.png')}")


if __name__ == "__main__":
    main(sys.argv[1:])
