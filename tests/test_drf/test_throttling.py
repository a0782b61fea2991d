"""Rate limits: the per-token ``KeysmithTokenThrottle``, ``DRF_THROTTLE_HOOK`` and, without the
middleware, ``RATE_LIMIT_HOOK``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient
from test_drf import hooks
from test_drf.conftest import TokenFactory
from test_drf.test_audit import request_rows
from test_drf.test_auth import forge

from keysmith.services.tokens import rotate_token

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"
RATE_LIMITED = "Too many authentication attempts. Try again later."


@pytest.fixture
def token_rate(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"keysmith_token": "2/minute"},
    }


@pytest.fixture
def keysmith_settings(settings: Any) -> Iterator[Any]:
    """Set KEYSMITH keys on top of the test project's."""

    def apply(**values: Any) -> None:
        settings.KEYSMITH = {"HASH_ITERATIONS": 10_000, **values}

    hooks.calls.clear()
    yield apply
    hooks.calls.clear()


def test_token_throttle_limits_each_token_separately(
    api: APIClient, make_token: TokenFactory, token_rate: None
) -> None:
    _, first = make_token()
    _, second = make_token()
    statuses = [api.get("/throttled/", HTTP_X_KEYSMITH_TOKEN=first).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert api.get("/throttled/", HTTP_X_KEYSMITH_TOKEN=second).status_code == 200


def test_token_throttle_keyed_by_prefix_survives_rotation(
    api: APIClient, make_token: TokenFactory, token_rate: None
) -> None:
    token, raw = make_token()
    api.get("/throttled/", HTTP_X_KEYSMITH_TOKEN=raw)
    api.get("/throttled/", HTTP_X_KEYSMITH_TOKEN=raw)
    response = api.get("/throttled/", HTTP_X_KEYSMITH_TOKEN=rotate_token(token))
    assert response.status_code == 429
    assert "Retry-After" in response


def test_token_throttle_ignores_requests_without_token(api: APIClient, token_rate: None) -> None:
    assert [api.get("/throttled/").status_code for _ in range(4)] == [200] * 4


def test_token_throttle_without_rate_raises_naming_the_setting(
    api: APIClient, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    with pytest.raises(ImproperlyConfigured, match=r"DEFAULT_THROTTLE_RATES'\]\['keysmith_token'"):
        api.get("/throttled/", HTTP_X_KEYSMITH_TOKEN=raw)


def test_throttle_hook_throttled_is_429_with_rate_limited_message(
    api: APIClient, make_token: TokenFactory, keysmith_settings: Any, arrangement: str
) -> None:
    keysmith_settings(DRF_THROTTLE_HOOK="test_drf.hooks.throttling_hook")
    token, raw = make_token()
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw, HTTP_X_BLOCK="yes")
    assert response.status_code == 429
    assert response.json()["detail"].startswith(RATE_LIMITED)
    assert response["Retry-After"] == "30"
    assert request_rows() == [("auth_failed", token.pk, 429, "rate_limited")]


def test_throttle_hook_throttles_bad_tokens_too(
    api: APIClient, make_token: TokenFactory, keysmith_settings: Any, arrangement: str
) -> None:
    keysmith_settings(DRF_THROTTLE_HOOK="test_drf.hooks.throttling_hook")
    token, _ = make_token()
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=forge(token.prefix), HTTP_X_BLOCK="yes")
    assert response.status_code == 429
    assert request_rows() == [("auth_failed", None, 429, "rate_limited")]


def test_throttle_hook_not_raising_lets_request_through(
    api: APIClient, make_token: TokenFactory, keysmith_settings: Any
) -> None:
    keysmith_settings(DRF_THROTTLE_HOOK="test_drf.hooks.throttling_hook")
    token, raw = make_token()
    assert api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).json()["prefix"] == token.prefix


def test_throttle_hook_gets_token_or_none_after_authentication(
    api: APIClient, make_token: TokenFactory, keysmith_settings: Any
) -> None:
    keysmith_settings(DRF_THROTTLE_HOOK="test_drf.hooks.recording_hook")
    token, raw = make_token()
    api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    api.get("/open/", HTTP_X_KEYSMITH_TOKEN=forge(token.prefix))
    api.get("/open/")
    assert [(path, getattr(t, "pk", None)) for path, t in hooks.calls] == [
        ("/required/", token.pk),
        ("/open/", None),
    ]


def test_throttle_hook_other_api_errors_are_answered_by_drf(
    api: APIClient, make_token: TokenFactory, keysmith_settings: Any, arrangement: str
) -> None:
    keysmith_settings(DRF_THROTTLE_HOOK="test_drf.hooks.denying_hook")
    token, raw = make_token()
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (response.status_code, response.json()) == (403, {"detail": "not from here"})
    assert request_rows() == [("auth_success", token.pk, 403, "")]


def test_rate_limit_hook_without_middleware_is_drf_429(
    api: APIClient, make_token: TokenFactory, keysmith_settings: Any, without_middleware: None
) -> None:
    keysmith_settings(RATE_LIMIT_HOOK="test_django.hooks.rate_limit_hook")
    _, raw = make_token()
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw, HTTP_X_BLOCK="yes")
    assert response.status_code == 429
    assert response.json()["detail"].startswith(RATE_LIMITED)
    assert response["Retry-After"] == "30"
    assert request_rows() == [("auth_failed", None, 429, "rate_limited")]


def test_rate_limit_hook_with_middleware_refuses_before_drf(
    api: APIClient, make_token: TokenFactory, keysmith_settings: Any
) -> None:
    keysmith_settings(RATE_LIMIT_HOOK="test_django.hooks.rate_limit_hook")
    _, raw = make_token()
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw, HTTP_X_BLOCK="yes")
    assert (response.status_code, response.content.decode()) == (429, RATE_LIMITED)
    assert request_rows() == [("auth_failed", None, 429, "rate_limited")]
