"""Buffered authentication audit rows: written in bulk off the request path, never lost."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest
from django.core import checks
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from test_django.wiring import TokenFactory

from keysmith.core.audit import Action, AuditEvent
from keysmith.core.buffer import BufferedAuditSink
from keysmith.django.runtime import build_sink, flush_audit_log, get_service
from keysmith.django.settings import load_settings
from keysmith.models import TokenAuditLog

HEADER = "HTTP_X_KEYSMITH_TOKEN"
BUFFERED = {"HASH_ITERATIONS": 10_000, "AUDIT_BUFFER_SECONDS": 3600}
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("real_audit_buffer")]


def actions() -> list[tuple[str, int]]:
    return list(TokenAuditLog.objects.order_by("id").values_list("action", "status_code"))


def test_audit_buffer_default_buffers_for_one_second(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the test wiring makes rows synchronous; look at the shipped default
    loaded, problems = load_settings({})
    assert problems == []
    assert loaded is not None
    sink = build_sink(loaded)
    assert isinstance(sink, BufferedAuditSink)
    assert sink.interval == 1.0
    sink.close()


@override_settings(KEYSMITH=BUFFERED)
def test_audit_buffer_auth_rows_wait_lifecycle_rows_do_not(make_token: TokenFactory) -> None:
    assert isinstance(get_service().sink, BufferedAuditSink)
    _, raw = make_token()
    assert actions() == [("created", 201)]
    assert Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    assert Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw + "x").status_code == 401
    assert actions() == [("created", 201)]
    time.sleep(0.01)
    flushed_at = timezone.now()
    flush_audit_log()
    assert actions() == [("created", 201), ("auth_success", 200), ("auth_failed", 401)]
    # Rows carry the time of the request, not of the batch that wrote them.
    assert all(row.created_at < flushed_at for row in TokenAuditLog.objects.all())


@override_settings(KEYSMITH={**BUFFERED, "AUDIT_BUFFER_SECONDS": 0.05})
def test_audit_buffer_writer_thread_writes_within_interval(make_token: TokenFactory) -> None:
    _, raw = make_token()
    assert Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    deadline = time.monotonic() + 15
    while len(actions()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert actions() == [("created", 201), ("auth_success", 200)]
    row = TokenAuditLog.objects.get(action="auth_success")
    assert (row.path, row.method, row.token.name) == ("/required/", "GET", "test token")


def test_audit_buffer_settings_change_writes_out_old_buffer(
    make_token: TokenFactory, settings: Any
) -> None:
    settings.KEYSMITH = BUFFERED
    _, raw = make_token()
    Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert actions() == [("created", 201)]
    settings.KEYSMITH = {**BUFFERED, "ENABLE_AUDIT_LOGGING": False}
    get_service()  # the replaced service's buffer is written out as the new one is built
    assert actions() == [("created", 201), ("auth_success", 200)]


@override_settings(KEYSMITH={**BUFFERED, "AUDIT_BUFFER_SECONDS": "soon"})
def test_audit_buffer_bad_value_is_reported_by_checks() -> None:
    messages = [m.msg for m in checks.run_checks() if m.id.startswith("keysmith.")]
    assert any("AUDIT_BUFFER_SECONDS" in message for message in messages)


@override_settings(KEYSMITH=BUFFERED)
def test_audit_buffer_token_deleted_before_flush_keeps_every_row(
    make_token: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    kept, kept_raw = make_token(name="kept")
    deleted, deleted_raw = make_token(name="deleted")
    for raw in (kept_raw, deleted_raw, kept_raw):
        assert Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    deleted.delete()  # in the admin, say, before the writer's next round
    with caplog.at_level(logging.WARNING, logger="keysmith"):
        flush_audit_log()
    rows = TokenAuditLog.objects.filter(action="auth_success").order_by("created_at", "id")
    assert [row.token_id for row in rows] == [kept.pk, None, kept.pk]
    assert "dropped" not in caplog.text
    assert "Traceback" not in caplog.text


@override_settings(KEYSMITH=BUFFERED)
def test_audit_buffer_row_the_database_refuses_drops_only_that_row(
    make_token: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    token, _ = make_token()
    sink = get_service().sink
    assert isinstance(sink, BufferedAuditSink)
    now = timezone.now()
    statuses = [200, -1, 401]  # a negative status breaks the column's CHECK constraint
    for status in statuses:
        sink.emit(AuditEvent(Action.AUTH_SUCCESS, now, token=token, status_code=status))
    with caplog.at_level(logging.WARNING, logger="keysmith"):
        flush_audit_log()
    rows = TokenAuditLog.objects.filter(action="auth_success").order_by("id")
    assert list(rows.values_list("status_code", flat=True)) == [200, 401]
    assert "wrote 2 of a batch of 3 audit events" in caplog.text


@override_settings(KEYSMITH=BUFFERED)
def test_audit_buffer_healthy_batch_is_one_insert(make_token: TokenFactory) -> None:
    _, raw = make_token()
    for _ in range(3):
        Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    with CaptureQueriesContext(connection) as queries:
        flush_audit_log()
    inserts = [query for query in queries if "INSERT" in query["sql"].upper()]
    assert len(inserts) == 1
    assert TokenAuditLog.objects.filter(action="auth_success").count() == 3
