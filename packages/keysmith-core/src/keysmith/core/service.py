"""The lifecycle service, run synchronously: the flows' operations performed in the caller's
thread (``AsyncTokenService``, its asyncio twin, is re-exported here)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

# Defined apart; importable from here as it always was.
from keysmith.core.async_service import AsyncTokenService
from keysmith.core.audit import AuditEvent, AuditSink, RequestContext
from keysmith.core.clock import Clock
from keysmith.core.operations import Call, Compute, Emit, Flow, Operation, StoreCall, drive
from keysmith.core.outcome import AuthOutcome
from keysmith.core.policy import Expiry, TokenPolicy
from keysmith.core.scopes import require_scopes
from keysmith.core.service_base import ServiceBase, T, log_sink_failure, refuse_awaitable
from keysmith.core.stores import R, TokenStore

__all__ = ["AsyncTokenService", "TokenService"]


class TokenService(ServiceBase[R]):
    """Synchronous lifecycle over a ``TokenStore``."""

    def __init__(
        self,
        store: TokenStore[R],
        *,
        policy: TokenPolicy | None = None,
        sink: AuditSink | None = None,
        clock: Clock | None = None,
        cache_size: int = 10_000,
    ) -> None:
        super().__init__(policy=policy, sink=sink, clock=clock, cache_size=cache_size)
        self.store = store

    def create(
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
        return self._run(
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

    def authenticate(
        self,
        raw: object,
        *,
        context: RequestContext | None = None,
        audit: bool = True,
        client: str | None = None,
    ) -> R:
        flow = self.flows.authenticate(raw, context=context, audit=audit, client=client)
        del raw  # kept out of this frame too: error reports show frame locals
        record: R = self._run(flow)
        return record

    def rotate(
        self,
        record: R,
        *,
        actor: Any = None,
        context: RequestContext | None = None,
        grace: timedelta | None = None,
    ) -> str:
        return self._run(self.flows.rotate(record, actor=actor, context=context, grace=grace))

    def revoke(
        self, record: R, *, actor: Any = None, context: RequestContext | None = None
    ) -> bool:
        return self._run(self.flows.revoke(record, actor=actor, context=context))

    def purge(self, record: R, *, actor: Any = None, context: RequestContext | None = None) -> bool:
        return self._run(self.flows.revoke(record, purge=True, actor=actor, context=context))

    def mark_used(self, record: R) -> None:
        self._run(self.flows.mark_used(record))

    def scopes_of(self, record: R) -> frozenset[str]:
        """The scope names granted to the token."""
        return self.store.scopes_of(record)

    def require_scopes(self, record: R, required: Iterable[str]) -> None:
        require_scopes(self.store.scopes_of(record), required)

    def emit(self, event: AuditEvent) -> None:
        """Record an event built by an adapter (for example once the status code is known)."""
        self._perform(Emit(event))

    def record_outcome(self, outcome: AuthOutcome, status_code: int) -> None:
        """Audit a request's authentication outcome, once, with the response's status code."""
        if self.auditing:
            self._run(self.flows.record_outcome(outcome, status_code))

    def _run(self, flow: Flow[T]) -> T:
        return drive(flow, self._perform)

    def _perform(self, op: Operation) -> Any:
        if isinstance(op, StoreCall):
            return getattr(self.store, op.method.__name__)(*op.args, **op.kwargs)
        if isinstance(op, Compute):
            return op.fn(*op.args)
        if isinstance(op, Call):
            result = op.fn(*op.args)
            if inspect.isawaitable(result):
                refuse_awaitable(result, op.fn)
            return result
        try:
            self.sink.emit(op.event)
        except Exception:
            log_sink_failure(op.event)
        return None
