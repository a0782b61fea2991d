"""``KeysmithAuthentication`` through DRF's request handling, with the APIClient."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient
from test_drf.conftest import TokenFactory

from keysmith.core.checksum import checksum
from keysmith.drf.auth import KeysmithAuthentication
from keysmith.drf.request import header_display_name
from keysmith.services.tokens import purge_token, revoke_token, rotate_token

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"
INVALID = "Your session has expired or the token is invalid."
MISSING = "Authentication credentials were not provided."
CHALLENGE = 'Keysmith realm="api", header="X-Keysmith-Token", Bearer realm="api"'


def forge(prefix: str) -> str:
    """A well-formed token with a real prefix and a wrong secret."""
    body = f"{prefix}:{'x' * 32}"
    return body + checksum(body)


def test_auth_valid_header_returns_token_user_and_token(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    user = User.objects.create(username="alice")
    token, raw = make_token(user=user)
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 200
    assert response.json() == {"prefix": token.prefix, "user": "alice"}


def test_auth_token_without_user_gives_anonymous_user(
    api: APIClient, make_token: TokenFactory
) -> None:
    token, raw = make_token(token_type="system")
    assert api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).json() == {
        "prefix": token.prefix,
        "user": None,
    }


def test_auth_missing_token_on_open_view_lets_the_view_run(api: APIClient) -> None:
    response = api.get("/open/")
    assert response.status_code == 200
    assert response.json() == {"prefix": None, "user": None}


def test_auth_missing_token_falls_through_to_session_login(api: APIClient) -> None:
    api.force_login(User.objects.create(username="bob"))
    assert api.get("/open/").json() == {"prefix": None, "user": "bob"}


def test_auth_missing_token_on_protected_view_is_401_with_challenge(
    api: APIClient, arrangement: str
) -> None:
    response = api.get("/required/")
    assert response.status_code == 401
    assert response.json() == {"detail": MISSING}
    assert response["WWW-Authenticate"] == CHALLENGE


def test_auth_wrong_secret_is_401_with_invalid_token_message(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    token, _ = make_token()
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=forge(token.prefix))
    assert response.status_code == 401
    assert response.json() == {"detail": INVALID}
    assert response["WWW-Authenticate"] == CHALLENGE


def test_auth_bad_token_on_open_view_is_still_refused(
    api: APIClient, make_token: TokenFactory
) -> None:
    token, _ = make_token()
    response = api.get("/open/", HTTP_X_KEYSMITH_TOKEN=forge(token.prefix))
    assert (response.status_code, response.json()) == (401, {"detail": INVALID})


@pytest.mark.parametrize(
    "raw",
    ["not-a-token", "tok_abc", "x" * 5000, "tok_ab12CD34:" + "é" * 32 + "000000", "tok_a:b:c"],
    ids=["malformed", "short", "oversized", "non-ascii", "two-colons"],
)
def test_auth_garbage_header_is_401_not_500(api: APIClient, raw: str) -> None:
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (response.status_code, response.json()) == (401, {"detail": INVALID})


def test_auth_expired_token_is_401(api: APIClient, make_token: TokenFactory) -> None:
    _, raw = make_token(expires_at=timezone.now() - timedelta(seconds=1))
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (response.status_code, response.json()) == (401, {"detail": INVALID})


@pytest.mark.parametrize("retire", [revoke_token, purge_token], ids=["revoked", "purged"])
def test_auth_retired_token_is_401(
    api: APIClient, make_token: TokenFactory, retire: object
) -> None:
    token, raw = make_token()
    retire(token)  # type: ignore[operator]
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (response.status_code, response.json()) == (401, {"detail": INVALID})


def test_auth_rotated_token_old_secret_is_401_new_is_200(
    api: APIClient, make_token: TokenFactory
) -> None:
    token, old = make_token()
    new = rotate_token(token)
    assert api.get("/required/", HTTP_X_KEYSMITH_TOKEN=old).status_code == 401
    assert api.get("/required/", HTTP_X_KEYSMITH_TOKEN=new).json()["prefix"] == token.prefix


def test_auth_query_parameter_ignored_unless_allowed(
    api: APIClient, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    response = api.get("/required/", {"keysmith_token": raw})
    assert (response.status_code, response.json()) == (401, {"detail": MISSING})


def test_auth_query_parameter_accepted_when_allowed(
    api: APIClient, make_token: TokenFactory, settings: object, arrangement: str
) -> None:
    settings.KEYSMITH = {"HASH_ITERATIONS": 10_000, "ALLOW_QUERY_PARAM": True}  # type: ignore[attr-defined]
    token, raw = make_token()
    response = api.get("/required/", {"keysmith_token": raw})
    assert (response.status_code, response.json()["prefix"]) == (200, token.prefix)


def test_auth_custom_header_name_is_read_and_announced(
    api: APIClient, make_token: TokenFactory, settings: object
) -> None:
    settings.KEYSMITH = {"HASH_ITERATIONS": 10_000, "HEADER_NAME": "HTTP_X_API_KEY"}  # type: ignore[attr-defined]
    token, raw = make_token()
    assert api.get("/required/", HTTP_X_API_KEY=raw).json()["prefix"] == token.prefix
    refused = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert refused.status_code == 401
    assert (
        refused["WWW-Authenticate"]
        == 'Keysmith realm="api", header="X-Api-Key", Bearer realm="api"'
    )


def test_auth_custom_messages_are_used(
    api: APIClient, make_token: TokenFactory, settings: object
) -> None:
    settings.KEYSMITH = {  # type: ignore[attr-defined]
        "HASH_ITERATIONS": 10_000,
        "DEFAULT_ERROR_MESSAGES": {"invalid_token": "Bad key.", "missing_token": "No key."},
    }
    assert api.get("/required/", HTTP_X_KEYSMITH_TOKEN="nope").json() == {"detail": "Bad key."}
    api.force_login(User.objects.create(username="frank"))
    assert api.get("/required/").json() == {"detail": "No key."}


def test_auth_request_attributes_set_for_view_code(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    user = User.objects.create(username="carol")
    token, raw = make_token(user=user)
    request = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).wsgi_request
    assert (getattr(request, "keysmith_token", None), getattr(request, "keysmith_user", None)) == (
        token,
        user,
    )
    assert getattr(request, "keysmith_auth_error", "unset") is None


def test_auth_successful_authenticator_is_keysmith(
    api: APIClient, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    renderer_context: dict[str, Any] = getattr(response, "renderer_context", {})
    assert isinstance(renderer_context["request"].successful_authenticator, KeysmithAuthentication)


@pytest.mark.parametrize(
    ("meta_key", "header"),
    [
        ("HTTP_X_KEYSMITH_TOKEN", "X-Keysmith-Token"),
        ("HTTP_AUTHORIZATION", "Authorization"),
        ("HTTP_X_API__KEY", "X-Api-Key"),
        ("CONTENT_TYPE", "Content-Type"),
    ],
)
def test_header_display_name_meta_key_gives_header(meta_key: str, header: str) -> None:
    assert header_display_name(meta_key) == header
