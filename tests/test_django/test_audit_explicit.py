"""An audit event written by application code exists when ``log_audit_event`` returns, and
rows buffered per request are written at once while Django's test environment is set up."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings
from test_django.wiring import TokenFactory

from keysmith.audit.logger import log_audit_event
from keysmith.core.buffer import BufferedAuditSink
from keysmith.django import buffering
from keysmith.django.runtime import flush_audit_log, get_service
from keysmith.models import TokenAuditLog

HEADER = "HTTP_X_KEYSMITH_TOKEN"
BUFFERED = {"HASH_ITERATIONS": 10_000, "AUDIT_BUFFER_SECONDS": 3600}
pytestmark = [pytest.mark.django_db(transaction=True)]


def actions() -> list[str]:
    return list(TokenAuditLog.objects.order_by("created_at", "id").values_list("action", flat=True))


@override_settings(KEYSMITH=BUFFERED)
@pytest.mark.usefixtures("real_audit_buffer")
def test_log_audit_event_auth_success_with_request_is_written_before_return(
    make_token: TokenFactory,
) -> None:
    token, _ = make_token()
    request = RequestFactory().get("/reports/", HTTP_USER_AGENT="nightly", REMOTE_ADDR="10.0.0.7")
    log_audit_event(
        action="auth_success", request=request, token=token, status_code=200, extra={"via": "sso"}
    )
    row = TokenAuditLog.objects.get(action="auth_success")
    assert (row.token_id, row.path, row.method, row.status_code) == (
        token.pk,
        "/reports/",
        "GET",
        200,
    )
    assert (row.ip_address, row.user_agent, row.extra) == ("10.0.0.7", "nightly", {"via": "sso"})


@override_settings(KEYSMITH=BUFFERED)
@pytest.mark.usefixtures("real_audit_buffer")
def test_log_audit_event_auth_failed_twice_reads_the_latest_row(make_token: TokenFactory) -> None:
    log_audit_event(action="auth_failed", status_code=401, extra={"attempt": 1})
    assert TokenAuditLog.objects.get().extra == {"attempt": 1}
    log_audit_event(action="auth_failed", status_code=401, extra={"attempt": 2})
    latest = TokenAuditLog.objects.order_by("-created_at", "-id").first()
    assert latest is not None
    assert latest.extra == {"attempt": 2}


@override_settings(KEYSMITH=BUFFERED)
@pytest.mark.usefixtures("real_audit_buffer")
def test_log_audit_event_explicit_write_leaves_request_rows_buffered(
    make_token: TokenFactory,
) -> None:
    _, raw = make_token()
    assert Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    log_audit_event(action="auth_failed", status_code=401)
    sink = get_service().sink
    assert isinstance(sink, BufferedAuditSink)
    assert sink.pending() == 1  # the middleware's row waits for the writer
    assert actions() == ["created", "auth_failed"]
    flush_audit_log()
    assert actions() == ["created", "auth_success", "auth_failed"]


@override_settings(KEYSMITH=BUFFERED)
def test_buffered_sink_in_test_environment_writes_request_rows_at_once(
    make_token: TokenFactory,
) -> None:
    assert buffering.test_environment_active()
    sink = get_service().sink
    assert isinstance(sink, BufferedAuditSink)
    _, raw = make_token()
    assert Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    assert Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw + "0").status_code == 401
    assert sink.pending() == 0
    assert actions() == ["created", "auth_success", "auth_failed"]


@override_settings(KEYSMITH=BUFFERED)
@pytest.mark.django_db(transaction=False)
def test_buffered_sink_in_test_case_rows_join_the_test_transaction(
    make_token: TokenFactory,
) -> None:
    # In a rolled-back test the token row is uncommitted: only a row written on the test's own
    # connection can point at it.
    token, raw = make_token()
    assert Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    assert TokenAuditLog.objects.get(action="auth_success").token_id == token.pk
