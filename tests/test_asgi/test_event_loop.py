"""Hashing never runs on the event loop: the middleware's requests hash in worker threads."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from test_asgi.apps import echo_app

from keysmith.asgi import KeysmithMiddleware, TokenAuthenticator
from keysmith.core import (
    AsyncMemoryTokenStore,
    AsyncTokenService,
    Hashing,
    MemoryAuditSink,
    PBKDF2SHA512TokenHasher,
    TokenPolicy,
)

pytestmark = pytest.mark.anyio


class LoopCheckingHasher(PBKDF2SHA512TokenHasher):
    """Records, for every slow call, its thread and whether an event loop runs there."""

    def __init__(self) -> None:
        super().__init__(iterations=1_000)
        self.calls: list[tuple[str, threading.Thread, bool]] = []

    def _record(self, name: str) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            on_loop = False
        else:
            on_loop = True
        self.calls.append((name, threading.current_thread(), on_loop))

    def hash(self, secret: str) -> str:
        self._record("hash")
        return super().hash(secret)

    def verify(self, secret: str, hashed: str) -> bool:
        self._record("verify")
        return super().verify(secret, hashed)


async def test_middleware_hashing_runs_off_the_event_loop_thread() -> None:
    hasher = LoopCheckingHasher()
    service = AsyncTokenService(
        AsyncMemoryTokenStore(),
        policy=TokenPolicy(hashing=Hashing(hasher)),
        sink=MemoryAuditSink(),
        cache_size=0,  # no verified-secret cache: every request must verify with the hasher
    )
    _, raw = await service.create(name="loop")
    middleware = KeysmithMiddleware(echo_app, TokenAuthenticator(service))
    transport = httpx.ASGITransport(middleware)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        for _ in range(2):
            assert (await http.get("/", headers={"x-keysmith-token": raw})).status_code == 200
    loop_thread = threading.current_thread()
    assert [name for name, _, _ in hasher.calls] == ["hash", "verify", "verify"]
    assert all(thread is not loop_thread and not on_loop for _, thread, on_loop in hasher.calls)
