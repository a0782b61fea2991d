"""The same sequence of calls against the FastAPI and the Flask token endpoints, both over the
SQL store: the same statuses and bodies, but for ids, prefixes, secrets and times. (The DRF
endpoints are held to the same sequence in tests/test_drf.)"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Header
from flask import Flask, request
from sqlalchemy.pool import NullPool
from starlette.testclient import TestClient
from support.selfservice_parity import STATUSES, Call, comparable, sequence

from keysmith.asgi import TokenAuthenticator
from keysmith.asgi.fastapi_tokens import token_router
from keysmith.core import AsyncTokenService, MemoryAuditSink, TokenPolicy, TokenService
from keysmith.flask import Keysmith
from keysmith.flask.tokens import token_blueprint
from keysmith.sqlalchemy import (
    AsyncSQLTokenStore,
    SQLTokenStore,
    create_all,
    make_async_engine,
    make_engine,
)

HOLDS = {"alice": {"view_user", "add_user"}, "bob": {"view_user"}}


def holds(user: str) -> set[str]:
    return HOLDS[user]


def database(folder: Path, name: str) -> str:
    """A SQLite file of one framework's own: each runs the sequence on an empty store."""
    url = f"sqlite:///{folder / name}.sqlite3"
    create_all(url)
    return url


@pytest.fixture
def fastapi(tmp_path: Path) -> Iterator[Call]:
    engine = make_async_engine(database(tmp_path, "fastapi"), poolclass=NullPool)
    service = AsyncTokenService(
        AsyncSQLTokenStore(engine), policy=TokenPolicy(), sink=MemoryAuditSink()
    )

    def signed_in(x_user: str | None = Header(None)) -> str | None:
        return x_user or None

    app = FastAPI()
    app.include_router(token_router(TokenAuthenticator(service), owner=signed_in, grantable=holds))
    client = TestClient(app)

    def call(user: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        url = "/tokens" + ("/" + path if path and not path.startswith("?") else path)
        headers = {"X-User": user, "content-type": "application/json"} if user else {}
        response = client.request(method, url, content=body or b"", headers=headers)
        return response.status_code, response.json()

    yield call
    asyncio.run(engine.dispose())


@pytest.fixture
def flask(tmp_path: Path) -> Iterator[Call]:
    engine = make_engine(database(tmp_path, "flask"))
    service = TokenService(SQLTokenStore(engine), policy=TokenPolicy(), sink=MemoryAuditSink())
    app = Flask(__name__)
    Keysmith(app, service=service)
    owner = lambda: request.headers.get("X-User") or None  # noqa: E731 - the app's sign-in
    app.register_blueprint(token_blueprint(owner=owner, grantable=holds))
    client = app.test_client()

    def call(user: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        url = "/tokens" + ("/" + path if path and not path.startswith("?") else path)
        headers = {"X-User": user, "Content-Type": "application/json"} if user else {}
        response = client.open(url, method=method, data=body or b"", headers=headers)
        return response.status_code, response.get_json()

    yield call
    engine.dispose()


def test_fastapi_and_flask_answer_the_same_sequence_alike(fastapi: Call, flask: Call) -> None:
    from_fastapi, from_flask = sequence(fastapi), sequence(flask)
    assert [status for status, _ in from_flask] == STATUSES
    for (status, body), (other_status, other_body) in zip(from_fastapi, from_flask, strict=True):
        assert status == other_status
        assert comparable(body) == comparable(other_body)
