"""A token is only as alive as its owner: an inactive user's token is refused on every Django
path, with the same one query per request, told only to the holder of the real secret."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from test_django.wiring import TokenFactory

from keysmith.auth.base import authenticate_token
from keysmith.auth.exceptions import DisabledToken, InvalidToken
from keysmith.core.checksum import checksum
from keysmith.models import Token, TokenAuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def inactive_user_token(make_token: TokenFactory) -> tuple[Token, str]:
    user = User.objects.create(username="left-the-company", is_staff=True, is_superuser=True)
    token, raw = make_token(user=user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return token, raw


@pytest.mark.parametrize(
    "path", ["/required/", "/scoped/", "/async/required/", "/class/", "/as-view/"]
)
def test_protected_view_inactive_owner_answers_401(
    client: Client, inactive_user_token: tuple[Token, str], path: str
) -> None:
    _, raw = inactive_user_token
    assert client.get(path, HTTP_X_KEYSMITH_TOKEN=raw).status_code == 401


def test_middleware_inactive_owner_sets_no_token_or_user_and_audits_reason(
    client: Client, inactive_user_token: tuple[Token, str]
) -> None:
    token, raw = inactive_user_token
    body = json.loads(client.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw).content)
    assert body == {"prefix": None, "user": None, "error": "disabled_token", "query": ""}
    client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    row = TokenAuditLog.objects.filter(token=token).latest("id")
    assert row.action == "auth_failed"
    assert row.extra["reason"] == "owner_inactive"


def test_authenticate_token_inactive_owner_raises_disabled(
    inactive_user_token: tuple[Token, str],
) -> None:
    _, raw = inactive_user_token
    with pytest.raises(DisabledToken) as caught:
        authenticate_token(raw)
    assert isinstance(caught.value, InvalidToken)


def test_forged_secret_on_inactive_owner_token_says_only_invalid(
    client: Client, inactive_user_token: tuple[Token, str]
) -> None:
    token, _raw = inactive_user_token
    forged = token.prefix + ":" + "A" * 32
    forged += checksum(forged)  # well formed: only the secret is wrong
    with pytest.raises(InvalidToken) as caught:
        authenticate_token(forged)
    assert type(caught.value) is InvalidToken
    assert caught.value.reason == "wrong_secret"
    body = json.loads(client.get("/open/", HTTP_X_KEYSMITH_TOKEN=forged).content)
    assert body["error"] == "invalid_token"


def test_reactivated_owner_token_authenticates_again(
    client: Client, inactive_user_token: tuple[Token, str]
) -> None:
    token, raw = inactive_user_token
    User.objects.filter(pk=token.user_id).update(is_active=True)
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200


def test_system_token_without_owner_unaffected(client: Client, make_token: TokenFactory) -> None:
    _, raw = make_token(token_type="system")
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200


@override_settings(KEYSMITH={"ENABLE_AUDIT_LOGGING": False})
def test_active_owner_request_costs_one_query(client: Client, make_token: TokenFactory) -> None:
    user = User.objects.create(username="active")
    _, raw = make_token(user=user)
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200  # last_used_at
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 200
    assert len(queries.captured_queries) == 1, queries.captured_queries


def test_can_authenticate_false_refuses_token(
    client: Client, make_token: TokenFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, raw = make_token()
    monkeypatch.setattr(Token, "can_authenticate", lambda self: self.name != "blocked")
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    Token.objects.filter(pk=token.pk).update(name="blocked")
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 401
    row = TokenAuditLog.objects.filter(token=token).latest("id")
    assert row.extra["reason"] == "not_admitted"


def test_custom_can_authenticate_without_super_still_refuses_inactive_owner(
    client: Client, inactive_user_token: tuple[Token, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, raw = inactive_user_token
    monkeypatch.setattr(Token, "can_authenticate", lambda self: True)
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 401


def test_model_can_authenticate_reads_owner_state(make_token: TokenFactory) -> None:
    user = User.objects.create(username="owner")
    token, _ = make_token(user=user)
    assert token.can_authenticate() is True
    user.is_active = False
    assert token.can_authenticate() is False
