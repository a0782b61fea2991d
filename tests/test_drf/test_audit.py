"""One audit row per request, whether the keysmith middleware runs in front of DRF or not."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient
from test_drf.conftest import TokenFactory
from test_drf.test_auth import forge

from keysmith.django.recording import request_state
from keysmith.models import TokenAuditLog

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"


def request_rows() -> list[tuple[str, object, int, str]]:
    """The authentication rows written so far: (action, token id, status, error kind)."""
    rows = TokenAuditLog.objects.filter(action__in=["auth_success", "auth_failed"]).order_by("id")
    return [(r.action, r.token_id, r.status_code, r.extra.get("error", "")) for r in rows]


def test_audit_arrangement_fixture_installs_or_removes_middleware(
    api: APIClient, arrangement: str
) -> None:
    request = api.get("/open/").wsgi_request
    assert request_state(request).middleware is (arrangement == "with_middleware")


def test_audit_success_written_once(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    token, raw = make_token()
    response = api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw, HTTP_USER_AGENT="drf-tests")
    assert response.status_code == 200
    assert request_rows() == [("auth_success", token.pk, 200, "")]
    log = TokenAuditLog.objects.get(action="auth_success")
    assert (log.path, log.method, log.user_agent) == ("/required/", "GET", "drf-tests")


def test_audit_wrong_secret_written_once_on_token(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    token, _ = make_token()
    assert api.get("/required/", HTTP_X_KEYSMITH_TOKEN=forge(token.prefix)).status_code == 401
    assert request_rows() == [("auth_failed", token.pk, 401, "invalid_token")]
    assert TokenAuditLog.objects.get(action="auth_failed").extra["reason"] == "wrong_secret"


def test_audit_malformed_token_written_once(api: APIClient, arrangement: str) -> None:
    assert api.get("/open/", HTTP_X_KEYSMITH_TOKEN="garbage").status_code == 401
    assert request_rows() == [("auth_failed", None, 401, "invalid_token")]


def test_audit_missing_token_on_protected_view_written_once(
    api: APIClient, arrangement: str
) -> None:
    assert api.get("/required/").status_code == 401
    assert request_rows() == [("auth_failed", None, 401, "missing_token")]


def test_audit_missing_token_on_open_view_writes_nothing(api: APIClient, arrangement: str) -> None:
    assert api.get("/open/").status_code == 200
    assert request_rows() == []


def test_audit_session_user_refused_by_token_view_writes_nothing(
    api: APIClient, arrangement: str
) -> None:
    # A 403 for a logged-in user is an authorization answer, not a failed authentication.
    api.force_login(User.objects.create(username="dora"))
    assert api.get("/session-only/").status_code == 403
    assert request_rows() == []


def test_audit_composition_allowing_anonymous_writes_nothing(
    api: APIClient, arrangement: str
) -> None:
    assert api.get("/scoped-or-read-only/").status_code == 200
    assert request_rows() == []
    assert api.post("/scoped-or-read-only/").status_code == 401
    assert request_rows() == [("auth_failed", None, 401, "missing_token")]


def test_audit_scope_denied_records_final_status_in_both_arrangements(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    # Without the middleware the row is written once DRF finalised the response, so it holds
    # the answer the client got, not the moment authentication succeeded.
    token, raw = make_token()
    assert api.get("/inline-scopes/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 403
    assert request_rows() == [("auth_success", token.pk, 403, "")]


def test_audit_view_error_answer_recorded_with_its_status(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    token, raw = make_token(scopes=Permission.objects.filter(codename="add_user"))
    response = api.post("/router/users/", {"username": ""}, HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code in (400, 403)
    assert request_rows() == [("auth_success", token.pk, response.status_code, "")]


def test_audit_view_that_raises_recorded_as_500(make_token: TokenFactory, arrangement: str) -> None:
    token, raw = make_token()
    client = APIClient(raise_request_exception=False)
    assert client.get("/failing/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 500
    assert request_rows() == [("auth_success", token.pk, 500, "")]


def test_audit_each_request_gets_its_own_row(
    api: APIClient, make_token: TokenFactory, arrangement: str
) -> None:
    token, raw = make_token(scopes=Permission.objects.filter(codename="view_user"))
    for _ in range(3):
        assert api.get("/router/users/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    assert request_rows() == [("auth_success", token.pk, 200, "")] * 3


def test_audit_disabled_writes_nothing(
    api: APIClient, make_token: TokenFactory, settings: object, arrangement: str
) -> None:
    settings.KEYSMITH = {"HASH_ITERATIONS": 10_000, "ENABLE_AUDIT_LOGGING": False}  # type: ignore[attr-defined]
    token, raw = make_token()
    api.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    api.get("/required/", HTTP_X_KEYSMITH_TOKEN=forge(token.prefix))
    assert TokenAuditLog.objects.count() == 0
