"""Responses and messages as documented, in django-keysmith's wording where users match it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from test_django.wiring import TokenFactory

from keysmith.auth.base import authenticate_token
from keysmith.auth.exceptions import ExpiredToken, InvalidToken, RevokedToken
from keysmith.core.checksum import checksum
from keysmith.services.tokens import create_token, revoke_token, rotate_token

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"
SCOPE_MESSAGE = "You do not have permission to perform this action."
CHALLENGE = 'Keysmith realm="api", header="X-Keysmith-Token", Bearer realm="api"'


def test_keysmith_scopes_missing_scope_is_plain_403_with_code(make_token: TokenFactory) -> None:
    token, raw = make_token()
    token.scopes.set(Permission.objects.filter(codename="view_group"))
    response = Client().get("/scoped/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 403
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == SCOPE_MESSAGE
    params = 'error="insufficient_scope", scope="change_group"'
    assert response["WWW-Authenticate"] == (
        f'Keysmith realm="api", header="X-Keysmith-Token", {params}, Bearer realm="api", {params}'
    )


def test_keysmith_scopes_custom_message_is_used(make_token: TokenFactory, settings: object) -> None:
    settings.KEYSMITH = {"DEFAULT_ERROR_MESSAGES": {"insufficient_scope": "Scope needed."}}  # type: ignore[attr-defined]
    _, raw = make_token()
    response = Client().get("/scopes-only/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (response.status_code, response.content.decode()) == (403, "Scope needed.")


def test_authenticate_token_expired_tells_the_holder_when(make_token: TokenFactory) -> None:
    token, raw = make_token(expires_at=timezone.now() + timedelta(days=1))
    type(token)._default_manager.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    token.refresh_from_db()
    with pytest.raises(ExpiredToken) as raised:
        authenticate_token(raw)
    assert str(raised.value) == (
        f"This token expired on {token.expires_at}. Please request a new token to continue."
    )


def test_authenticate_token_expired_with_forged_secret_tells_nothing(
    make_token: TokenFactory,
) -> None:
    token, _ = make_token(expires_at=timezone.now() + timedelta(days=1))
    type(token)._default_manager.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    body = f"{token.prefix}:{'f' * 32}"
    forged = body + checksum(body)
    with pytest.raises(InvalidToken) as raised:
        authenticate_token(forged)
    assert "expired" not in str(raised.value)


def test_authenticate_token_revoked_keeps_django_keysmith_wording(
    make_token: TokenFactory,
) -> None:
    token, raw = make_token()
    revoke_token(token)
    with pytest.raises(RevokedToken, match="This token has been revoked and can no longer be used"):
        authenticate_token(raw)


def test_create_token_long_name_says_limit_and_length() -> None:
    with pytest.raises(
        ValueError, match=r"^Token name must be 128 characters or fewer \(got 130\)\.$"
    ):
        create_token(name="n" * 130)


def test_rotate_token_revoked_keeps_django_keysmith_wording(make_token: TokenFactory) -> None:
    token, _ = make_token()
    revoke_token(token)
    with pytest.raises(ValueError, match="Cannot rotate") as raised:
        rotate_token(token)
    assert str(raised.value) == "Cannot rotate a revoked or purged token"
