"""Every way of writing a DRF endpoint: viewsets behind a router, ``@api_view`` functions,
``APIView`` classes, and the browsable API."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient
from test_drf.conftest import TokenFactory, scoped

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"


def test_viewset_list_and_detail_with_scoped_token(
    api: APIClient, make_token: TokenFactory
) -> None:
    user = User.objects.create(username="gina")
    _, raw = scoped(make_token, "view_user", user=user)
    listed = api.get("/router/users/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (listed.status_code, listed.json()) == (200, [{"id": user.pk, "username": "gina"}])
    detail = api.get(f"/router/users/{user.pk}/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert detail.json() == {"id": user.pk, "username": "gina"}


def test_viewset_create_goes_through_the_same_checks(
    api: APIClient, make_token: TokenFactory
) -> None:
    _, raw = scoped(make_token, "view_user")
    created = api.post(
        "/router/users/", {"username": "hank"}, format="json", HTTP_X_KEYSMITH_TOKEN=raw
    )
    assert created.status_code == 201
    assert User.objects.filter(username="hank").exists()


def test_viewset_without_scope_is_403_and_without_token_401(
    api: APIClient, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    assert api.get("/router/users/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 403
    assert api.get("/router/users/").status_code == 401


def test_router_root_is_open(api: APIClient) -> None:
    assert api.get("/router/").json() == {"users": "http://testserver/router/users/"}


@pytest.mark.parametrize("method", ["get", "post"])
def test_api_view_function_checks_scopes_per_method(
    api: APIClient, make_token: TokenFactory, method: str
) -> None:
    token, raw = scoped(make_token, "add_user")
    _, other = scoped(make_token, "view_user")
    response = getattr(api, method)("/function/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.json() == {"prefix": token.prefix, "user": None, "method": method.upper()}
    assert getattr(api, method)("/function/", HTTP_X_KEYSMITH_TOKEN=other).status_code == 403
    assert getattr(api, method)("/function/").status_code == 401


def test_api_view_quick_start_health_view(api: APIClient, make_token: TokenFactory) -> None:
    token, raw = make_token(user=User.objects.create(username="api-user"))
    response = api.get("/api/health/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (response.status_code, response.json()) == (
        200,
        {"ok": True, "token_prefix": token.prefix},
    )


def test_browsable_api_with_token_renders_page(api: APIClient, make_token: TokenFactory) -> None:
    _, raw = scoped(make_token, "view_user", user=User.objects.create(username="ivy"))
    response = api.get("/router/users/", HTTP_ACCEPT="text/html", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "ivy" in page
    assert "Django REST framework" in page


def test_browsable_api_without_token_renders_401_page(api: APIClient) -> None:
    response = api.get("/api/health/", HTTP_ACCEPT="text/html")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("text/html")
    assert response["WWW-Authenticate"].startswith("Keysmith ")
    assert "Authentication credentials were not provided." in response.content.decode()


def test_browsable_api_bad_token_renders_401_page(api: APIClient) -> None:
    response = api.get("/api/health/", HTTP_ACCEPT="text/html", HTTP_X_KEYSMITH_TOKEN="tok_bad")
    assert response.status_code == 401
    assert "the token is invalid" in response.content.decode()
