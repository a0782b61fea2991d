"""The FastAPI apps of the SQL suite, one per scheme, each over its own database: no
authentication, the one-indexed-read floor, keysmith's defaults and keyshield 2.0.1."""

from __future__ import annotations

import asyncio
import sqlite3
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, FastAPI, Header, HTTPException

from benchmarks import tokens

HEADER = "x-keysmith-token"
# keyshield's dependency reads the standard Authorization header (its default HTTPBearer).
BEARER = "authorization"
PEPPER = "keysmith-bench-pepper-0123456789"  # keyshield warns about (and we replace) its default


async def _nothing() -> None:
    return None


@dataclass
class Built:
    """One scheme's app, its credentials per case, how to send them, and how to close it."""

    app: Any
    raws: dict[str, str]
    header: str = HEADER
    bearer: bool = False
    close: Callable[[], Awaitable[None]] = field(default=_nothing)
    # Statuses the scheme answers per case, when not the usual 200 (valid) / 401 (else).
    statuses: dict[str, set[int]] = field(default_factory=dict)
    # Single operations of its valid request, timed on their own (evidence of what bounds it).
    operations: dict[str, Callable[[], Awaitable[Any]]] = field(default_factory=dict)


def _app(dependency: Callable[..., Any] | None = None) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    dependencies = [Depends(dependency)] if dependency is not None else []

    @app.get("/", dependencies=dependencies)
    async def endpoint() -> dict[str, bool]:
        return {"ok": True}

    return app


def no_authentication() -> Built:
    return Built(_app(), {case: "" for case in ("valid",)})


# --- the floor: the plaintext token read by its unique index, with the same driver ---------

FLOOR_TABLE = "CREATE TABLE floor_tokens (key VARCHAR(255) PRIMARY KEY, revoked BOOLEAN NOT NULL)"


def _floor_refusal() -> HTTPException:
    return HTTPException(401, detail="Invalid token.")


def floor_dependency(fetch: Callable[[str], Awaitable[Any]]) -> Callable[..., Any]:
    """``fetch(key)`` returns the row's ``revoked`` flag or None; the rest is DRF's rule."""

    async def plaintext_token(
        x_keysmith_token: str | None = Header(default=None),
    ) -> None:
        if not x_keysmith_token:
            raise _floor_refusal()
        row = await fetch(x_keysmith_token)
        if row is None or row[0]:
            raise _floor_refusal()

    return plaintext_token


async def sqlite_floor(path: str, raws: dict[str, str]) -> Built:
    import aiosqlite

    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute(FLOOR_TABLE)
        setup.execute("INSERT INTO floor_tokens VALUES (?, 0), (?, 1)", _floor_rows(raws))
    # One connection for the app, as an aiosqlite app holds it: every query goes to its thread.
    connection = await aiosqlite.connect(path)
    await connection.execute("PRAGMA synchronous=NORMAL")

    async def fetch(key: str) -> Any:
        rows = await connection.execute_fetchall(
            "SELECT revoked FROM floor_tokens WHERE key = ?", (key,)
        )
        return next(iter(rows), None)

    built = Built(_app(floor_dependency(fetch)), raws, close=connection.close)
    built.operations["op_floor_read"] = lambda: fetch(raws["valid"])
    return built


async def postgres_floor(dsn: str, raws: dict[str, str]) -> Built:
    import asyncpg

    pool = await asyncpg.create_pool(dsn)  # asyncpg's defaults: 10 connections
    await pool.execute(FLOOR_TABLE)
    await pool.executemany(
        "INSERT INTO floor_tokens VALUES ($1, $2)",
        [(key, revoked) for key, revoked in zip(_floor_rows(raws), (False, True), strict=True)],
    )

    async def fetch(key: str) -> Any:
        return await pool.fetchrow("SELECT revoked FROM floor_tokens WHERE key = $1", key)

    built = Built(_app(floor_dependency(fetch)), raws, close=pool.close)
    built.operations["op_floor_read"] = lambda: fetch(raws["valid"])
    return built


def _floor_rows(raws: dict[str, str]) -> tuple[str, str]:
    return raws["valid"], raws["revoked"]


# --- keysmith, as documented: from_url + the FastAPI dependency or the middleware -------------


async def keysmith_credentials(service: Any) -> dict[str, str]:
    _, raw = await service.create(name="bench")
    await service.authenticate(raw, audit=False)  # in use before the wrong-secret case
    revoked, revoked_raw = await service.create(name="bench-revoked")
    await service.authenticate(revoked_raw, audit=False)
    await service.revoke(revoked)
    return {
        "valid": raw,
        "missing": "",
        "malformed": tokens.broken_checksum(raw),
        "wrong_secret": tokens.wrong_secret(raw),
        "unknown_prefix": tokens.unknown_prefix(raw),
        "revoked": revoked_raw,
    }


async def keysmith(url: str, *, middleware: bool = False) -> Built:
    from keysmith.asgi import from_url
    from keysmith.sqlalchemy import create_all_async

    auth = from_url(url)  # every default: SHA-256, buffered audit rows, the engine it makes
    engine = auth.service.store.engine
    await create_all_async(engine)
    raws = await keysmith_credentials(auth.service)

    async def close() -> None:
        await auth.aclose()  # what lifespan shutdown does, then the app disposes of its engine
        await engine.dispose()

    built = Built(_keysmith_app(auth, middleware), raws, close=close)
    built.operations |= keysmith_operations(auth, raws["valid"])
    return built


def _keysmith_app(auth: Any, middleware: bool) -> Any:
    from keysmith.asgi import KeysmithMiddleware
    from keysmith.asgi.fastapi import KeysmithToken

    if middleware:
        return KeysmithMiddleware(_app(), auth, required=True)
    return _app(KeysmithToken(auth))


def keysmith_operations(auth: Any, raw: str) -> dict[str, Callable[[], Awaitable[Any]]]:
    """The store's read, the service's authentication over it (no audit), and the
    authenticator's whole resolution of a request (audit included), each on its own."""
    service = auth.service
    prefix = raw.partition(":")[0]
    scope = {"type": "http", "method": "GET", "path": "/", "client": ("127.0.0.1", 40000),
             "headers": [(b"x-keysmith-token", raw.encode())]}  # fmt: skip

    async def resolve() -> Any:
        return await auth.resolve(dict(scope))

    return {
        "op_store_read": lambda: service.store.get_by_prefix(prefix),
        "op_authenticate": lambda: service.authenticate(raw, audit=False),
        "op_resolve": resolve,
    }


async def keysmith_evidence(url: str, *, memory: bool) -> Built:
    """keysmith's FastAPI dependency without audit, over the SQL store at ``url`` or, with
    ``memory``, the in-memory store (no database at all): what each part of a request costs."""
    from keysmith.asgi import TokenAuthenticator, from_url
    from keysmith.core import AsyncMemoryTokenStore, AsyncTokenService, NullAuditSink

    if memory:
        service = AsyncTokenService(AsyncMemoryTokenStore(), sink=NullAuditSink())
        auth: Any = TokenAuthenticator(service)
        close = _nothing
    else:
        auth = from_url(url, sink=NullAuditSink())
        close = auth.service.store.engine.dispose
    raws = await keysmith_credentials(auth.service)
    built = Built(_keysmith_app(auth, False), raws, close=close)
    if memory:
        built.operations["op_resolve_memory"] = keysmith_operations(auth, raws["valid"])[
            "op_resolve"
        ]
    return built


# --- keyshield 2.0.1, wired as its README shows (a session per request) -----------------------


async def keyshield(url: str, *, cache: bool, delay: bool = True) -> Built:
    from aiocache import SimpleMemoryCache
    from keyshield.api import create_depends_api_key
    from keyshield.hasher.argon2 import Argon2ApiKeyHasher
    from keyshield.repositories.sql import Base, SqlAlchemyApiKeyRepository
    from keyshield.services.base import ApiKeyService
    from keyshield.services.cached import CachedApiKeyService
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
    hasher = Argon2ApiKeyHasher(pepper=PEPPER)
    shared = SimpleMemoryCache()  # one for the app: a cache per request would never hit
    delays = {} if delay else {"min_delay": 0.0, "max_delay": 0.0}

    def service(session: AsyncSession) -> Any:
        repo = SqlAlchemyApiKeyRepository(session)
        if cache:
            return CachedApiKeyService(repo=repo, hasher=hasher, cache=shared, **delays)
        return ApiKeyService(repo=repo, hasher=hasher, **delays)

    async def session_per_request() -> AsyncIterator[AsyncSession]:
        async with sessions() as session, session.begin():
            yield session

    async def inject_service(session: AsyncSession = Depends(session_per_request)) -> Any:
        return service(session)

    async with sessions() as session, session.begin():
        svc = service(session)
        _, raw = await svc.create(name="bench")
        _, revoked_raw = await svc.create(name="bench-revoked", is_active=False)
    global_prefix, key_id, secret = raw.split("-")
    other = f"{global_prefix}-{tokens.random_text(16, '0123456789abcdef')}-"
    raws = {
        "valid": raw,
        "missing": "",
        "malformed": raw.replace("-", "_", 1),  # not three segments
        "wrong_secret": f"{global_prefix}-{key_id}-{tokens.random_text(len(secret))}",
        "unknown_prefix": other + tokens.random_text(len(secret)),
        "revoked": revoked_raw,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dependency = create_depends_api_key(inject_service)
    built = Built(_app(dependency), raws, header=BEARER, bearer=True, close=engine.dispose)
    built.statuses["revoked"] = {403}  # keyshield answers 403 for an inactive key
    return built


def settle() -> Awaitable[None]:
    """Lets background tasks (audit writers) start before the first sample."""
    return asyncio.sleep(0.05)
