"""The ASGI callable types, spelled out here so the middleware needs no framework import."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Where the middleware leaves its results in the connection scope.
TOKEN_KEY = "keysmith.token"
OUTCOME_KEY = "keysmith.outcome"
STATE_TOKEN_ATTRIBUTE = "keysmith_token"


def header_values(scope: Scope, name: bytes) -> list[bytes]:
    """Every value of one header, in order. ASGI servers send header names lower-cased."""
    return [value for key, value in scope.get("headers", ()) if key == name]
