"""keysmith.testing with Starlette and FastAPI: tokens, an authenticated TestClient, audit
capture and the frozen clock, against the in-memory store and a SQLite file from its URL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from sqlalchemy import create_engine, select
from sqlalchemy.pool import NullPool
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from keysmith.asgi import KeysmithMiddleware, TokenAuthenticator, from_url
from keysmith.asgi.fastapi import KeysmithToken
from keysmith.asgi.testing import authenticated as asgi_authenticated
from keysmith.asgi.testing import find_authenticator
from keysmith.core import AsyncMemoryTokenStore, AsyncTokenService
from keysmith.sqlalchemy import audit_events, create_all, make_async_engine
from keysmith.testing import authenticated, capture_audit, frozen_clock, issue_token


def memory_authenticator(**options: Any) -> TokenAuthenticator[Any]:
    return TokenAuthenticator(AsyncTokenService(AsyncMemoryTokenStore()), **options)


def fastapi_app(auth: TokenAuthenticator[Any]) -> FastAPI:
    api = FastAPI()
    reader, writer = KeysmithToken(auth), KeysmithToken(auth, scopes=["write"])

    @api.get("/me")
    def me(token: Any = Depends(reader)) -> dict[str, str]:
        return {"prefix": token.prefix}

    @api.post("/items")
    def create(token: Any = Depends(writer)) -> dict[str, str]:
        return {"by": token.prefix}

    return api


async def whoami(request: Request) -> JSONResponse:
    return JSONResponse({"prefix": request.scope["keysmith.token"].prefix})


def starlette_app(auth: TokenAuthenticator[Any]) -> Starlette:
    middleware = [Middleware(KeysmithMiddleware, authenticator=auth, required=True)]
    return Starlette(routes=[Route("/me", whoami)], middleware=middleware)


def test_fastapi_issued_token_reaches_scoped_route() -> None:
    auth = memory_authenticator()
    client = TestClient(fastapi_app(auth))
    issued = issue_token(auth, scopes=["read"])
    authenticated(client, issued)
    assert client.get("/me").json() == {"prefix": issued.prefix}
    assert client.post("/items").status_code == 403


def test_starlette_authenticated_finds_middleware_header() -> None:
    auth = memory_authenticator(header_name="x-api-key")
    app = starlette_app(auth)
    assert find_authenticator(app) is auth
    issued = issue_token(auth)
    with TestClient(app) as client:
        authenticated(client, issued)
        assert client.headers["x-api-key"] == issued.raw
        assert client.get("/me").status_code == 200
    assert TestClient(app).get("/me", headers={"x-keysmith-token": issued.raw}).status_code == 401


def test_authenticated_bearer_when_authenticator_allows_it() -> None:
    auth = memory_authenticator(allow_bearer=True)
    client = asgi_authenticated(TestClient(fastapi_app(auth)), issue_token(auth), bearer=True)
    assert client.headers["authorization"].startswith("Bearer tok_")
    assert client.get("/me").status_code == 200


def test_frozen_clock_expires_token_at_fastapi_route() -> None:
    auth = memory_authenticator()
    client = TestClient(fastapi_app(auth))
    with frozen_clock() as clock:
        authenticated(client, issue_token(auth, expires_at=timedelta(hours=1)))
        assert client.get("/me").status_code == 200
        clock.advance(hours=1)
        response = client.get("/me")
    assert response.status_code == 401
    assert "invalid_token" in response.headers["www-authenticate"]


def test_sql_app_token_from_url_and_audit_written_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keysmith.sqlite3'}"
    create_all(url)
    # Each TestClient request runs on a loop of its own: no pooled aiosqlite connection.
    auth = from_url(make_async_engine(url, poolclass=NullPool), audit_buffer_seconds=3600)
    app = Starlette(
        routes=[Route("/me", whoami)],
        middleware=[Middleware(KeysmithMiddleware, authenticator=auth)],
    )
    issued = issue_token(url, scopes=["read"])
    reader = create_engine(url)
    with capture_audit(auth) as events:
        assert authenticated(TestClient(app), issued).get("/me").status_code == 200
        with reader.connect() as connection:
            written = connection.execute(select(audit_events.c.action, audit_events.c.status_code))
            # ``created`` came from the URL's own service; the request's row is not buffered.
            assert ("auth_success", 200) in list(written)
    reader.dispose()
    assert events.actions() == ["auth_success"]
    assert events[0].token_prefix == issued.prefix


def test_capture_audit_app_shutdown_inside_block_writes_out_buffer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'keysmith.sqlite3'}"
    create_all(url)
    auth = from_url(make_async_engine(url, poolclass=NullPool), audit_buffer_seconds=3600)
    app = Starlette(
        routes=[Route("/me", whoami)],
        middleware=[Middleware(KeysmithMiddleware, authenticator=auth)],
    )
    issued = issue_token(url)
    reader = create_engine(url)

    def actions() -> list[str]:
        with reader.connect() as connection:
            query = select(audit_events.c.action).order_by(audit_events.c.id)
            return list(connection.scalars(query))

    client = authenticated(TestClient(app), issued)
    client.__enter__()  # the app starts (lifespan), and stays up until __exit__
    client.get("/me")
    assert actions() == ["created"]  # the request's row waits in the buffer
    with capture_audit(auth) as events:
        assert client.get("/me").status_code == 200
        assert actions() == ["created", "auth_success"]
        client.__exit__(None, None, None)  # the app shuts down inside the block
        assert actions() == ["created", "auth_success", "auth_success"]
    reader.dispose()
    assert events.actions() == ["auth_success"]
