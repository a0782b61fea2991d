"""TOKEN_MODEL / AUDIT_LOG_MODEL swapped: every service writes to the custom tables."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from test_django.testapp.models import CustomAuditLog, CustomToken

from keysmith.auth.base import authenticate_token
from keysmith.models import Token, TokenAuditLog
from keysmith.services.tokens import create_token, revoke_token, rotate_token

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("custom_models"),
]


@pytest.fixture
def custom_models() -> object:
    with override_settings(
        KEYSMITH={
            "TOKEN_MODEL": "testapp.CustomToken",
            "AUDIT_LOG_MODEL": "testapp.CustomAuditLog",
            "HASH_ITERATIONS": 10_000,
        }
    ):
        yield


def test_custom_models_lifecycle_uses_custom_tables(client: Client) -> None:
    token, raw = create_token(name="custom", scopes=["view_group"])
    assert isinstance(token, CustomToken)
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).json()["prefix"] == token.prefix
    new_raw = rotate_token(token)
    assert authenticate_token(new_raw).pk == token.pk
    revoke_token(token)
    actions = list(CustomAuditLog.objects.order_by("id").values_list("action", "token_id"))
    assert actions == [
        ("created", token.pk),
        ("auth_success", token.pk),
        ("rotated", token.pk),
        ("revoked", token.pk),
    ]
    assert not Token.objects.exists()
    assert not TokenAuditLog.objects.exists()
    assert list(token.scopes.values_list("codename", flat=True)) == ["view_group"]
