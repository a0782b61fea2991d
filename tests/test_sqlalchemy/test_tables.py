"""The table definitions: names, constraints, UTC datetimes and foreign keys on both databases."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, func, insert, inspect, select, text
from sqlalchemy.exc import StatementError

from keysmith.core import NewToken
from keysmith.sqlalchemy import (
    SQLTokenStore,
    audit_events,
    create_all,
    create_all_async,
    make_engine,
    metadata,
    missing_tables,
    render_item,
    token_scopes,
    tokens,
)

PLUS_FIVE = timezone(timedelta(hours=5))
NOW = datetime(2030, 6, 1, 12, 0, tzinfo=timezone.utc)


def new_token(prefix: str, **overrides: object) -> NewToken:
    fields: dict[str, object] = {
        "prefix": prefix,
        "key": "hmac_sha256$a$k",
        "name": "tables",
        "created_at": NOW,
    }
    fields.update(overrides)
    return NewToken(**fields)  # type: ignore[arg-type]


def test_metadata_tables_all_prefixed_keysmith() -> None:
    assert sorted(metadata.tables) == [
        "keysmith_audit_events",
        "keysmith_token_scopes",
        "keysmith_tokens",
    ]


def test_metadata_constraints_named_by_convention() -> None:
    names = {c.name for table in metadata.tables.values() for c in table.constraints}
    assert {
        "pk_keysmith_tokens",
        "uq_keysmith_tokens_prefix",
        "fk_keysmith_token_scopes_token_id_keysmith_tokens",
        "fk_keysmith_audit_events_token_id_keysmith_tokens",
    } <= names


def test_utc_datetime_offset_value_reads_back_same_instant_in_utc(engine: Engine) -> None:
    store = SQLTokenStore(engine)
    expires = datetime(2030, 6, 2, 17, 30, tzinfo=PLUS_FIVE)
    store.insert(new_token("tok_Offset01", expires_at=expires))
    found = store.get_by_prefix("tok_Offset01")
    assert found is not None
    assert found.expires_at == expires
    assert found.expires_at.utcoffset() == timedelta(0)
    assert found.created_at == NOW


def test_utc_datetime_offset_bound_compares_as_instant(engine: Engine) -> None:
    # On SQLite the comparison is textual: it only works because every value is stored in UTC.
    store = SQLTokenStore(engine)
    record = store.insert(new_token("tok_Compare1"))
    store.touch(record, now=NOW, stale_before=None)
    just_before = (NOW - timedelta(seconds=1)).astimezone(PLUS_FIVE)
    assert not store.touch(record, now=NOW + timedelta(seconds=30), stale_before=just_before)
    just_after = (NOW + timedelta(seconds=1)).astimezone(PLUS_FIVE)
    assert store.touch(record, now=NOW + timedelta(seconds=30), stale_before=just_after)


def test_utc_datetime_naive_value_rejected(engine: Engine) -> None:
    store = SQLTokenStore(engine)
    with pytest.raises(StatementError, match="timezone-aware"):
        store.insert(new_token("tok_Naive001", created_at=datetime(2030, 1, 1)))


def test_create_all_second_run_creates_nothing(database_url: str) -> None:
    assert create_all(database_url) == []


def test_create_all_async_empty_sqlite_creates_every_table(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/async.sqlite3"
    created = asyncio.run(create_all_async(url))
    assert sorted(created) == sorted(metadata.tables)
    assert asyncio.run(create_all_async(url)) == []


def test_missing_tables_empty_database_lists_all(pg_empty_url: str) -> None:
    engine = make_engine(pg_empty_url)
    try:
        assert sorted(missing_tables(engine)) == sorted(metadata.tables)
    finally:
        engine.dispose()


def test_token_row_deleted_cascades_scopes_and_keeps_audit_rows(engine: Engine) -> None:
    record = SQLTokenStore(engine).insert(new_token("tok_Cascade1", scopes=("read", "write")))
    with engine.begin() as connection:
        connection.execute(
            insert(audit_events).values(
                token_id=record.id,
                token_prefix=record.prefix,
                action="created",
                extra={},
                created_at=NOW,
            )
        )
        connection.execute(tokens.delete().where(tokens.c.id == record.id))
    with engine.connect() as connection:
        scopes = connection.scalar(select(func.count()).select_from(token_scopes))
        audit = connection.execute(select(audit_events.c.token_id, audit_events.c.token_prefix))
        assert scopes == 0
        assert list(audit) == [(None, "tok_Cascade1")]


class FakeAutogenContext:
    opts = {"sqlalchemy_module_prefix": "sa."}


def test_render_item_utc_datetime_renders_plain_timezone_datetime() -> None:
    column = tokens.c.created_at
    assert render_item("type", column.type, FakeAutogenContext()) == "sa.DateTime(timezone=True)"
    assert render_item("type", tokens.c.name.type, FakeAutogenContext()) is False
    assert render_item("column", column, FakeAutogenContext()) is False


def _indexes(engine: Engine, table: str) -> dict[str, list[str]]:
    # Without the indexes of unique constraints (PostgreSQL lists them too).
    found = inspect(engine).get_indexes(table)
    return {
        str(index["name"]): [str(column) for column in index["column_names"]]
        for index in found
        if not index.get("duplicates_constraint")
    }


def test_indexes_serve_newest_first_reads_without_duplicates(engine: Engine) -> None:
    assert _indexes(engine, "keysmith_tokens") == {
        "ix_keysmith_tokens_user_id": ["user_id"],
        "ix_keysmith_tokens_created_at": ["created_at"],
    }
    assert _indexes(engine, "keysmith_audit_events") == {
        "ix_keysmith_audit_events_token_id_created_at": ["token_id", "created_at"],
        "ix_keysmith_audit_events_token_prefix_created_at": ["token_prefix", "created_at"],
        "ix_keysmith_audit_events_created_at": ["created_at"],
        "ix_keysmith_audit_events_action_created_at": ["action", "created_at"],
    }


def test_create_all_existing_tables_gain_missing_indexes(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_keysmith_tokens_created_at"))
        connection.execute(text("DROP INDEX ix_keysmith_audit_events_token_id_created_at"))
    assert create_all(engine) == []
    assert "ix_keysmith_tokens_created_at" in _indexes(engine, "keysmith_tokens")
    assert "ix_keysmith_audit_events_token_id_created_at" in _indexes(
        engine, "keysmith_audit_events"
    )
