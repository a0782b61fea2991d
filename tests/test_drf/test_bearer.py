"""KeysmithAuthentication beside simplejwt's JWTAuthentication, both reading Bearer, on the view
docs/drf.md prints: each class takes its own tokens, and what keysmith does not recognise is
left to the next class."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip(
    "rest_framework_simplejwt",
    reason="the JWT coexistence tests need djangorestframework-simplejwt",
)

from django.contrib.auth.models import User
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken
from test_drf.conftest import TokenFactory

from keysmith.core.checksum import checksum
from keysmith.models import TokenAuditLog

pytestmark = pytest.mark.django_db
INVALID = "Your session has expired or the token is invalid."
CHALLENGE = 'Keysmith realm="api", header="X-Keysmith-Token", Bearer realm="api"'


@pytest.fixture(autouse=True)
def jwt_urls(drf_urls: None, settings: Any) -> None:
    settings.ROOT_URLCONF = "test_drf.jwt_urls"


def bearer(value: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {value}"}


def jwt_for(username: str) -> str:
    return str(AccessToken.for_user(User.objects.create(username=username)))


def audit_rows() -> list[tuple[str, int, Any]]:
    return [
        (row.action, row.status_code, row.extra.get("reason"))
        for row in TokenAuditLog.objects.filter(action__startswith="auth_").order_by("id")
    ]


def test_jwt_in_bearer_authenticates_through_simplejwt(api: APIClient, arrangement: str) -> None:
    response = api.get("/whoami/", **bearer(jwt_for("alice")))
    assert response.json() == {"user": "alice", "auth": "AccessToken"}
    assert audit_rows() == []


@pytest.mark.parametrize("how", ["bearer", "header"])
def test_keysmith_token_authenticates_through_keysmith(
    api: APIClient, make_token: TokenFactory, arrangement: str, how: str
) -> None:
    token, raw = make_token(user=User.objects.create(username="carol"))
    sent: dict[str, Any] = bearer(raw) if how == "bearer" else {"HTTP_X_KEYSMITH_TOKEN": raw}
    response = api.get("/whoami/", **sent)
    assert response.json() == {"user": "carol", "auth": "Token"}
    assert audit_rows() == [("auth_success", 200, None)]
    assert TokenAuditLog.objects.get(action="auth_success").token_id == token.pk


@pytest.mark.parametrize("value", ["garbage", "eyJhbGciOiJIUzI1NiJ9.e30.bm90LXNpZ25lZA"])
def test_other_bearer_gets_simplejwt_refusal_not_keysmith(
    api: APIClient, arrangement: str, value: str
) -> None:
    response = api.get("/whoami/", **bearer(value))
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    # DRF takes the challenge from the first class; keysmith's names Bearer too.
    assert response["WWW-Authenticate"] == CHALLENGE
    assert audit_rows() == []


def test_forged_keysmith_bearer_gets_keysmith_refusal(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    token, _ = make_token()
    body = f"{token.prefix}:{'x' * 32}"
    response = api.get("/whoami/", **bearer(body + checksum(body)))
    assert (response.status_code, response.json()) == (401, {"detail": INVALID})
    assert audit_rows() == [("auth_failed", 401, "wrong_secret")]


def test_header_and_bearer_with_different_tokens_are_refused_as_ambiguous(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    _, raw = make_token()
    _, other = make_token()
    response = api.get("/whoami/", HTTP_X_KEYSMITH_TOKEN=raw, **bearer(other))
    assert (response.status_code, response.json()) == (401, {"detail": INVALID})
    assert audit_rows() == [("auth_failed", 401, "ambiguous_credentials")]


def test_header_and_bearer_with_the_same_token_authenticate_once(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    _, raw = make_token(user=User.objects.create(username="dave"))
    response = api.get("/whoami/", HTTP_X_KEYSMITH_TOKEN=raw, **bearer(raw))
    assert response.json() == {"user": "dave", "auth": "Token"}
    assert audit_rows() == [("auth_success", 200, None)]


def test_no_credentials_is_audited_as_missing_keysmith_token(
    api: APIClient, arrangement: str
) -> None:
    response = api.get("/whoami/")
    assert (response.status_code, response["WWW-Authenticate"]) == (401, CHALLENGE)
    assert audit_rows() == [("auth_failed", 401, "missing_token")]


def test_bearer_off_leaves_keysmith_bearer_to_simplejwt(
    api: APIClient, make_token: TokenFactory, settings: Any, arrangement: str
) -> None:
    settings.KEYSMITH = {"HASH_ITERATIONS": 10_000, "ALLOW_BEARER": False}
    _, raw = make_token()
    response = api.get("/whoami/", **bearer(raw))
    assert (response.status_code, response.json()["code"]) == (401, "token_not_valid")
    assert response["WWW-Authenticate"] == 'Keysmith realm="api", header="X-Keysmith-Token"'
    assert audit_rows() == []


@pytest.mark.parametrize(
    "value",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer \x01\x7f",
        "Bearer tök",
        "Bearer " + "A" * 100_000,
    ],
)
def test_malformed_authorization_is_never_a_500(
    api: APIClient, arrangement: str, value: str
) -> None:
    response = api.get("/whoami/", HTTP_AUTHORIZATION=value)
    assert response.status_code == 401
    assert [row[0] for row in audit_rows()] in ([], ["auth_failed"])
