"""keysmith.django.testing through real requests: tokens, an authenticated Client, audit
capture with rows written at once, and the frozen clock on the middleware's expiry check."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from test_django import hooks

from keysmith.core.buffer import BufferedAuditSink
from keysmith.django.runtime import flush_audit_log, get_service
from keysmith.django.testing import authenticated, capture_audit, issue_token, token_meta
from keysmith.models import Token, TokenAuditLog
from keysmith.testing import authenticated as any_authenticated
from keysmith.testing import frozen_clock

BUFFERED = {"HASH_ITERATIONS": 10_000, "AUDIT_BUFFER_SECONDS": 3600}


def rows() -> list[tuple[str, int]]:
    return list(TokenAuditLog.objects.order_by("id").values_list("action", "status_code"))


@pytest.mark.django_db
def test_issue_token_codenames_reach_scoped_view(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("ada")
    issued = issue_token(scopes=["view_group", "change_group"], user=user, name="ci")
    assert isinstance(issued.record, Token)
    assert issued.record.user == user
    response = authenticated(Client(), issued).get("/scoped/")
    assert response.status_code == 200
    assert response.json()["prefix"] == issued.prefix


@pytest.mark.django_db
def test_issue_token_missing_scope_is_refused() -> None:
    issued = issue_token(scopes=["view_group"])
    assert authenticated(Client(), issued).get("/scoped/").status_code == 403


@pytest.mark.django_db
@override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000, "HEADER_NAME": "HTTP_X_API_KEY"})
def test_authenticated_uses_configured_header() -> None:
    issued = issue_token()
    assert token_meta(issued) == {"HTTP_X_API_KEY": issued.raw}
    assert authenticated(Client(), issued).get("/required/").status_code == 200
    assert Client(HTTP_X_KEYSMITH_TOKEN=issued.raw).get("/required/").status_code == 401


@pytest.mark.django_db
def test_keysmith_testing_authenticated_dispatches_to_django() -> None:
    issued = issue_token()
    client = any_authenticated(Client(), issued.raw)
    assert client.get("/required/").status_code == 200


def test_authenticated_not_a_client_raises_type_error() -> None:
    with pytest.raises(TypeError, match=r"django\.test\.Client"):
        authenticated(object(), "tok_x:y")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("real_audit_buffer")
@override_settings(KEYSMITH=BUFFERED)
def test_capture_audit_writes_buffered_rows_at_once() -> None:
    assert isinstance(get_service().sink, BufferedAuditSink)
    with capture_audit() as events:
        issued = issue_token()
        assert authenticated(Client(), issued).get("/required/").status_code == 200
        assert Client().get("/required/").status_code == 401
        # Outside the block the authentication rows would wait in the buffer for an hour.
        assert rows() == [("created", 201), ("auth_success", 200), ("auth_failed", 401)]
    assert events.actions() == ["created", "auth_success", "auth_failed"]
    assert events.of("auth_success")[0].token_prefix == issued.prefix
    assert isinstance(get_service().sink, BufferedAuditSink)
    assert authenticated(Client(), issued).get("/required/").status_code == 200
    assert len(rows()) == 3  # buffered again
    flush_audit_log()
    assert rows()[-1] == ("auth_success", 200)


@pytest.mark.django_db
def test_capture_audit_follows_settings_change_inside_block() -> None:
    with capture_audit() as events:
        issued = issue_token()
        with override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000, "HEADER_NAME": "HTTP_X_K"}):
            assert Client(HTTP_X_K=issued.raw).get("/required/").status_code == 200
    assert events.actions() == ["created", "auth_success"]


@pytest.mark.django_db
def test_capture_audit_hook_sink_still_receives_events() -> None:
    hook = "test_django.hooks.recording_hook"
    hooks.calls.clear()
    settings = {"HASH_ITERATIONS": 10_000, "AUDIT_LOG_HOOK": hook}
    with override_settings(KEYSMITH=settings), capture_audit() as events:
        issue_token()
    assert events.actions() == ["created"]
    assert [call["action"] for call in hooks.calls] == ["created"]


@pytest.mark.django_db
def test_frozen_clock_expires_token_at_middleware() -> None:
    with frozen_clock() as clock:
        issued = issue_token(expires_at=timedelta(days=1))
        client = authenticated(Client(), issued)
        assert client.get("/required/").status_code == 200
        clock.advance(days=1, seconds=1)
        assert client.get("/required/").status_code == 401
        issued.record.refresh_from_db()
        assert issued.record.is_expired
        assert not issued.record.is_active
    assert not issued.record.is_expired


@pytest.mark.django_db
def test_frozen_clock_dates_create_token_command() -> None:
    at = datetime(2031, 3, 1, tzinfo=timezone.utc)
    with frozen_clock(at):
        call_command("create_token", "ci", "--system", "--expires-in-days", "3", stdout=StringIO())
    # created_at is the model's auto_now_add: the real time, frozen clock or not.
    assert Token.objects.get(name="ci").expires_at == at + timedelta(days=3)
