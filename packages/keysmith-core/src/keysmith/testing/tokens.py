"""Issuing a token in a test: against a service, a store or a database URL, in one call."""

from __future__ import annotations

import asyncio
import importlib
import inspect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar

from keysmith.core.audit import NullAuditSink
from keysmith.core.clock import Clock
from keysmith.core.policy import Expiry, TokenPolicy
from keysmith.core.service import AsyncTokenService, TokenService

__all__ = ["IssuedToken", "aissue_token", "expiry", "issue_token", "service_of"]

R = TypeVar("R")


@dataclass(frozen=True)
class IssuedToken(Generic[R]):
    """A token made for a test: ``raw`` to send, ``record`` as its store keeps it.

    Unpacks as ``raw, record = issued``. The raw token stays out of ``repr``, so a failing
    assertion or a log line does not print it.
    """

    raw: str = field(repr=False)
    record: R

    def __iter__(self) -> Iterator[Any]:
        return iter((self.raw, self.record))

    @property
    def prefix(self) -> str:
        """The public part of the token, as audit events and listings show it."""
        return str(self.record.prefix)  # type: ignore[attr-defined]


def expiry(expires_at: Expiry | timedelta, clock: Clock) -> Expiry:
    """``expires_at`` as the services take it: a ``timedelta`` counts from ``clock``'s now."""
    return clock.now() + expires_at if isinstance(expires_at, timedelta) else expires_at


def _options(
    name: str,
    scopes: Iterable[Any] | None,
    user: Any,
    expires_at: Expiry | timedelta,
    fields: dict[str, Any],
) -> dict[str, Any]:
    return {"name": name, "scopes": scopes, "user": user, "expires_at": expires_at, **fields}


def _is_async_store(target: object) -> bool:
    return inspect.iscoroutinefunction(getattr(target, "insert", None))


def service_of(target: object) -> object:
    """The service inside an adapter's holder of one (an ASGI ``TokenAuthenticator``, a Flask
    app's keysmith state), or ``target`` itself."""
    inner = getattr(target, "service", None)
    return inner if isinstance(inner, (TokenService, AsyncTokenService)) else target


def _sync_service(target: object, policy: TokenPolicy | None) -> TokenService[Any]:
    if isinstance(target, TokenService):
        return target
    if isinstance(target, str) or type(target).__name__ == "URL":
        # A database URL: the tables keysmith-sqlalchemy made there (imported only for this).
        sqlalchemy = importlib.import_module("keysmith.sqlalchemy")
        made: TokenService[Any] = sqlalchemy.service(target, policy=policy, audit_buffer_seconds=0)
        return made
    if callable(getattr(target, "insert", None)) and callable(getattr(target, "scopes_of", None)):
        # A bare store: a service with the default policy (or ``policy``, which must hash as the
        # application's service does, or the token will not authenticate there).
        return TokenService(target, policy=policy, sink=NullAuditSink())  # type: ignore[arg-type]
    raise TypeError(
        "issue_token() takes a TokenService, a TokenStore or a database URL; got "
        f"{type(target).__name__}. (Django: keysmith.django.testing.issue_token; Flask: "
        "keysmith.flask.testing.issue_token.)"
    )


def issue_token(
    target: object,
    *,
    name: str = "test token",
    scopes: Iterable[Any] | None = None,
    user: Any = None,
    expires_at: Expiry | timedelta = None,
    policy: TokenPolicy | None = None,
    **fields: Any,
) -> IssuedToken[Any]:
    """Create a token through ``target`` and return it as ``(raw, record)``.

    ``target`` is a ``TokenService`` (audited as the application audits) or what holds one
    (an ASGI ``TokenAuthenticator``), a store (the
    default policy, or ``policy``), a database URL (the SQL store there), or an
    ``AsyncTokenService`` / async store (run to completion here: call it from synchronous
    code; in a coroutine ``await aissue_token(...)``). ``expires_at`` is a datetime, a
    timedelta from now, ``keysmith.core.NO_EXPIRY`` or None (the policy's default lifetime);
    ``fields`` are the service's other ``create`` arguments (``description``, ``created_by``,
    ``token_type``, ``scope_name``).
    """
    options = _options(name, scopes, user, expires_at, fields)
    target = service_of(target)
    if isinstance(target, AsyncTokenService) or _is_async_store(target):
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(aissue_token(target, policy=policy, **options))
        raise TypeError(
            "issue_token() was called with an async service inside a running event loop: "
            "use `await aissue_token(...)` there."
        )
    service = _sync_service(target, policy)
    options["expires_at"] = expiry(expires_at, service.clock)
    try:
        record, raw = service.create(**options)
    finally:
        if service is not target and hasattr(service.store, "engine"):
            service.store.engine.dispose()
    return IssuedToken(raw, record)


async def aissue_token(
    target: object,
    *,
    name: str = "test token",
    scopes: Iterable[Any] | None = None,
    user: Any = None,
    expires_at: Expiry | timedelta = None,
    policy: TokenPolicy | None = None,
    **fields: Any,
) -> IssuedToken[Any]:
    """``issue_token`` for async code: ``target`` is an ``AsyncTokenService`` (or a
    ``TokenAuthenticator``) or an async store."""
    target = service_of(target)
    if isinstance(target, AsyncTokenService):
        service: AsyncTokenService[Any] = target
    elif _is_async_store(target):
        service = AsyncTokenService(target, policy=policy, sink=NullAuditSink())  # type: ignore[arg-type]
    else:
        raise TypeError(
            f"aissue_token() takes an AsyncTokenService or an async store; got "
            f"{type(target).__name__} (use issue_token() for synchronous ones)."
        )
    options = _options(name, scopes, user, expiry(expires_at, service.clock), fields)
    record, raw = await service.create(**options)
    return IssuedToken(raw, record)
