"""``SQLTokenStore``: the sync token store (SQLite via the stdlib, PostgreSQL via psycopg)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Executable, Row
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError

from keysmith.core.errors import PrefixCollision
from keysmith.core.records import NewToken
from keysmith.sqlalchemy import statements as sql
from keysmith.sqlalchemy.engines import make_engine
from keysmith.sqlalchemy.readiness import check_tables
from keysmith.sqlalchemy.records import SQLToken


class SQLTokenStore:
    """A ``TokenStore`` over the keysmith tables, from an ``Engine`` or a database URL."""

    def __init__(self, engine: Engine | str | URL | None = None) -> None:
        self.engine = engine if isinstance(engine, Engine) else make_engine(engine)
        # One statement is atomic on its own: autocommit spares the BEGIN/COMMIT round trips.
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        # A read needs no transaction. On SQLite a SELECT opens none, and switching a pooled
        # connection to autocommit and back costs a PRAGMA on its return: about a quarter of
        # an authenticated Flask request. The async store reads the same way.
        sqlite = self.engine.dialect.name == "sqlite"
        self._reads = self.engine if sqlite else self._autocommit

    def check_tables(self) -> bool:
        """The start-up check (``keysmith.sqlalchemy.readiness.check_tables``): raises
        ``MissingTablesError`` without the tables, False when the database is unreachable."""
        return check_tables(self.engine)

    def insert(self, new: NewToken) -> SQLToken:
        record = sql.new_record(new)
        try:
            with self.engine.begin() as connection:
                for statement in sql.insert_token(record):
                    connection.execute(statement)
        except IntegrityError as error:
            if self._read(sql.prefix_taken(record.prefix)):
                raise PrefixCollision(record.prefix) from error
            raise
        return record

    def get_by_prefix(self, prefix: str) -> SQLToken | None:
        return sql.record_from_rows(self._read(*sql.select_by_prefix(prefix)))

    def replace_key(
        self,
        record: SQLToken,
        *,
        key: str,
        previous_key: str | None,
        previous_key_expires_at: datetime | None,
    ) -> bool:
        change = sql.replace_key(
            record,
            key=key,
            previous_key=previous_key,
            previous_key_expires_at=previous_key_expires_at,
        )
        return self._apply(record, change)

    def upgrade_key(self, record: SQLToken, *, old_key: str, new_key: str) -> bool:
        return self._apply(record, sql.upgrade_key(record, old_key=old_key, new_key=new_key))

    def revoke(self, record: SQLToken, *, purge: bool) -> bool:
        return self._apply(record, sql.revoke(record, purge=purge))

    def touch(self, record: SQLToken, *, now: datetime, stale_before: datetime | None) -> bool:
        return self._apply(record, sql.touch(record, now=now, stale_before=stale_before))

    def scopes_of(self, record: SQLToken) -> frozenset[str]:
        # Read with the row by get_by_prefix; scopes never change after creation.
        return record.scopes

    def list_tokens(
        self,
        *,
        user: str | None = None,
        active_at: datetime | None = None,
        limit: int | None = None,
        after: SQLToken | None = None,
    ) -> list[SQLToken]:
        """Newest first; ``active_at`` keeps only tokens usable at that time; ``after``: the
        page that follows this record."""
        statement = sql.token_listing(user=user, active_at=active_at, limit=limit, after=after)
        return sql.records_from_rows(self._read(statement))

    def _read(
        self, statement: Executable, parameters: dict[str, Any] | None = None
    ) -> list[Row[Any]]:
        with self._reads.connect() as connection:
            return list(connection.execute(statement, parameters))

    def _apply(self, record: SQLToken, change: sql.Change) -> bool:
        with self._autocommit.connect() as connection:
            rowcount = connection.execute(change.statement).rowcount
        return change.applied(record, rowcount)
