"""The FastAPI security dependency: OpenAPI scheme, per-route scopes, 401/403 answers."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from fastapi import Depends, FastAPI, Security, WebSocket
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from test_asgi.conftest import Keys

from keysmith.asgi import KeysmithMiddleware, RateLimited
from keysmith.asgi.fastapi import KeysmithToken

HEADER = "x-keysmith-token"


def app(keys: Keys, *, with_middleware: bool = False) -> FastAPI:
    # Dependencies are default values, not Annotated[...]: with postponed annotations FastAPI
    # could not see these local objects.
    auth = keys.authenticator()
    token = KeysmithToken(auth)
    writer = KeysmithToken(auth, scopes=["write"])
    optional = KeysmithToken(auth, auto_error=False)
    api = FastAPI()
    if with_middleware:
        api.add_middleware(KeysmithMiddleware, authenticator=auth)

    @api.get("/public")
    def public() -> dict[str, str]:
        return {"hello": "world"}

    @api.get("/me")
    def me(tok: Any = Depends(token)) -> dict[str, str]:
        return {"prefix": tok.prefix}

    @api.post("/items")
    def create(tok: Any = Depends(writer)) -> dict[str, str]:
        return {"created_by": tok.prefix}

    @api.delete("/items")
    def delete(tok: Any = Security(token, scopes=["admin", "write"])) -> dict[str, str]:
        return {"deleted_by": tok.prefix}

    @api.get("/maybe")
    def maybe(tok: Any = Depends(optional)) -> dict[str, Any]:
        return {"prefix": tok.prefix if tok is not None else None}

    @api.websocket("/ws")
    async def ws(websocket: WebSocket, tok: Any = Depends(token)) -> None:
        await websocket.accept()
        await websocket.send_text(tok.prefix)
        await websocket.close()

    return api


def issue(client: TestClient, keys: Keys, *scopes: str) -> tuple[Any, str]:
    return client.portal.call(partial(keys.issue, scopes=scopes))


def test_dependency_appears_in_openapi_as_api_key_header_scheme(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"] == {
        "KeysmithToken": {
            "type": "apiKey",
            "in": "header",
            "name": HEADER,
            "description": "An API token issued by keysmith.",
        }
    }
    assert schema["paths"]["/me"]["get"]["security"] == [{"KeysmithToken": []}]
    assert schema["paths"]["/items"]["delete"]["security"] == [
        {"KeysmithToken": ["admin", "write"]}
    ]
    assert "security" not in schema["paths"]["/public"]["get"]


def test_dependency_valid_token_is_given_to_endpoint(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        record, raw = issue(client, keys)
        response = client.get("/me", headers={HEADER: raw})
    assert response.json() == {"prefix": record.prefix}


def test_dependency_missing_token_answers_401_with_challenge(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        response = client.get("/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    assert response.headers["www-authenticate"] == (
        f'APIKey realm="keysmith", header="{HEADER}", Bearer realm="keysmith"'
    )
    [audited] = keys.auth_events()
    assert (audited.action, audited.status_code, audited.extra["reason"]) == (
        "auth_failed",
        401,
        "missing_token",
    )


@pytest.mark.parametrize("value", ["garbage", "tok_abcdefgh:" + "x" * 32 + "000000"])
def test_dependency_invalid_token_answers_401(keys: Keys, value: str) -> None:
    with TestClient(app(keys)) as client:
        response = client.get("/me", headers={HEADER: value})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_dependency_route_scope_missing_answers_403(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        _, raw = issue(client, keys, "read")
        response = client.post("/items", headers={HEADER: raw})
    assert response.status_code == 403
    assert response.json() == {"detail": "You do not have permission to perform this action."}
    assert 'error="insufficient_scope", scope="write"' in response.headers["www-authenticate"]


def test_dependency_route_scope_present_allows(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        record, raw = issue(client, keys, "write")
        response = client.post("/items", headers={HEADER: raw})
    assert response.json() == {"created_by": record.prefix}


@pytest.mark.parametrize(("scopes", "status"), [(("write",), 403), (("admin", "write"), 200)])
def test_dependency_security_scopes_are_all_required(
    keys: Keys, scopes: tuple[str, ...], status: int
) -> None:
    with TestClient(app(keys)) as client:
        _, raw = issue(client, keys, *scopes)
        assert client.delete("/items", headers={HEADER: raw}).status_code == status


def test_dependency_optional_without_token_gives_none(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        assert client.get("/maybe").json() == {"prefix": None}
        assert client.get("/maybe", headers={HEADER: "garbage"}).status_code == 401


def test_dependency_websocket_without_token_closes_with_1008(keys: Keys) -> None:
    with (
        TestClient(app(keys)) as client,
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/ws"),
    ):
        pass  # pragma: no cover - the handshake itself fails
    assert closed.value.code == 1008


def test_dependency_websocket_with_token_is_accepted(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        record, raw = issue(client, keys)
        with client.websocket_connect("/ws", headers={HEADER: raw}) as ws:
            assert ws.receive_text() == record.prefix


@pytest.mark.parametrize(("path", "status"), [("/me", 401), ("/items", 403)])
def test_dependency_behind_middleware_is_audited_once_with_final_status(
    keys: Keys, path: str, status: int
) -> None:
    with TestClient(app(keys, with_middleware=True)) as client:
        _, raw = issue(client, keys, "read")
        headers = {HEADER: raw} if path == "/items" else {}
        method = "POST" if path == "/items" else "GET"
        assert client.request(method, path, headers=headers).status_code == status
    [audited] = keys.auth_events()
    assert audited.status_code == status
    assert audited.action == ("auth_failed" if status == 401 else "auth_success")


def test_dependency_scopes_as_single_string_raises_type_error(keys: Keys) -> None:
    with pytest.raises(TypeError, match="scopes"):
        KeysmithToken(keys.authenticator(), scopes="write")


def test_dependency_rate_limited_answers_429_with_retry_after(keys: Keys) -> None:
    def refuse(scope: Any, raw: str | None) -> None:
        raise RateLimited(retry_after=7)

    api = FastAPI()
    limited = KeysmithToken(keys.authenticator(rate_limit=refuse))

    @api.get("/me")
    def me(tok: Any = Depends(limited)) -> None:
        raise AssertionError("not reached")  # pragma: no cover

    with TestClient(api) as client:
        response = client.get("/me")
    assert (response.status_code, response.headers["retry-after"]) == (429, "7")
