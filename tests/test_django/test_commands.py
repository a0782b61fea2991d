"""The management commands: prune_audit_logs and the token commands."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone
from test_django.wiring import TokenFactory

from keysmith.auth.base import authenticate_token
from keysmith.auth.exceptions import InvalidToken, RevokedToken
from keysmith.models import Token, TokenAuditLog

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_token_command_prints_raw_token_once_and_stores_hash() -> None:
    User.objects.create(username="bob")
    output = run(
        "create_token", "deploy", "--user", "bob", "--scope", "view_group", "--expires-in-days", "7"
    )
    raw = output.strip().splitlines()[-1]
    token = authenticate_token(raw)
    assert (token.name, token.user.username) == ("deploy", "bob")
    assert list(token.scopes.values_list("codename", flat=True)) == ["view_group"]
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)
    assert raw not in token.key
    assert output.count(raw) == 1


def test_create_token_command_quiet_prints_only_token_and_system_type() -> None:
    raw = run("create_token", "svc", "--system", "--quiet").strip()
    assert authenticate_token(raw).token_type == "system"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--user", "nobody"), "No user named 'nobody'"),
        (("--scope", "no_such_perm"), "no_such_perm"),
        (("--expires-at", "tomorrow"), "ISO 8601"),
        (("--expires-in-days", "0"), "at least 1"),
    ],
)
def test_create_token_command_bad_argument_is_command_error(
    args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run("create_token", "x", *args)
    assert not Token.objects.exists()


def test_list_tokens_command_shows_state_never_hash(make_token: TokenFactory) -> None:
    owner = User.objects.create(username="carol")
    active, _ = make_token(name="active-one", user=owner)
    revoked, _ = make_token(name="revoked-one")
    call_command("revoke_token", revoked.prefix, stdout=StringIO())
    output = run("list_tokens")
    assert output.splitlines()[0].split() == [
        "PREFIX",
        "NAME",
        "OWNER",
        "STATE",
        "EXPIRES",
        "LAST",
        "USED",
    ]
    assert f"{active.prefix}  active-one" in output
    assert "carol" in output
    assert "revoked" in output
    assert active.key not in output
    assert "pbkdf2" not in output
    only_revoked = run("list_tokens", "--state", "revoked")
    assert revoked.prefix in only_revoked
    assert active.prefix not in only_revoked


def test_rotate_token_command_new_token_works_old_refused(make_token: TokenFactory) -> None:
    token, old = make_token()
    new = run("rotate_token", token.prefix, "--quiet").strip()
    assert authenticate_token(new).pk == token.pk
    with pytest.raises(InvalidToken):
        authenticate_token(old)


def test_rotate_token_command_revoked_token_is_command_error(make_token: TokenFactory) -> None:
    token, _ = make_token()
    run("revoke_token", token.prefix)
    with pytest.raises(CommandError, match="revoked"):
        run("rotate_token", token.prefix)


def test_revoke_token_command_purge_and_repeat(make_token: TokenFactory) -> None:
    token, raw = make_token()
    assert "Purged" in run("revoke_token", token.prefix, "--purge")
    assert "already purged" in run("revoke_token", token.prefix, "--purge")
    with pytest.raises(RevokedToken):
        authenticate_token(raw)


def test_token_commands_unknown_prefix_is_command_error() -> None:
    with pytest.raises(CommandError, match="No token with prefix"):
        run("revoke_token", "tok_Missing1")


def test_prune_audit_logs_deletes_only_older_rows(make_token: TokenFactory) -> None:
    make_token()
    old = TokenAuditLog.objects.create(action="x", path="", method="", status_code=0)
    TokenAuditLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    assert "deleted 1 audit log entries older than 30 days" in run(
        "prune_audit_logs", "--days", "30"
    )
    assert list(TokenAuditLog.objects.values_list("action", flat=True)) == ["created"]


def test_prune_audit_logs_without_days_deletes_nothing() -> None:
    TokenAuditLog.objects.create(action="x", path="", method="", status_code=0)
    assert "No days specified" in run("prune_audit_logs")
    assert TokenAuditLog.objects.count() == 1


@override_settings(KEYSMITH={"AUDIT_LOG_RETENTION_DAYS": 1})
def test_prune_audit_logs_defaults_to_retention_setting() -> None:
    row = TokenAuditLog.objects.create(action="x", path="", method="", status_code=0)
    TokenAuditLog.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert "older than 1 days" in run("prune_audit_logs")
    assert not TokenAuditLog.objects.exists()


def test_prune_audit_logs_negative_days_is_command_error() -> None:
    with pytest.raises(CommandError, match="zero or more"):
        run("prune_audit_logs", "--days", "-1")
