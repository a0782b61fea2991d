"""DRF during a database outage or a failing rate limiter: 503 with Retry-After, never 401."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient
from test_django.test_unavailable import UNAVAILABLE, auth_rows, database_down
from test_drf.conftest import TokenFactory, scoped

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"


def test_auth_database_down_answers_503_with_retry_after(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    _, raw = make_token()
    with database_down():
        response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    if arrangement == "drf_alone":
        assert response.json() == {"detail": UNAVAILABLE}
    assert auth_rows() == [("auth_failed", 503, "store_unavailable")]


def test_auth_database_down_open_view_is_not_served_anonymously(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    _, raw = make_token()
    with database_down():
        assert api.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 503


def test_scope_permission_scope_table_down_answers_503(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    _, raw = scoped(make_token, "view_user")
    with database_down("keysmith_token_scopes"):
        response = api.get("/view-scopes/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert response.json() == {"detail": UNAVAILABLE}


def test_rate_limit_hook_failing_answers_503(
    api: APIClient, make_token: TokenFactory, settings: Any, arrangement: str
) -> None:
    settings.KEYSMITH = {
        "HASH_ITERATIONS": 10_000,
        "RATE_LIMIT_HOOK": "test_django.hooks.broken_rate_limit_hook",
    }
    _, raw = make_token()
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert auth_rows() == [("auth_failed", 503, "rate_limit_unavailable")]
