"""The indexes of the keysmith tables: no duplicates, one for each read keysmith runs, and the
migration to them drops exactly the duplicates and the one it replaces (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from django.db import connection
from test_django.test_migrations import migrate_keysmith_to

TOKEN = "keysmith_token"
AUDIT = "keysmith_token_audit_log"
BEFORE = "0008_token_manage_others_tokens_permission"


def indexes(table: str) -> dict[str, tuple[str, ...]]:
    """Every index of ``table`` (unique constraints and the primary key included): its columns."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {
        name: tuple(info["columns"])
        for name, info in found.items()
        if (info["index"] or info["unique"] or info["primary_key"]) and info["columns"]
    }


def indexed_columns(table: str) -> Counter[tuple[str, ...]]:
    return Counter(indexes(table).values())


@pytest.fixture
def at_latest_afterwards() -> Iterator[None]:
    yield
    migrate_keysmith_to(None)


@pytest.mark.django_db
def test_audit_indexes_each_serve_one_read_no_duplicates() -> None:
    assert indexed_columns(AUDIT) == Counter(
        {
            ("id",): 1,
            ("token_id", "created_at"): 1,
            ("created_at",): 1,
            ("action", "created_at"): 1,
            ("status_code", "created_at"): 1,  # partial: the rows that are not 2xx
            ("ip_address",): 1,
        }
    )


@pytest.mark.django_db
def test_audit_token_index_orders_newest_first() -> None:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, AUDIT)
    [orders] = [
        info["orders"]
        for info in found.values()
        if info["index"] and info["columns"][:1] == ["token_id"]
    ]
    assert orders == ["ASC", "DESC"]


@pytest.mark.django_db
def test_token_indexes_key_once_created_at_indexed() -> None:
    columns = indexed_columns(TOKEN)
    assert columns[("key",)] == 1  # its unique constraint, nothing else
    assert columns[("created_at",)] == 1
    assert columns[("name",)] == 1
    # The prefix's unique constraint, and on PostgreSQL its pattern index (prefix search).
    assert columns[("prefix",)] == (2 if connection.vendor == "postgresql" else 1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("at_latest_afterwards")
def test_migration_drops_exactly_the_duplicates() -> None:
    migrate_keysmith_to(BEFORE)
    before = {table: indexes(table) for table in (TOKEN, AUDIT)}
    migrate_keysmith_to(None)
    after = {table: indexes(table) for table in (TOKEN, AUDIT)}

    dropped = {
        table: sorted(cols for name, cols in before[table].items() if name not in after[table])
        for table in (TOKEN, AUDIT)
    }
    # key: its plain index (and PostgreSQL's pattern index), the unique constraint stays;
    # audit token_id: both of its indexes; action: the leading column of (action, created_at);
    # status_code: replaced by (status_code, created_at) over the rows that are not 2xx.
    key_copies = 2 if connection.vendor == "postgresql" else 1
    assert dropped == {
        TOKEN: [("key",)] * key_copies,
        AUDIT: [("action",), ("status_code",), ("token_id",), ("token_id",)],
    }
    assert Counter(before[TOKEN].values())[("key",)] == key_copies + 1
    assert Counter(after[TOKEN].values())[("key",)] == 1
