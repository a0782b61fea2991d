"""``KeysmithMiddleware``: token authentication for any ASGI application, no framework needed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from keysmith.asgi.authenticator import TokenAuthenticator
from keysmith.asgi.responses import close_websocket, send_reply
from keysmith.asgi.types import ASGIApp, Message, Receive, Scope, Send
from keysmith.core.errors import ConfigurationError

# A refused websocket handshake reaches the client as HTTP 403, whatever the close code.
_HANDSHAKE_STATUS = {"websocket.accept": 101, "websocket.close": 403}
_RESPONSE_START = ("http.response.start", "websocket.http.response.start")


def _paths(name: str, values: Iterable[str]) -> tuple[str, ...]:
    paths = () if isinstance(values, str) else tuple(values)
    if isinstance(values, str) or not all(isinstance(p, str) and p[:1] == "/" for p in paths):
        raise ConfigurationError(f"{name} must be a collection of paths starting with '/'.")
    return paths


class KeysmithMiddleware:
    """Authenticates every HTTP request and websocket handshake, then audits it once.

    An invalid, expired or revoked token is refused (401; websockets are closed with 1008).
    Without a token the request goes through, unless ``required`` and its path is neither one
    of ``exclude_paths`` (exact) nor under one of ``exclude_prefixes``.
    """

    def __init__(
        self,
        app: ASGIApp,
        authenticator: TokenAuthenticator[Any],
        *,
        required: bool = False,
        exclude_paths: Iterable[str] = (),
        exclude_prefixes: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.required = required
        self.exclude_paths = frozenset(_paths("exclude_paths", exclude_paths))
        self.exclude_prefixes = _paths("exclude_prefixes", exclude_prefixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            # Lifespan and extensions pass through; shutdown first writes out buffered audit.
            if scope["type"] == "lifespan":
                receive = self._closing_audit_on_shutdown(receive)
            await self.app(scope, receive, send)
            return
        auth = self.authenticator
        outcome = await auth.resolve(scope, deferred=True)
        reply = auth.replies.for_error(outcome.error) if outcome.error else None
        if reply is None and outcome.token is None and self._requires_token(scope["path"]):
            await auth.require(scope, outcome)
            reply = auth.replies.missing()
        websocket = scope["type"] == "websocket"
        if reply is not None:
            await (close_websocket if websocket else send_reply)(send, reply)
            await auth.audit(scope, outcome, 403 if websocket else reply.status)
            return
        status: list[int] = []

        async def send_recording_status(message: Message) -> None:
            await send(message)
            if not status:
                kind = message["type"]
                code = message["status"] if kind in _RESPONSE_START else _HANDSHAKE_STATUS.get(kind)
                if code is not None:
                    status.append(code)
                    if websocket:  # a socket may stay open for hours: audit the handshake now
                        await auth.audit(scope, outcome, code)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            await auth.audit(scope, outcome, status[0] if status else 500)

    def _closing_audit_on_shutdown(self, receive: Receive) -> Receive:
        """``receive``, writing out buffered audit events before the app hears of shutdown."""

        async def receive_closing_audit() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                # Before the app's own shutdown, which may dispose of the engine.
                await self.authenticator.aclose()
            return message

        return receive_closing_audit

    def _requires_token(self, path: str) -> bool:
        if not self.required or path in self.exclude_paths:
            return False
        return not path.startswith(self.exclude_prefixes)
