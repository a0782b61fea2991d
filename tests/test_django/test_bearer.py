"""``Authorization: Bearer`` through the Django middleware and the view decorators, beside
another Bearer scheme, and the configured header exactly as before."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.exceptions import ImproperlyConfigured
from django.test import AsyncClient, Client, override_settings
from test_django.bearer_urls import PARTNER_TOKENS
from test_django.wiring import TokenFactory

from keysmith.core.checksum import checksum
from keysmith.django.settings import get_settings
from keysmith.models import TokenAuditLog

pytestmark = [pytest.mark.django_db, pytest.mark.urls("test_django.bearer_urls")]
PARTNER = next(iter(PARTNER_TOKENS))
BOTH = 'Keysmith realm="api", header="X-Keysmith-Token", Bearer realm="api"'
NO_BEARER = {"HASH_ITERATIONS": 10_000, "ALLOW_BEARER": False}


def forge(prefix: str) -> str:
    """A well-formed token with a real prefix and a wrong secret."""
    body = f"{prefix}:{'x' * 32}"
    return body + checksum(body)


def bearer(value: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {value}"}


def asgi_get(path: str, **kwargs: Any) -> Any:
    """A GET through Django's ASGI handler (the middleware's async path)."""

    async def get() -> Any:
        return await AsyncClient().get(path, **kwargs)

    return async_to_sync(get)()


def audit_rows() -> list[tuple[str, int, Any]]:
    return [
        (row.action, row.status_code, row.extra.get("reason"))
        for row in TokenAuditLog.objects.filter(action__startswith="auth_").order_by("id")
    ]


def test_middleware_bearer_by_default_authenticates_and_audits(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    body = client.get("/open/", **bearer(raw)).json()
    assert (body["prefix"], body["error"]) == (token.prefix, None)
    assert audit_rows() == [("auth_success", 200, None)]


@pytest.mark.parametrize("path", ["/required/", "/class/", "/scoped/"])
def test_decorators_take_a_bearer_token(
    client: Client, make_token: TokenFactory, path: str
) -> None:
    token, raw = make_token()
    response = client.get(path, **bearer(raw))
    if path == "/scoped/":
        assert response.status_code == 403  # authenticated, without the scopes
    else:
        assert response.json()["prefix"] == token.prefix


@pytest.mark.django_db(transaction=True)
def test_async_view_under_asgi_takes_a_bearer_token_and_leaves_others(
    make_token: TokenFactory,
) -> None:
    token, raw = make_token()
    sent = asgi_get("/async/required/", headers={"Authorization": f"Bearer {raw}"})
    assert sent.json()["prefix"] == token.prefix
    other = asgi_get("/async/required/", headers={"Authorization": f"Bearer {PARTNER}"})
    assert (other.status_code, other.content) == (
        401,
        b"Authentication credentials were not provided.",
    )
    assert [row[0] for row in audit_rows()] == ["auth_success", "auth_failed"]


def test_middleware_forged_keysmith_bearer_is_refused_with_both_challenges(
    client: Client, make_token: TokenFactory
) -> None:
    token, _ = make_token()
    response = client.get("/required/", **bearer(forge(token.prefix)))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == BOTH
    assert audit_rows() == [("auth_failed", 401, "wrong_secret")]


def test_middleware_other_bearer_reaches_the_view_protected_by_its_scheme(
    client: Client,
) -> None:
    response = client.get("/partner/", **bearer(PARTNER))
    assert response.json() == {
        "partner_user": "bob",
        "keysmith_token": None,
        "keysmith_error": None,
    }
    refused = client.get("/partner/", **bearer("eyJub3QiOiJpc3N1ZWQifQ.e30.c2ln"))
    assert (refused.status_code, refused["WWW-Authenticate"]) == (401, 'Bearer realm="partner"')
    assert audit_rows() == []


def test_decorator_other_bearer_answers_missing_token(client: Client) -> None:
    response = client.get("/required/", **bearer(PARTNER))
    assert (response.status_code, response.content.decode()) == (
        401,
        "Authentication credentials were not provided.",
    )
    assert response["WWW-Authenticate"] == BOTH
    assert audit_rows() == [("auth_failed", 401, "missing_token")]


def test_decorator_allowing_anonymous_lets_other_bearer_through(client: Client) -> None:
    body = client.get("/anonymous-ok/", **bearer(PARTNER)).json()
    assert (body["prefix"], body["error"]) == (None, None)


def test_header_and_bearer_with_different_tokens_are_refused_as_ambiguous(
    client: Client, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    _, other = make_token()
    response = client.get("/anonymous-ok/", HTTP_X_KEYSMITH_TOKEN=raw, **bearer(other))
    assert (response.status_code, response.content.decode()) == (401, "bad token here")
    assert audit_rows() == [("auth_failed", 401, "ambiguous_credentials")]


def test_header_and_bearer_with_the_same_token_authenticate_once(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    assert (
        client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw, **bearer(raw)).json()["prefix"]
        == token.prefix
    )
    assert audit_rows() == [("auth_success", 200, None)]


def test_header_beside_other_bearer_authenticates_with_the_header(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    response = client.get("/partner/", HTTP_X_KEYSMITH_TOKEN=raw, **bearer(PARTNER))
    assert response.json()["keysmith_token"] == token.prefix


@override_settings(KEYSMITH=NO_BEARER)
def test_bearer_off_ignores_bearer_and_challenges_the_header_only(
    client: Client, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    response = client.get("/required/", **bearer(raw))
    assert response.status_code == 401
    assert response.content.decode() == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"] == 'Keysmith realm="api", header="X-Keysmith-Token"'


@override_settings(KEYSMITH=NO_BEARER)
def test_bearer_off_header_and_different_bearer_token_use_the_header(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    _, other = make_token()
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw, **bearer(other)).json()[
        "prefix"
    ] == (token.prefix)


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_allow_bearer_setting_not_a_bool_is_improperly_configured(
    settings: Any, value: Any
) -> None:
    settings.KEYSMITH = {"ALLOW_BEARER": value}
    with pytest.raises(ImproperlyConfigured, match=r"keysmith.E009: KEYSMITH\['ALLOW_BEARER'\]"):
        get_settings()


@pytest.mark.parametrize(
    "value",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer \x01\x02\x7f",
        "Bearer tök",
        "Bearer ÿþ",
        "Bearer " + "A" * 100_000,
        "\x00",
        ",,,",
    ],
)
@pytest.mark.parametrize("path", ["/open/", "/anonymous-ok/"])
def test_malformed_authorization_is_no_token_never_a_500(
    client: Client, value: str, path: str
) -> None:
    response = client.get(path, HTTP_AUTHORIZATION=value)
    assert response.status_code == 200
    assert response.json()["error"] is None
    assert audit_rows() == []


# The configured header, as django-keysmith 0.1.2 read it.


def test_configured_header_blank_is_no_token(client: Client) -> None:
    body = client.get("/anonymous-ok/", HTTP_X_KEYSMITH_TOKEN="  ").json()
    assert (body["prefix"], body["error"]) == (None, None)


@pytest.mark.parametrize("value", ["not a token", "tök", "a" * 100_000])
def test_configured_header_unusable_is_refused_as_invalid(client: Client, value: str) -> None:
    response = client.get("/anonymous-ok/", HTTP_X_KEYSMITH_TOKEN=value)
    assert (response.status_code, response.content.decode()) == (401, "bad token here")


@override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000, "ALLOW_QUERY_PARAM": True})
def test_configured_header_wins_over_the_query_parameter(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    _, other = make_token()
    response = client.get("/required/", {"keysmith_token": other}, HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.json()["prefix"] == token.prefix


@override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000, "HEADER_NAME": "HTTP_AUTHORIZATION"})
@pytest.mark.parametrize("scheme", ["", "Bearer "])
def test_authorization_as_configured_header_takes_raw_and_bearer_tokens(
    client: Client, make_token: TokenFactory, scheme: str
) -> None:
    token, raw = make_token()
    response = client.get("/required/", HTTP_AUTHORIZATION=scheme + raw)
    assert response.json()["prefix"] == token.prefix


@override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000, "HEADER_NAME": "HTTP_AUTHORIZATION"})
def test_authorization_as_configured_header_still_refuses_other_schemes(client: Client) -> None:
    response = client.get("/anonymous-ok/", HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert (response.status_code, response.content.decode()) == (401, "bad token here")
