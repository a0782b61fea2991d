"""``Authorization: Bearer`` through the middleware and FastAPI, beside other Bearer schemes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel
from starlette.testclient import TestClient
from support.docs_samples import docs_sample
from test_asgi.apps import echo_app
from test_asgi.conftest import Keys

from keysmith.asgi import KeysmithMiddleware, TokenAuthenticator
from keysmith.asgi.fastapi import KeysmithToken
from keysmith.core.checksum import checksum
from keysmith.sqlalchemy import create_all

HEADER = "x-keysmith-token"
BOTH = 'APIKey realm="keysmith", header="x-keysmith-token", Bearer realm="keysmith"'
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS1vYXV0aDItc2VydmVy"


@asynccontextmanager
async def client(auth: TokenAuthenticator[Any], **options: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(KeysmithMiddleware(echo_app, auth, **options))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def forge(raw: str) -> str:
    """A well-formed keysmith token with the prefix of ``raw`` and a wrong secret."""
    body = raw.split(":", maxsplit=1)[0] + ":" + "x" * 32
    return body + checksum(body)


@pytest.mark.anyio
async def test_middleware_bearer_by_default_authenticates(keys: Keys) -> None:
    record, raw = await keys.issue()
    async with client(keys.authenticator()) as http:
        response = await http.get("/items", headers={"Authorization": f"Bearer {raw}"})
    assert response.json()["token"] == record.prefix
    [audited] = keys.auth_events()
    assert audited.action == "auth_success"


@pytest.mark.anyio
async def test_middleware_forged_keysmith_bearer_answers_401_naming_both_schemes(
    keys: Keys,
) -> None:
    _, raw = await keys.issue()
    async with client(keys.authenticator()) as http:
        response = await http.get("/items", headers={"Authorization": f"Bearer {forge(raw)}"})
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")
    assert response.headers["www-authenticate"] == (
        'APIKey realm="keysmith", header="x-keysmith-token", error="invalid_token", '
        'Bearer realm="keysmith", error="invalid_token"'
    )


@pytest.mark.anyio
async def test_middleware_other_bearer_passes_through_untouched(keys: Keys) -> None:
    async with client(keys.authenticator()) as http:
        response = await http.get("/items", headers={"Authorization": f"Bearer {JWT}"})
    assert response.status_code == 200
    assert response.json()["token"] is None
    assert keys.auth_events() == []


@pytest.mark.anyio
async def test_middleware_required_other_bearer_answers_missing_token(keys: Keys) -> None:
    async with client(keys.authenticator(), required=True) as http:
        response = await http.get("/items", headers={"Authorization": f"Bearer {JWT}"})
    assert (response.status_code, response.json()["code"]) == (401, "missing_token")
    assert response.headers["www-authenticate"] == BOTH
    [audited] = keys.auth_events()
    assert audited.extra["reason"] == "missing_token"


@pytest.mark.anyio
async def test_middleware_header_and_bearer_with_different_tokens_are_refused(
    keys: Keys,
) -> None:
    _, raw = await keys.issue()
    _, other = await keys.issue()
    async with client(keys.authenticator()) as http:
        response = await http.get(
            "/items", headers={HEADER: raw, "Authorization": f"Bearer {other}"}
        )
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")
    [audited] = keys.auth_events()
    assert (audited.status_code, audited.extra["reason"]) == (401, "ambiguous_credentials")


@pytest.mark.anyio
async def test_middleware_header_and_bearer_with_the_same_token_authenticate_once(
    keys: Keys,
) -> None:
    record, raw = await keys.issue()
    async with client(keys.authenticator()) as http:
        response = await http.get("/items", headers={HEADER: raw, "Authorization": f"Bearer {raw}"})
    assert response.json()["token"] == record.prefix
    assert [event.action for event in keys.auth_events()] == ["auth_success"]


@pytest.mark.anyio
async def test_middleware_bearer_off_ignores_bearer_and_challenges_header_only(
    keys: Keys,
) -> None:
    _, raw = await keys.issue()
    async with client(keys.authenticator(allow_bearer=False), required=True) as http:
        response = await http.get("/items", headers={"Authorization": f"Bearer {raw}"})
    assert (response.status_code, response.json()["code"]) == (401, "missing_token")
    assert response.headers["www-authenticate"] == (
        'APIKey realm="keysmith", header="x-keysmith-token"'
    )


@pytest.mark.anyio
@pytest.mark.parametrize(
    "value",
    [
        b"Bearer",
        b"Bearer ",
        b"Basic dXNlcjpwYXNz",
        b"Bearer \x01\x02\x7f",
        "Bearer tök".encode(),
        b"Bearer \xff\xfe",
        b"Bearer " + b"A" * 100_000,
        b"\x00",
    ],
)
async def test_middleware_malformed_authorization_is_never_a_500(keys: Keys, value: bytes) -> None:
    async with client(keys.authenticator()) as http:
        response = await http.get("/items", headers=[(b"Authorization", value)])
    assert response.status_code == 200
    assert response.json()["token"] is None


# FastAPI: OAuth2PasswordBearer guards some routes, keysmith others, in one app behind keysmith's
# middleware.
USERS = {"alice": "wonderland"}


class Login(BaseModel):
    # JSON rather than OAuth2's form, which would need python-multipart.
    username: str
    password: str


def oauth2_app(keys: Keys) -> FastAPI:
    auth = keys.authenticator()
    keysmith_token = KeysmithToken(auth)
    oauth2 = OAuth2PasswordBearer(tokenUrl="/login")
    issued: dict[str, str] = {}
    api = FastAPI()
    api.add_middleware(KeysmithMiddleware, authenticator=auth)

    @api.post("/login")
    def login(form: Login) -> dict[str, str]:
        if USERS.get(form.username) != form.password:
            raise HTTPException(400, "Incorrect username or password")
        issued[JWT] = form.username
        return {"access_token": JWT, "token_type": "bearer"}

    def current_user(access_token: str = Depends(oauth2)) -> str:
        user = issued.get(access_token)
        if user is None:
            raise HTTPException(401, "Bad access token", {"WWW-Authenticate": "Bearer"})
        return user

    @api.get("/profile")
    def profile(user: str = Depends(current_user)) -> dict[str, str]:
        return {"user": user}

    @api.get("/reports")
    def reports(token: Any = Depends(keysmith_token)) -> dict[str, str]:
        return {"prefix": token.prefix}

    return api


def test_fastapi_oauth2_bearer_route_works_beside_keysmith(keys: Keys) -> None:
    with TestClient(oauth2_app(keys)) as http:
        login = http.post("/login", json={"username": "alice", "password": "wonderland"})
        access = login.json()["access_token"]
        response = http.get("/profile", headers={"Authorization": f"Bearer {access}"})
        refused = http.get("/profile", headers={"Authorization": "Bearer not-issued"})
    assert response.json() == {"user": "alice"}
    assert (refused.status_code, refused.json()) == (401, {"detail": "Bad access token"})
    assert keys.auth_events() == []


def test_fastapi_keysmith_route_takes_keysmith_bearer_and_refuses_the_oauth2_one(
    keys: Keys,
) -> None:
    with TestClient(oauth2_app(keys)) as http:
        record, raw = http.portal.call(partial(keys.issue))
        ok = http.get("/reports", headers={"Authorization": f"Bearer {raw}"})
        header = http.get("/reports", headers={HEADER: raw})
        oauth2_token = http.get("/reports", headers={"Authorization": f"Bearer {JWT}"})
        keysmith_on_oauth2_route = http.get("/profile", headers={"Authorization": f"Bearer {raw}"})
    assert ok.json() == header.json() == {"prefix": record.prefix}
    assert oauth2_token.status_code == 401
    assert oauth2_token.json() == {"detail": "Authentication credentials were not provided."}
    assert oauth2_token.headers["www-authenticate"] == BOTH
    # The OAuth2 route decides for itself: a keysmith token is not one of its access tokens.
    assert keysmith_on_oauth2_route.status_code == 401
    assert keysmith_on_oauth2_route.json() == {"detail": "Bad access token"}


def test_docs_oauth2_sample_serves_both_schemes_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'keysmith.sqlite3'}"
    create_all(url)
    monkeypatch.setenv("KEYSMITH_DATABASE_URL", url)
    sample: dict[str, Any] = {"__name__": "fastapi_oauth2_sample"}
    exec(compile(docs_sample("fastapi.md", "oauth2"), "docs/fastapi.md", "exec"), sample)
    sample["decode_access_token"] = {JWT: "alice"}.get  # the application's own check
    keysmith = sample["keysmith"]
    with TestClient(sample["app"]) as http:
        record, raw = http.portal.call(partial(keysmith.service.create, name="script"))
        profile = http.get("/profile", headers={"Authorization": f"Bearer {JWT}"})
        reports = http.get("/reports", headers={"Authorization": f"Bearer {raw}"})
        oauth2_on_reports = http.get("/reports", headers={"Authorization": f"Bearer {JWT}"})
        keysmith_on_profile = http.get("/profile", headers={"Authorization": f"Bearer {raw}"})
        forged = http.get("/profile", headers={"Authorization": f"Bearer {forge(raw)}"})
    assert (profile.status_code, profile.json()) == (200, {"user": "alice"})
    assert reports.json() == {"prefix": record.prefix}
    assert (oauth2_on_reports.status_code, oauth2_on_reports.headers["www-authenticate"]) == (
        401,
        BOTH,
    )
    assert keysmith_on_profile.json() == {"detail": "Invalid access token"}
    assert (forged.status_code, forged.json()["code"]) == (401, "invalid_token")
