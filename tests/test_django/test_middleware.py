"""The middleware through Django's request stack: what it sets, and the audit rows it writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from asgiref.sync import iscoroutinefunction
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.utils import timezone
from test_django.wiring import TokenFactory

from keysmith.core.checksum import checksum
from keysmith.django.middleware import KeysmithAuthenticationMiddleware
from keysmith.models import Token, TokenAuditLog
from keysmith.services.tokens import revoke_token

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"


def forge(prefix: str) -> str:
    """A well-formed token with a real prefix and a wrong secret."""
    body = f"{prefix}:{'x' * 32}"
    return body + checksum(body)


def last_log() -> TokenAuditLog:
    return TokenAuditLog.objects.order_by("-id")[0]


def test_middleware_valid_header_sets_token_and_user(
    client: Client, make_token: TokenFactory
) -> None:
    user = User.objects.create(username="alice")
    token, raw = make_token(user=user)
    body = client.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw).json()
    assert body == {"prefix": token.prefix, "user": "alice", "error": None, "query": ""}


def test_middleware_header_with_surrounding_spaces_authenticates(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    assert client.get("/open/", HTTP_X_KEYSMITH_TOKEN=f"  {raw} ").json()["prefix"] == token.prefix


def test_middleware_success_audited_with_response_status(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    client.get(
        "/open/?x=1",
        HTTP_X_KEYSMITH_TOKEN=raw,
        HTTP_USER_AGENT="pytest-agent",
        REMOTE_ADDR="10.1.2.3",
    )
    log = last_log()
    assert (log.action, log.token_id, log.status_code) == ("auth_success", token.pk, 200)
    assert (log.path, log.method, log.ip_address, log.user_agent) == (
        "/open/",
        "GET",
        "10.1.2.3",
        "pytest-agent",
    )


def test_middleware_wrong_secret_audited_as_failure_on_token(
    client: Client, make_token: TokenFactory
) -> None:
    token, _ = make_token()
    response = client.get("/required/", HTTP_X_KEYSMITH_TOKEN=forge(token.prefix))
    assert response.status_code == 401
    log = last_log()
    assert (log.action, log.token_id, log.status_code) == ("auth_failed", token.pk, 401)
    assert log.extra == {
        "error": "invalid_token",
        "reason": "wrong_secret",
        "error_code": "invalidtoken",
    }


def test_middleware_malformed_token_on_open_view_passes_with_error(client: Client) -> None:
    body = client.get("/open/", HTTP_X_KEYSMITH_TOKEN="not-a-token").json()
    assert body["error"] == "invalid_token"
    log = last_log()
    assert (log.action, log.token_id, log.extra["reason"]) == ("auth_failed", None, "malformed")


def test_middleware_no_token_on_open_view_writes_nothing(client: Client) -> None:
    client.get("/open/")
    assert not TokenAuditLog.objects.exists()


def test_middleware_missing_token_on_required_view_audited(client: Client) -> None:
    assert client.get("/required/").status_code == 401
    log = last_log()
    assert (log.action, log.status_code, log.extra["error_code"]) == (
        "auth_failed",
        401,
        "missing_token",
    )


def test_middleware_expired_token_refused_and_audited(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    Token.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 401
    assert last_log().extra["error"] == "expired_token"


def test_middleware_revoked_token_refused_and_audited(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    revoke_token(token)
    response = client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 401
    assert response.content.decode() == "Your session has expired or the token is invalid."
    assert last_log().extra["error"] == "revoked_token"


def test_middleware_usage_written_once_within_resolution(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    client.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw)
    first = Token.objects.get(pk=token.pk).last_used_at
    assert first is not None
    client.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert Token.objects.get(pk=token.pk).last_used_at == first


@override_settings(KEYSMITH={"HASH_ITERATIONS": 10_000, "USAGE_WRITE_RESOLUTION_SECONDS": 0})
def test_middleware_zero_resolution_writes_usage_every_request(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    client.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw)
    first = Token.objects.get(pk=token.pk).last_used_at
    client.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert Token.objects.get(pk=token.pk).last_used_at > first


@override_settings(KEYSMITH={"HEADER_NAME": "HTTP_X_API_KEY"})
def test_middleware_custom_header_name_is_read(client: Client, make_token: TokenFactory) -> None:
    token, raw = make_token()
    assert client.get("/open/", HTTP_X_API_KEY=raw).json()["prefix"] == token.prefix
    assert client.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw).json()["prefix"] is None


def test_middleware_query_param_ignored_unless_allowed(
    client: Client, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    assert client.get("/required/", {"keysmith_token": raw}).status_code == 401


@override_settings(KEYSMITH={"ALLOW_QUERY_PARAM": True, "QUERY_PARAM_NAME": "key"})
def test_middleware_query_param_allowed_authenticates_and_hides_it(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    body = client.get("/required/", {"key": raw, "page": "2"}).json()
    assert body["prefix"] == token.prefix
    assert raw not in body["query"]
    assert "page=2" in body["query"]


@override_settings(KEYSMITH={"RATE_LIMIT_HOOK": "test_django.hooks.rate_limit_hook"})
def test_middleware_rate_limit_hook_raising_answers_429(
    client: Client, make_token: TokenFactory
) -> None:
    token, raw = make_token()
    response = client.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw, HTTP_X_BLOCK="yes")
    assert response.status_code == 429
    assert response.content.decode() == "Too many authentication attempts. Try again later."
    log = last_log()
    assert (log.action, log.status_code, log.extra["error"]) == ("auth_failed", 429, "rate_limited")
    assert client.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw).json()["prefix"] == token.prefix


@override_settings(KEYSMITH={"TRUST_PROXIES": True})
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7, 10.0.0.1", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("garbage, 203.0.113.7", "10.9.9.9"),
        ("", "10.9.9.9"),
    ],
)
def test_middleware_trusted_proxy_ip_first_forwarded_entry_if_valid(
    client: Client, make_token: TokenFactory, forwarded: str, expected: str
) -> None:
    _, raw = make_token()
    client.get(
        "/open/", HTTP_X_KEYSMITH_TOKEN=raw, HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.9.9.9"
    )
    assert last_log().ip_address == expected


def test_middleware_untrusted_proxy_header_ignored(
    client: Client, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    client.get(
        "/open/",
        HTTP_X_KEYSMITH_TOKEN=raw,
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        REMOTE_ADDR="10.9.9.9",
    )
    assert last_log().ip_address == "10.9.9.9"


def test_middleware_long_method_truncated_to_column(
    client: Client, make_token: TokenFactory
) -> None:
    _, raw = make_token()
    client.generic("VERSION-CONTROL", "/open/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert last_log().method == "VERSION-CO"


@override_settings(KEYSMITH={"ENABLE_AUDIT_LOGGING": False})
def test_middleware_audit_disabled_writes_no_rows(client: Client, make_token: TokenFactory) -> None:
    _, raw = make_token()
    client.get("/required/", HTTP_X_KEYSMITH_TOKEN=raw)
    client.get("/required/")
    assert not TokenAuditLog.objects.exists()


def test_middleware_async_get_response_makes_middleware_a_coroutine_function() -> None:
    async def get_response(request: object) -> object:
        return None

    def sync_get_response(request: object) -> object:
        return None

    assert iscoroutinefunction(KeysmithAuthenticationMiddleware(get_response))
    assert not iscoroutinefunction(KeysmithAuthenticationMiddleware(sync_get_response))


@pytest.mark.parametrize(
    ("hook", "retry_after"),
    [("permission_denied_hook", None), ("throttled_hook", "8")],
)
def test_middleware_rate_limit_hook_django_refusals_answer_429(
    client: Client, make_token: TokenFactory, hook: str, retry_after: str | None
) -> None:
    _, raw = make_token()
    with override_settings(KEYSMITH={"RATE_LIMIT_HOOK": f"test_django.hooks.{hook}"}):
        response = client.get("/open/", HTTP_X_KEYSMITH_TOKEN=raw)
    assert response.status_code == 429
    assert response.get("Retry-After") == retry_after
    assert last_log().extra["reason"] == "rate_limited"
