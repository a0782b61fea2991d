"""Audit logging: rows, the hook, switching it off, and failures that never hurt the caller."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client, RequestFactory, override_settings
from test_django import hooks
from test_django.wiring import TokenFactory

from keysmith.audit.logger import log_audit_event
from keysmith.django.context import client_ip
from keysmith.models import TokenAuditLog

HEADER = "HTTP_X_KEYSMITH_TOKEN"


@pytest.mark.django_db
def test_log_audit_event_with_request_writes_request_columns(make_token: TokenFactory) -> None:
    token, _ = make_token()
    request = RequestFactory().post("/tokens/?a=1", HTTP_USER_AGENT="ua", REMOTE_ADDR="::1")
    log_audit_event(action="custom", request=request, token=token, status_code=202, extra={"k": 1})
    row = TokenAuditLog.objects.get(action="custom")
    assert (row.token_id, row.path, row.method, row.status_code) == (
        token.pk,
        "/tokens/",
        "POST",
        202,
    )
    assert (row.ip_address, row.user_agent, row.extra) == ("::1", "ua", {"k": 1})


@pytest.mark.django_db
def test_log_audit_event_without_request_writes_empty_values() -> None:
    log_audit_event(action="custom")
    row = TokenAuditLog.objects.get()
    assert (row.token, row.path, row.method, row.status_code) == (None, "", "", 0)
    assert (row.ip_address, row.user_agent, row.extra) == (None, None, {})


@pytest.mark.django_db
@override_settings(KEYSMITH={"ENABLE_AUDIT_LOGGING": False})
def test_log_audit_event_logging_disabled_is_noop() -> None:
    log_audit_event(action="custom")
    assert not TokenAuditLog.objects.exists()


@pytest.mark.django_db
@override_settings(KEYSMITH={"AUDIT_LOG_HOOK": "test_django.hooks.recording_hook"})
def test_audit_hook_gets_events_instead_of_table(client: Client, make_token: TokenFactory) -> None:
    hooks.calls.clear()
    token, raw = make_token()
    client.get("/required/?q=1", HTTP_X_KEYSMITH_TOKEN=raw, REMOTE_ADDR="10.0.0.5")
    assert not TokenAuditLog.objects.exists()
    created, success = hooks.calls
    assert (created["action"], created["token"], created["request"]) == ("created", token, None)
    assert success["action"] == "auth_success"
    assert success["request"].path == "/required/"
    assert success["status_code"] == 200
    assert success["payload"] == {
        "path": "/required/",
        "method": "GET",
        "status_code": 200,
        "ip_address": "10.0.0.5",
        "user_agent": None,
    }


@pytest.mark.django_db
@override_settings(KEYSMITH={"AUDIT_LOG_HOOK": "test_django.hooks.failing_hook"})
def test_audit_hook_failure_is_logged_and_request_succeeds(
    client: Client, make_token: TokenFactory, caplog: pytest.LogCaptureFixture
) -> None:
    _, raw = make_token()
    with caplog.at_level(logging.ERROR, logger="keysmith"):
        assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    assert "audit sink failed" in caplog.text


def write_failing_row() -> None:
    # status_code is a positive small integer: the database refuses -1 (a CHECK constraint).
    log_audit_event(action="broken", status_code=-1)


@pytest.mark.django_db(transaction=True)
def test_failed_audit_write_inside_atomic_leaves_transaction_usable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="keysmith"), transaction.atomic():
        Group.objects.create(name="before")
        write_failing_row()
        # On PostgreSQL this query fails ("current transaction is aborted") without a savepoint.
        Group.objects.create(name="after")
    assert set(Group.objects.values_list("name", flat=True)) == {"before", "after"}
    assert not TokenAuditLog.objects.filter(action="broken").exists()
    assert "audit sink failed" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_failed_audit_write_in_autocommit_is_swallowed(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="keysmith"):
        write_failing_row()
    log_audit_event(action="later")
    assert TokenAuditLog.objects.filter(action="later").exists()
    assert "audit sink failed" in caplog.text


@pytest.fixture
def atomic_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("atomic_requests")
def test_rolled_back_view_keeps_its_authentication_record(make_token: TokenFactory) -> None:
    token, raw = make_token()
    assert Client().get("/rolled-back/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    assert not Group.objects.filter(name="made-in-rolled-back-view").exists()
    row = TokenAuditLog.objects.get(action="auth_success")
    assert (row.token_id, row.status_code) == (token.pk, 200)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("atomic_requests")
def test_failing_view_records_authentication_with_500(make_token: TokenFactory) -> None:
    token, raw = make_token()
    response = Client(raise_request_exception=False).get("/failing/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 500
    row = TokenAuditLog.objects.get(action="auth_success")
    assert (row.token_id, row.status_code) == (token.pk, 500)


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.5", None, "10.0.0.5"),
        (" 10.0.0.5 ", None, "10.0.0.5"),
        ("0:0:0:0:0:0:0:1", None, "::1"),  # normalised, as the audit column stores it
        ("not-an-ip", None, None),
        ("1" * 101, None, None),  # longer than any address: refused before parsing
        ("10.0.0.5", "203.0.113.9, 10.0.0.1", "203.0.113.9"),
        ("10.0.0.5", "garbage, 203.0.113.9", "10.0.0.5"),
        ("10.0.0.5", "2" * 5000, "10.0.0.5"),
    ],
)
def test_client_ip_validates_and_normalises_addresses(
    remote: str, forwarded: str | None, expected: str | None
) -> None:
    extra: dict[str, Any] = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **extra)
    for _ in range(2):  # the second answer comes from the parse cache and must be the same
        assert client_ip(request, trust_proxies=True) == expected
    if forwarded is not None:  # without trusted proxies the header is ignored
        assert client_ip(request, trust_proxies=False) == "10.0.0.5"
