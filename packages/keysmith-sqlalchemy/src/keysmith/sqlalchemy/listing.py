"""The self-service reads over the keysmith tables (a token by id, an owner's tokens by state,
a count of live ones) and the per-owner creation hold: ``SQLTokenListing`` and
``AsyncSQLTokenListing`` run the same statements."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, and_, false, func, or_, select
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from keysmith.core.selfservice.holds import Release
from keysmith.core.selfservice.listing import HOLDS
from keysmith.core.selfservice.shapes import ACTIVE, STATE_RULES, StateRule
from keysmith.sqlalchemy.records import SQLToken
from keysmith.sqlalchemy.statements import records_from_rows, select_tokens
from keysmith.sqlalchemy.tables import tokens

_NEWEST_FIRST = (tokens.c.created_at.desc(), tokens.c.id.desc())


def state_condition(rule: StateRule, now: datetime) -> ColumnElement[bool]:
    """The rows in one state (``keysmith.core.selfservice.shapes.STATE_RULES``)."""
    parts: list[ColumnElement[bool]] = [tokens.c.purged.is_(rule.purged)]
    if rule.revoked is not None:
        parts.append(tokens.c.revoked.is_(rule.revoked))
    if rule.expired is True:
        parts.append(and_(tokens.c.expires_at.is_not(None), tokens.c.expires_at <= now))
    elif rule.expired is False:
        parts.append(or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > now))
    return and_(*parts)


def owned(owner: str, states: frozenset[str], now: datetime) -> ColumnElement[bool]:
    condition = tokens.c.user_id == owner
    if states:
        either = [state_condition(STATE_RULES[state], now) for state in sorted(states)]
        condition = and_(condition, or_(*either))
    return condition


def find_statement(token_id: str) -> Select[Any]:
    try:
        parsed: uuid.UUID | None = uuid.UUID(token_id)
    except ValueError:
        parsed = None
    # A text that is no UUID names no token: the statement finds nothing.
    condition = tokens.c.id == parsed if parsed is not None else false()
    return select_tokens().where(condition)


def count_statement(condition: ColumnElement[bool]) -> Select[Any]:
    return select(func.count()).select_from(tokens).where(condition)


def page_statement(condition: ColumnElement[bool], offset: int, limit: int) -> Select[Any]:
    ids = select(tokens.c.id).where(condition).order_by(*_NEWEST_FIRST)
    ids = ids.offset(offset).limit(limit)
    return select_tokens().where(tokens.c.id.in_(ids.scalar_subquery())).order_by(*_NEWEST_FIRST)


def hold_key(url: URL, owner: str) -> str:
    """The in-process hold's key: one database, one owner."""
    return f"{url.render_as_string(hide_password=True)}:{owner}"


def advisory_lock(owner: str) -> Select[Any]:
    """PostgreSQL's transaction-level try-lock for ``owner``'s creations, so processes sharing
    the database take turns; the lock ends with the holding connection's transaction, even if
    the process dies. (Other databases: SQLite serialises writes but not the count before them,
    so there the hold covers one process.)"""
    digest = hashlib.blake2b(b"keysmith.owner:" + owner.encode(), digest_size=8).digest()
    return select(func.pg_try_advisory_xact_lock(int.from_bytes(digest, "big", signed=True)))


def _first(records: list[SQLToken]) -> SQLToken | None:
    return records[0] if records else None


class SQLTokenListing:
    """``keysmith.core.selfservice.listing.TokenListing`` over a sync engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _rows(self, statement: Select[Any]) -> list[Any]:
        with self.engine.connect() as connection:
            return list(connection.execute(statement))

    def find(self, token_id: str) -> SQLToken | None:
        return _first(records_from_rows(self._rows(find_statement(token_id))))

    def page(
        self, owner: str, states: frozenset[str], now: datetime, offset: int, limit: int
    ) -> tuple[int, list[SQLToken]]:
        condition = owned(owner, states, now)
        count = self._rows(count_statement(condition))[0][0]
        return count, records_from_rows(self._rows(page_statement(condition, offset, limit)))

    def count_live(self, owner: str, now: datetime) -> int:
        count: int = self._rows(count_statement(owned(owner, frozenset({ACTIVE}), now)))[0][0]
        return count

    def hold(self, owner: str) -> Release | None:
        release = HOLDS.try_hold(hold_key(self.engine.url, owner))
        if release is None or self.engine.dialect.name != "postgresql":
            return release
        connection = self.engine.connect()
        try:
            connection.begin()
            held = connection.execute(advisory_lock(owner)).scalar()
        except BaseException:
            connection.close()
            release()
            raise
        if not held:
            connection.close()
            release()
            return None

        def release_both() -> None:
            release()
            connection.close()  # rolls the transaction back: the advisory lock ends

        return release_both


class AsyncSQLTokenListing:
    """``keysmith.core.selfservice.listing.AsyncTokenListing`` over an async engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def _rows(self, statement: Select[Any]) -> list[Any]:
        async with self.engine.connect() as connection:
            return list(await connection.execute(statement))

    async def find(self, token_id: str) -> SQLToken | None:
        return _first(records_from_rows(await self._rows(find_statement(token_id))))

    async def page(
        self, owner: str, states: frozenset[str], now: datetime, offset: int, limit: int
    ) -> tuple[int, list[SQLToken]]:
        condition = owned(owner, states, now)
        count = (await self._rows(count_statement(condition)))[0][0]
        rows = await self._rows(page_statement(condition, offset, limit))
        return count, records_from_rows(rows)

    async def count_live(self, owner: str, now: datetime) -> int:
        rows = await self._rows(count_statement(owned(owner, frozenset({ACTIVE}), now)))
        count: int = rows[0][0]
        return count

    async def hold(self, owner: str) -> Release | None:
        release = HOLDS.try_hold(hold_key(self.engine.url, owner))
        if release is None or self.engine.dialect.name != "postgresql":
            return release
        connection = await self.engine.connect()
        try:
            await connection.begin()
            held = (await connection.execute(advisory_lock(owner))).scalar()
        except BaseException:
            await connection.close()
            release()
            raise
        if not held:
            await connection.close()
            release()
            return None

        async def release_both() -> None:
            release()
            await connection.close()  # rolls the transaction back: the advisory lock ends

        return release_both
