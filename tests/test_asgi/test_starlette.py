"""Starlette's AuthenticationMiddleware with KeysmithBackend, and ``@requires`` on token scopes."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.authentication import BaseUser, requires
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from test_asgi.conftest import Keys

from keysmith.asgi import KeysmithMiddleware, RateLimited
from keysmith.asgi.starlette import KeysmithBackend, KeysmithUser, on_auth_error

HEADER = "x-keysmith-token"


async def whoami(request: Request) -> JSONResponse:
    user = request.user
    return JSONResponse(
        {
            "authenticated": user.is_authenticated,
            "name": user.display_name,
            "is_base_user": isinstance(user, BaseUser),
            "scopes": request.auth.scopes,
            "token": getattr(request.state, "keysmith_token", None) is not None,
        }
    )


@requires("write")
async def write(request: Request) -> JSONResponse:
    return JSONResponse({"written": True})


def app(keys: Keys, *, outer_middleware: bool = False) -> Starlette:
    auth = keys.authenticator()
    middleware = [Middleware(KeysmithMiddleware, authenticator=auth)] if outer_middleware else []
    middleware.append(
        Middleware(AuthenticationMiddleware, backend=KeysmithBackend(auth), on_error=on_auth_error)
    )
    routes = [Route("/", whoami), Route("/write", write, methods=["POST"])]
    return Starlette(routes=routes, middleware=middleware)


def issue(client: TestClient, keys: Keys, *scopes: str) -> tuple[Any, str]:
    return client.portal.call(partial(keys.issue, scopes=scopes))


def test_backend_valid_token_gives_starlette_user_and_scopes(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        record, raw = issue(client, keys, "read", "write")
        response = client.get("/", headers={HEADER: raw})
    assert response.json() == {
        "authenticated": True,
        "name": record.prefix,
        "is_base_user": True,
        "scopes": ["authenticated", "read", "write"],
        "token": True,
    }


def test_backend_requires_scope_present_allows(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        _, raw = issue(client, keys, "write")
        assert client.post("/write", headers={HEADER: raw}).status_code == 200


def test_backend_requires_scope_missing_forbids(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        _, raw = issue(client, keys, "read")
        assert client.post("/write", headers={HEADER: raw}).status_code == 403


def test_backend_no_token_is_unauthenticated(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        assert client.get("/").json()["authenticated"] is False
        assert client.post("/write").status_code == 403
    assert keys.auth_events() == []


def test_backend_invalid_token_answers_keysmith_401_and_audits_it(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        response = client.get("/", headers={HEADER: "tok_nope"})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    [audited] = keys.auth_events()
    assert (audited.action, audited.status_code) == ("auth_failed", 401)


def test_backend_alone_audits_success_without_status(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        _, raw = issue(client, keys, "write")
        client.post("/write", headers={HEADER: raw})
    [audited] = keys.auth_events()
    assert (audited.action, audited.status_code) == ("auth_success", 0)


@pytest.mark.parametrize(("scopes", "status"), [(("write",), 200), (("read",), 403)])
def test_backend_behind_middleware_reuses_result_and_audits_once_with_status(
    keys: Keys, scopes: tuple[str, ...], status: int
) -> None:
    with TestClient(app(keys, outer_middleware=True)) as client:
        _, raw = issue(client, keys, *scopes)
        assert client.post("/write", headers={HEADER: raw}).status_code == status
    [audited] = keys.auth_events()
    assert (audited.action, audited.status_code) == ("auth_success", status)


def test_keysmith_user_identity_is_owner_or_prefix(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        owned, _ = client.portal.call(partial(keys.issue, user="alice"))
        system, _ = client.portal.call(partial(keys.issue, token_type="system"))
    assert KeysmithUser(owned).identity == "alice"
    assert KeysmithUser(system).identity == system.prefix
    assert KeysmithUser(owned).token is owned


def test_backend_rate_limited_answers_429_through_on_auth_error(keys: Keys) -> None:
    def refuse(scope: Any, raw: str | None) -> None:
        raise RateLimited(retry_after=5)

    backend = KeysmithBackend(keys.authenticator(rate_limit=refuse))
    middleware = [Middleware(AuthenticationMiddleware, backend=backend, on_error=on_auth_error)]
    with TestClient(Starlette(routes=[Route("/", whoami)], middleware=middleware)) as client:
        response = client.get("/")
    assert (response.status_code, response.headers["retry-after"]) == (429, "5")
    assert response.json()["code"] == "rate_limited"


@requires("authenticated")
async def members(request: Request) -> JSONResponse:
    return JSONResponse({"member": request.user.display_name})


@pytest.mark.parametrize("arrangement", ["backend", "middleware_alone"])
def test_requires_authenticated_admits_valid_token_refuses_none(
    keys: Keys, arrangement: str
) -> None:
    auth = keys.authenticator()
    if arrangement == "backend":
        layer = Middleware(
            AuthenticationMiddleware, backend=KeysmithBackend(auth), on_error=on_auth_error
        )
    else:
        layer = Middleware(KeysmithMiddleware, authenticator=auth)
    members_app = Starlette(routes=[Route("/members", members)], middleware=[layer])
    with TestClient(members_app) as client:
        record, raw = issue(client, keys, "read")
        response = client.get("/members", headers={HEADER: raw})
        assert (response.status_code, response.json()) == (200, {"member": record.prefix})
        assert client.get("/members").status_code == 403


def test_backend_bearer_keysmith_token_authenticates_and_other_bearer_is_anonymous(
    keys: Keys,
) -> None:
    with TestClient(app(keys)) as client:
        record, raw = issue(client, keys, "read")
        keysmith = client.get("/", headers={"Authorization": f"Bearer {raw}"})
        other = client.get("/", headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."})
    assert (keysmith.json()["authenticated"], keysmith.json()["name"]) == (True, record.prefix)
    assert (other.status_code, other.json()["authenticated"]) == (200, False)
    assert [event.action for event in keys.auth_events()] == ["auth_success"]
