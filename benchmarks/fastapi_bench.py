"""FastAPI over SQL: keysmith's defaults against the one-indexed-read floor, no authentication
and keyshield 2.0.1, on SQLite (aiosqlite) or PostgreSQL (asyncpg); direct ASGI calls, one
request at a time per sample, then 50 requests in flight for throughput."""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import time
from collections.abc import Awaitable, Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import fastapi_apps as apps
from benchmarks.asgi_bench import Call, asgi_call, async_block
from benchmarks.timing import THREAD_ROUNDS, Budget, interleaved_blocks, summary

CASES = ("valid", "missing", "malformed", "wrong_secret", "unknown_prefix", "revoked")
# keyshield's defaults sleep 0.1-0.3 s in every verification: a few cases tell enough.
SLOW_SCHEMES = {"fa_keyshield", "fa_keyshield_cache"}
SLOW_CASES = ("valid", "wrong_secret")
IN_FLIGHT = 50

SCHEMES = [
    {"key": "fa_none", "label": "FastAPI route, no authentication", "notes": ""},
    {
        "key": "fa_floor",
        "label": "one plaintext indexed SELECT (the floor)",
        "notes": (
            "a FastAPI dependency reading the header and selecting the plaintext token's revoked "
            "flag by its primary key with the same driver: one aiosqlite connection on SQLite "
            "(execute_fetchall, one trip to its thread), an asyncpg pool of its default 10 "
            "connections on PostgreSQL (pool.fetchrow); 401 when absent or revoked (DRF's rule)"
        ),
    },
    {
        "key": "fa_keysmith",
        "label": "keysmith, defaults (FastAPI dependency)",
        "notes": (
            "from_url(url) with every default (SHA-256, audit rows buffered, the engine it "
            "makes) and Depends(KeysmithToken(auth)) on the route"
        ),
    },
    {
        "key": "fa_keysmith_mw",
        "label": "keysmith, defaults (ASGI middleware)",
        "notes": "the same authenticator as KeysmithMiddleware(app, auth, required=True)",
    },
    {
        "key": "fa_keysmith_audit_off",
        "label": "keysmith, audit off (FastAPI dependency)",
        "notes": "evidence: from_url(url, sink=NullAuditSink()), the same dependency",
    },
    {
        "key": "fa_keysmith_memory",
        "label": "keysmith, in-memory store, audit off (FastAPI dependency)",
        "notes": (
            "evidence: the same dependency over AsyncMemoryTokenStore: keysmith and FastAPI's "
            "dependency machinery with no database at all"
        ),
    },
    {
        "key": "fa_op_floor_read",
        "label": "operation: the floor's read alone",
        "notes": "evidence: the floor's driver call for the valid token, awaited directly",
    },
    {
        "key": "fa_op_store_read",
        "label": "operation: the store's read alone",
        "notes": "evidence: AsyncSQLTokenStore.get_by_prefix(prefix) of the valid token",
    },
    {
        "key": "fa_op_authenticate",
        "label": "operation: the service's authentication",
        "notes": (
            "evidence: AsyncTokenService.authenticate(raw, audit=False): parse, the store's "
            "read, the SHA-256 check and the state checks"
        ),
    },
    {
        "key": "fa_op_resolve",
        "label": "operation: the authenticator's resolution",
        "notes": (
            "evidence: TokenAuthenticator.resolve(scope) on a bare scope: extraction, the "
            "service's authentication, the scopes, the request's attributes and its audit event"
        ),
    },
    {
        "key": "fa_op_resolve_memory",
        "label": "operation: the authenticator's resolution, in-memory store, audit off",
        "notes": "evidence: as above over AsyncMemoryTokenStore with audit off: no I/O at all",
    },
    {
        "key": "fa_keyshield",
        "label": "keyshield 2.0.1, defaults",
        "notes": (
            "ApiKeyService over SqlAlchemyApiKeyRepository with a session per request as its "
            "README wires it: Argon2 (argon2-cffi's defaults, on the event loop) and a random "
            "0.1-0.3 s sleep in every verification; measured in the valid and wrong-secret "
            "cases only"
        ),
    },
    {
        "key": "fa_keyshield_cache",
        "label": "keyshield 2.0.1, its cache",
        "notes": (
            "CachedApiKeyService (aiocache SimpleMemoryCache shared by the app, its default "
            "300 s TTL), otherwise as its defaults: the 0.1-0.3 s sleep stays"
        ),
    },
    {
        "key": "fa_keyshield_cache_nodelay",
        "label": "keyshield 2.0.1, its cache, sleep off",
        "notes": (
            "as its cache with min_delay=max_delay=0: its own cost per request (a cache hit "
            "still reads the row and writes last_used_at in a transaction)"
        ),
    },
]


async def build(db: str, target: str, work: Path) -> dict[str, apps.Built]:
    """Every scheme's app; ``target`` is a folder for SQLite files or a server URL prefix."""
    if db == "sqlite":
        urls = {name: f"sqlite:///{work / f'{name}.sqlite3'}" for name in ("ks", "kd")}
        async_urls = {
            name: url.replace("sqlite:", "sqlite+aiosqlite:") for name, url in urls.items()
        }
    else:
        urls = {name: f"{target}/bench_fa_{name}" for name in ("ks", "kd", "floor")}
        async_urls = {
            name: url.replace("postgresql:", "postgresql+asyncpg:") for name, url in urls.items()
        }
    built = {"fa_keysmith": await apps.keysmith(urls["ks"])}
    raws = built["fa_keysmith"].raws
    built["fa_keysmith_mw"] = await apps.keysmith(urls["ks"], middleware=True)
    built["fa_keysmith_audit_off"] = await apps.keysmith_evidence(urls["ks"], memory=False)
    built["fa_keysmith_memory"] = await apps.keysmith_evidence(urls["ks"], memory=True)
    built["fa_none"] = apps.Built(apps.no_authentication().app, raws)
    if db == "sqlite":
        built["fa_floor"] = await apps.sqlite_floor(str(work / "floor.sqlite3"), raws)
    else:
        built["fa_floor"] = await apps.postgres_floor(urls["floor"], raws)
    kd = async_urls["kd"]
    built["fa_keyshield"] = await apps.keyshield(kd, cache=False)
    built["fa_keyshield_cache"] = await apps.keyshield(kd, cache=True)
    built["fa_keyshield_cache_nodelay"] = await apps.keyshield(kd, cache=True, delay=False)
    await apps.settle()
    return built


def call_of(built: apps.Built, case: str) -> Call:
    raw = built.raws[case]
    scheme = b"Bearer " if built.bearer else b""
    return asgi_call(built.app, raw, built.header.encode(), scheme)


def expected(key: str, built: apps.Built, case: str) -> set[int]:
    if key == "fa_none" or case == "valid":
        return {200}
    return built.statuses.get(case, {401})


def operation_call(operation: Callable[[], Awaitable[Any]]) -> Call:
    async def call() -> int:
        await operation()
        return 200

    return call


def measure_operations(
    loop: asyncio.AbstractEventLoop, built: dict[str, apps.Built], db: str, budget: Budget
) -> list[dict[str, Any]]:
    """Each operation of a valid request on its own, interleaved like the requests."""
    blocks = {
        f"fa_{name}": async_block(loop, operation_call(operation))
        for scheme in built.values()
        for name, operation in scheme.operations.items()
    }
    rows = []
    for key, cell in interleaved_blocks(blocks, budget).items():
        rows.append({"scheme": key, "case": "valid", "statuses": [200]} | summary(cell.samples))
        print(f"  {db} operation      {key:28} {rows[-1]['median_us']:>9.1f} µs", flush=True)
    return rows


def measure(
    loop: asyncio.AbstractEventLoop, built: dict[str, apps.Built], db: str, budget: Budget
) -> list[dict[str, Any]]:
    rows = measure_operations(loop, built, db, budget)
    for case in CASES:
        blocks = {
            key: async_block(loop, call_of(scheme, case))
            for key, scheme in built.items()
            if case in SLOW_CASES or key not in SLOW_SCHEMES
        }
        for key, cell in interleaved_blocks(blocks, budget).items():
            want = expected(key, built[key], case)
            if cell.statuses != want:
                raise SystemExit(f"{db}/{key}/{case} answered {sorted(cell.statuses)}, not {want}")
            rows.append({"scheme": key, "case": case, "statuses": sorted(cell.statuses)})
            rows[-1] |= summary(cell.samples)
            print(f"  {db} {case:14} {key:28} {rows[-1]['median_us']:>9.1f} µs", flush=True)
    return rows


async def in_flight(call: Call, count: int, seconds: float) -> tuple[int, float, set[int]]:
    """``count`` requests in flight for ``seconds``: each task sends its next when one ends."""
    statuses: set[int] = set()
    done = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            try:
                status = await call()
            except Exception:  # the app failed (its 500 was sent): counted, not fatal
                status = 500
            statuses.add(status)
            done += status == 200  # throughput counts answered requests only

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(count)))
    return done, time.perf_counter() - started, statuses


def throughput(
    loop: asyncio.AbstractEventLoop, built: dict[str, apps.Built], db: str, budget: Budget
) -> list[dict[str, Any]]:
    """Valid requests, ``IN_FLIGHT`` at a time, in interleaved rounds (order rotated)."""
    names = list(built)
    totals = {name: [0, 0.0] for name in names}
    failed: dict[str, set[int]] = {name: set() for name in names}
    per_round = budget.thread_seconds / THREAD_ROUNDS
    for name in names:  # warm-up: the pools grow to what the load needs
        loop.run_until_complete(in_flight(call_of(built[name], "valid"), IN_FLIGHT, 0.2))
    for index in range(THREAD_ROUNDS):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            call = call_of(built[name], "valid")
            done, spent, statuses = loop.run_until_complete(in_flight(call, IN_FLIGHT, per_round))
            if 200 not in statuses:
                raise SystemExit(f"{db}/{name} under load answered {sorted(statuses)}")
            failed[name] |= statuses - {200}
            totals[name][0] += done
            totals[name][1] += spent
    rows = []
    for name, (done, spent) in totals.items():
        rows.append({"scheme": name, "in_flight": IN_FLIGHT, "requests": done,
                     "rps": round(done / spent, 1), "failures": sorted(failed[name])})  # fmt: skip
        print(f"  {db} {IN_FLIGHT} in flight {name:28} {rows[-1]['rps']:>9.1f} req/s", flush=True)
    return rows


VERSIONS = ("fastapi", "starlette", "sqlalchemy", "aiosqlite", "asyncpg", "keyshield",
            "aiocache", "argon2-cffi", "keysmith-asgi", "keysmith-sqlalchemy")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--db", choices=("sqlite", "postgres"), required=True)
    parser.add_argument("--target", required=True, help="folder (SQLite) or server URL")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    budget = Budget.from_env(quick=args.quick)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    work = Path(args.target)
    built = loop.run_until_complete(build(args.db, args.target, work))
    found = {"python": platform.python_version()}
    found |= {name: metadata.version(name) for name in VERSIONS}
    result = {
        "stack": "fastapi",
        "db": f"fastapi_{args.db}",
        "versions": found,
        "budget": budget.as_dict(),
        "schemes": SCHEMES,
        "latency": measure(loop, built, args.db, budget),
        "in_flight": throughput(loop, built, args.db, budget),
    }
    for scheme in built.values():
        loop.run_until_complete(scheme.close())
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
