"""DRF refuses an inactive owner's token, as its own TokenAuthentication refuses inactive users:
``IsAuthenticated`` and ``IsAdminUser`` never see the deactivated user."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient
from test_django.wiring import TokenFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/authenticated/", "/admin-only/", "/required/"])
def test_inactive_superuser_token_refused_by_drf_permissions(
    api: APIClient, make_token: TokenFactory, arrangement: str, path: str
) -> None:
    user = User.objects.create(username="gone", is_staff=True, is_superuser=True)
    _, raw = make_token(user=user)
    assert api.get(path, HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = api.get(path, HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Keysmith")
