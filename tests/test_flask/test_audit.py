"""One audit event per request, written after the response with its final status."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from test_flask.conftest import Keys


def sent(raw: str) -> dict[str, str]:
    return {"X-Keysmith-Token": raw, "User-Agent": "tests/1.0"}


def test_audit_success_records_view_status_and_request(keys: Keys, client: FlaskClient) -> None:
    token, raw = keys.issue(scopes=("read",))
    client.post("/notes?keysmith_token=secret-in-query", headers=sent(raw))
    (event,) = keys.auth_events()
    assert (event.action, event.status_code, event.token_prefix) == (
        "auth_success",
        403,
        token.prefix,
    )
    context = event.context
    assert (context.path, context.method, context.user_agent) == ("/notes", "POST", "tests/1.0")
    assert context.ip_address == "127.0.0.1"


def test_audit_each_request_once_with_its_final_status(keys: Keys, client: FlaskClient) -> None:
    _, raw = keys.issue()
    client.get("/me", headers=sent(raw))
    client.get("/missing", headers=sent(raw))
    client.get("/me")
    client.get("/me", headers=sent("garbage"))
    assert keys.rows() == [
        ("auth_success", 200, ""),
        ("auth_success", 404, ""),
        ("auth_failed", 401, "missing_token"),
        ("auth_failed", 401, "invalid_token"),
    ]


def test_audit_public_request_without_token_writes_nothing(keys: Keys, client: FlaskClient) -> None:
    client.get("/")
    client.get("/api/health")
    assert keys.auth_events() == []


@pytest.mark.parametrize("propagate", [True, False])
def test_audit_view_that_raises_records_500(keys: Keys, app_for: Any, propagate: bool) -> None:
    app = app_for({"PROPAGATE_EXCEPTIONS": propagate})
    _, raw = keys.issue()
    client = app.test_client()
    if propagate:
        with pytest.raises(RuntimeError):
            client.get("/boom", headers=sent(raw))
    else:
        assert client.get("/boom", headers=sent(raw)).status_code == 500
    assert keys.rows() == [("auth_success", 500, "")]


def test_audit_trust_proxies_takes_forwarded_address(keys: Keys, app_for: Any) -> None:
    _, raw = keys.issue()
    forwarded = {**sent(raw), "X-Forwarded-For": "203.0.113.9, 10.0.0.1"}
    app_for().test_client().get("/me", headers=forwarded)
    app_for({"KEYSMITH_TRUST_PROXIES": True}).test_client().get("/me", headers=forwarded)
    addresses = [event.context.ip_address for event in keys.auth_events()]
    assert addresses == ["127.0.0.1", "203.0.113.9"]


def test_audit_client_text_is_bounded(keys: Keys, client: FlaskClient) -> None:
    _, raw = keys.issue()
    client.get("/me", headers={**sent(raw), "User-Agent": "a" * 20_000})
    client.get("/" + "p" * 5000, headers=sent(raw))
    agents = [len(e.context.user_agent or "") for e in keys.auth_events()]
    paths = [len(e.context.path) for e in keys.auth_events()]
    assert agents[0] == 512
    assert paths[1] == 2048
