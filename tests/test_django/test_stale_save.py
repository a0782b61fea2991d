"""A token instance read before a revoke or a rotation: saving it never undoes either."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from test_django.wiring import TokenFactory

from keysmith.auth.base import authenticate_token
from keysmith.auth.exceptions import InvalidToken, RevokedToken
from keysmith.models import Token
from keysmith.services.tokens import purge_token, revoke_token, rotate_token

pytestmark = pytest.mark.django_db


def test_save_stale_instance_after_revoke_keeps_token_revoked(make_token: TokenFactory) -> None:
    token, raw = make_token()
    stale = Token.objects.get(pk=token.pk)
    revoke_token(token)
    stale.name = "renamed"
    stale.save()
    stored = Token.objects.get(pk=token.pk)
    assert (stored.name, stored.revoked) == ("renamed", True)
    with pytest.raises(RevokedToken):
        authenticate_token(raw)


def test_save_stale_instance_after_purge_keeps_token_purged(make_token: TokenFactory) -> None:
    token, _ = make_token()
    stale = Token.objects.get(pk=token.pk)
    purge_token(token)
    stale.save()
    stored = Token.objects.get(pk=token.pk)
    assert (stored.revoked, stored.purged) == (True, True)


def test_save_stale_instance_after_rotation_keeps_new_secret(make_token: TokenFactory) -> None:
    token, old_raw = make_token()
    stale = Token.objects.get(pk=token.pk)
    new_raw = rotate_token(token)
    stale.description = "edited in a shell"
    stale.save()
    assert authenticate_token(new_raw).pk == token.pk
    with pytest.raises(InvalidToken):
        authenticate_token(old_raw)


@override_settings(KEYSMITH={"ROTATION_GRACE_SECONDS": 3600})
def test_save_stale_instance_cannot_restore_grace_of_killed_secret(
    make_token: TokenFactory,
) -> None:
    token, first = make_token()
    rotate_token(token)  # ``first`` in its grace window
    stale = Token.objects.get(pk=token.pk)
    Token.objects.filter(pk=token.pk).update(previous_key=None, previous_key_expires_at=None)
    stale.save()  # would write the grace window back
    with pytest.raises(InvalidToken):
        authenticate_token(first)


def test_save_request_token_in_view_after_revoke_keeps_revocation(
    make_token: TokenFactory, client: Client
) -> None:
    token, raw = make_token()
    response = client.get("/rename-after-revoke/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 200
    stored = Token.objects.get(pk=token.pk)
    assert (stored.description, stored.revoked) == ("renamed by the view", True)
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 401


def test_save_revoked_flag_set_on_instance_revokes_one_way(make_token: TokenFactory) -> None:
    token, raw = make_token()
    token.revoked = True
    token.save()
    assert Token.objects.get(pk=token.pk).revoked is True
    with pytest.raises(RevokedToken):
        authenticate_token(raw)


def test_save_purged_flag_with_update_fields_purges(make_token: TokenFactory) -> None:
    token, _ = make_token()
    token.purged = True
    token.save(update_fields=["purged"])
    stored = Token.objects.get(pk=token.pk)
    assert (stored.revoked, stored.purged) == (True, True)


def test_save_update_fields_clearing_revoked_raises_and_changes_nothing(
    make_token: TokenFactory,
) -> None:
    token, _ = make_token()
    revoke_token(token)
    token.revoked = False
    with pytest.raises(ValueError, match="revocation and purge are final"):
        token.save(update_fields=["revoked"])
    assert Token.objects.get(pk=token.pk).revoked is True


def test_save_update_fields_naming_key_raises(make_token: TokenFactory) -> None:
    token, raw = make_token()
    token.key = "pbkdf2_sha512$1$salt$forged"
    with pytest.raises(ValueError, match=r"only through keysmith\.services\.tokens\.rotate_token"):
        token.save(update_fields=["key"])
    assert authenticate_token(raw).pk == token.pk


def test_save_full_save_ignores_key_set_on_instance(make_token: TokenFactory) -> None:
    token, raw = make_token()
    token.key = "pbkdf2_sha512$1$salt$forged"
    token.expires_at = token.expires_at + timedelta(days=1)
    token.save()
    stored = Token.objects.get(pk=token.pk)
    assert stored.expires_at == token.expires_at
    assert authenticate_token(raw).pk == token.pk


def test_save_new_instance_inserts_every_field() -> None:
    token = Token(name="direct", key="pbkdf2_sha512$1$salt$digest", prefix="tok_Direct01")
    token.revoked = True
    token.save()
    stored = Token.objects.get(prefix="tok_Direct01")
    assert (stored.key, stored.revoked) == ("pbkdf2_sha512$1$salt$digest", True)
