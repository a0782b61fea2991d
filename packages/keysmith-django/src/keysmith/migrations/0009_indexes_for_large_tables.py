"""Indexes for large tables: duplicates go, the newest-first reads get theirs.

Dropped: the token ``key`` index (its unique constraint indexes it already; on PostgreSQL also
the ``LIKE`` index Django adds to unique text columns: a hash is never searched by pattern),
the audit ``token`` index and the foreign key's own (twice the same column; the new
``(token, -created_at)`` index serves both their reads), and the audit ``action`` index (the
leading column of ``(action, created_at)``). Replaced: the audit ``status_code`` index, by
``(status_code, -created_at)`` over the rows that are not 2xx (the status filter's codes and rare
classes, newest first).
Added: token ``created_at`` (the newest-first token list), token ``name`` (the admin's name
search), audit ``(token, -created_at)`` (one token's rows, newest first). What each remaining
index serves: the comments beside them in ``keysmith.models``.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

# The unique column whose PostgreSQL pattern index goes; recreated when migrating back.
_KEY = ("keysmith_token", "key")


def _key_like_index(schema_editor: Any) -> str:
    table, column = _KEY
    return str(schema_editor._create_index_name(table, [column], suffix="_like"))


def drop_key_like_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    name = schema_editor.quote_name(_key_like_index(schema_editor))
    schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create_key_like_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    table, column = (schema_editor.quote_name(part) for part in _KEY)
    name = schema_editor.quote_name(_key_like_index(schema_editor))
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column} varchar_pattern_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("keysmith", "0008_token_manage_others_tokens_permission"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="token",
            name="keysmith_to_key_a590d5_idx",
        ),
        migrations.RunPython(drop_key_like_index, create_key_like_index, elidable=False),
        migrations.RemoveIndex(
            model_name="tokenauditlog",
            name="keysmith_to_token_i_09b1bd_idx",
        ),
        migrations.RemoveIndex(
            model_name="tokenauditlog",
            name="keysmith_to_action_843630_idx",
        ),
        migrations.AlterField(
            model_name="tokenauditlog",
            name="token",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="%(app_label)s_%(class)s_logs",
                to="keysmith.token",
            ),
        ),
        migrations.AddIndex(
            model_name="token",
            index=models.Index(fields=["created_at"], name="keysmith_to_created_ab8726_idx"),
        ),
        migrations.AddIndex(
            model_name="token",
            index=models.Index(
                fields=["name"], name="keysmith_token_name_like", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.AddIndex(
            model_name="tokenauditlog",
            index=models.Index(
                fields=["token", "-created_at"], name="keysmith_to_token_i_ba2994_idx"
            ),
        ),
        migrations.RemoveIndex(
            model_name="tokenauditlog",
            name="keysmith_to_status__3e40dd_idx",
        ),
        migrations.AddIndex(
            model_name="tokenauditlog",
            index=models.Index(
                condition=models.Q(
                    ("status_code__lt", 200), ("status_code__gte", 300), _connector="OR"
                ),
                fields=["status_code", "-created_at"],
                name="keysmith_audit_not_2xx_idx",
            ),
        ),
    ]
