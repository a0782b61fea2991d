"""ASGI: ``KeysmithMiddleware`` on a Starlette route against the same route unauthenticated,
with the in-memory store and the SQLite store, and against the irreducible token check of
``asgi_minimal``; ASGI calls made directly, no HTTP client."""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from importlib import metadata
from typing import Any

from sqlalchemy import event
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from benchmarks import tokens
from benchmarks.asgi_minimal import over_memory_service
from benchmarks.timing import Block, Budget, Sampler, clock, interleaved_blocks, summary
from keysmith.asgi import KeysmithMiddleware, TokenAuthenticator
from keysmith.core import AsyncMemoryTokenStore, AsyncTokenService, NullAuditSink, TokenPolicy
from keysmith.sqlalchemy import async_service, create_all_async, make_async_engine

CASES = ("valid", "malformed", "wrong_secret", "unknown_prefix", "revoked")
HEADER = b"x-keysmith-token"
Call = Callable[[], Awaitable[int]]


async def endpoint(request: Request) -> JSONResponse:
    return JSONResponse({"ok": True})


def route_app() -> Starlette:
    return Starlette(routes=[Route("/", endpoint)])


def asgi_call(app: Any, raw: str, header: bytes = HEADER, scheme: bytes = b"") -> Call:
    """A request carrying ``raw`` in ``header`` (after ``scheme``, e.g. ``b"Bearer "``), or
    no such header when ``raw`` is empty."""
    headers = [(b"host", b"testserver"), (b"user-agent", b"keysmith-bench/1.0")]
    if raw:
        headers.append((header, scheme + raw.encode()))
    base = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/", "raw_path": b"/", "root_path": "", "query_string": b"",
        "headers": headers, "client": ("127.0.0.1", 40000), "server": ("testserver", 80),
    }  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def call() -> int:
        status: list[int] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await app(dict(base), receive, send)
        return status[0]

    return call


def async_block(loop: asyncio.AbstractEventLoop, call: Call) -> Block:
    """Entering the loop once per block, not per request, keeps its cost out of the samples."""

    async def timed(count: int, cap: float) -> tuple[list[int], set[int]]:
        sampler = Sampler(count, cap)
        while sampler.more():
            begin = clock()
            sampler.record(begin, await call())
        return sampler.result()

    return lambda count, cap: loop.run_until_complete(timed(count, cap))


async def credentials(service: AsyncTokenService[Any]) -> dict[str, str]:
    _, raw = await service.create(name="bench")
    await service.authenticate(raw, audit=False)  # in use before the wrong-secret case
    revoked, revoked_raw = await service.create(name="bench-revoked")
    await service.authenticate(revoked_raw, audit=False)  # in use before it was revoked
    await service.revoke(revoked)
    return {
        "valid": raw,
        "malformed": tokens.broken_checksum(raw),
        "wrong_secret": tokens.wrong_secret(raw),
        "unknown_prefix": tokens.unknown_prefix(raw),
        "revoked": revoked_raw,
    }


def sqlite_engine(path: str) -> Any:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")  # persistent in the file
    engine = make_async_engine(f"sqlite+aiosqlite:///{path}")

    @event.listens_for(engine.sync_engine, "connect")
    def _normal_sync(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


async def services(sqlite_path: str) -> dict[str, tuple[str, AsyncTokenService[Any]]]:
    engine = sqlite_engine(sqlite_path)
    await create_all_async(engine)
    policy = TokenPolicy()
    return {
        "asgi_memory": (
            "keysmith, in-memory store",
            AsyncTokenService(AsyncMemoryTokenStore(), policy=policy),
        ),
        "asgi_sqlite": (
            "keysmith, SQLite store (audit on, buffered)",
            async_service(engine, policy=policy),
        ),
        "asgi_sqlite_audit_off": (
            "keysmith, SQLite store, audit off",
            async_service(engine, policy=policy, sink=NullAuditSink()),
        ),
    }


def httpx_call(app: Any, raw: str) -> Call:
    """The same request through httpx's ASGI transport, as an app's own tests would send it."""
    import httpx

    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
    headers = {"user-agent": "keysmith-bench/1.0", HEADER.decode(): raw}

    async def call() -> int:
        return (await client.get("/", headers=headers)).status_code

    return call


def measure(
    loop: asyncio.AbstractEventLoop, apps: dict[str, tuple[Any, dict[str, str]]], budget: Budget
) -> list[dict[str, Any]]:
    floor = route_app()
    rows = []
    for case in CASES:
        raws = apps["asgi_memory"][1]
        blocks = {
            "asgi_floor": async_block(loop, asgi_call(floor, raws[case])),
            "asgi_floor_httpx": async_block(loop, httpx_call(floor, raws[case])),
            "asgi_memory_httpx": async_block(loop, httpx_call(apps["asgi_memory"][0], raws[case])),
        }
        for key, (app, app_raws) in apps.items():
            blocks[key] = async_block(loop, asgi_call(app, app_raws[case]))
        for key, cell in interleaved_blocks(blocks, budget).items():
            expected = {200} if case == "valid" or key.startswith("asgi_floor") else {401}
            if cell.statuses != expected:
                raise SystemExit(f"{key}/{case} answered {sorted(cell.statuses)}, not {expected}")
            row = {"scheme": key, "case": case, "statuses": sorted(cell.statuses)}
            rows.append(row | summary(cell.samples))
            print(f"  asgi {case:14} {key:22} {rows[-1]['median_us']:>9.1f} µs", flush=True)
    return rows


SCHEMES = [
    {"key": "asgi_floor", "label": "Starlette route, no authentication", "notes": ""},
    {
        "key": "asgi_minimal",
        "label": "irreducible token check (no keysmith middleware)",
        "notes": (
            "a pure ASGI middleware doing only what any check of a keysmith token must: find "
            "the header, parse it (regex + checksum), look the prefix up in a dict, check "
            "the secret against the stored hash (one SHA-256, keysmith's default), read the "
            "revoked and expiry fields, else answer 401 (benchmarks/asgi_minimal.py); its ratio "
            "to the route is the lowest any token check can reach"
        ),
    },
    {
        "key": "asgi_floor_httpx",
        "label": "Starlette route, no authentication, via httpx",
        "notes": "httpx.AsyncClient over ASGITransport: the client's cost is in every sample",
    },
    {
        "key": "asgi_memory_httpx",
        "label": "keysmith, in-memory store, via httpx",
        "notes": "the in-memory scheme through httpx.ASGITransport",
    },
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--sqlite", required=True, help="path of the SQLite file to create")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    budget = Budget.from_env(quick=args.quick)
    loop = asyncio.new_event_loop()
    built = loop.run_until_complete(services(args.sqlite))
    schemes = list(SCHEMES)
    apps: dict[str, tuple[Any, dict[str, str]]] = {}
    for key, (label, service) in built.items():
        raws = loop.run_until_complete(credentials(service))
        apps[key] = (KeysmithMiddleware(route_app(), TokenAuthenticator(service)), raws)
        schemes.append({"key": key, "label": label, "notes": ""})
    memory = built["asgi_memory"][1]
    apps["asgi_minimal"] = (over_memory_service(route_app(), memory), apps["asgi_memory"][1])
    found = {"python": platform.python_version()}
    for name in (
        "starlette", "httpx", "sqlalchemy", "aiosqlite", "keysmith-asgi", "keysmith-sqlalchemy",
    ):  # fmt: skip
        found[name] = metadata.version(name)
    result = {
        "stack": "asgi",
        "db": "asgi",
        "versions": found,
        "budget": budget.as_dict(),
        "schemes": schemes,
        "latency": measure(loop, apps, budget),
    }
    for _, service in built.values():  # the buffered audit rows, written out as at shutdown
        close = getattr(service.sink, "aclose", None)
        if close is not None:
            loop.run_until_complete(close())
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(result, out, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
