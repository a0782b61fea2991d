"""The request attributes are the contract: ``keysmith_required`` and ``keysmith_scopes`` honour
``request.keysmith_token`` / ``keysmith_auth_error`` set by hand, as django-keysmith's did."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from test_django import views
from test_django.wiring import TokenFactory

from keysmith.auth.exceptions import ExpiredToken
from keysmith.models import TokenAuditLog

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"


def factory_request(path: str = "/anywhere/", **attributes: Any) -> Any:
    request = RequestFactory().get(path)
    for name, value in attributes.items():
        setattr(request, name, value)
    return request


def scoped(token: Any, *codenames: str) -> Any:
    token.scopes.set(Permission.objects.filter(codename__in=codenames))
    return token


def test_keysmith_required_token_set_by_hand_runs_view(make_token: TokenFactory) -> None:
    token, _ = make_token()
    response = views.required_view(factory_request(keysmith_token=token))
    assert response.status_code == 200
    assert json.loads(response.content)["prefix"] == token.prefix


def test_keysmith_required_token_set_by_hand_on_class_view(make_token: TokenFactory) -> None:
    token, _ = make_token()
    view = views.RequiredClassView.as_view()
    assert view(factory_request(keysmith_token=token)).status_code == 200


def test_keysmith_required_async_view_token_set_by_hand_runs_view(
    make_token: TokenFactory,
) -> None:
    token, _ = make_token()
    response = async_to_sync(views.async_required_view)(factory_request(keysmith_token=token))
    assert response.status_code == 200


def test_keysmith_required_auth_error_set_by_hand_is_401_invalid_despite_header(
    make_token: TokenFactory,
) -> None:
    _, raw = make_token()
    request = factory_request(keysmith_token=None, keysmith_auth_error=ExpiredToken())
    request.META[HEADER] = raw  # the attributes are the verdict: the header is not read again
    response = views.required_view(request)
    assert response.status_code == 401
    assert response.content.decode() == "Your session has expired or the token is invalid."


def test_keysmith_required_none_set_by_hand_is_401_missing(make_token: TokenFactory) -> None:
    response = views.required_view(factory_request(keysmith_token=None, keysmith_auth_error=None))
    assert response.status_code == 401
    assert response.content.decode() == "Authentication credentials were not provided."


def test_keysmith_required_anonymous_allowed_none_set_by_hand_runs_view() -> None:
    response = views.anonymous_ok_view(factory_request(keysmith_token=None))
    assert response.status_code == 200
    assert json.loads(response.content)["prefix"] is None


def test_keysmith_required_user_set_by_hand_is_kept(make_token: TokenFactory) -> None:
    token, _ = make_token()
    stand_in = SimpleNamespace(get_username=lambda: "someone")
    response = views.required_view(factory_request(keysmith_token=token, keysmith_user=stand_in))
    assert json.loads(response.content)["user"] == "someone"


def test_keysmith_required_no_attributes_reads_the_header(make_token: TokenFactory) -> None:
    token, raw = make_token()
    request = RequestFactory().get("/anywhere/", HTTP_X_KEYSMITH_TOKEN=raw)
    response = views.required_view(request)
    assert json.loads(response.content)["prefix"] == token.prefix
    assert getattr(request, "keysmith_token", None) == token


def test_keysmith_scopes_token_set_by_hand_with_scopes_runs_view(make_token: TokenFactory) -> None:
    token, _ = make_token()
    scoped(token, "view_group", "change_group")
    assert views.scoped_view(factory_request(keysmith_token=token)).status_code == 200


def test_keysmith_scopes_token_set_by_hand_missing_scope_is_403(make_token: TokenFactory) -> None:
    token, _ = make_token()
    scoped(token, "view_group")
    response = views.scoped_view(factory_request(keysmith_token=token))
    assert response.status_code == 403
    assert response.content.decode() == "You do not have permission to perform this action."


def test_keysmith_scopes_stand_in_token_with_scope_list_runs_view() -> None:
    stand_in = SimpleNamespace(prefix="tok_standin1", user=None, scopes=["view_group"])
    assert views.scopes_only_view(factory_request(keysmith_token=stand_in)).status_code == 200
    stand_in.scopes = []
    assert views.scopes_only_view(factory_request(keysmith_token=stand_in)).status_code == 403


def test_keysmith_required_token_set_by_hand_writes_no_audit_row(make_token: TokenFactory) -> None:
    token, _ = make_token()
    views.required_view(factory_request(keysmith_token=token))
    views.required_view(factory_request(keysmith_token=None))
    assert list(TokenAuditLog.objects.values_list("action", flat=True)) == ["created"]
