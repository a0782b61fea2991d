"""keysmith_required and keysmith_scopes on every kind of view, sync and async."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import Permission
from django.test import AsyncClient, Client, RequestFactory, override_settings
from test_django.wiring import TokenFactory

from keysmith.django.decorator import keysmith_required
from keysmith.models import TokenAuditLog

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"
PROTECTED = ["/required/", "/class/", "/class-method/", "/as-view/", "/class-async/"]
NO_MIDDLEWARE = [
    m
    for m in __import__("test_django.settings", fromlist=["MIDDLEWARE"]).MIDDLEWARE
    if "keysmith" not in m
]


@pytest.mark.parametrize("path", PROTECTED)
def test_keysmith_required_missing_token_is_401(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.content.decode() == "Authentication credentials were not provided."


@pytest.mark.parametrize("path", PROTECTED)
def test_keysmith_required_valid_token_runs_view(
    client: Client, make_token: TokenFactory, path: str
) -> None:
    token, raw = make_token()
    response = client.get(path, HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 200
    assert response.json()["prefix"] == token.prefix


@pytest.mark.parametrize("path", PROTECTED)
def test_keysmith_required_garbage_token_is_401_invalid(client: Client, path: str) -> None:
    response = client.get(path, HTTP_X_KEYSMITH_TOKEN="tok_garbage:123")
    assert response.status_code == 401
    assert response.content.decode() == "Your session has expired or the token is invalid."


def test_keysmith_required_system_token_without_user_passes(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token(token_type="system")
    body = client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).json()
    assert (body["prefix"], body["user"]) == (token.prefix, None)


def test_keysmith_required_allow_anonymous_without_token_runs_view(client: Client) -> None:
    assert client.get("/anonymous-ok/").json()["prefix"] is None
    assert not TokenAuditLog.objects.exists()


def test_keysmith_required_allow_anonymous_bad_token_still_401(client: Client) -> None:
    response = client.get("/anonymous-ok/", HTTP_X_KEYSMITH_TOKEN="tok_garbage:123")
    assert (response.status_code, response.content) == (401, b"bad token here")


def test_keysmith_required_custom_missing_message(client: Client) -> None:
    assert client.get("/custom-message/").content == b"token please"


@override_settings(KEYSMITH={"DEFAULT_ERROR_MESSAGES": {"missing_token": "Send X-KEYSMITH-TOKEN."}})
def test_keysmith_required_configured_message_merged_over_builtins(client: Client) -> None:
    assert client.get("/required/").content == b"Send X-KEYSMITH-TOKEN."
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN="x").content.startswith(b"Your session")


def asgi_get(path: str, **kwargs: Any) -> Any:
    """A GET through Django's ASGI handler, from synchronous test code."""

    async def get() -> Any:
        return await AsyncClient().get(path, **kwargs)

    return async_to_sync(get)()


def grant(token: object, *codenames: str) -> None:
    token.scopes.set(Permission.objects.filter(codename__in=codenames))  # type: ignore[attr-defined]


def test_keysmith_scopes_all_scopes_present_runs_view(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    grant(token, "view_group", "change_group")
    assert client.get("/scoped/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200


def test_keysmith_scopes_one_scope_missing_is_403(client: Client, make_token: TokenFactory) -> None:
    token, raw = make_token()
    grant(token, "view_group")
    response = client.get("/scoped/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 403
    log = TokenAuditLog.objects.order_by("-id")[0]
    assert (log.action, log.status_code) == ("auth_success", 403)


def test_keysmith_scopes_without_token_is_401(client: Client) -> None:
    assert client.get("/scopes-only/").status_code == 401
    assert client.get("/scopes-only/", HTTP_X_KEYSMITH_TOKEN="bad").content.startswith(
        b"Your session"
    )


CHALLENGE = 'Keysmith realm="api", header="X-Keysmith-Token", Bearer realm="api"'


@pytest.mark.parametrize("path", ["/required/", "/class/", "/scopes-only/", "/scoped/"])
@pytest.mark.parametrize("token", [None, "bad"])
def test_decorators_401_carries_the_drf_challenge(
    client: Client, path: str, token: str | None
) -> None:
    headers: dict[str, Any] = {HEADER: token} if token else {}
    response = client.get(path, **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


@override_settings(KEYSMITH={"HEADER_NAME": "HTTP_X_API_KEY"})
def test_decorators_401_challenge_names_the_configured_header(client: Client) -> None:
    response = client.get("/required/")
    assert (
        response["WWW-Authenticate"]
        == 'Keysmith realm="api", header="X-Api-Key", Bearer realm="api"'
    )


# The ASGI handler runs each request's sync code in a thread of its own, on its own connection,
# so the rows must be committed.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/async/required/", "/async/scoped/", "/class-async/"])
def test_async_views_through_asgi_valid_token_runs_view(
    path: str, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    grant(token, "view_group")
    response = asgi_get(path, headers={"X-Keysmith-Token": raw})
    assert response.status_code == 200
    assert response.json()["prefix"] == token.prefix
    assert TokenAuditLog.objects.order_by("-id")[0].action == "auth_success"


@pytest.mark.parametrize("path", ["/async/required/", "/async/scoped/", "/class-async/"])
def test_async_views_through_asgi_missing_token_is_401(path: str) -> None:
    assert asgi_get(path).status_code == 401


@override_settings(MIDDLEWARE=NO_MIDDLEWARE)
@pytest.mark.parametrize("path", ["/required/", "/class-async/"])
def test_keysmith_required_without_middleware_authenticates_and_audits(
    client: Client, make_token: TokenFactory, path: str
) -> None:
    token, raw = make_token()
    assert client.get(path, HTTP_X_KEYSMITH_TOKEN=raw).json()["prefix"] == token.prefix
    assert client.get(path).status_code == 401
    actions = list(TokenAuditLog.objects.order_by("id").values_list("action", "status_code"))
    assert actions == [("created", 201), ("auth_success", 200), ("auth_failed", 401)]


@override_settings(MIDDLEWARE=NO_MIDDLEWARE)
def test_view_returning_no_response_gets_djangos_own_error(
    client: Client, make_token: TokenFactory
) -> None:
    """A decorated view that forgets its return is refused by Django with its own message, not
    with an AttributeError from the decorator, in both sync and async views."""
    _, raw = make_token()

    def forgetful(request: Any) -> None:
        return None

    async def forgetful_async(request: Any) -> None:
        return None

    request = RequestFactory().get("/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert keysmith_required(forgetful)(request) is None
    request = RequestFactory().get("/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert async_to_sync(keysmith_required(forgetful_async))(request) is None
