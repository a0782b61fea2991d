"""The lifecycle services: the same flows, run synchronously or on an event loop."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, Generic, TypeVar

from keysmith.core.audit import (
    AuditEvent,
    AuditSink,
    LoggingAuditSink,
    RequestContext,
    sink_enabled,
)
from keysmith.core.budget import FailureTracker
from keysmith.core.cache import VerifiedSecretCache
from keysmith.core.clock import Clock, SystemClock
from keysmith.core.errors import ConfigurationError, TokenAuthError
from keysmith.core.flows import Call, Compute, Emit, Flow, Flows, Operation, StoreCall
from keysmith.core.outcome import AuthOutcome
from keysmith.core.policy import Expiry, TokenPolicy
from keysmith.core.records import TokenRecord
from keysmith.core.scopes import require_scopes
from keysmith.core.stores import AsyncTokenStore, TokenStore

R = TypeVar("R", bound=TokenRecord)
T = TypeVar("T")
logger = logging.getLogger("keysmith")


def _refuse_awaitable(result: Any, fn: Any) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()  # no "never awaited" warning on top of the error
    raise ConfigurationError(
        f"{fn!r} returned an awaitable: the synchronous TokenService needs a plain function "
        "(use AsyncTokenService for async hooks)."
    )


def _log_sink_failure(event: AuditEvent) -> None:
    # Auditing must never break the operation it records; the failure is still visible, with
    # the token's public prefix so that a lost lifecycle record can be told from the logs.
    logger.exception(
        "keysmith: audit sink failed to record %r of %s", event.action, event.token_prefix or "-"
    )


class _Base:
    def __init__(
        self,
        *,
        policy: TokenPolicy | None,
        sink: AuditSink | None,
        clock: Clock | None,
        cache_size: int,
    ) -> None:
        self.policy = policy or TokenPolicy()
        self.sink: AuditSink = sink if sink is not None else LoggingAuditSink()
        self.clock: Clock = clock or SystemClock()
        self.cache = VerifiedSecretCache(cache_size) if cache_size else None
        budget = self.policy.failure_budget
        self.failures = FailureTracker(budget) if budget is not None else None
        self.flows = Flows(self.policy, self.clock, self.cache, self.failures)

    @property
    def auditing(self) -> bool:
        """Whether the sink records events now (``False``: per-request events are not built)."""
        return sink_enabled(self.sink)

    def auth_failure_event(
        self, error: TokenAuthError, *, context: RequestContext | None = None, status_code: int = 0
    ) -> AuditEvent:
        return self.flows.auth_failure_event(error, context=context, status_code=status_code)


class TokenService(_Base, Generic[R]):
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
        result: Any = None
        error: Exception | None = None
        while True:
            try:
                op = flow.throw(error) if error is not None else flow.send(result)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            result, error = None, None
            try:
                result = self._perform(op)
            except Exception as exc:
                error = exc

    def _perform(self, op: Operation) -> Any:
        if isinstance(op, StoreCall):
            return getattr(self.store, op.method)(*op.args, **op.kwargs)
        if isinstance(op, Compute):
            return op.fn(*op.args)
        if isinstance(op, Call):
            result = op.fn(*op.args)
            if inspect.isawaitable(result):
                _refuse_awaitable(result, op.fn)
            return result
        try:
            self.sink.emit(op.event)
        except Exception:
            _log_sink_failure(op.event)
        return None


class AsyncTokenService(_Base, Generic[R]):
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

    async def require_scopes(self, record: R, required: Iterable[str]) -> None:
        require_scopes(await self.store.scopes_of(record), required)

    async def emit(self, event: AuditEvent) -> None:
        await self._perform(Emit(event))

    async def record_outcome(self, outcome: AuthOutcome, status_code: int) -> None:
        if self.auditing:
            await self._run(self.flows.record_outcome(outcome, status_code))

    async def _run(self, flow: Flow[T]) -> T:
        result: Any = None
        error: Exception | None = None
        while True:
            try:
                op = flow.throw(error) if error is not None else flow.send(result)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            result, error = None, None
            try:
                result = await self._perform(op)
            except Exception as exc:
                error = exc

    async def _perform(self, op: Operation) -> Any:
        if isinstance(op, StoreCall):
            return await getattr(self.store, op.method)(*op.args, **op.kwargs)
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
            _log_sink_failure(op.event)
        return None
