"""What clients (and pasted secrets) send cannot flood the audit table, forge an address, drive
an operator's terminal or reach a management command's error."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings
from test_django.test_redaction import secret_part
from test_django.wiring import TokenFactory

from keysmith.audit.logger import log_audit_event
from keysmith.models import TokenAuditLog

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"


def last_row() -> TokenAuditLog:
    return TokenAuditLog.objects.order_by("-id")[0]


def test_garbage_request_audit_row_is_bounded(client: Client) -> None:
    response = client.get(
        "/" + "p" * 16_000, HTTP_X_KEYSMITH_TOKEN="garbage", HTTP_USER_AGENT="u" * 16_000
    )
    assert response.status_code == 404
    row = last_row()
    assert (row.action, row.status_code) == ("auth_failed", 404)
    assert (len(row.path), len(row.user_agent or "")) == (2048, 512)


def test_log_audit_event_extra_text_is_bounded(client: Client) -> None:
    request = client.get("/open/").wsgi_request
    log_audit_event(action="custom", request=request, extra={"note": "n" * 10_000, "count": 3})
    assert last_row().extra == {"note": "n" * 512, "count": 3}


@override_settings(KEYSMITH={"TRUST_PROXIES": True})
@pytest.mark.parametrize(
    ("forwarded", "stored"),
    [("\x1b[2J", "10.0.0.9"), ("fe80::1%\x1b]0;pwned\x07", "fe80::1"), ("x" * 500, "10.0.0.9")],
)
def test_forwarded_address_only_a_parseable_ip_is_stored(
    client: Client, forwarded: str, stored: str
) -> None:
    client.get(
        "/required/",
        HTTP_X_KEYSMITH_TOKEN="garbage",
        REMOTE_ADDR="10.0.0.9",
        HTTP_X_FORWARDED_FOR=forwarded,
    )
    assert last_row().ip_address == stored


def test_list_tokens_escapes_control_characters_in_names(make_token: TokenFactory) -> None:
    make_token(name="ops\x1b]0;pwned\x07\x1b[2J\nforged row")
    out = StringIO()
    call_command("list_tokens", stdout=out)
    shown = out.getvalue()
    assert "\x1b" not in shown
    assert "\x07" not in shown
    assert "ops\\x1b]0;pwned\\x07\\x1b[2J\\nforged row" in shown
    assert len(shown.splitlines()) == 2


@pytest.mark.parametrize("command", ["revoke_token", "rotate_token"])
def test_token_commands_pasted_raw_token_refused_without_echo(
    make_token: TokenFactory, command: str
) -> None:
    token, raw = make_token()
    with pytest.raises(CommandError) as refused:
        call_command(command, raw, stdout=StringIO())
    assert "not a whole token" in str(refused.value)
    assert secret_part(raw) not in str(refused.value)
    token.refresh_from_db()
    assert not token.revoked
