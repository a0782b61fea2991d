"""One call from a database URL to a ready core service, wired with the SQL store and audit."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from keysmith.core.async_buffer import AsyncBufferedAuditSink
from keysmith.core.audit import AuditSink
from keysmith.core.audit_limits import DEFAULT_WRITE_TIMEOUT, write_timeout
from keysmith.core.buffer import BufferedAuditSink
from keysmith.core.clock import Clock
from keysmith.core.errors import ConfigurationError
from keysmith.core.policy import TokenPolicy
from keysmith.core.service import AsyncTokenService, TokenService
from keysmith.sqlalchemy.async_store import AsyncSQLTokenStore
from keysmith.sqlalchemy.audit import AsyncSQLAuditSink, SQLAuditSink
from keysmith.sqlalchemy.engines import make_async_engine, make_engine
from keysmith.sqlalchemy.records import SQLToken
from keysmith.sqlalchemy.settings import policy_from_env
from keysmith.sqlalchemy.store import SQLTokenStore


def _policy(policy: TokenPolicy | None, options: dict[str, Any]) -> TokenPolicy:
    if policy is not None and options:
        raise TypeError("Pass either a TokenPolicy or policy options, not both.")
    return policy if policy is not None else policy_from_env(**options)


def _buffer_seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < math.inf:
        raise ConfigurationError(
            f"audit_buffer_seconds must be a finite number of seconds, 0 (no buffering) or more; "
            f"got {value!r}."
        )
    return float(value)


def _sink(engine: Engine, seconds: float, timeout: float | None) -> AuditSink:
    rows = SQLAuditSink(engine, write_timeout=timeout)
    return BufferedAuditSink(rows, rows.write_many, interval=seconds) if seconds else rows


def _async_sink(engine: AsyncEngine, seconds: float, timeout: float | None) -> AuditSink:
    rows = AsyncSQLAuditSink(engine, write_timeout=timeout)
    return AsyncBufferedAuditSink(rows, rows.write_many, interval=seconds) if seconds else rows


class SQLTokenService(TokenService[SQLToken]):
    """The ``TokenService`` ``service()`` builds: its ``store`` is the ``SQLTokenStore`` (so
    ``svc.store.engine.dispose()`` and ``svc.store.list_tokens()`` type-check)."""

    store: SQLTokenStore


class AsyncSQLTokenService(AsyncTokenService[SQLToken]):
    """The ``AsyncTokenService`` ``async_service()`` builds, over the ``AsyncSQLTokenStore``."""

    store: AsyncSQLTokenStore


def service(
    url: Engine | str | URL | None = None,
    *,
    policy: TokenPolicy | None = None,
    sink: AuditSink | None = None,
    clock: Clock | None = None,
    cache_size: int = 10_000,
    audit_buffer_seconds: float = 1.0,
    audit_write_timeout: float | None = DEFAULT_WRITE_TIMEOUT,
    **policy_options: Any,
) -> SQLTokenService:
    """A ``TokenService`` over ``SQLTokenStore``, auditing to the audit table by default.

    ``url`` defaults to ``KEYSMITH_DATABASE_URL`` (then ``sqlite:///keysmith.sqlite3``). Without
    ``policy``, the policy comes from the ``KEYSMITH_*`` variables, with ``policy_options``
    (``TokenPolicy`` fields) on top. Without ``sink``, authentication rows are written in bulk
    every ``audit_buffer_seconds`` by a background thread (``0``: one INSERT per event), and
    every audit write gives up after ``audit_write_timeout`` seconds (``None``: no bound).
    """
    seconds = _buffer_seconds(audit_buffer_seconds)
    timeout = write_timeout(audit_write_timeout)
    engine = url if isinstance(url, Engine) else make_engine(url)
    return SQLTokenService(
        SQLTokenStore(engine),
        policy=_policy(policy, policy_options),
        sink=sink if sink is not None else _sink(engine, seconds, timeout),
        clock=clock,
        cache_size=cache_size,
    )


def async_service(
    url: AsyncEngine | str | URL | None = None,
    *,
    policy: TokenPolicy | None = None,
    sink: AuditSink | None = None,
    clock: Clock | None = None,
    cache_size: int = 10_000,
    audit_buffer_seconds: float = 1.0,
    audit_write_timeout: float | None = DEFAULT_WRITE_TIMEOUT,
    **policy_options: Any,
) -> AsyncSQLTokenService:
    """An ``AsyncTokenService`` over ``AsyncSQLTokenStore``; arguments as for ``service``.

    Without ``sink``, authentication rows are written in bulk by a task on the event loop;
    ``aclose()`` the sink at shutdown (``KeysmithMiddleware`` does on lifespan shutdown).
    """
    seconds = _buffer_seconds(audit_buffer_seconds)
    timeout = write_timeout(audit_write_timeout)
    engine = url if isinstance(url, AsyncEngine) else make_async_engine(url)
    return AsyncSQLTokenService(
        AsyncSQLTokenStore(engine),
        policy=_policy(policy, policy_options),
        sink=sink if sink is not None else _async_sink(engine, seconds, timeout),
        clock=clock,
        cache_size=cache_size,
    )
