"""KeysmithMiddleware over a plain ASGI app, driven through httpx's ASGI transport."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from test_asgi.apps import echo_app, failing_app
from test_asgi.conftest import Keys

from keysmith.asgi import KeysmithMiddleware, TokenAuthenticator
from keysmith.asgi.types import ASGIApp
from keysmith.core import AsyncTokenService, ConfigurationError

pytestmark = pytest.mark.anyio
HEADER = "x-keysmith-token"


@asynccontextmanager
async def client(
    auth: TokenAuthenticator[Any], app: ASGIApp = echo_app, **options: Any
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(KeysmithMiddleware(app, auth, **options))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def assert_unauthorized(response: httpx.Response, code: str) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.headers["www-authenticate"].startswith("APIKey")
    assert response.json()["code"] == code


async def test_middleware_valid_token_attaches_token_user_and_scopes(keys: Keys) -> None:
    record, raw = await keys.issue(scopes=("write", "read"))
    async with client(keys.authenticator()) as http:
        response = await http.get("/items", headers={HEADER: raw})
    assert response.status_code == 200
    assert response.json() == {
        "token": record.prefix,
        "state_token": record.prefix,
        "authenticated": True,
        "display_name": record.prefix,
        "scopes": ["authenticated", "read", "write"],
    }


async def test_middleware_no_token_passes_through_anonymous(keys: Keys) -> None:
    async with client(keys.authenticator()) as http:
        response = await http.get("/items")
    assert response.status_code == 200
    assert response.json()["token"] is None
    assert response.json()["authenticated"] is False
    assert keys.auth_events() == []


async def test_middleware_wrong_secret_answers_401_json(keys: Keys) -> None:
    _, raw = await keys.issue()
    other = (await keys.issue())[1]
    forged = raw.split(":")[0] + ":" + other.split(":")[1]
    async with client(keys.authenticator()) as http:
        response = await http.get("/items", headers={HEADER: forged})
    assert_unauthorized(response, "invalid_token")
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert response.json()["detail"] == "Your session has expired or the token is invalid."


async def test_middleware_expired_token_answers_401(keys: Keys) -> None:
    _, raw = await keys.issue()
    keys.clock.advance(timedelta(days=31))
    async with client(keys.authenticator()) as http:
        response = await http.get("/items", headers={HEADER: raw})
    assert_unauthorized(response, "expired_token")


async def test_middleware_revoked_token_answers_401(keys: Keys) -> None:
    record, raw = await keys.issue()
    await keys.service.revoke(record)
    async with client(keys.authenticator()) as http:
        response = await http.get("/items", headers={HEADER: raw})
    assert_unauthorized(response, "revoked_token")


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ([(HEADER, "tok_x"), (HEADER, "tok_y")], "ambiguous_credentials"),
        ([(HEADER, "tök".encode())], "non_ascii"),
        ([(HEADER, b"\xff\xfe")], "non_ascii"),
        ([(HEADER, "a" * 100_000)], "oversized"),
        ([(HEADER, "")], "empty"),
        ([(HEADER, "not a token")], "malformed"),
    ],
)
async def test_middleware_malformed_header_answers_401_not_500(
    keys: Keys, headers: list[tuple[str, Any]], reason: str
) -> None:
    async with client(keys.authenticator()) as http:
        response = await http.get("/items", headers=headers)
    assert_unauthorized(response, "invalid_token")
    [audited] = keys.auth_events()
    assert audited.extra["reason"] == reason
    assert audited.status_code == 401


async def test_middleware_required_without_token_answers_401_and_audits(keys: Keys) -> None:
    async with client(keys.authenticator(), required=True) as http:
        response = await http.get("/items")
    assert_unauthorized(response, "missing_token")
    assert "error=" not in response.headers["www-authenticate"]
    [audited] = keys.auth_events()
    assert (audited.action, audited.status_code) == ("auth_failed", 401)
    assert audited.extra == {
        "error": "missing_token",
        "reason": "missing_token",
        "error_code": "missing_token",
    }


@pytest.mark.parametrize(
    ("path", "status"),
    [("/health", 200), ("/health/deep", 401), ("/public/a", 200), ("/publicity", 401)],
)
async def test_middleware_required_exclusions_match_exact_paths_and_prefixes(
    keys: Keys, path: str, status: int
) -> None:
    options: dict[str, Any] = {
        "required": True,
        "exclude_paths": ["/health"],
        "exclude_prefixes": ["/public/"],
    }
    async with client(keys.authenticator(), **options) as http:
        response = await http.get(path)
    assert response.status_code == status


async def test_middleware_excluded_path_still_refuses_invalid_token(keys: Keys) -> None:
    options: dict[str, Any] = {"required": True, "exclude_paths": ["/health"]}
    async with client(keys.authenticator(), **options) as http:
        response = await http.get("/health", headers={HEADER: "garbage"})
    assert response.status_code == 401


async def test_middleware_success_is_audited_once_with_response_status(keys: Keys) -> None:
    record, raw = await keys.issue()
    async with client(keys.authenticator()) as http:
        await http.get("/status/204?page=1", headers={HEADER: raw, "user-agent": "probe/1"})
    [audited] = keys.auth_events()
    assert (audited.action, audited.status_code, audited.token_prefix) == (
        "auth_success",
        204,
        record.prefix,
    )
    assert audited.context.path == "/status/204"
    assert (audited.context.method, audited.context.user_agent) == ("GET", "probe/1")


async def test_middleware_app_exception_is_audited_as_500_and_raised(keys: Keys) -> None:
    _, raw = await keys.issue()
    async with client(keys.authenticator(), app=failing_app) as http:
        with pytest.raises(RuntimeError, match="the application failed"):
            await http.get("/items", headers={HEADER: raw})
    [audited] = keys.auth_events()
    assert (audited.action, audited.status_code) == ("auth_success", 500)


async def test_middleware_query_token_never_reaches_audit_path(keys: Keys) -> None:
    _, raw = await keys.issue()
    async with client(keys.authenticator(query_param="keysmith_token")) as http:
        response = await http.get("/items", params={"keysmith_token": raw})
    assert response.status_code == 200
    [audited] = keys.auth_events()
    secret = raw.split(":")[1]
    assert secret not in repr(audited)
    assert audited.context.path == "/items"


async def test_middleware_custom_messages_replace_defaults(keys: Keys) -> None:
    auth = keys.authenticator(messages={"missing_token": "Send a token."})
    async with client(auth, required=True) as http:
        response = await http.get("/items")
    assert response.json()["detail"] == "Send a token."


def test_middleware_unknown_message_key_raises_configuration_error(keys: Keys) -> None:
    with pytest.raises(ConfigurationError, match="messages"):
        keys.authenticator(messages={"nope": "x"})


@pytest.mark.parametrize("paths", ["/health", ["health"], [None]])
def test_middleware_bad_exclusions_raise_configuration_error(keys: Keys, paths: Any) -> None:
    with pytest.raises(ConfigurationError, match="exclude_paths"):
        KeysmithMiddleware(echo_app, keys.authenticator(), exclude_paths=paths)


async def test_middleware_exclusions_from_generator_are_kept(keys: Keys) -> None:
    paths = (path for path in ["/health"])
    async with client(keys.authenticator(), required=True, exclude_paths=paths) as http:
        assert (await http.get("/health")).status_code == 200


async def test_middleware_lifespan_scope_passes_through_untouched(keys: Keys) -> None:
    seen: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        seen.append(dict(scope))
        await send({"type": "lifespan.startup.complete"})

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> dict[str, str]:
        return {"type": "lifespan.startup"}

    middleware = KeysmithMiddleware(app, keys.authenticator(), required=True)
    await middleware({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    assert seen == [{"type": "lifespan", "asgi": {"version": "3.0"}}]
    assert sent == [{"type": "lifespan.startup.complete"}]


async def test_middleware_default_logging_sink_writes_only_when_its_logger_is_on(
    store: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # The framework-free default sink logs to "keysmith.audit"; while that logger is off the
    # middleware builds no event at all, and once it is on every request is logged once.
    service = AsyncTokenService(store)
    _, raw = await service.create(name="ci")
    caplog.set_level(logging.WARNING, logger="keysmith.audit")
    async with client(TokenAuthenticator(service)) as http:
        assert (await http.get("/quiet", headers={HEADER: raw})).status_code == 200
        assert "keysmith auth_success" not in caplog.text
        caplog.set_level(logging.INFO, logger="keysmith.audit")
        response = await http.get("/loud?x=1", headers={HEADER: raw, "user-agent": "probe/2"})
    assert response.status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "keysmith.audit"]
    assert len(lines) == 1
    assert "auth_success" in lines[0]
    assert "path=/loud " in lines[0]
    assert "method=GET" in lines[0]
    assert "x=1" not in lines[0]
