"""The lifecycle service on an event loop: the same flows, hashing in worker threads."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from keysmith.core.audit import AuditEvent, AuditSink, RequestContext
from keysmith.core.clock import Clock
from keysmith.core.operations import (
    Call,
    Compute,
    Emit,
    Flow,
    Operation,
    StoreCall,
    drive_async,
)
from keysmith.core.outcome import AuthOutcome
from keysmith.core.policy import Expiry, TokenPolicy
from keysmith.core.scopes import require_scopes
from keysmith.core.service_base import ServiceBase, T, log_sink_failure
from keysmith.core.stores import AsyncTokenStore, R

__all__ = ["AsyncTokenService"]


class AsyncTokenService(ServiceBase[R]):
    """Asynchronous lifecycle over an ``AsyncTokenStore``; hashing runs in worker threads."""

    def __init__(
        self,
        store: AsyncTokenStore[R],
        *,
        policy: TokenPolicy | None = None,
        sink: AuditSink | None = None,
        clock: Clock | None = None,
        cache_size: int = 10_000,
    ) -> None:
        super().__init__(policy=policy, sink=sink, clock=clock, cache_size=cache_size)
        self.store = store

    async def create(
        self,
        *,
        name: str,
        description: str = "",
        user: Any = None,
        created_by: Any = None,
        scopes: Iterable[Any] | None = None,
        expires_at: Expiry = None,
        token_type: str | None = None,
        scope_name: Callable[[Any], str] = str,
        context: RequestContext | None = None,
    ) -> tuple[R, str]:
        return await self._run(
            self.flows.create(
                name=name,
                description=description,
                user=user,
                created_by=created_by,
                scopes=scopes,
                expires_at=expires_at,
                token_type=token_type,
                scope_name=scope_name,
                context=context,
            )
        )

    async def authenticate(
        self,
        raw: object,
        *,
        context: RequestContext | None = None,
        audit: bool = True,
        client: str | None = None,
    ) -> R:
        flow = self.flows.authenticate(raw, context=context, audit=audit, client=client)
        del raw  # kept out of this frame too: error reports show frame locals
        record: R = await self._run(flow)
        return record

    async def rotate(
        self,
        record: R,
        *,
        actor: Any = None,
        context: RequestContext | None = None,
        grace: timedelta | None = None,
    ) -> str:
        return await self._run(self.flows.rotate(record, actor=actor, context=context, grace=grace))

    async def revoke(
        self, record: R, *, actor: Any = None, context: RequestContext | None = None
    ) -> bool:
        return await self._run(self.flows.revoke(record, actor=actor, context=context))

    async def purge(
        self, record: R, *, actor: Any = None, context: RequestContext | None = None
    ) -> bool:
        return await self._run(self.flows.revoke(record, purge=True, actor=actor, context=context))

    async def mark_used(self, record: R) -> None:
        await self._run(self.flows.mark_used(record))

    async def scopes_of(self, record: R) -> frozenset[str]:
        """The scope names granted to the token."""
        return await self.store.scopes_of(record)

    async def require_scopes(self, record: R, required: Iterable[str]) -> None:
        require_scopes(await self.store.scopes_of(record), required)

    async def emit(self, event: AuditEvent) -> None:
        await self._perform(Emit(event))

    async def record_outcome(self, outcome: AuthOutcome, status_code: int) -> None:
        if self.auditing:
            await self._run(self.flows.record_outcome(outcome, status_code))

    async def _run(self, flow: Flow[T]) -> T:
        return await drive_async(flow, self._perform)

    async def _perform(self, op: Operation) -> Any:
        if isinstance(op, StoreCall):
            return await getattr(self.store, op.method.__name__)(*op.args, **op.kwargs)
        if isinstance(op, Compute):
            return await asyncio.to_thread(op.fn, *op.args)
        if isinstance(op, Call):
            result = op.fn(*op.args)
            return await result if inspect.isawaitable(result) else result
        try:
            outcome = self.sink.emit(op.event)
            if inspect.isawaitable(outcome):
                await outcome
        except Exception:
            log_sink_failure(op.event)
        return None
