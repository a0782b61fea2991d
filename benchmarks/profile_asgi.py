"""Where a FastAPI request's time goes with keysmith's SQL store: pyinstrument over the
benchmark's own app, one request at a time or many in flight.

``python -m benchmarks.profile_asgi [--postgres | --url URL] [--scheme fa_keysmith]
[--case valid] [--requests N] [--in-flight N]``; without either, a SQLite file in a temporary
folder; ``--postgres`` starts a throwaway server as the benchmark suite does.
For a flame graph of the same loop, run it under ``py-spy record -o out.svg -- python -m ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from pyinstrument import Profiler

from benchmarks import fastapi_apps as apps
from benchmarks import postgres
from benchmarks.fastapi_bench import call_of, in_flight


async def build(scheme: str, url: str) -> apps.Built:
    keysmith = await apps.keysmith(url, middleware=scheme == "fa_keysmith_mw")
    if scheme != "fa_floor":
        return keysmith
    if url.startswith("postgresql"):
        return await apps.postgres_floor(url.rpartition("/")[0] + "/prof_floor", keysmith.raws)
    folder = Path(tempfile.mkdtemp(prefix="keysmith-prof-"))
    return await apps.sqlite_floor(str(folder / "floor.sqlite3"), keysmith.raws)


async def run(built: apps.Built, case: str, requests: int, concurrency: int) -> None:
    call = call_of(built, case)
    if concurrency > 1:
        await in_flight(call, concurrency, requests / 5000)
        return
    for _ in range(requests):
        await call()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: a new SQLite file)")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server")
    parser.add_argument("--scheme", default="fa_keysmith",
                        choices=("fa_keysmith", "fa_keysmith_mw", "fa_floor"))  # fmt: skip
    parser.add_argument("--case", default="valid")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--in-flight", type=int, default=1)
    parser.add_argument("--interval", type=float, default=0.0001, help="sampling seconds")
    args = parser.parse_args(argv)
    if not args.postgres:
        url = args.url or f"sqlite:///{tempfile.mkdtemp(prefix='keysmith-prof-')}/p.sqlite3"
        print(profile(args, url))
        return
    with postgres.server(("prof_keysmith", "prof_floor")) as info:
        if info is None:
            raise SystemExit("PostgreSQL is not installed here")
        print(profile(args, f"postgresql://{info.user}@{info.host}:{info.port}/prof_keysmith"))


def profile(args: argparse.Namespace, url: str) -> str:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    built = loop.run_until_complete(build(args.scheme, url))
    loop.run_until_complete(run(built, args.case, 200, args.in_flight))  # warm-up
    profiler = Profiler(interval=args.interval)
    profiler.start()
    loop.run_until_complete(run(built, args.case, args.requests, args.in_flight))
    profiler.stop()
    loop.run_until_complete(built.close())
    loop.close()
    text: str = profiler.output_text(unicode=True, color=False, show_all=False)
    return text


if __name__ == "__main__":
    main(sys.argv[1:])
