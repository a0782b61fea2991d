"""The rate-limit hook: called before authentication, ``RateLimited`` answers 429."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from test_asgi.apps import echo_app
from test_asgi.conftest import Keys

from keysmith.asgi import KeysmithMiddleware, RateLimited

pytestmark = pytest.mark.anyio
HEADER = "x-keysmith-token"


async def get(keys: Keys, hook: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    middleware = KeysmithMiddleware(echo_app, keys.authenticator(rate_limit=hook))
    transport = httpx.ASGITransport(middleware)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.get("/items", headers=headers)


async def test_rate_limit_sync_hook_sees_raw_token_before_authentication(keys: Keys) -> None:
    _, raw = await keys.issue()
    calls: list[tuple[str, str | None, int]] = []

    def hook(scope: Any, token: str | None) -> None:
        calls.append((scope["path"], token, len(keys.auth_events())))

    response = await get(keys, hook, {HEADER: raw})
    assert response.status_code == 200
    assert calls == [("/items", raw, 0)]


async def test_rate_limit_async_hook_without_token_gets_none(keys: Keys) -> None:
    calls: list[str | None] = []

    async def hook(scope: Any, token: str | None) -> None:
        calls.append(token)

    assert (await get(keys, hook)).status_code == 200
    assert calls == [None]


async def test_rate_limit_raised_answers_429_with_retry_after(keys: Keys) -> None:
    _, raw = await keys.issue()

    async def hook(scope: Any, token: str | None) -> None:
        raise RateLimited(retry_after=30)

    response = await get(keys, hook, {HEADER: raw})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"
    assert response.json() == {
        "detail": "Too many authentication attempts. Try again later.",
        "code": "rate_limited",
    }
    [audited] = keys.auth_events()
    assert (audited.action, audited.status_code, audited.extra["error"]) == (
        "auth_failed",
        429,
        "rate_limited",
    )


async def test_rate_limit_without_retry_after_omits_header(keys: Keys) -> None:
    def hook(scope: Any, token: str | None) -> None:
        raise RateLimited

    response = await get(keys, hook)
    assert response.status_code == 429
    assert "retry-after" not in response.headers


async def test_rate_limit_refusal_skips_hashing(keys: Keys) -> None:
    record, raw = await keys.issue()

    def hook(scope: Any, token: str | None) -> None:
        raise RateLimited

    await get(keys, hook, {HEADER: raw})
    # Authentication never ran, so it never recorded the token's use.
    assert (await keys.service.store.get_by_prefix(record.prefix)).last_used_at is None


@pytest.mark.parametrize("value", [-1, True])
def test_rate_limited_bad_retry_after_raises_value_error(value: Any) -> None:
    with pytest.raises(ValueError, match="retry_after"):
        RateLimited(retry_after=value)
