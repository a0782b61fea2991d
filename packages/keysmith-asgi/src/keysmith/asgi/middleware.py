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
            # Lifespan and extensions pass through (lifespan with keysmith's part).
            if scope["type"] == "lifespan":
                await self._lifespan(scope, receive, send)
            else:
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

    async def _lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app's lifespan, plus keysmith's part: once the app's own start-up is done (which
        may create the tables), check the token store, and fail the start-up naming the fix
        when its tables are missing; on shutdown, write out buffered audit events first."""
        failed = False

        async def receive_lifespan() -> Message:
            message = await receive()
            if message["type"] == "lifespan.shutdown":
                # Before the app's own shutdown, which may dispose of the engine.
                await self.authenticator.aclose()
            return message

        async def send_lifespan(message: Message) -> None:
            nonlocal failed
            if failed:
                return  # the server has the reason; the app's own account of it would bury it
            if message["type"] == "lifespan.startup.complete":
                try:
                    await self.authenticator.check_store()
                except ConfigurationError as error:
                    failed = True
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    # Raised into the app, as a failure of its own start-up would be: it
                    # leaves its lifespan (running its clean-up) and the server stops.
                    raise
            await send(message)

        await self.app(scope, receive_lifespan, send_lifespan)

    def _requires_token(self, path: str) -> bool:
        if not self.required or path in self.exclude_paths:
            return False
        return not path.startswith(self.exclude_prefixes)
