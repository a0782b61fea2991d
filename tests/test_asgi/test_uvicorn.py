"""End to end: a FastAPI app behind KeysmithMiddleware, served by uvicorn on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from test_asgi.conftest import Keys
from test_asgi.server import serve

from keysmith.asgi import KeysmithMiddleware
from keysmith.asgi.fastapi import KeysmithToken

HEADER = "x-keysmith-token"


@pytest.fixture
def base_url(keys: Keys) -> Iterator[str]:
    auth = keys.authenticator()
    writer = KeysmithToken(auth, scopes=["write"])
    app = FastAPI()
    app.add_middleware(KeysmithMiddleware, authenticator=auth, exclude_paths=["/health"])

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/items")
    def create(tok: Any = Depends(writer)) -> dict[str, str]:
        return {"created_by": tok.prefix}

    with serve(app) as url:
        yield url


def test_uvicorn_requests_get_200_401_and_403(keys: Keys, base_url: str) -> None:
    writer, writer_raw = asyncio.run(keys.issue(scopes=("write",)))
    _, reader_raw = asyncio.run(keys.issue(scopes=("read",)))
    with httpx.Client(base_url=base_url) as http:
        assert http.get("/health").json() == {"status": "ok"}
        created = http.post("/items", headers={HEADER: writer_raw})
        assert (created.status_code, created.json()) == (200, {"created_by": writer.prefix})
        assert http.post("/items").status_code == 401
        assert http.post("/items", headers={HEADER: "tok_bad"}).status_code == 401
        forbidden = http.post("/items", headers={HEADER: reader_raw})
        assert forbidden.status_code == 403
        assert "insufficient_scope" in forbidden.headers["www-authenticate"]
    statuses = [(e.action, e.status_code) for e in keys.auth_events()]
    assert statuses == [
        ("auth_success", 200),
        ("auth_failed", 401),
        ("auth_failed", 401),
        ("auth_success", 403),
    ]
    assert all(e.context.ip_address == "127.0.0.1" for e in keys.auth_events())
