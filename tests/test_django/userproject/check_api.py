"""The project's own tests, run by pytest-django."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient

from keysmith.models import TokenAuditLog
from keysmith.services.tokens import create_token


@pytest.fixture
def raw_token(db: None) -> str:
    user = User.objects.create_user("bob")
    scope = Permission.objects.get(codename="view_user")
    return create_token(name="ci", user=user, scopes=[scope])[1]


def test_items_with_api_client(raw_token: str) -> None:
    client = APIClient()
    client.credentials(HTTP_X_KEYSMITH_TOKEN=raw_token)
    assert client.get("/api/items/").status_code == 200
    assert TokenAuditLog.objects.filter(action="auth_success").count() == 1


def test_plain_view_refuses_a_bad_token(raw_token: str, client: object) -> None:
    response = client.get("/plain/", HTTP_X_KEYSMITH_TOKEN=raw_token[:-1] + "x")  # type: ignore[attr-defined]
    assert response.status_code == 401


@pytest.mark.django_db(transaction=True)
def test_items_in_a_transactional_test() -> None:
    user = User.objects.create_user("carol")
    scope = Permission.objects.get(codename="view_user")
    _, raw = create_token(name="ci", user=user, scopes=[scope])
    for _ in range(3):
        assert APIClient().get("/api/items/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
