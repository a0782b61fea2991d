"""The rate-limit hook, the admit hook and store outages: 429, 401 disabled_token and 503,
never a 500, and never the raw token in a log or a frame's locals."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask, Request
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from support.frames import leaks
from test_flask.apps import build_app
from test_flask.conftest import FAST_POLICY, Keys

from keysmith.core import DisabledToken, InvalidToken, MemoryTokenStore, RateLimited, TokenService
from keysmith.flask import Keysmith
from keysmith.sqlalchemy import SQLTokenStore, make_engine


def sent(raw: str) -> dict[str, str]:
    return {"X-Keysmith-Token": raw}


def test_rate_limit_hook_raising_rate_limited_answers_429(keys: Keys, app_for: Any) -> None:
    seen: list[tuple[str, str | None]] = []

    def limit(request: Request, raw_token: str | None) -> None:
        seen.append((request.path, raw_token))
        raise RateLimited(retry_after=30)

    client = app_for(rate_limit=limit).test_client()
    _, raw = keys.issue()
    response = client.get("/me", headers=sent(raw))
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["code"] == "rate_limited"
    client.get("/")
    assert seen == [("/me", raw), ("/", None)]
    assert keys.rows() == [("auth_failed", 429, "rate_limited")] * 2


def test_rate_limit_async_hook_is_awaited(keys: Keys, app_for: Any) -> None:
    async def limit(request: Request, raw_token: str | None) -> None:
        raise RateLimited

    assert app_for(rate_limit=limit).test_client().get("/").status_code == 429


def test_rate_limit_hook_token_error_answers_401(app_for: Any) -> None:
    def limit(request: Request, raw_token: str | None) -> None:
        raise InvalidToken(reason="blocked_client")

    response = app_for(rate_limit=limit).test_client().get("/")
    assert (response.status_code, response.get_json()["code"]) == (401, "invalid_token")


def test_rate_limit_hook_failure_answers_503_not_500(
    app_for: Any, caplog: pytest.LogCaptureFixture
) -> None:
    def limit(request: Request, raw_token: str | None) -> None:
        raise ConnectionError("limiter cache is down")

    with caplog.at_level(logging.ERROR, logger="keysmith"):
        response = app_for(rate_limit=limit).test_client().get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["code"] == "service_unavailable"
    assert "rate-limit hook failed" in caplog.text


def url_app(url: str, *, audit: bool = True, **options: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(
        KEYSMITH_DATABASE_URL=url, KEYSMITH_HASH_ITERATIONS=1000, KEYSMITH_AUDIT=audit
    )
    return build_app(Keysmith(**options), app.config)


def owner_token(url: str, user: str) -> str:
    store = SQLTokenStore(make_engine(url))
    svc = TokenService(store, policy=FAST_POLICY)
    try:
        return svc.create(name="owned", user=user)[1]
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_admit_hook_refusing_owner_answers_401_disabled_token(sqlite_url: str, kind: str) -> None:
    active = {"alice"}

    def owner_is_active(token: Any) -> bool:
        return token.user in active

    async def owner_is_active_async(token: Any) -> bool:
        return token.user in active

    hook = owner_is_active if kind == "sync" else owner_is_active_async
    app = url_app(sqlite_url, admit=hook)
    client = app.test_client()
    assert client.get("/me", headers=sent(owner_token(sqlite_url, "alice"))).status_code == 200
    refused = client.get("/me", headers=sent(owner_token(sqlite_url, "bob")))
    assert (refused.status_code, refused.get_json()["code"]) == (401, "disabled_token")
    app.extensions["keysmith"].close()


def test_admit_hook_raising_disabled_token_keeps_its_reason(sqlite_url: str) -> None:
    def locked(token: Any) -> bool:
        raise DisabledToken(reason="owner_locked")

    app = url_app(sqlite_url, admit=locked, sink=None)
    state = app.extensions["keysmith"]
    refused = app.test_client().get("/me", headers=sent(owner_token(sqlite_url, "carol")))
    assert refused.get_json()["code"] == "disabled_token"
    state.close()


class FailingStore(MemoryTokenStore):
    def get_by_prefix(self, prefix: str) -> Any:
        raise RuntimeError("the store is gone")


def test_store_failure_answers_503_with_retry_after() -> None:
    service = TokenService(FailingStore(), policy=FAST_POLICY)
    _, raw = TokenService(MemoryTokenStore(), policy=FAST_POLICY).create(name="elsewhere")
    client = build_app(Keysmith(service=service)).test_client()
    response = client.get("/me", headers=sent(raw))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json() == {
        "detail": "The service is temporarily unavailable. Try again later.",
        "code": "service_unavailable",
    }
    assert client.get("/").status_code == 200  # no token: the store is not asked


def test_sql_outage_answers_503_and_keeps_token_out_of_log_and_frames(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = url_app(sqlite_url)
    raw = owner_token(sqlite_url, "dave")
    # The first request finds the tables (the start-up check); they go missing later.
    assert app.test_client().get("/me").status_code == 401
    engine = make_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE keysmith_token_scopes"))
        connection.execute(text("DROP TABLE keysmith_tokens"))
    engine.dispose()
    with caplog.at_level(logging.ERROR, logger="keysmith"):
        response = app.test_client().get("/me", headers=sent(raw))
    assert response.status_code == 503
    secret = raw.split(":")[1]
    assert secret not in caplog.text
    (record,) = [r for r in caplog.records if r.exc_info]
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], OperationalError)
    assert leaks(record.exc_info[2], secret) == []
    app.extensions["keysmith"].close()


def test_unreachable_postgres_answers_503_and_serves_requests_without_token() -> None:
    # No audit: its rows could not be written to that database either.
    app = url_app("postgresql://keysmith@127.0.0.1:1/nothing_listens_here", audit=False)
    _, raw = TokenService(MemoryTokenStore(), policy=FAST_POLICY).create(name="elsewhere")
    client = app.test_client()
    response = client.get("/me", headers=sent(raw))
    assert (response.status_code, response.headers["Retry-After"]) == (503, "5")
    assert client.get("/").status_code == 200
