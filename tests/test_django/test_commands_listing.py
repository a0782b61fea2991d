"""``show_token``, ``list_audit_logs``, ``--json`` and scope names: what the ``keysmith``
command gives SQL users, for Django projects."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from test_django.wiring import TokenFactory

from keysmith.models import TokenAuditLog

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_show_token_prints_details_never_the_hash(make_token: TokenFactory) -> None:
    owner = User.objects.create(username="alice")
    token, raw = make_token(name="ci\x1b[2J", user=owner, scopes=["view_group"])
    output = run("show_token", token.prefix)
    assert f"Prefix:      {token.prefix}" in output
    assert "ci\\x1b[2J" in output  # escaped: a name cannot drive the terminal
    assert "auth.view_group" in output
    assert "alice" in output
    assert token.key not in output
    assert raw.split(":")[1] not in output


def test_show_token_json_has_the_keysmith_command_shape(make_token: TokenFactory) -> None:
    token, _ = make_token(scopes=["view_group"])
    data = json.loads(run("show_token", token.prefix, "--json"))
    assert set(data) == {
        "id", "prefix", "name", "description", "state", "token_type", "user", "created_by",
        "scopes", "created_at", "expires_at", "last_used_at", "previous_secret_accepted_until",
    }  # fmt: skip
    assert (data["prefix"], data["state"], data["scopes"]) == (
        token.prefix,
        "active",
        ["auth.view_group"],
    )


def test_show_token_pasted_raw_token_is_refused_without_echo(make_token: TokenFactory) -> None:
    _, raw = make_token()
    with pytest.raises(CommandError) as raised:
        run("show_token", raw)
    assert raw.split(":")[1] not in str(raised.value)


def test_list_tokens_json_lists_every_token(make_token: TokenFactory) -> None:
    first, _ = make_token(name="first")
    second, _ = make_token(name="second")
    data = json.loads(run("list_tokens", "--json"))
    assert sorted(d["prefix"] for d in data) == sorted([first.prefix, second.prefix])
    assert all("key" not in d for d in data)


def test_list_audit_logs_orders_by_event_time_not_by_id(make_token: TokenFactory) -> None:
    token, _ = make_token()
    now = timezone.now()
    # Written in this order (ids ascending), happened in the opposite one: a buffered batch.
    later = TokenAuditLog.objects.create(
        token=token, action="revoked", path="", method="", status_code=200, created_at=now
    )
    earlier = TokenAuditLog.objects.create(
        token=token, action="auth_success", path="/a/", method="GET", status_code=200,
        created_at=now - timedelta(seconds=5),
    )  # fmt: skip
    data = json.loads(run("list_audit_logs", "--token", token.prefix, "--json"))
    assert [row["action"] for row in data] == ["revoked", "created", "auth_success"]
    assert (data[0]["id"], data[-1]["id"]) == (later.id, earlier.id)
    assert earlier.id > later.id


def test_list_audit_logs_filters_by_action_status_and_since(make_token: TokenFactory) -> None:
    token, raw = make_token()
    Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    Client().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw + "0")
    TokenAuditLog.objects.create(
        action="auth_failed", path="/old/", method="GET", status_code=401,
        created_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    failed = json.loads(run("list_audit_logs", "--action", "auth_failed", "--json"))
    assert [row["path"] for row in failed] == ["/required/", "/old/"]
    recent = json.loads(run("list_audit_logs", "--status", "401", "--since", "1d", "--json"))
    assert [row["path"] for row in recent] == ["/required/"]
    mine = json.loads(run("list_audit_logs", "--token", token.prefix, "--json"))
    assert [row["action"] for row in mine] == ["auth_success", "created"]
    assert len(json.loads(run("list_audit_logs", "--limit", "1", "--json"))) == 1


def test_list_audit_logs_table_escapes_client_text(make_token: TokenFactory) -> None:
    token, _ = make_token()
    TokenAuditLog.objects.create(
        token=token, action="auth_failed", path="/x\x1b]0;owned\x07", method="GET", status_code=401
    )
    output = run("list_audit_logs")
    assert "\x1b" not in output
    assert "/x\\x1b]0;owned\\x07" in output
    assert output.splitlines()[0].split() == [
        "TIME", "ACTION", "TOKEN", "STATUS", "REQUEST", "CLIENT", "DETAILS",
    ]  # fmt: skip


def test_list_audit_logs_bad_since_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match=r"not a time: 'soon' \(use a duration ago"):
        run("list_audit_logs", "--since", "soon")


def test_create_token_scope_as_app_label_codename_and_bare_codename() -> None:
    output = run("create_token", "ci", "--scope", "auth.view_group", "--scope", "change_group")
    assert output.strip()
    token = TokenAuditLog.objects.get(action="created").token
    assert sorted(token.scopes.values_list("codename", flat=True)) == [
        "change_group",
        "view_group",
    ]


def test_create_token_unknown_scope_lists_close_matches() -> None:
    with pytest.raises(
        CommandError, match=r"Unknown scope 'view_grup'.*Did you mean: .*view_group"
    ):
        run("create_token", "ci", "--scope", "view_grup")
    with pytest.raises(CommandError, match=r"auth\.view_group"):
        run("create_token", "ci", "--scope", "auth.view_grop")
    assert not TokenAuditLog.objects.exists()


def test_create_token_ambiguous_bare_codename_names_the_choices() -> None:
    Permission.objects.create(
        codename="view_group",
        name="Can view a group elsewhere",
        content_type=ContentType.objects.get(app_label="sessions", model="session"),
    )
    with pytest.raises(
        CommandError, match=r"ambiguous: use one of auth\.view_group, sessions\.view_group"
    ):
        run("create_token", "ci", "--scope", "view_group")
