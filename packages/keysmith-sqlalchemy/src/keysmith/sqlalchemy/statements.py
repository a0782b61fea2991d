"""Every SQL statement keysmith runs, built once for the sync and the async code alike.

The stores, sinks and the CLI only execute what these functions return and hand the rows back
to them, so sync and async never diverge: each conditional write is a ``Change`` whose
``applied`` reads the rowcount.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Delete,
    Executable,
    Insert,
    Select,
    String,
    Update,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from keysmith.core.audit import AuditEvent, RequestContext
from keysmith.core.records import Guarded, NewToken, hash_upgrade, revocation, rotation
from keysmith.sqlalchemy.records import SQLToken, owner_reference
from keysmith.sqlalchemy.tables import audit_events, token_scopes, tokens

# Record attributes whose column has another name; every other attribute is its column's name.
_COLUMN_OF = {"user": "user_id", "created_by": "created_by_id"}
_ATTRIBUTE_OF = {column: attribute for attribute, column in _COLUMN_OF.items()}
_ROW_ATTRIBUTES = tuple(_ATTRIBUTE_OF.get(column.name, column.name) for column in tokens.columns)


@dataclass(frozen=True, slots=True)
class Change:
    """A conditional UPDATE of one token, and the values to copy onto the record if it applied."""

    statement: Update
    values: dict[str, Any]

    def applied(self, record: SQLToken, rowcount: int) -> bool:
        if rowcount != 1:
            return False
        for name, value in self.values.items():
            setattr(record, name, value)
        return True


def new_record(new: NewToken) -> SQLToken:
    """The record a ``NewToken`` becomes; the id is chosen here so no RETURNING is needed."""
    return SQLToken(
        id=uuid.uuid4(),
        prefix=new.prefix,
        key=new.key,
        name=new.name,
        created_at=new.created_at,
        description=new.description,
        token_type=new.token_type,
        user=owner_reference(new.user),
        created_by=owner_reference(new.created_by),
        scopes=frozenset(str(scope) for scope in new.scopes),
        expires_at=new.expires_at,
    )


def insert_token(record: SQLToken) -> tuple[Executable, ...]:
    """The token row and its scope rows, to run in one transaction."""
    row = {_COLUMN_OF.get(name, name): getattr(record, name) for name in _ROW_ATTRIBUTES}
    statements: list[Executable] = [insert(tokens).values(row)]
    if record.scopes:
        scope_rows = [{"token_id": record.id, "scope": scope} for scope in sorted(record.scopes)]
        statements.append(insert(token_scopes).values(scope_rows))
    return tuple(statements)


def prefix_taken(prefix: str) -> Select[tuple[uuid.UUID]]:
    """Asked after an IntegrityError, to tell a prefix collision from any other violation."""
    return select(tokens.c.id).where(tokens.c.prefix == prefix)


def select_tokens() -> Select[Any]:
    """Token rows joined to their scope names (one row per scope, or one with NULL): the
    token's columns in table order (``id`` first), then the scope."""
    joined = tokens.outerjoin(token_scopes, token_scopes.c.token_id == tokens.c.id)
    return select(tokens, token_scopes.c.scope).select_from(joined)


_SCOPE_INDEX = len(tokens.columns)


# The hot-path read (one indexed lookup, no row lock), built once: per request only its
# parameter changes, so SQLAlchemy neither builds the statement nor keys its cache again.
SELECT_BY_PREFIX = select_tokens().where(tokens.c.prefix == bindparam("prefix"))


def select_by_prefix(prefix: str) -> tuple[Select[Any], dict[str, str]]:
    """The hot-path read of one prefix, as a statement and its parameters."""
    return SELECT_BY_PREFIX, {"prefix": prefix}


def token_listing(
    *,
    user: str | None = None,
    active_at: datetime | None = None,
    limit: int | None = None,
    after: SQLToken | None = None,
) -> Select[Any]:
    """Tokens newest first, with their scopes; filters apply to tokens, not to joined rows.

    ``after``: the page that follows this record (keyset pagination: the created_at index
    starts the page where the last one ended, whatever its number)."""
    ids = select(tokens.c.id).order_by(tokens.c.created_at.desc(), tokens.c.id)
    if after is not None:
        ids = ids.where(
            # The redundant bound is the index's range; the OR breaks ties.
            tokens.c.created_at <= after.created_at,
            or_(tokens.c.created_at < after.created_at, tokens.c.id > after.id),
        )
    if user is not None:
        ids = ids.where(tokens.c.user_id == user)
    if active_at is not None:
        ids = ids.where(
            tokens.c.revoked.is_(False),
            tokens.c.purged.is_(False),
            or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > active_at),
        )
    if limit is not None:
        ids = ids.limit(limit)
    return (
        select_tokens()
        .where(tokens.c.id.in_(ids.scalar_subquery()))
        .order_by(tokens.c.created_at.desc(), tokens.c.id)
    )


def records_from_rows(rows: Iterable[Sequence[Any]]) -> list[SQLToken]:
    """Fold the joined rows back into records, keeping the order of their first row.

    A row is positional, in ``select_tokens()``'s column order: a SQLAlchemy ``Row`` or a
    driver's tuple whose values were converted as SQLAlchemy would (``keysmith.sqlalchemy.reads``).
    """
    records: dict[uuid.UUID, SQLToken] = {}
    scopes: dict[uuid.UUID, set[str]] = {}
    for row in rows:
        token_id = row[0]
        if token_id not in records:
            records[token_id] = SQLToken(**dict(zip(_ROW_ATTRIBUTES, row, strict=False)))
            scopes[token_id] = set()
        scope = row[_SCOPE_INDEX]
        if scope is not None:
            scopes[token_id].add(scope)
    for token_id, record in records.items():
        record.scopes = frozenset(scopes[token_id])
    return list(records.values())


def record_from_rows(rows: Sequence[Sequence[Any]]) -> SQLToken | None:
    found = records_from_rows(rows)
    return found[0] if found else None


def _change(record: SQLToken, values: dict[str, Any], *conditions: Any) -> Change:
    statement = update(tokens).where(tokens.c.id == record.id, *conditions).values(values)
    return Change(statement, values)


def _guarded(record: SQLToken, write: Guarded) -> Change:
    expected = (tokens.c[column] == value for column, value in write.expect.items())
    return _change(record, write.changes, *expected)


def replace_key(
    record: SQLToken,
    *,
    key: str,
    previous_key: str | None,
    previous_key_expires_at: datetime | None,
) -> Change:
    write = rotation(
        current_key=record.key,
        key=key,
        previous_key=previous_key,
        previous_key_expires_at=previous_key_expires_at,
    )
    return _guarded(record, write)


def upgrade_key(record: SQLToken, *, old_key: str, new_key: str) -> Change:
    return _guarded(record, hash_upgrade(old_key=old_key, new_key=new_key))


def revoke(record: SQLToken, *, purge: bool) -> Change:
    return _guarded(record, revocation(purge=purge))


def touch(record: SQLToken, *, now: datetime, stale_before: datetime | None) -> Change:
    """Only ``last_used_at`` is written, so a stale record can never undo a revocation."""
    if stale_before is None:
        return _change(record, {"last_used_at": now})
    stale = or_(tokens.c.last_used_at.is_(None), tokens.c.last_used_at <= stale_before)
    return _change(record, {"last_used_at": now}, stale)


def _fit(value: str | None, column: Column[Any]) -> str | None:
    # A header longer than its column must not cost the whole event.
    length = column.type.length if isinstance(column.type, String) else None
    return value[:length] if value is not None and length else value


def event_row(event: AuditEvent) -> dict[str, Any]:
    """The audit row of one event, by column. Events never carry secrets; neither does the row."""
    context = event.context or RequestContext()
    token_id = getattr(event.token, "id", None)
    columns = audit_events.c
    return {
        "token_id": token_id if isinstance(token_id, uuid.UUID) else None,
        "token_prefix": _fit(event.token_prefix, columns.token_prefix),
        "action": _fit(event.action, columns.action),
        "path": context.path or "",
        "method": _fit(context.method or "", columns.method),
        "status_code": event.status_code,
        "ip_address": _fit(context.ip_address, columns.ip_address),
        "user_agent": context.user_agent,
        # Adapters may put any value in ``extra``; the JSON column takes what json can write.
        "extra": json.loads(json.dumps(dict(event.extra), default=str)) if event.extra else {},
        "created_at": event.occurred_at,
    }


def insert_events(events: Iterable[AuditEvent]) -> tuple[Insert, list[dict[str, Any]]]:
    """One INSERT and the rows of many events, to run as a single executemany."""
    return insert(audit_events), [event_row(event) for event in events]


def audit_listing(
    *,
    prefix: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    limit: int | None = 50,
    before: tuple[datetime, int] | None = None,
) -> Select[Any]:
    """Audit events newest first; ``before``: the page after the event with this
    ``(created_at, id)`` (keyset pagination)."""
    statement = select(audit_events)
    if before is not None:
        moment, last_id = before
        statement = statement.where(
            audit_events.c.created_at <= moment,
            or_(audit_events.c.created_at < moment, audit_events.c.id < last_id),
        )
    if prefix is not None:
        statement = statement.where(audit_events.c.token_prefix == prefix)
    if action is not None:
        statement = statement.where(audit_events.c.action == action)
    if since is not None:
        statement = statement.where(audit_events.c.created_at >= since)
    return statement.order_by(audit_events.c.created_at.desc(), audit_events.c.id.desc()).limit(
        limit
    )


def audit_older_count(cutoff: datetime) -> Select[Any]:
    """How many audit events are older than ``cutoff`` (a prune's dry run)."""
    return select(func.count()).select_from(audit_events).where(audit_events.c.created_at < cutoff)


def audit_prune_batch(cutoff: datetime, limit: int) -> Delete:
    """Delete the ``limit`` oldest audit events older than ``cutoff``, read from the
    created_at index: one batch of ``keysmith.core.pruning.prune_in_batches``."""
    oldest = (
        select(audit_events.c.id)
        .where(audit_events.c.created_at < cutoff)
        .order_by(audit_events.c.created_at)
        .limit(limit)
    )
    return delete(audit_events).where(audit_events.c.id.in_(oldest.scalar_subquery()))
