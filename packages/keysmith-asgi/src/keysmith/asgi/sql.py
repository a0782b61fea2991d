"""The default backend: an authenticator over keysmith-sqlalchemy's async SQL store."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from keysmith.asgi.authenticator import TokenAuthenticator
from keysmith.core import AuditSink, Clock, TokenPolicy
from keysmith.core.audit_limits import DEFAULT_WRITE_TIMEOUT
from keysmith.core.policy import Admit
from keysmith.sqlalchemy import AsyncSQLTokenService, SQLToken, async_service


class SQLAuthenticator(TokenAuthenticator[SQLToken]):
    """The ``TokenAuthenticator`` ``from_url`` builds: its service's store is the SQL store
    (``keysmith.service.store.engine`` type-checks)."""

    service: AsyncSQLTokenService
    # Whether ``from_url`` opened the engine from a URL (then ``aclose`` disposes of it), rather
    # than being handed one the application owns.
    owns_engine: bool = False

    async def aclose(self) -> None:
        """Write out the buffered audit rows, then dispose of the engine if ``from_url`` opened
        it (its connections closed; it opens new ones if used again)."""
        await super().aclose()
        if self.owns_engine:
            await self.service.store.engine.dispose()


def from_url(
    url: AsyncEngine | str | URL | None = None,
    *,
    policy: TokenPolicy | None = None,
    sink: AuditSink | None = None,
    clock: Clock | None = None,
    cache_size: int = 10_000,
    audit_buffer_seconds: float = 1.0,
    admit: Admit | None = None,
    audit_write_timeout: float | None = DEFAULT_WRITE_TIMEOUT,
    **options: Any,
) -> SQLAuthenticator:
    """A ``TokenAuthenticator`` over the SQL store at ``url``, auditing to its audit table.

    ``url`` is a database URL, or an ``AsyncEngine`` you own (and dispose of at shutdown, after
    ``aclose()``); it defaults to ``KEYSMITH_DATABASE_URL``, then the SQLite file
    ``keysmith.sqlite3``. The engine opened for a URL is disposed of by ``aclose()``. Without
    ``policy`` the token policy comes from the ``KEYSMITH_*`` variables the ``keysmith`` command
    reads too. Authentication rows are written in bulk every ``audit_buffer_seconds`` (``0``: one
    INSERT per request), each write giving up after ``audit_write_timeout`` seconds (``None``: no
    bound); ``aclose()`` the authenticator at shutdown (``KeysmithMiddleware`` does on lifespan
    shutdown). ``admit`` is the owner check (see ``TokenPolicy.admit``): a sync or async callable
    given the ``SQLToken`` after its secret and state passed, returning False to refuse it
    (``disabled_token``). ``options`` are ``TokenAuthenticator``'s (``header_name``, ...).
    """
    if admit is not None and policy is not None:
        policy = dataclasses.replace(policy, admit=admit)
    service = async_service(
        url,
        policy=policy,
        sink=sink,
        clock=clock,
        cache_size=cache_size,
        audit_buffer_seconds=audit_buffer_seconds,
        **({"admit": admit} if admit is not None and policy is None else {}),
        audit_write_timeout=audit_write_timeout,
    )
    authenticator = SQLAuthenticator(service, **options)
    authenticator.owns_engine = not isinstance(url, AsyncEngine)
    return authenticator
