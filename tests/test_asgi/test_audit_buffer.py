"""Buffered audit rows behind the middleware, and the lifespan shutdown that writes them out."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from support.sql_audit import audit_actions
from test_asgi.apps import echo_app
from test_asgi.conftest import FAST_POLICY
from test_asgi.server import serve

from keysmith.asgi import KeysmithMiddleware, TokenAuthenticator, from_url
from keysmith.asgi.types import Message, Receive, Scope, Send
from keysmith.core import (
    AsyncBufferedAuditSink,
    AsyncMemoryTokenStore,
    AsyncTokenService,
    MemoryAuditSink,
)
from keysmith.sqlalchemy import (
    AsyncSQLAuditSink,
    SQLToken,
    async_service,
    make_async_engine,
    service,
)

HEADER = "x-keysmith-token"
HOUR = 3600.0  # an interval no test waits for: rows appear only when written out
PATIENCE = 10.0


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


def buffered_authenticator(url: str, seconds: float) -> TokenAuthenticator[SQLToken]:
    engine = make_async_engine(url, poolclass=NullPool)  # usable from any event loop
    svc = async_service(engine, policy=FAST_POLICY, audit_buffer_seconds=seconds)
    return TokenAuthenticator(svc)


def buffer_of(auth: TokenAuthenticator[Any]) -> AsyncBufferedAuditSink:
    sink = auth.service.sink
    assert isinstance(sink, AsyncBufferedAuditSink)
    return sink


async def get(app: Any, raw: str) -> int:
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return (await http.get("/items", headers={HEADER: raw})).status_code


@pytest.mark.anyio
async def test_async_service_request_row_written_on_flush_created_row_at_once(
    database_url: str,
) -> None:
    auth = buffered_authenticator(database_url, HOUR)
    _, raw = await auth.service.create(name="buffered")
    assert audit_actions(database_url) == ["created"]
    assert await get(KeysmithMiddleware(echo_app, auth), raw) == 200
    assert audit_actions(database_url) == ["created"]
    await buffer_of(auth).flush()
    assert audit_actions(database_url) == ["created", "auth_success"]
    await buffer_of(auth).aclose()


@pytest.mark.anyio
async def test_async_service_request_row_written_after_interval(database_url: str) -> None:
    auth = buffered_authenticator(database_url, 0.05)
    _, raw = await auth.service.create(name="buffered")
    assert await get(KeysmithMiddleware(echo_app, auth), raw) == 200

    async def until_written() -> None:
        while audit_actions(database_url) != ["created", "auth_success"]:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(until_written(), PATIENCE)
    assert buffer_of(auth).pending() == 0
    await buffer_of(auth).aclose()


class LifespanApp:
    """An app taking part in the lifespan protocol; notes what it sees at each message."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.received: list[Message] = []
        self.rows_at_shutdown: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await echo_app(scope, receive, send)
            return
        while True:
            message = await receive()
            self.received.append(message)
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.rows_at_shutdown = audit_actions(self.url)
                await send({"type": "lifespan.shutdown.complete"})
                return


@pytest.mark.anyio
async def test_lifespan_shutdown_writes_buffer_before_app_shuts_down(database_url: str) -> None:
    auth = buffered_authenticator(database_url, HOUR)
    inner = LifespanApp(database_url)
    app = KeysmithMiddleware(inner, auth)
    _, raw = await auth.service.create(name="lifespan")
    incoming: asyncio.Queue[Message] = asyncio.Queue()
    sent: list[str] = []

    async def send(message: Message) -> None:
        sent.append(message["type"])

    startup, shutdown = {"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}
    await incoming.put(startup)
    lifespan = asyncio.ensure_future(app({"type": "lifespan"}, incoming.get, send))
    assert await get(app, raw) == 200
    assert audit_actions(database_url) == ["created"]  # startup wrote nothing out
    await incoming.put(shutdown)
    await asyncio.wait_for(lifespan, PATIENCE)
    assert inner.rows_at_shutdown == ["created", "auth_success"]
    assert inner.received[0] is startup  # messages reach the app as the server sent them
    assert inner.received[1] is shutdown
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    # Closed: a request after shutdown has its row written at once.
    assert await get(app, raw) == 200
    assert audit_actions(database_url) == ["created", "auth_success", "auth_success"]


@pytest.mark.anyio
async def test_lifespan_with_unbuffered_sink_hands_messages_on_unchanged() -> None:
    sink = MemoryAuditSink()
    service = AsyncTokenService(AsyncMemoryTokenStore(), sink=sink)
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    heard: list[Message] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        heard.extend([await receive(), await receive()])

    pending = iter(messages)

    async def receive() -> Message:
        return next(pending)

    async def send(message: Message) -> None:
        return None

    app = KeysmithMiddleware(inner, TokenAuthenticator(service))
    await app({"type": "lifespan"}, receive, send)
    assert heard == messages
    assert sink.events == []


@pytest.mark.anyio
async def test_authenticator_aclose_writes_buffer_without_the_middleware(
    database_url: str,
) -> None:
    # The FastAPI dependency or the Starlette backend alone: the app's lifespan closes it.
    auth = buffered_authenticator(database_url, HOUR)
    _, raw = await auth.service.create(name="ci")
    outcome = await auth.resolve(
        {"type": "http", "path": "/", "headers": [(HEADER.encode(), raw.encode())]}
    )
    assert outcome.token is not None
    assert audit_actions(database_url) == ["created"]
    await auth.aclose()
    assert audit_actions(database_url) == ["created", "auth_success"]


def test_from_url_buffer_seconds_zero_writes_each_row(sqlite_url: str) -> None:
    assert isinstance(from_url(sqlite_url).service.sink, AsyncBufferedAuditSink)
    assert isinstance(from_url(sqlite_url, audit_buffer_seconds=0).service.sink, AsyncSQLAuditSink)


def test_uvicorn_stop_writes_buffered_rows_through_lifespan(sqlite_url: str) -> None:
    creator = service(sqlite_url, policy=FAST_POLICY, audit_buffer_seconds=0)
    _, raw = creator.create(name="served")
    creator.store.engine.dispose()
    auth = buffered_authenticator(sqlite_url, HOUR)

    async def index(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = KeysmithMiddleware(Starlette(routes=[Route("/", index)]), auth)
    with serve(app, lifespan="on") as url, httpx.Client(base_url=url) as http:
        assert http.get("/", headers={HEADER: raw}).status_code == 200
        assert http.get("/", headers={HEADER: raw[:-1] + "x"}).status_code == 401
        assert audit_actions(sqlite_url) == ["created"]
    assert audit_actions(sqlite_url) == ["created", "auth_success", "auth_failed"]
