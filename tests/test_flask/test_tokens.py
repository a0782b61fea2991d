"""The Flask token endpoints end to end: Flask's test client, an app-provided owner, the
in-memory, SQLite and PostgreSQL stores, audit events, refusals and the one-time secret."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from support.docs_samples import run_sample
from test_flask.conftest import Keys

from keysmith.core.selfservice import SelfServiceLimits
from keysmith.flask import Keysmith, current_token
from keysmith.flask.tokens import token_blueprint
from keysmith.sqlalchemy import create_all

TOKENS = "/me/tokens"
NOT_FOUND = {"detail": "No such token.", "code": "not_found"}
HOLDS = {"alice": {"read", "write"}, "bob": {"read"}, "manager": {"read", "write", "admin"}}
LIMITS = SelfServiceLimits(
    max_tokens_per_owner=2, max_lifetime=timedelta(days=30), max_rotation_grace=timedelta(hours=1)
)


def signed_in() -> str | None:
    """The app's own authentication: a header naming the signed-in user."""
    return request.headers.get("X-User")


def tokens_app(keys: Keys) -> Flask:
    app = Flask(__name__)
    keysmith = Keysmith(app, service=keys.service)
    common: dict[str, Any] = {
        "owner": signed_in,
        "grantable": lambda user: HOLDS.get(user, set()),
        "manages_others": lambda user: user == "manager",
    }
    app.register_blueprint(token_blueprint(**common, url_prefix=TOKENS))
    app.register_blueprint(
        token_blueprint(**common, limits=LIMITS, name="limited", url_prefix="/limited/tokens")
    )

    @app.get("/protected")
    @keysmith.required
    def protected() -> dict[str, str]:
        return {"prefix": current_token.prefix}

    return app


@pytest.fixture
def client(keys: Keys) -> FlaskClient:
    return tokens_app(keys).test_client()


def as_user(user: str | None) -> dict[str, str]:
    return {"X-User": user} if user is not None else {}


def create(client: FlaskClient, user: str | None = "alice", url: str = TOKENS, **body: Any) -> Any:
    body.setdefault("name", "ci")
    return client.post(url, json=body, headers=as_user(user))


def refusal(response: Any) -> tuple[int, str]:
    return response.status_code, response.get_json()["code"]


def test_create_shows_the_raw_token_once(client: FlaskClient, keys: Keys) -> None:
    response = create(client, scopes=["read"], description="deploys")
    body = response.get_json()
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    assert body == {
        "id": body["id"],
        "prefix": body["raw_token"].split(":")[0],
        "name": "ci",
        "description": "deploys",
        "owner": "alice",
        "scopes": ["read"],
        "state": "active",
        "created_at": "2030-01-01T00:00:00Z",
        "expires_at": "2030-01-31T00:00:00Z",
        "last_used_at": None,
        "raw_token": body["raw_token"],
    }
    protected = client.get("/protected", headers={"X-Keysmith-Token": body["raw_token"]})
    assert protected.get_json() == {"prefix": body["prefix"]}
    shown = client.get(f"{TOKENS}/{body['id']}", headers=as_user("alice"))
    assert "raw_token" not in shown.get_json()
    assert "no-store" not in shown.headers.get("Cache-Control", "")


def test_list_retrieve_rotate_revoke(client: FlaskClient, keys: Keys) -> None:
    token = create(client).get_json()
    listed = client.get(TOKENS, headers=as_user("alice")).get_json()
    assert (listed["count"], [t["id"] for t in listed["results"]]) == (1, [token["id"]])
    rotated = client.post(
        f"{TOKENS}/{token['id']}/rotate", json={"grace_seconds": 60}, headers=as_user("alice")
    )
    assert rotated.status_code == 200
    assert rotated.headers["Cache-Control"] == "no-store"
    new_raw = rotated.get_json()["raw_token"]
    assert new_raw.split(":")[0] == token["prefix"]
    assert new_raw != token["raw_token"]
    revoked = client.post(f"{TOKENS}/{token['id']}/revoke", headers=as_user("alice"))
    assert revoked.get_json()["state"] == "revoked"
    assert client.get("/protected", headers={"X-Keysmith-Token": new_raw}).status_code == 401
    actions = [event.action for event in keys.sink.events]
    assert actions[:3] == ["created", "rotated", "revoked"]
    assert {event.extra["actor_id"] for event in keys.sink.events[:3]} == {"alice"}


def test_secrets_never_reach_later_responses_logs_or_audit_events(
    client: FlaskClient, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        token = create(client).get_json()
        rotated = client.post(f"{TOKENS}/{token['id']}/rotate", headers=as_user("alice"))
        later = [
            client.get(TOKENS, headers=as_user("alice")).get_data(as_text=True),
            client.get(f"{TOKENS}/{token['id']}", headers=as_user("alice")).get_data(as_text=True),
        ]
    for raw in (token["raw_token"], rotated.get_json()["raw_token"]):
        secret = raw.split(":")[1]
        assert all(secret not in text for text in later)
        assert secret not in caplog.text
        assert all(secret not in repr(event) for event in keys.sink.events)


def test_someone_elses_token_is_exactly_as_missing_as_no_token(
    client: FlaskClient, keys: Keys
) -> None:
    token = create(client).get_json()
    for path in (f"{TOKENS}/{token['id']}", f"{TOKENS}/no-such-id"):
        response = client.get(path, headers=as_user("bob"))
        assert (response.status_code, response.get_json()) == (404, NOT_FOUND)
    refused = client.post(f"{TOKENS}/{token['id']}/revoke", headers=as_user("bob"))
    assert (refused.status_code, refused.get_json()) == (404, NOT_FOUND)
    assert client.get(TOKENS, headers=as_user("bob")).get_json()["count"] == 0
    assert keys.service.store.get_by_prefix(token["prefix"]).revoked is False


def test_manager_reaches_other_users_tokens(client: FlaskClient, keys: Keys) -> None:
    token = create(client).get_json()
    revoked = client.post(f"{TOKENS}/{token['id']}/revoke", headers=as_user("manager"))
    assert revoked.status_code == 200
    assert keys.sink.events[-1].extra["actor_id"] == "manager"


def test_scope_not_held_over_the_limit_and_lifetime_are_refused(client: FlaskClient) -> None:
    assert refusal(create(client, "bob", scopes=["write"])) == (403, "scope_not_allowed")
    limited = "/limited/tokens"
    assert create(client, url=limited).status_code == 201
    assert create(client, url=limited).status_code == 201
    assert refusal(create(client, url=limited)) == (409, "token_limit_reached")
    far = {"expires_at": "2031-01-01T00:00:00Z"}
    assert refusal(create(client, "bob", url=limited, **far)) == (400, "lifetime_too_long")


def test_rotating_a_revoked_token_is_a_conflict(client: FlaskClient) -> None:
    token = create(client).get_json()
    client.post(f"{TOKENS}/{token['id']}/revoke", headers=as_user("alice"))
    rotated = client.post(f"{TOKENS}/{token['id']}/rotate", headers=as_user("alice"))
    assert refusal(rotated) == (409, "token_not_rotatable")


def test_bad_input_is_refused_clearly(client: FlaskClient) -> None:
    headers = {**as_user("alice"), "Content-Type": "application/json"}
    assert client.post(TOKENS, data=b"{nope", headers=headers).get_json() == {
        "detail": "The request body is not valid JSON.", "code": "invalid_request",
    }  # fmt: skip
    assert refusal(create(client, name="a\nb")) == (400, "invalid_request")
    listed = client.get(f"{TOKENS}?state=lost", headers=as_user("alice"))
    assert refusal(listed) == (400, "invalid_request")


def test_unauthenticated_caller_is_401(client: FlaskClient) -> None:
    response = client.get(TOKENS)
    assert (response.status_code, response.get_json()) == (
        401,
        {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"},
    )
    assert refusal(create(client, None)) == (401, "not_authenticated")


def test_a_keysmith_token_cannot_manage_tokens(client: FlaskClient) -> None:
    raw = create(client).get_json()["raw_token"]
    headers = {**as_user("alice"), "X-Keysmith-Token": raw}
    assert refusal(client.post(TOKENS, json={"name": "minted"}, headers=headers)) == (
        403,
        "token_not_allowed",
    )
    assert client.get(TOKENS, headers=as_user("alice")).get_json()["count"] == 1


def test_store_outage_answers_503_with_retry_after(
    client: FlaskClient, keys: Keys, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("the database went away")

    monkeypatch.setattr(keys.service.store, "insert", broken)
    response = create(client)
    assert refusal(response) == (503, "service_unavailable")
    assert response.headers["Retry-After"] == "5"


def test_docs_setup_sample_serves_the_endpoints_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the sample's sqlite:///keysmith.sqlite3, in a folder of ours
    create_all(f"sqlite:///{tmp_path / 'keysmith.sqlite3'}")
    namespace = run_sample("flask-self-service.md", "setup")
    app: Flask = namespace["app"]
    app.secret_key = "sample"
    client = app.test_client()
    assert client.get("/api/tokens").status_code == 401
    with client.session_transaction() as session:
        session["user_id"] = "alice"
    created = client.post("/api/tokens", json={"name": "laptop", "scopes": ["read"]})
    assert created.status_code == 201
    assert refusal(client.post("/api/tokens", json={"name": "x", "scopes": ["write"]})) == (
        403,
        "scope_not_allowed",
    )
    assert client.get("/api/tokens").get_json()["count"] == 1
    namespace["keysmith"].close(app)
