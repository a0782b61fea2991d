"""The FastAPI token endpoints end to end: the test client, an app-provided owner dependency,
the SQL store on SQLite and PostgreSQL (and the memory store), audit events and refusals."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.pool import NullPool
from starlette.testclient import TestClient
from test_asgi.conftest import Keys
from test_asgi.tokens_app import tokens_app

from keysmith.core import AsyncTokenService, FrozenClock, MemoryAuditSink
from keysmith.sqlalchemy import AsyncSQLTokenStore, make_async_engine

TOKENS = "/me/tokens"
NOT_FOUND = {"detail": "No such token.", "code": "not_found"}


def as_user(user: str | None) -> dict[str, str]:
    return {"X-User": user} if user is not None else {}


@pytest.fixture
def client(keys: Keys) -> TestClient:
    return TestClient(tokens_app(keys))


def create(client: TestClient, user: str | None = "alice", url: str = TOKENS, **body: Any) -> Any:
    body.setdefault("name", "ci")
    return client.post(url, json=body, headers=as_user(user))


def refusal(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


def test_create_shows_the_raw_token_once(client: TestClient, keys: Keys) -> None:
    response = create(client, scopes=["read"], description="deploys")
    body = response.json()
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
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
    protected = client.get("/protected", headers={"x-keysmith-token": body["raw_token"]})
    assert protected.json() == {"prefix": body["prefix"]}


def test_list_retrieve_rotate_revoke(client: TestClient, keys: Keys) -> None:
    first = create(client, name="first").json()
    keys.clock.advance(timedelta(seconds=1))
    second = create(client, name="second").json()
    create(client, "bob", name="bob's")
    listed = client.get(TOKENS, headers=as_user("alice")).json()
    assert [t["name"] for t in listed["results"]] == ["second", "first"]
    assert all("raw_token" not in t for t in listed["results"])
    shown = client.get(f"{TOKENS}/{first['id']}", headers=as_user("alice")).json()
    assert shown == {k: v for k, v in first.items() if k != "raw_token"}
    rotated = client.post(f"{TOKENS}/{second['id']}/rotate", headers=as_user("alice"))
    assert rotated.headers["cache-control"] == "no-store"
    new = rotated.json()["raw_token"]
    assert client.get("/protected", headers={"x-keysmith-token": new}).status_code == 200
    old = client.get("/protected", headers={"x-keysmith-token": second["raw_token"]})
    assert old.status_code == 401
    revoked = client.post(f"{TOKENS}/{second['id']}/revoke", headers=as_user("alice"))
    assert revoked.json()["state"] == "revoked"
    assert client.get("/protected", headers={"x-keysmith-token": new}).status_code == 401
    states = client.get(f"{TOKENS}?state=revoked", headers=as_user("alice")).json()
    assert [t["id"] for t in states["results"]] == [second["id"]]


def test_list_pages_and_filters_by_state(client: TestClient, keys: Keys) -> None:
    for n in range(3):
        keys.clock.advance(timedelta(seconds=1))
        made = create(client, url="/limited/tokens", name=f"key {n}").json()
        client.post(f"/limited/tokens/{made['id']}/revoke", headers=as_user("alice"))
    page = client.get("/limited/tokens", headers=as_user("alice")).json()
    assert (page["count"], page["previous"]) == (3, None)
    assert page["next"] == "http://testserver/limited/tokens?page=2"
    second = client.get(page["next"], headers=as_user("alice")).json()
    assert [t["name"] for t in second["results"]] == ["key 0"]
    assert second["previous"] == "http://testserver/limited/tokens?page=1"
    keys.clock.advance(timedelta(days=40))
    assert client.get("/limited/tokens?state=active", headers=as_user("alice")).json() == {
        "count": 0, "next": None, "previous": None, "results": [],
    }  # fmt: skip
    live = create(client, url="/limited/tokens", name="live").json()
    expired_or_live = client.get(
        "/limited/tokens?state=active&state=expired", headers=as_user("alice")
    ).json()
    assert [t["id"] for t in expired_or_live["results"]] == [live["id"]]


def test_every_change_is_audited_with_the_acting_user(client: TestClient, keys: Keys) -> None:
    made = create(client).json()
    client.post(
        f"{TOKENS}/{made['id']}/rotate", json={"grace_seconds": 30}, headers=as_user("alice")
    )
    client.post(f"{TOKENS}/{made['id']}/revoke", headers=as_user("alice"))
    events = [e for e in keys.sink.events if e.action in ("created", "rotated", "revoked")]
    assert [(e.action, e.extra["actor_id"], e.token_prefix) for e in events] == [
        ("created", "alice", made["prefix"]),
        ("rotated", "alice", made["prefix"]),
        ("revoked", "alice", made["prefix"]),
    ]
    assert events[1].extra["grace_seconds"] == 30
    assert events[2].context is not None
    assert events[2].context.path == f"{TOKENS}/{made['id']}/revoke"


def test_secrets_never_reach_later_responses_logs_or_audit_events(
    client: TestClient, keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = create(client, scopes=["read"])
    token_id = created.json()["id"]
    rotated = client.post(f"{TOKENS}/{token_id}/rotate", headers=as_user("alice"))
    secrets = [r.json()["raw_token"].split(":")[1] for r in (created, rotated)]
    later = [
        client.get(TOKENS, headers=as_user("alice")),
        client.get(f"{TOKENS}/{token_id}", headers=as_user("alice")),
        client.post(f"{TOKENS}/{token_id}/revoke", headers=as_user("alice")),
        client.post(f"{TOKENS}/{token_id}/rotate", headers=as_user("alice")),
    ]
    seen = [r.text for r in later] + [caplog.text, repr(keys.sink.events)]
    assert all(secret not in text for secret in secrets for text in seen)


@pytest.mark.parametrize("owner", ["bob", None])
def test_someone_elses_token_is_exactly_as_missing_as_no_token(
    client: TestClient, keys: Keys, owner: str | None
) -> None:
    theirs = create(client, "bob").json() if owner else None
    if theirs is None:
        record, _ = asyncio.run(keys.issue())  # a system token: nobody's
        token_id = str(record.id)
    else:
        token_id = theirs["id"]
    for path in (token_id, str(uuid.uuid4()), "not-a-uuid"):
        for method, suffix in (("get", ""), ("post", "/rotate"), ("post", "/revoke")):
            response = client.request(method, f"{TOKENS}/{path}{suffix}", headers=as_user("alice"))
            assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert not [e for e in keys.sink.events if e.action in ("rotated", "revoked")]


def test_manager_reaches_other_users_tokens(client: TestClient, keys: Keys) -> None:
    made = create(client, "manager", owner="bob", scopes=["read"]).json()
    assert made["owner"] == "bob"
    listed = client.get(f"{TOKENS}?owner=bob", headers=as_user("manager")).json()
    assert [t["id"] for t in listed["results"]] == [made["id"]]
    refused = create(client, "manager", owner="bob", scopes=["admin"])
    assert refused.json()["detail"] == (
        "A token gets only scopes its owner holds; user bob does not hold: admin."
    )
    assert refusal(client.get(f"{TOKENS}?owner=bob", headers=as_user("alice"))) == (
        403, "owner_not_allowed",
    )  # fmt: skip


def test_scope_not_held_over_the_limit_and_lifetime_are_refused(client: TestClient) -> None:
    held = create(client, "bob", scopes=["read", "write"])
    assert held.json() == {
        "detail": "You can grant only scopes you hold yourself. Not held: write.",
        "code": "scope_not_allowed",
    }
    assert held.status_code == 403
    for _ in range(2):
        assert create(client, url="/limited/tokens").status_code == 201
    assert refusal(create(client, url="/limited/tokens")) == (409, "token_limit_reached")
    late = create(client, "bob", url="/limited/tokens", expires_at="2030-03-01T00:00:00Z")
    assert refusal(late) == (400, "lifetime_too_long")
    never = create(client, "bob", url="/limited/tokens", expires_at=None)
    assert refusal(never) == (400, "expiry_required")


def test_rotating_a_revoked_token_is_a_conflict(client: TestClient) -> None:
    made = create(client).json()
    client.post(f"{TOKENS}/{made['id']}/revoke", headers=as_user("alice"))
    response = client.post(f"{TOKENS}/{made['id']}/rotate", headers=as_user("alice"))
    assert refusal(response) == (409, "token_not_rotatable")
    grace = client.post(
        f"/limited/tokens/{create(client, url='/limited/tokens').json()['id']}/rotate",
        json={"grace_seconds": 3601},
        headers=as_user("alice"),
    )
    assert refusal(grace) == (400, "invalid_request")


def test_bad_input_is_refused_clearly(client: TestClient) -> None:
    headers = {**as_user("alice"), "content-type": "application/json"}
    assert client.post(TOKENS, content=b"{nope", headers=headers).json() == {
        "detail": "The request body is not valid JSON.", "code": "invalid_request",
    }  # fmt: skip
    assert refusal(create(client, name="a\nb")) == (400, "invalid_request")
    assert refusal(client.get(f"{TOKENS}?state=lost", headers=as_user("alice"))) == (
        400, "invalid_request",
    )  # fmt: skip


def test_unauthenticated_caller_is_401(client: TestClient) -> None:
    response = client.get(TOKENS)
    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Authentication credentials were not provided.", "code": "not_authenticated"},
    )
    assert refusal(create(client, None)) == (401, "not_authenticated")


def test_a_keysmith_token_cannot_manage_tokens(client: TestClient) -> None:
    raw = create(client).json()["raw_token"]
    headers = {**as_user("alice"), "x-keysmith-token": raw}
    response = client.post(TOKENS, json={"name": "minted"}, headers=headers)
    assert refusal(response) == (403, "token_not_allowed")
    allowed = client.post("/token-callers/tokens", json={"name": "minted"}, headers=headers)
    assert allowed.status_code == 201


def test_store_outage_answers_503_with_retry_after(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # A SQLite file without the keysmith tables: every read fails.
    engine = make_async_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}", poolclass=NullPool)
    service = AsyncTokenService(AsyncSQLTokenStore(engine), sink=MemoryAuditSink())
    keys = Keys(service, service.sink, FrozenClock())  # type: ignore[arg-type]
    client = TestClient(tokens_app(keys))
    with caplog.at_level(logging.ERROR, logger="keysmith"):
        listed = client.get(TOKENS, headers=as_user("alice"))
        created = create(client)
    for response in (listed, created):
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.json()["code"] == "service_unavailable"
    assert "no such table" in caplog.text
