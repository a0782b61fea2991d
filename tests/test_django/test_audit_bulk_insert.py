"""Buffered audit rows written by the prepared INSERT are the rows ``bulk_create`` writes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any, cast

import django
import pytest
from django.db import connection, models
from django.test import Client, override_settings
from django.test.utils import isolate_apps
from test_django.testapp.models import CustomAuditLog, CustomToken

from keysmith.core.audit import Action, AuditEvent, RequestContext
from keysmith.django import bulk_insert
from keysmith.django.audit import ModelAuditSink
from keysmith.django.bulk_insert import PreparedInsert
from keysmith.django.runtime import flush_audit_log, get_service
from keysmith.models import AbstractTokenAuditLog, Token, TokenAuditLog
from keysmith.services.tokens import create_token

# Not UTC, with microseconds: the backend's datetime conversion must happen on both paths.
INDIA = timezone(timedelta(hours=5, minutes=30))
OCCURRED_AT = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=INDIA)
NESTED_EXTRA = {
    "reason": "Schlüssel ungültig",
    "nested": {"ключ": ["значение", 1, 2.5, None, True], "emoji": "🔑"},
}


@pytest.fixture(autouse=True)
def prepared_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the prepared statement on every backend and Django series, PostgreSQL on Django 5.2+
    included (where ``write_many`` leaves batches to ``bulk_create``'s single statement), so its
    rows are checked everywhere; the choice itself has its own test."""
    monkeypatch.setattr(bulk_insert, "_unnests", lambda alias: False)


def saved_token(token_model: type[models.Model], name: str) -> Any:
    unique = uuid.uuid4().hex
    return token_model._default_manager.create(name=name, key=unique, prefix=f"tok_{unique[:8]}")


def audit_events(token: Any, unsaved: Any, foreign: Any) -> list[AuditEvent]:
    """Every shape of event a batch holds; each occurs one second after the one before."""
    at = [OCCURRED_AT + timedelta(seconds=second) for second in range(7)]
    return [
        AuditEvent(
            Action.AUTH_SUCCESS,
            at[0],
            token=token,
            status_code=200,
            context=RequestContext("/api/items/", "GET", "203.0.113.9", "curl/8.5 ✓"),
            extra=NESTED_EXTRA,
        ),
        AuditEvent(
            Action.AUTH_FAILED,
            at[1],
            token_prefix="tok_Missing1",
            status_code=401,
            # Not normalised: the field's conversion must run on the prepared path too.
            context=RequestContext("/api/ü/", "POST", "2001:0DB8:0:0::1", None),
            extra={"reason": "invalid"},
        ),
        AuditEvent(
            Action.AUTH_FAILED,
            at[2],
            token=unsaved,
            status_code=403,
            context=RequestContext("/", "DELETE", None, ""),
        ),
        AuditEvent(Action.CREATED, at[3], token=token),  # no request: lifecycle status 201
        AuditEvent(Action.REVOKED, at[4].astimezone(timezone.utc), token=foreign),
        AuditEvent(
            Action.AUTH_SUCCESS,
            at[5],
            token=token,
            status_code=500,
            context=RequestContext("/x", "PATCH", "::ffff:192.0.2.1", "Mozilla/5.0"),
        ),
        AuditEvent(Action.AUTH_FAILED, at[6], token="tok_NotAModel", status_code=429),
    ]


def stored(model: type[models.Model]) -> list[tuple[Any, ...]]:
    """Every column but the primary key, as the database holds them, oldest event first."""
    quote = connection.ops.quote_name
    columns = [str(field.column) for field in model._meta.concrete_fields if not field.primary_key]
    created_at = quote("created_at")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(map(quote, columns))} FROM {quote(model._meta.db_table)}"
            f" ORDER BY {created_at}"
        )
        return [tuple(row) for row in cursor.fetchall()]


def assert_same_rows_as_bulk_create(model: type[models.Model], events: list[AuditEvent]) -> None:
    """Write ``events`` both ways; the rows of ``write_many`` remain in the table."""
    sink = ModelAuditSink(model)
    model._default_manager.bulk_create([sink.row(event) for event in events])
    by_bulk_create = stored(model)
    model._default_manager.all().delete()
    sink.write_many(events)
    assert sink.inserts["default"].sql is not None  # the prepared path, not the fallback
    assert stored(model) == by_bulk_create
    assert len(by_bulk_create) == len(events)


# write_many starts as a request does (close_old_connections), which closes a connection left
# inside a transaction: these tests commit, as the writer thread does.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("audit_model", "token_model", "foreign_token_model"),
    [(TokenAuditLog, Token, CustomToken), (CustomAuditLog, CustomToken, Token)],
)
def test_write_many_rows_equal_bulk_create_rows_column_by_column(
    audit_model: type[models.Model],
    token_model: type[models.Model],
    foreign_token_model: type[models.Model],
) -> None:
    token = saved_token(token_model, "saved")
    unsaved = token_model(name="unsaved")
    unsaved.pk = None
    foreign = saved_token(foreign_token_model, "another model's token")
    events = audit_events(token, unsaved, foreign)
    assert_same_rows_as_bulk_create(audit_model, events)
    rows = list(audit_model._default_manager.order_by("created_at"))
    assert [row.token_id for row in rows] == [token.pk, None, None, token.pk, None, token.pk, None]
    assert [row.created_at for row in rows] == [event.occurred_at for event in events]
    assert [row.status_code for row in rows] == [200, 401, 403, 201, 200, 500, 429]
    assert [row.ip_address for row in rows][:3] == ["203.0.113.9", "2001:db8::1", None]
    assert (rows[0].extra, rows[0].user_agent, rows[1].path) == (
        NESTED_EXTRA,
        "curl/8.5 ✓",
        "/api/ü/",
    )


@pytest.mark.django_db(transaction=True)
def test_write_many_batch_beyond_sqlite_parameter_limit_writes_every_row() -> None:
    # 4 000 rows of 9 columns: 36 000 parameters, above SQLite's limit on one statement
    # (999 before SQLite 3.32, 32 766 since); executemany binds each row on its own.
    events = [
        AuditEvent(
            Action.AUTH_SUCCESS,
            OCCURRED_AT + timedelta(milliseconds=number),
            status_code=200,
            context=RequestContext(f"/rows/{number}", "GET", "198.51.100.7", "bulk"),
        )
        for number in range(4000)
    ]
    sink = ModelAuditSink(TokenAuditLog)
    sink.write_many(events)
    paths = list(TokenAuditLog.objects.order_by("id").values_list("path", flat=True))
    assert paths == [f"/rows/{number}" for number in range(4000)]


@pytest.fixture
def isolated(transactional_db: None) -> Iterator[SimpleNamespace]:
    """Audit models the test app does not ship, with their tables for this test only."""
    with isolate_apps("test_django.testapp"):

        class Owner(models.Model):
            id = models.UUIDField(primary_key=True, default=uuid.uuid4)

            class Meta:
                app_label = "testapp"
                db_table = "bulk_insert_owner"

        class UuidAuditLog(AbstractTokenAuditLog):
            id = models.UUIDField(primary_key=True, default=uuid.uuid4)  # type: ignore[assignment]
            token = models.ForeignKey(Owner, null=True, on_delete=models.SET_NULL, related_name="+")
            tenant = models.CharField(max_length=16, default="main")

            class Meta(AbstractTokenAuditLog.Meta):
                app_label = "testapp"
                db_table = "bulk_insert_uuid_audit_log"

        class StampedAuditLog(AbstractTokenAuditLog):
            token = models.ForeignKey(Owner, null=True, on_delete=models.SET_NULL, related_name="+")
            written_at = models.DateTimeField(auto_now_add=True)

            class Meta(AbstractTokenAuditLog.Meta):
                app_label = "testapp"
                db_table = "bulk_insert_stamped_audit_log"

    tables = [Owner, UuidAuditLog, StampedAuditLog]
    with connection.schema_editor() as editor:
        for model in tables:
            editor.create_model(model)
    try:
        yield SimpleNamespace(owner=Owner, uuid_log=UuidAuditLog, stamped_log=StampedAuditLog)
    finally:
        with connection.schema_editor() as editor:
            for model in reversed(tables):
                editor.delete_model(model)


def test_write_many_uuid_primary_key_and_defaulted_field_equal_bulk_create(
    isolated: SimpleNamespace,
) -> None:
    token = isolated.owner.objects.create()
    unsaved = isolated.owner()
    unsaved.pk = None
    events = audit_events(token, unsaved, Token(name="another model's token"))
    assert_same_rows_as_bulk_create(isolated.uuid_log, events)
    rows = list(isolated.uuid_log.objects.order_by("created_at"))
    assert len({row.pk for row in rows}) == len(events)
    assert all(isinstance(row.pk, uuid.UUID) for row in rows)
    assert {row.tenant for row in rows} == {"main"}
    assert [row.token_id for row in rows][:4] == [token.pk, None, None, token.pk]


def test_write_many_field_set_on_save_falls_back_to_bulk_create(isolated: SimpleNamespace) -> None:
    sink = ModelAuditSink(isolated.stamped_log)
    before = datetime.now(timezone.utc)
    sink.write_many(audit_events(isolated.owner.objects.create(), None, None))
    assert sink.inserts["default"].sql is None
    stamps = list(isolated.stamped_log.objects.values_list("written_at", flat=True))
    assert len(stamps) == 7
    assert all(stamp >= before for stamp in stamps)  # auto_now_add ran, as on bulk_create


@pytest.mark.django_db
def test_prepared_insert_unknown_attname_raises_and_writes_nothing() -> None:
    insert = PreparedInsert(TokenAuditLog, "default")
    row = {"action": Action.CREATED, "path": "/", "method": "GET", "status_code": 201}
    with pytest.raises(TypeError, match="statuscode"):
        insert.insert([row, {**row, "statuscode": 200}])
    assert not TokenAuditLog.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("real_audit_buffer")
def test_buffered_rows_go_to_the_custom_audit_model_of_the_settings() -> None:
    custom = {
        "TOKEN_MODEL": "testapp.CustomToken",
        "AUDIT_LOG_MODEL": "testapp.CustomAuditLog",
        "HASH_ITERATIONS": 10_000,
        "AUDIT_BUFFER_SECONDS": 3600,
    }
    with override_settings(KEYSMITH=custom):
        token, raw = create_token(name="custom")
        assert Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
        assert list(CustomAuditLog.objects.values_list("action", flat=True)) == ["created"]
        flush_audit_log()
        direct = cast(Any, get_service().sink).direct
        assert isinstance(direct, ModelAuditSink)
        assert direct.inserts["default"].sql is not None
    rows = CustomAuditLog.objects.order_by("id").values_list("action", "token_id", "path")
    assert list(rows) == [("created", token.pk, ""), ("auth_success", token.pk, "/required/")]
    assert not TokenAuditLog.objects.exists()


@pytest.mark.django_db
def test_postgresql_from_django_5_2_keeps_bulk_create_single_statement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.undo()  # the real choice, not the fixture's
    unnests = connection.vendor == "postgresql" and django.VERSION >= (5, 2)
    assert (PreparedInsert(TokenAuditLog, "default").sql is None) is unnests
