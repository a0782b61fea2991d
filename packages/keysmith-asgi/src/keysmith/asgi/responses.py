"""Sending the error answers (``keysmith.core.replies``: 401, 403, 429, 503) over ASGI."""

from __future__ import annotations

from keysmith.asgi.types import Send
from keysmith.core.replies import (
    WS_POLICY_VIOLATION,
    WS_TRY_AGAIN_LATER,
    ErrorReply,
    Replies,
    challenge,
)

__all__ = [
    "WS_POLICY_VIOLATION",
    "WS_TRY_AGAIN_LATER",
    "ErrorReply",
    "Replies",
    "challenge",
    "close_websocket",
    "send_reply",
]


async def send_reply(send: Send, reply: ErrorReply) -> None:
    body = reply.body()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    headers += [(k.lower().encode("ascii"), v.encode("ascii")) for k, v in reply.headers.items()]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def close_websocket(send: Send, reply: ErrorReply) -> None:
    """Refuse a websocket handshake: close before accepting (the server answers 403)."""
    await send({"type": "websocket.close", "code": reply.close_code, "reason": reply.code})
