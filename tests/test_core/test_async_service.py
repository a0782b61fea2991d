"""The asynchronous service runs the same flows; hashing stays off the event loop."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from test_core.conftest import CountingHasher

from keysmith.core import (
    AsyncMemoryTokenStore,
    AsyncTokenService,
    AuditEvent,
    AuthOutcome,
    FrozenClock,
    Hashing,
    InsufficientScope,
    InvalidToken,
    MemoryAuditSink,
    RevokedToken,
    TokenPolicy,
    TokenStateError,
)


def make(hasher: CountingHasher, sink: Any, clock: FrozenClock) -> AsyncTokenService[Any]:
    return AsyncTokenService(
        AsyncMemoryTokenStore(), policy=TokenPolicy(hashing=Hashing(hasher)), sink=sink, clock=clock
    )


def test_async_lifecycle_matches_sync_rules(
    hasher: CountingHasher, sink: MemoryAuditSink, clock: FrozenClock
) -> None:
    async def scenario() -> None:
        svc = make(hasher, sink, clock)
        token, raw = await svc.create(name="ci", scopes=["read"])
        assert (await svc.authenticate(raw)).prefix == token.prefix
        await svc.authenticate(raw)
        assert hasher.verify_calls == 1
        await svc.require_scopes(token, ["read"])
        with pytest.raises(InsufficientScope):
            await svc.require_scopes(token, ["write"])
        new_raw = await svc.rotate(token)
        with pytest.raises(InvalidToken):
            await svc.authenticate(raw)
        await svc.mark_used(token)
        assert token.last_used_at == clock.now()
        assert await svc.revoke(token) is True
        assert await svc.purge(token) is True
        with pytest.raises(RevokedToken):
            await svc.authenticate(new_raw)
        with pytest.raises(TokenStateError):
            await svc.rotate(token)

    asyncio.run(scenario())
    assert sink.actions() == [
        "created",
        "auth_success",
        "auth_success",
        "rotated",
        "auth_failed",
        "revoked",
        "revoked",
        "auth_failed",
    ]


def test_async_hashing_runs_off_the_event_loop_thread(
    hasher: CountingHasher, sink: MemoryAuditSink, clock: FrozenClock
) -> None:
    async def scenario() -> str:
        svc = make(hasher, sink, clock)
        _, raw = await svc.create(name="ci")
        await svc.authenticate(raw)
        return threading.current_thread().name

    loop_thread = asyncio.run(scenario())
    assert len(hasher.threads) == 2
    assert loop_thread not in hasher.threads


def test_async_service_accepts_async_sink_and_survives_its_failure(
    hasher: CountingHasher, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    received: list[str] = []

    class AsyncSink:
        async def emit(self, event: AuditEvent) -> None:
            received.append(event.action)
            if event.action == "auth_success":
                raise RuntimeError("audit database down")

    async def scenario() -> None:
        svc = make(hasher, AsyncSink(), clock)
        _, raw = await svc.create(name="ci")
        await svc.authenticate(raw)

    asyncio.run(scenario())
    assert received == ["created", "auth_success"]
    assert "audit sink failed" in caplog.text


def test_async_concurrent_authentications_all_succeed(
    hasher: CountingHasher, sink: MemoryAuditSink, clock: FrozenClock
) -> None:
    async def scenario() -> list[Any]:
        svc = make(hasher, sink, clock)
        _, raw = await svc.create(name="ci")
        return await asyncio.gather(*(svc.authenticate(raw) for _ in range(20)))

    results = asyncio.run(scenario())
    assert len({r.prefix for r in results}) == 1


def test_async_record_outcome_skips_a_switched_off_sink(
    hasher: CountingHasher, clock: FrozenClock
) -> None:
    received: list[str] = []

    class AsyncSink:
        enabled = False

        async def emit(self, event: AuditEvent) -> None:
            received.append(event.action)

    async def scenario() -> None:
        sink = AsyncSink()
        svc = make(hasher, sink, clock)
        outcome = AuthOutcome(token_required=True)
        await svc.record_outcome(outcome, 401)
        assert received == []
        sink.enabled = True
        await svc.record_outcome(outcome, 401)

    asyncio.run(scenario())
    assert received == ["auth_failed"]
