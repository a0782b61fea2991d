"""The DRF token endpoints end to end: APIClient, a real Django user and session, the real
token model (SQLite and PostgreSQL), the services and the audit table."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient

from keysmith.models import Token, TokenAuditLog

pytestmark = pytest.mark.django_db
HEADER = "HTTP_X_KEYSMITH_TOKEN"
TOKENS = "/me/tokens/"


def grant(user: User, *codenames: str) -> User:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return User.objects.get(pk=user.pk)  # a fresh instance: has_perm caches per instance


@pytest.fixture
def alice() -> User:
    return grant(User.objects.create_user("alice"), "view_user", "add_user")


@pytest.fixture
def bob() -> User:
    return grant(User.objects.create_user("bob"), "view_user")


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)  # a real session, read by DRF's SessionAuthentication
    return client


def create(client: APIClient, url: str = TOKENS, **body: Any) -> Any:
    body.setdefault("name", "ci")
    return client.post(url, body, format="json")


def test_create_shows_the_raw_token_once_and_stores_only_its_hash(alice: User) -> None:
    response = create(client_for(alice), scopes=["view_user"], description="deploys")
    body = response.json()
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    token = Token.objects.get(pk=body["id"])
    assert body["raw_token"].startswith(token.prefix + ":")
    assert body["raw_token"].split(":")[1] not in token.key
    assert (token.user, token.created_by, token.description) == (alice, alice, "deploys")
    assert body == {
        "id": str(token.pk),
        "prefix": token.prefix,
        "name": "ci",
        "description": "deploys",
        "owner": str(alice.pk),
        "scopes": ["view_user"],
        "state": "active",
        "created_at": token.created_at.isoformat().replace("+00:00", "Z"),
        "expires_at": token.expires_at.isoformat().replace("+00:00", "Z"),
        "last_used_at": None,
        "raw_token": body["raw_token"],
    }


def test_create_token_authenticates_with_its_scopes(alice: User) -> None:
    raw = create(client_for(alice), scopes=["view_user"]).json()["raw_token"]
    assert APIClient().get("/router/users/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200


def test_list_shows_metadata_of_own_tokens_only(alice: User, bob: User) -> None:
    mine = [create(client_for(alice), name=f"key {n}").json() for n in range(2)]
    create(client_for(bob), name="bob's")
    response = client_for(alice).get(TOKENS)
    body = response.json()
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert [t["name"] for t in body["results"]] == ["key 1", "key 0"]  # newest first
    assert {t["id"] for t in body["results"]} == {t["id"] for t in mine}
    assert all("raw_token" not in t for t in body["results"])


def test_list_pages_and_links(alice: User) -> None:
    client = client_for(alice)
    for n in range(3):
        create(client, "/variants/limited/", name=f"key {n}")  # at most 2 live: then revoke
        if n == 1:
            first = Token.objects.get(name="key 0")
            client.post(f"/variants/limited/{first.pk}/revoke/")
    page = client.get("/variants/limited/").json()  # page_size 2
    assert (page["count"], page["previous"]) == (3, None)
    assert page["next"] == "http://testserver/variants/limited/?page=2"
    second = client.get(page["next"]).json()
    assert [t["name"] for t in second["results"]] == ["key 0"]
    assert second["previous"] == "http://testserver/variants/limited/?page=1"
    assert client.get("/variants/limited/?page=3").json()["results"] == []


def test_list_filters_by_state(alice: User) -> None:
    client = client_for(alice)
    ids = {name: create(client, name=name).json()["id"] for name in ("live", "gone", "old")}
    client.post(f"{TOKENS}{ids['gone']}/revoke/")
    Token.objects.filter(pk=ids["old"]).update(expires_at=datetime.now(timezone.utc))

    def names(query: str) -> list[str]:
        return [t["name"] for t in client.get(TOKENS + query).json()["results"]]

    assert names("?state=active") == ["live"]
    assert names("?state=revoked") == ["gone"]
    assert names("?state=expired") == ["old"]
    assert sorted(names("?state=active&state=expired")) == ["live", "old"]
    assert sorted(names("?state=active,revoked")) == ["gone", "live"]


def test_retrieve_shows_one_token(alice: User) -> None:
    created = create(client_for(alice)).json()
    shown = client_for(alice).get(f"{TOKENS}{created['id']}/").json()
    assert shown == {k: v for k, v in created.items() if k != "raw_token"}


def test_rotate_issues_a_new_secret_once_and_kills_the_old(alice: User) -> None:
    client = client_for(alice)
    created = create(client, scopes=["view_user"]).json()
    response = client.post(f"{TOKENS}{created['id']}/rotate/", format="json")
    new = response.json()["raw_token"]
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert new != created["raw_token"]
    assert new.split(":")[0] == created["prefix"]
    assert APIClient().get("/router/users/", HTTP_X_KEYSMITH_TOKEN=new).status_code == 200
    assert (
        APIClient().get("/router/users/", HTTP_X_KEYSMITH_TOKEN=created["raw_token"]).status_code
        == 401
    )


def test_rotate_with_grace_keeps_the_old_secret_for_that_long(alice: User) -> None:
    client = client_for(alice)
    created = create(client, "/variants/limited/").json()
    url = f"/variants/limited/{created['id']}/rotate/"
    assert client.post(url, {"grace_seconds": 600}, format="json").status_code == 200
    token = Token.objects.get(pk=created["id"])
    remaining = token.previous_key_expires_at - datetime.now(timezone.utc)
    assert timedelta(seconds=590) < remaining <= timedelta(seconds=600)
    assert (
        APIClient().get("/required/", HTTP_X_KEYSMITH_TOKEN=created["raw_token"]).status_code == 200
    )
    refused = client.post(url, {"grace_seconds": 3601}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_request")
    assert "between 0 and 3600" in refused.json()["detail"]


def test_revoke_stops_the_token_and_is_idempotent(alice: User) -> None:
    client = client_for(alice)
    created = create(client).json()
    url = f"{TOKENS}{created['id']}/revoke/"
    first, again = client.post(url), client.post(url)
    assert (first.status_code, first.json()["state"]) == (200, "revoked")
    assert again.json() == first.json()
    assert (
        APIClient().get("/required/", HTTP_X_KEYSMITH_TOKEN=created["raw_token"]).status_code == 401
    )
    assert TokenAuditLog.objects.filter(action="revoked").count() == 1


def test_every_change_is_audited_with_the_acting_user(alice: User) -> None:
    client = client_for(alice)
    created = create(client).json()
    client.post(f"{TOKENS}{created['id']}/rotate/")
    client.post(f"{TOKENS}{created['id']}/revoke/")
    rows = TokenAuditLog.objects.filter(token_id=created["id"]).order_by("created_at")
    assert [(r.action, r.extra["actor_id"], r.method) for r in rows] == [
        ("created", alice.pk, "POST"),
        ("rotated", alice.pk, "POST"),
        ("revoked", alice.pk, "POST"),
    ]
    assert rows[1].path == f"{TOKENS}{created['id']}/rotate/"


def test_secrets_never_reach_later_responses_logs_or_audit_rows(
    alice: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = client_for(alice)
    created = create(client, scopes=["view_user"])
    token_id = created.json()["id"]
    rotated = client.post(f"{TOKENS}{token_id}/rotate/")
    secrets = [r.json()["raw_token"].split(":")[1] for r in (created, rotated)]
    later = [
        client.get(TOKENS),
        client.get(f"{TOKENS}{token_id}/"),
        client.post(f"{TOKENS}{token_id}/revoke/"),
        client.post(f"{TOKENS}{token_id}/rotate/"),  # refused: revoked
        client.get(f"{TOKENS}?state=revoked"),
    ]
    audit = [str(list(TokenAuditLog.objects.values())), str(list(Token.objects.values()))]
    seen = [r.content.decode() for r in later] + [caplog.text, *audit]
    assert all(secret not in text for secret in secrets for text in seen)
