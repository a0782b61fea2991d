"""One sequence of calls against the DRF endpoints (Django's token model) and the FastAPI ones
(the SQL store): the same statuses and the same bodies, but for ids, prefixes, secrets and times."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "fastapi",
    reason="compares against keysmith-asgi's endpoints: runs in the session that installs every "
    "adapter, not in the one-Django-series sessions",
)

from django.contrib.auth.models import User
from fastapi import FastAPI, Header
from rest_framework.test import APIClient
from sqlalchemy.pool import NullPool
from starlette.testclient import TestClient
from support.selfservice_parity import STATUSES, Call, comparable, sequence
from test_drf.test_selfservice import client_for, grant

from keysmith.asgi import TokenAuthenticator
from keysmith.asgi.fastapi_tokens import token_router
from keysmith.core import AsyncTokenService, MemoryAuditSink, TokenPolicy
from keysmith.sqlalchemy import AsyncSQLTokenStore, create_all, make_async_engine

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, User]:
    return {
        "alice": grant(User.objects.create_user("alice"), "view_user", "add_user"),
        "bob": grant(User.objects.create_user("bob"), "view_user"),
    }


@pytest.fixture
def drf(people: dict[str, User]) -> Call:
    clients = {name: client_for(user) for name, user in people.items()}

    def call(user: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        client = clients[user] if user else APIClient()
        url = "/me/tokens/" + (path + "/" if path and not path.startswith("?") else path)
        response = client.generic(method, url, body or "", content_type="application/json")
        return response.status_code, response.json()

    return call


@pytest.fixture
def fastapi(people: dict[str, User], tmp_path: Path) -> Iterator[Call]:
    url = f"sqlite:///{tmp_path / 'keysmith.sqlite3'}"
    create_all(url)
    engine = make_async_engine(url, poolclass=NullPool)
    # Django's defaults: a 90-day lifetime, no scope allow-list.
    service = AsyncTokenService(
        AsyncSQLTokenStore(engine), policy=TokenPolicy(), sink=MemoryAuditSink()
    )
    ids = {name: str(user.pk) for name, user in people.items()}
    holds = {ids["alice"]: {"view_user", "add_user"}, ids["bob"]: {"view_user"}}

    def signed_in(x_user: str | None = Header(None)) -> str | None:
        return ids.get(x_user or "")

    app = FastAPI()
    app.include_router(
        token_router(TokenAuthenticator(service), owner=signed_in, grantable=holds.__getitem__)
    )
    client = TestClient(app)

    def call(user: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        url = "/tokens" + ("/" + path if path and not path.startswith("?") else path)
        headers = {"X-User": user, "content-type": "application/json"} if user else {}
        response = client.request(method, url, content=body or b"", headers=headers)
        return response.status_code, response.json()

    yield call
    asyncio.run(engine.dispose())


def test_drf_and_fastapi_answer_the_same_sequence_alike(drf: Call, fastapi: Call) -> None:
    from_drf, from_fastapi = sequence(drf), sequence(fastapi)
    assert [status for status, _ in from_drf] == STATUSES
    for (status, body), (other_status, other_body) in zip(from_drf, from_fastapi, strict=True):
        assert status == other_status
        assert comparable(body) == comparable(other_body)
