"""A database outage and a failing rate limiter answer 503 with Retry-After, never 500 or 401."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client, override_settings
from test_django.wiring import TokenFactory

from keysmith.models import TokenAuditLog

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"
UNAVAILABLE = "The service is temporarily unavailable. Try again later."
NO_MIDDLEWARE = [
    m
    for m in __import__("test_django.settings", fromlist=["MIDDLEWARE"]).MIDDLEWARE
    if "keysmith" not in m
]


@contextmanager
def database_down(table: str = "keysmith_token") -> Iterator[None]:
    """Every query touching ``table`` fails the way a dropped connection does; the rest (the
    audit table) keeps working, so the outcome can still be audited."""

    def refuse(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if f'"{table}"' in sql:  # quoted: the audit table's name starts the same
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, *args)

    with connection.execute_wrapper(refuse):
        yield


def auth_rows() -> list[tuple[str, int, str]]:
    rows = TokenAuditLog.objects.filter(action="auth_failed").order_by("id")
    return [(r.action, r.status_code, r.extra.get("reason", "")) for r in rows]


@pytest.mark.parametrize("path", ["/open/", "/required/", "/anonymous-ok/", "/scoped/"])
def test_middleware_database_down_answers_503_with_retry_after(
    client: Client, make_token: TokenFactory, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    _, raw = make_token()
    with database_down(), caplog.at_level(logging.ERROR, logger="keysmith"):
        response = client.get(path, HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.content.decode() == UNAVAILABLE
    [record] = [r for r in caplog.records if r.name == "keysmith"]
    assert record.exc_info is not None
    assert "token store" in record.getMessage()
    assert raw.split(":")[1] not in caplog.text
    assert auth_rows() == [("auth_failed", 503, "store_unavailable")]


@override_settings(MIDDLEWARE=NO_MIDDLEWARE)
@pytest.mark.parametrize("path", ["/required/", "/class/", "/scoped/", "/anonymous-ok/"])
def test_decorators_without_middleware_database_down_answer_503(
    client: Client, make_token: TokenFactory, path: str
) -> None:
    _, raw = make_token()
    with database_down():
        response = client.get(path, HTTP_X_KEYSMITH_TOKEN=raw)
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert auth_rows() == [("auth_failed", 503, "store_unavailable")]


def test_keysmith_scopes_scope_table_down_answers_503(
    client: Client, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    # The token row reads fine; the scopes (the token-permission table) cannot be read.
    with database_down("keysmith_token_scopes"):
        response = client.get("/scopes-only/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert (response.status_code, response["Retry-After"]) == (503, "5")


def test_middleware_database_down_async_view_answers_503(
    client: Client, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    with database_down():
        response = client.get("/async/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 503


@override_settings(KEYSMITH={"RATE_LIMIT_HOOK": "test_django.hooks.broken_rate_limit_hook"})
@pytest.mark.parametrize("path", ["/open/", "/required/"])
def test_rate_limit_hook_failing_answers_503_and_logs_traceback(
    client: Client, make_token: TokenFactory, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    _, raw = make_token()
    with caplog.at_level(logging.ERROR, logger="keysmith"):
        response = client.get(path, HTTP_X_KEYSMITH_TOKEN=raw)
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    [record] = [r for r in caplog.records if r.name == "keysmith"]
    assert record.exc_info is not None
    assert record.exc_info[0] is ConnectionError
    assert auth_rows() == [("auth_failed", 503, "rate_limit_unavailable")]


@override_settings(
    MIDDLEWARE=NO_MIDDLEWARE,
    KEYSMITH={"RATE_LIMIT_HOOK": "test_django.hooks.broken_rate_limit_hook"},
)
def test_rate_limit_hook_failing_without_middleware_decorator_answers_503(
    client: Client, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 503


@override_settings(KEYSMITH={"RATE_LIMIT_HOOK": "test_django.hooks.rate_limit_hook"})
def test_rate_limit_hook_rate_limited_answers_429_with_its_retry_after(
    client: Client, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    response = client.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw, HTTP_X_BLOCK="yes")
    assert (response.status_code, response["Retry-After"]) == (429, "30")


@override_settings(KEYSMITH={"RATE_LIMIT_HOOK": "test_django.hooks.refusing_rate_limit_hook"})
def test_rate_limit_hook_token_auth_error_refuses_token_as_0_1_2(
    client: Client, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    assert client.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw).json()["error"] == "invalid_token"
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 401
