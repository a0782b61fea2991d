"""Small ASGI applications the tests put behind keysmith."""

from __future__ import annotations

import json
from typing import Any

from keysmith.asgi import TOKEN_KEY
from keysmith.asgi.types import Receive, Scope, Send


def describe(scope: Scope) -> dict[str, Any]:
    """What keysmith left in the scope, as JSON-safe values."""
    token = scope.get(TOKEN_KEY)
    user, auth = scope.get("user"), scope.get("auth")
    return {
        "token": token.prefix if token is not None else None,
        "state_token": getattr(scope.get("state", {}).get("keysmith_token"), "prefix", None),
        "authenticated": getattr(user, "is_authenticated", None),
        "display_name": getattr(user, "display_name", None),
        "scopes": list(getattr(auth, "scopes", [])),
    }


async def echo_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers every HTTP request with ``describe(scope)``; accepts every websocket."""
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": json.dumps(describe(scope))})
        await send({"type": "websocket.close", "code": 1000})
        return
    status = int(scope["path"].rsplit("/", 1)[-1]) if scope["path"].startswith("/status/") else 200
    body = json.dumps(describe(scope)).encode()
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": body})


async def failing_app(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("the application failed")
