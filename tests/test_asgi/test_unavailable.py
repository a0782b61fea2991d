"""A store that is down, or a rate limiter that fails: 503 with Retry-After through the
middleware, the FastAPI dependency and the Starlette backend; websockets closed with 1013."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI, WebSocket
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from test_asgi.apps import echo_app
from test_asgi.conftest import FAST_POLICY

from keysmith.asgi import KeysmithMiddleware, TokenAuthenticator
from keysmith.asgi.fastapi import KeysmithToken
from keysmith.asgi.starlette import KeysmithBackend, on_auth_error
from keysmith.core import AsyncTokenService, InvalidToken, MemoryAuditSink, TokenFormat
from keysmith.sqlalchemy import AsyncSQLTokenStore, make_async_engine

HEADER = "x-keysmith-token"
UNAVAILABLE = {
    "detail": "The service is temporarily unavailable. Try again later.",
    "code": "service_unavailable",
}
RAW = TokenFormat().generate().raw


class Down:
    """An authenticator over a real SQL store whose database fails, and what it audited."""

    def __init__(self, url: str) -> None:
        self.engine = make_async_engine(url, poolclass=NullPool)
        self.sink = MemoryAuditSink()
        store = AsyncSQLTokenStore(self.engine)
        self.service = AsyncTokenService(store, policy=FAST_POLICY, sink=self.sink)

    def authenticator(self, **options: Any) -> TokenAuthenticator[Any]:
        return TokenAuthenticator(self.service, **options)

    def reasons(self) -> list[tuple[int, str]]:
        return [(e.status_code, e.extra["reason"]) for e in self.sink.events]


@pytest.fixture(params=["no_tables", "refused"])
def down(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Down]:
    """``no_tables``: a SQLite file without keysmith's tables (the driver's OperationalError);
    ``refused``: PostgreSQL at a loopback port nothing listens on (the connection is refused)."""
    if request.param == "no_tables":
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        url = "postgresql://keysmith@127.0.0.1:1/keysmith"
    broken = Down(url)
    yield broken
    asyncio.run(broken.engine.dispose())


async def get(app: Any, path: str = "/items", **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.get(path, headers=headers)


@pytest.mark.anyio
async def test_middleware_store_down_answers_503_with_retry_after(
    down: Down, caplog: pytest.LogCaptureFixture
) -> None:
    app = KeysmithMiddleware(echo_app, down.authenticator())
    with caplog.at_level(logging.ERROR, logger="keysmith"):
        response = await get(app, **{HEADER: RAW})
    assert (response.status_code, response.headers["retry-after"]) == (503, "5")
    assert response.headers["content-type"] == "application/json"
    assert response.json() == UNAVAILABLE
    [record] = [r for r in caplog.records if r.name == "keysmith"]
    assert record.exc_info is not None
    assert "token store" in record.getMessage()
    assert RAW.split(":")[1] not in caplog.text
    assert down.reasons() == [(503, "store_unavailable")]


@pytest.mark.anyio
async def test_middleware_store_down_without_token_serves_request(down: Down) -> None:
    app = KeysmithMiddleware(echo_app, down.authenticator())
    assert (await get(app)).status_code == 200


@pytest.mark.anyio
async def test_middleware_rate_limit_hook_failing_answers_503(down: Down) -> None:
    def hook(scope: Any, raw: str | None) -> None:
        raise ConnectionError("the limiter's cache is unreachable")

    app = KeysmithMiddleware(echo_app, down.authenticator(rate_limit=hook))
    response = await get(app, **{HEADER: RAW})
    assert (response.status_code, response.json()) == (503, UNAVAILABLE)
    assert down.reasons() == [(503, "rate_limit_unavailable")]


@pytest.mark.anyio
async def test_middleware_rate_limit_hook_token_error_refuses_token(down: Down) -> None:
    async def hook(scope: Any, raw: str | None) -> None:
        raise InvalidToken(reason="blocked_by_hook")

    app = KeysmithMiddleware(echo_app, down.authenticator(rate_limit=hook))
    response = await get(app, **{HEADER: RAW})
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")


def test_middleware_websocket_store_down_closes_with_1013(down: Down) -> None:
    async def accept(websocket: Any) -> None:  # pragma: no cover - never reached
        await websocket.accept()

    middleware = [Middleware(KeysmithMiddleware, authenticator=down.authenticator())]
    app = Starlette(routes=[WebSocketRoute("/ws", accept)], middleware=middleware)
    # No lifespan: the store fails after start-up (whose check would refuse missing tables).
    client = TestClient(app)
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/ws", headers={HEADER: RAW}),
    ):
        pass  # pragma: no cover - the handshake itself fails
    assert (closed.value.code, closed.value.reason) == (1013, "service_unavailable")


def fastapi_app(down: Down) -> FastAPI:
    token = KeysmithToken(down.authenticator())
    api = FastAPI()

    @api.get("/me")
    def me(tok: Any = Depends(token)) -> None:
        raise AssertionError("not reached")  # pragma: no cover

    @api.websocket("/ws")
    async def ws(websocket: WebSocket, tok: Any = Depends(token)) -> None:
        raise AssertionError("not reached")  # pragma: no cover

    return api


def test_fastapi_dependency_store_down_answers_503_with_retry_after(down: Down) -> None:
    with TestClient(fastapi_app(down)) as client:
        response = client.get("/me", headers={HEADER: RAW})
    assert (response.status_code, response.headers["retry-after"]) == (503, "5")
    assert response.json() == {"detail": UNAVAILABLE["detail"]}
    assert down.reasons() == [(503, "store_unavailable")]


def test_fastapi_dependency_websocket_store_down_closes_with_1013(down: Down) -> None:
    with (
        TestClient(fastapi_app(down)) as client,
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/ws", headers={HEADER: RAW}),
    ):
        pass  # pragma: no cover - the handshake itself fails
    assert closed.value.code == 1013


def test_starlette_backend_store_down_answers_503_with_retry_after(down: Down) -> None:
    async def home(request: Request) -> JSONResponse:  # pragma: no cover - never reached
        return JSONResponse({})

    backend = KeysmithBackend(down.authenticator())
    middleware = [Middleware(AuthenticationMiddleware, backend=backend, on_error=on_auth_error)]
    app = Starlette(routes=[Route("/", home)], middleware=middleware)
    with TestClient(app) as client:
        response = client.get("/", headers={HEADER: RAW})
    assert (response.status_code, response.headers["retry-after"]) == (503, "5")
    assert response.json() == UNAVAILABLE
    assert down.reasons() == [(503, "store_unavailable")]
