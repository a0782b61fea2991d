"""Revocation racing authentication on PostgreSQL: once the revoke commits, nothing gets in."""

from __future__ import annotations

import asyncio
import threading

from keysmith.core import (
    AsyncTokenService,
    NullAuditSink,
    RevokedToken,
    TokenService,
)
from keysmith.sqlalchemy import AsyncSQLTokenStore, SQLTokenStore, make_async_engine, make_engine
from keysmith.testing.contract import fast_policy

WORKERS = 6
# Successful authentications to see before revoking, so the race is real.
WARM_UP = 30
# Attempts each worker makes after it saw the revocation committed.
AFTER = 5


def test_sync_revoke_during_authentication_threads_refused_after_commit(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url, pool_size=WORKERS + 2)
    svc = TokenService(SQLTokenStore(engine), policy=fast_policy(), sink=NullAuditSink())
    record, raw = svc.create(name="busy")
    committed, warmed = threading.Event(), threading.Event()
    outcomes: list[tuple[bool, bool]] = []  # (started after the revoke committed, succeeded)
    errors: list[BaseException] = []

    def authenticate_until_refused() -> None:
        after = 0
        while after < AFTER:
            started_after = committed.is_set()
            try:
                svc.authenticate(raw)
                outcomes.append((started_after, True))
            except RevokedToken:
                outcomes.append((started_after, False))
            except BaseException as error:
                errors.append(error)
                warmed.set()
                return
            after += started_after
            if len(outcomes) >= WARM_UP:
                warmed.set()

    threads = [threading.Thread(target=authenticate_until_refused) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    assert warmed.wait(timeout=60)
    try:
        changed = svc.revoke(record)
    finally:
        committed.set()  # also on failure, so the workers stop
    for thread in threads:
        thread.join()
    row = svc.store.get_by_prefix(record.prefix)
    engine.dispose()

    assert changed is True
    assert errors == []
    assert any(ok for started_after, ok in outcomes if not started_after)
    assert [ok for started_after, ok in outcomes if started_after] == [False] * WORKERS * AFTER
    assert row is not None
    assert row.revoked is True


def test_async_revoke_during_authentication_tasks_refused_after_commit(
    postgres_url: str,
) -> None:
    async def race() -> tuple[list[tuple[bool, bool]], bool]:
        engine = make_async_engine(postgres_url, pool_size=WORKERS + 2)
        svc = AsyncTokenService(
            AsyncSQLTokenStore(engine), policy=fast_policy(), sink=NullAuditSink()
        )
        record, raw = await svc.create(name="busy")
        committed, warmed = asyncio.Event(), asyncio.Event()
        outcomes: list[tuple[bool, bool]] = []

        async def authenticate_until_refused() -> None:
            after = 0
            while after < AFTER:
                started_after = committed.is_set()
                try:
                    await svc.authenticate(raw)
                    outcomes.append((started_after, True))
                except RevokedToken:
                    outcomes.append((started_after, False))
                after += started_after
                if len(outcomes) >= WARM_UP:
                    warmed.set()

        async def revoke_when_warm() -> None:
            await warmed.wait()
            assert await svc.revoke(record) is True
            committed.set()

        # gather raises the first error of any task: an error fails the test.
        await asyncio.gather(
            revoke_when_warm(), *(authenticate_until_refused() for _ in range(WORKERS))
        )
        row = await svc.store.get_by_prefix(record.prefix)
        await engine.dispose()
        return outcomes, row is not None and row.revoked

    outcomes, revoked = asyncio.run(race())
    assert any(ok for started_after, ok in outcomes if not started_after)
    assert [ok for started_after, ok in outcomes if started_after] == [False] * WORKERS * AFTER
    assert revoked
