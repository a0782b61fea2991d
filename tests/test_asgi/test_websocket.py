"""Websocket handshakes through KeysmithMiddleware, driven by Starlette's test client."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket, WebSocketDisconnect
from test_asgi.apps import describe
from test_asgi.conftest import Keys

from keysmith.asgi import KeysmithMiddleware


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json(describe(websocket.scope))
    await websocket.close()


def app(keys: Keys, **options: Any) -> Starlette:
    auth = keys.authenticator(query_param="keysmith_token")
    middleware = [Middleware(KeysmithMiddleware, authenticator=auth, **options)]
    return Starlette(routes=[WebSocketRoute("/ws", echo)], middleware=middleware)


def issue(client: TestClient, keys: Keys, **fields: Any) -> tuple[Any, str]:
    # The app runs on the test client's event loop; tokens are created on the same one.
    return client.portal.call(partial(keys.issue, **fields))


def test_websocket_valid_token_is_accepted_with_token_in_scope(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        record, raw = issue(client, keys, scopes=("chat",))
        with client.websocket_connect("/ws", headers={"x-keysmith-token": raw}) as ws:
            seen = ws.receive_json()
    assert (seen["token"], seen["scopes"]) == (record.prefix, ["authenticated", "chat"])
    [audited] = keys.auth_events()
    assert (audited.action, audited.status_code, audited.context.method) == (
        "auth_success",
        101,
        "WEBSOCKET",
    )


def test_websocket_query_token_is_accepted(keys: Keys) -> None:
    with TestClient(app(keys)) as client:
        record, raw = issue(client, keys)
        with client.websocket_connect(f"/ws?keysmith_token={raw}") as ws:
            assert ws.receive_json()["token"] == record.prefix
    assert keys.auth_events()[0].context.path == "/ws"


@pytest.mark.parametrize("headers", [{"x-keysmith-token": "garbage"}, {}])
def test_websocket_refused_handshake_closes_with_1008_before_accept(
    keys: Keys, headers: dict[str, str]
) -> None:
    with (
        TestClient(app(keys, required=True)) as client,
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/ws", headers=headers),
    ):
        pass  # pragma: no cover - the handshake itself fails
    assert closed.value.code == 1008
    [audited] = keys.auth_events()
    assert (audited.action, audited.status_code) == ("auth_failed", 403)


def test_websocket_without_token_when_optional_is_accepted_anonymous(keys: Keys) -> None:
    with TestClient(app(keys)) as client, client.websocket_connect("/ws") as ws:
        assert ws.receive_json()["authenticated"] is False
    assert keys.auth_events() == []
