"""The documented service facade: create, rotate, revoke, purge, mark used; audit rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.test import override_settings
from django.utils import timezone

from keysmith.auth.base import authenticate_token
from keysmith.auth.exceptions import InvalidToken, RevokedToken
from keysmith.models import Token, TokenAuditLog
from keysmith.services.tokens import (
    create_token,
    mark_token_used,
    purge_token,
    revoke_token,
    rotate_token,
)

pytestmark = pytest.mark.django_db


def actions(token: Token) -> list[str]:
    return list(
        TokenAuditLog.objects.filter(token=token).order_by("id").values_list("action", flat=True)
    )


def test_create_token_defaults_stores_only_hash_and_audits_created() -> None:
    user = User.objects.create(username="owner")
    token, raw = create_token(name="ci", user=user, created_by=user)
    stored = Token.objects.get(pk=token.pk)
    assert raw.startswith(stored.prefix + ":")
    assert raw.split(":", 1)[1][:-6] not in stored.key
    assert stored.key.startswith("pbkdf2_sha512$10000$")
    assert stored.user == user
    assert stored.token_type == Token.TokenType.USER
    assert stored.expires_at is not None
    assert timedelta(days=89) < stored.expires_at - timezone.now() <= timedelta(days=90)
    log = TokenAuditLog.objects.get(token=token)
    assert (log.action, log.status_code, log.extra["actor_id"]) == ("created", 201, user.pk)


def test_create_token_permission_queryset_is_stored_as_scopes() -> None:
    token, _ = create_token(name="q", scopes=Permission.objects.filter(codename="add_group"))
    assert list(token.scopes.values_list("codename", flat=True)) == ["add_group"]


def test_create_token_codenames_resolve_to_permissions() -> None:
    token, _ = create_token(name="c", scopes=["add_group", "auth.change_group"])
    assert set(token.scopes.values_list("codename", flat=True)) == {"add_group", "change_group"}


@override_settings(KEYSMITH={"DEFAULT_SCOPES": ["view_group"], "HASH_ITERATIONS": 10_000})
def test_create_token_without_scopes_gets_default_scopes() -> None:
    token, _ = create_token(name="d")
    assert list(token.scopes.values_list("codename", flat=True)) == ["view_group"]


@override_settings(KEYSMITH={"DEFAULT_SCOPES": ["no_such_codename"]})
def test_create_token_unknown_default_codename_raises_value_error() -> None:
    with pytest.raises(ValueError, match="no_such_codename"):
        create_token(name="d")
    assert not Token.objects.exists()


@override_settings(KEYSMITH={"AVAILABLE_SCOPES": ["view_group"]})
def test_create_token_scope_outside_available_raises_value_error() -> None:
    with pytest.raises(ValueError, match="add_group"):
        create_token(name="x", scopes=Permission.objects.filter(codename="add_group"))
    assert not Token.objects.exists()


def test_create_token_name_longer_than_field_raises_value_error() -> None:
    with pytest.raises(ValueError, match="128"):
        create_token(name="n" * 129)


def test_create_token_scope_of_wrong_type_raises_type_error() -> None:
    with pytest.raises(TypeError, match="Permission"):
        create_token(name="t", scopes=[42])


def test_rotate_token_old_secret_refused_new_accepted_same_prefix() -> None:
    token, old = create_token(name="r")
    mark_token_used(token)
    new = rotate_token(token)
    assert new != old
    assert new.startswith(token.prefix + ":")
    assert Token.objects.get(pk=token.pk).last_used_at is None
    with pytest.raises(InvalidToken):
        authenticate_token(old)
    assert authenticate_token(new).pk == token.pk
    assert actions(token) == ["created", "rotated"]


def test_rotate_token_revoked_raises_value_error() -> None:
    token, _ = create_token(name="r")
    revoke_token(token)
    with pytest.raises(ValueError, match="revoked"):
        rotate_token(token)


def test_revoke_token_twice_audits_once_with_actor_and_purge_false() -> None:
    actor = User.objects.create(username="admin")
    token, raw = create_token(name="v")
    revoke_token(token, actor=actor)
    revoke_token(Token.objects.get(pk=token.pk), actor=actor)
    assert actions(token) == ["created", "revoked"]
    log = TokenAuditLog.objects.get(token=token, action="revoked")
    assert log.extra == {"actor_id": actor.pk, "purge": False}
    with pytest.raises(RevokedToken):
        authenticate_token(raw)


def test_revoke_token_purge_true_delegates_to_purge() -> None:
    token, _ = create_token(name="p")
    revoke_token(token, purge=True)
    stored = Token.objects.get(pk=token.pk)
    assert (stored.revoked, stored.purged) == (True, True)
    assert TokenAuditLog.objects.get(token=token, action="revoked").extra["purge"] is True


def test_purge_token_revoked_token_sets_purged_and_audits() -> None:
    token, _ = create_token(name="p")
    revoke_token(token)
    purge_token(token)
    assert Token.objects.get(pk=token.pk).purged is True
    assert actions(token) == ["created", "revoked", "revoked"]


def test_mark_token_used_sets_last_used_at() -> None:
    token, _ = create_token(name="m")
    mark_token_used(token)
    assert Token.objects.get(pk=token.pk).last_used_at is not None


def test_token_mark_used_without_commit_changes_only_instance() -> None:
    token, _ = create_token(name="m")
    token.mark_used(commit=False)
    assert token.last_used_at is not None
    assert Token.objects.get(pk=token.pk).last_used_at is None
    token.mark_used()
    assert Token.objects.get(pk=token.pk).last_used_at is not None
