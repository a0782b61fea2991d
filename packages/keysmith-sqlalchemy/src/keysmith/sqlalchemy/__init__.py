"""keysmith.sqlalchemy: SQL storage for keysmith outside Django, and the ``keysmith`` CLI."""

from __future__ import annotations

from keysmith.sqlalchemy.async_store import AsyncSQLTokenStore
from keysmith.sqlalchemy.audit import AsyncSQLAuditSink, SQLAuditSink
from keysmith.sqlalchemy.columns import UTCDateTime, render_item
from keysmith.sqlalchemy.engines import (
    DEFAULT_URL,
    URL_VARIABLE,
    absolute_sqlite,
    database_url,
    make_async_engine,
    make_engine,
)
from keysmith.sqlalchemy.factory import (
    AsyncSQLTokenService,
    SQLTokenService,
    async_service,
    service,
)
from keysmith.sqlalchemy.readiness import (
    MissingTablesError,
    check_tables,
    check_tables_async,
    describe,
)
from keysmith.sqlalchemy.records import SQLToken
from keysmith.sqlalchemy.schema import create_all, create_all_async, missing_tables
from keysmith.sqlalchemy.settings import policy_from_env
from keysmith.sqlalchemy.store import SQLTokenStore
from keysmith.sqlalchemy.tables import audit_events, metadata, token_scopes, tokens

__version__ = "0.2.0"

__all__ = [
    "DEFAULT_URL",
    "URL_VARIABLE",
    "AsyncSQLAuditSink",
    "AsyncSQLTokenService",
    "AsyncSQLTokenStore",
    "MissingTablesError",
    "SQLAuditSink",
    "SQLToken",
    "SQLTokenService",
    "SQLTokenStore",
    "UTCDateTime",
    "absolute_sqlite",
    "async_service",
    "audit_events",
    "check_tables",
    "check_tables_async",
    "create_all",
    "create_all_async",
    "database_url",
    "describe",
    "make_async_engine",
    "make_engine",
    "metadata",
    "missing_tables",
    "policy_from_env",
    "render_item",
    "service",
    "token_scopes",
    "tokens",
]
