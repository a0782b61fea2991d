"""Who closes the engine: ``from_url(url)`` opened it, so its ``aclose()`` (run by the
middleware at lifespan shutdown) disposes of it; an engine the application passed in is the
application's to dispose of."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from keysmith.asgi import KeysmithMiddleware, from_url
from keysmith.sqlalchemy import create_all_async, make_async_engine


def app_for(keysmith: Any) -> KeysmithMiddleware:
    async def home(request: Any) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return KeysmithMiddleware(Starlette(routes=[Route("/", home)]), keysmith, required=True)


@asynccontextmanager
async def running(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app between its lifespan startup and shutdown, as a server runs it, on this loop."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.create_task(app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client
    await inbox.put({"type": "lifespan.shutdown"})
    assert (await outbox.get())["type"] == "lifespan.shutdown.complete"
    await task


async def serve_one_request(keysmith: Any) -> int:
    """Create a token, start the app, call it once with the token, shut it down: the number of
    connections left in the engine's pool afterwards."""
    engine = keysmith.service.store.engine
    await create_all_async(engine)
    _, raw = await keysmith.service.create(name="lifetime")
    async with running(app_for(keysmith)) as client:
        response = await client.get("/", headers={"x-keysmith-token": raw})
        assert response.status_code == 200
        assert engine.pool.checkedin() >= 1
    left: int = engine.pool.checkedin()
    return left


def test_engine_from_url_is_disposed_at_lifespan_shutdown(postgres_url: str) -> None:
    assert asyncio.run(serve_one_request(from_url(postgres_url))) == 0


def test_engine_passed_in_is_left_to_the_application(postgres_url: str) -> None:
    async def scenario() -> int:
        engine = make_async_engine(postgres_url)
        try:
            return await serve_one_request(from_url(engine))
        finally:
            await engine.dispose()

    assert asyncio.run(scenario()) >= 1  # still pooled: the application disposes of it


def test_disposed_engine_serves_again_after_a_restart(postgres_url: str) -> None:
    async def scenario() -> int:
        keysmith = from_url(postgres_url)
        await serve_one_request(keysmith)
        return await serve_one_request(keysmith)  # a new token, read through the same engine

    assert asyncio.run(scenario()) == 0
