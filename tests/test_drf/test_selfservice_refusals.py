"""Every refusal of the DRF token endpoints, each answered ``{"detail": ..., "code": ...}``:
someone else's token, scopes not held, the limits, rotating a revoked token, bad input, callers
that are not signed in or that come with a keysmith token."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient
from test_django.test_unavailable import database_down
from test_drf.test_selfservice import TOKENS, client_for, create, grant

from keysmith.models import Token, TokenAuditLog
from keysmith.services.tokens import create_token

pytestmark = pytest.mark.django_db
NOT_FOUND = {"detail": "No such token.", "code": "not_found"}


@pytest.fixture
def alice() -> User:
    return grant(User.objects.create_user("alice"), "view_user", "add_user")


@pytest.fixture
def bob() -> User:
    return grant(User.objects.create_user("bob"), "view_user")


def refusal(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["code"]


@pytest.mark.parametrize("owner", ["bob", "system"])
def test_someone_elses_token_is_exactly_as_missing_as_no_token(
    alice: User, bob: User, owner: str
) -> None:
    user = bob if owner == "bob" else None
    token, raw = create_token(name="theirs", user=user)
    client = client_for(alice)
    for path in (f"{token.pk}/", f"{uuid.uuid4()}/", "not-a-uuid/"):
        assert client.get(TOKENS + path).json() == NOT_FOUND
        assert client.post(TOKENS + path + "rotate/").json() == NOT_FOUND
        revoked = client.post(TOKENS + path + "revoke/")
        assert (revoked.status_code, revoked.json()) == (404, NOT_FOUND)
    token.refresh_from_db()
    assert not token.revoked
    assert APIClient().get("/required/", HTTP_X_KEYSMITH_TOKEN=raw).status_code == 200
    assert TokenAuditLog.objects.exclude(action__startswith="auth").count() == 1  # created


def test_listing_another_owner_needs_the_permission(alice: User, bob: User) -> None:
    response = client_for(alice).get(f"{TOKENS}?owner={bob.pk}")
    assert refusal(response) == (403, "owner_not_allowed")
    assert refusal(create(client_for(alice), owner=str(bob.pk))) == (403, "owner_not_allowed")
    assert not Token.objects.exists()


def test_manager_reaches_other_users_tokens(alice: User, bob: User) -> None:
    manager = grant(User.objects.create_user("manager"), "manage_others_tokens", "view_user")
    client = client_for(manager)
    made = create(client, owner=bob.pk, scopes=["view_user"]).json()
    assert (made["owner"], made["scopes"]) == (str(bob.pk), ["view_user"])
    assert Token.objects.get(pk=made["id"]).created_by == manager
    listed = client.get(f"{TOKENS}?owner={bob.pk}").json()["results"]
    assert [t["id"] for t in listed] == [made["id"]]
    assert client.post(f"{TOKENS}{made['id']}/revoke/").json()["state"] == "revoked"
    row = TokenAuditLog.objects.get(action="revoked")
    assert row.extra["actor_id"] == manager.pk


def test_manager_grants_an_owner_only_scopes_the_owner_holds(alice: User, bob: User) -> None:
    manager = grant(User.objects.create_user("manager"), "manage_others_tokens", "add_user")
    response = create(client_for(manager), owner=bob.pk, scopes=["add_user"])
    assert refusal(response) == (403, "scope_not_allowed")
    assert response.json()["detail"] == (
        f"A token gets only scopes its owner holds; user {bob.pk} does not hold: add_user."
    )
    missing = create(client_for(manager), owner=999_999)
    assert refusal(missing) == (400, "invalid_request")


@pytest.mark.parametrize("scope", ["change_user", "auth.change_user", "no_such_scope"])
def test_scope_not_held_is_refused_with_its_name(alice: User, scope: str) -> None:
    response = create(client_for(alice), scopes=["view_user", scope])
    assert refusal(response) == (403, "scope_not_allowed")
    assert response.json()["detail"] == (
        f"You can grant only scopes you hold yourself. Not held: {scope}."
    )
    assert not Token.objects.exists()


def test_scope_outside_available_scopes_is_refused(alice: User, settings: Any) -> None:
    settings.KEYSMITH = {**settings.KEYSMITH, "AVAILABLE_SCOPES": ["add_user"]}
    response = create(client_for(alice), scopes=["view_user"])
    assert response.json() == {
        "detail": "Scopes not allowed: view_user.",
        "code": "scope_not_allowed",
    }


def test_available_scopes_match_qualified_names_by_codename(alice: User, settings: Any) -> None:
    settings.KEYSMITH = {**settings.KEYSMITH, "AVAILABLE_SCOPES": ["view_user"]}
    made = create(client_for(alice), scopes=["auth.view_user"])
    assert (made.status_code, made.json()["scopes"]) == (201, ["view_user"])


def test_superuser_grants_any_permission(alice: User) -> None:
    root = User.objects.create_superuser("root")
    assert create(client_for(root), scopes=["delete_user"]).status_code == 201


def test_default_scopes_are_checked_like_requested_ones(alice: User, settings: Any) -> None:
    settings.KEYSMITH = {**settings.KEYSMITH, "DEFAULT_SCOPES": ["delete_user"]}
    assert refusal(create(client_for(alice))) == (403, "scope_not_allowed")
    assert create(client_for(alice), scopes=[]).json()["scopes"] == []


def test_over_the_per_owner_limit_is_refused(alice: User) -> None:
    client = client_for(alice)
    first = create(client, "/variants/limited/").json()
    create(client, "/variants/limited/")
    response = create(client, "/variants/limited/")
    assert refusal(response) == (409, "token_limit_reached")
    assert response.json()["detail"] == (
        "An owner may have at most 2 live tokens; revoke one to create another."
    )
    client.post(f"/variants/limited/{first['id']}/revoke/")
    assert create(client, "/variants/limited/").status_code == 201
    assert Token.objects.filter(revoked=False).count() == 2


def test_lifetime_over_the_maximum_is_refused(alice: User) -> None:
    too_late = datetime.now(timezone.utc) + timedelta(days=31)
    response = create(client_for(alice), "/variants/limited/", expires_at=too_late.isoformat())
    assert refusal(response) == (400, "lifetime_too_long")
    assert response.json()["detail"].startswith("Tokens may live at most 30 days")


def test_default_lifetime_is_cut_to_the_maximum(alice: User) -> None:
    made = create(client_for(alice), "/variants/limited/").json()  # DEFAULT_EXPIRY_DAYS: 90
    token = Token.objects.get(pk=made["id"])
    assert token.expires_at - token.created_at < timedelta(days=30, seconds=1)


@pytest.mark.parametrize("url", ["/variants/expiring/", "/variants/limited/"])
def test_never_expiring_token_is_refused_when_expiry_is_required(alice: User, url: str) -> None:
    response = create(client_for(alice), url, expires_at=None)
    assert response.json() == {
        "detail": "Tokens must expire: give expires_at (a date and time).",
        "code": "expiry_required",
    }


def test_missing_expiry_is_refused_without_a_default_lifetime(alice: User, settings: Any) -> None:
    settings.KEYSMITH = {**settings.KEYSMITH, "DEFAULT_EXPIRY_DAYS": 0}
    assert refusal(create(client_for(alice), "/variants/expiring/")) == (400, "expiry_required")
    never = create(client_for(alice)).json()  # no limit: the token never expires
    assert never["expires_at"] is None


def test_rotating_a_revoked_or_expired_token_is_a_conflict(alice: User) -> None:
    client = client_for(alice)
    revoked = create(client).json()
    client.post(f"{TOKENS}{revoked['id']}/revoke/")
    response = client.post(f"{TOKENS}{revoked['id']}/rotate/")
    assert response.json() == {
        "detail": "Cannot rotate a revoked or purged token.",
        "code": "token_not_rotatable",
    }
    expired = create(client).json()
    Token.objects.filter(pk=expired["id"]).update(expires_at=datetime.now(timezone.utc))
    assert refusal(client.post(f"{TOKENS}{expired['id']}/rotate/")) == (409, "token_not_rotatable")
    assert not TokenAuditLog.objects.filter(action="rotated").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "name is required: a non-empty string."),
        ({"name": "  "}, "name is required: a non-empty string."),
        ({"name": 5}, "name must be a string."),
        ({"name": "x" * 129}, "name must be at most 128 characters."),
        ({"name": "a\x1b[31mb"}, "name must not contain control characters."),
        ({"name": "a\u202eb"}, "name must not contain control characters."),
        ({"name": "ok", "scope": ["x"]}, "Unknown fields: 'scope'. Allowed: name, description, "
         "scopes, expires_at, owner."),
        ({"name": "ok", "scopes": "view_user"}, "scopes must be a list of scope names."),
        ({"name": "ok", "expires_at": "tomorrow"},
         "expires_at must be an ISO 8601 date and time, e.g. 2030-01-31T12:00:00Z."),
        ({"name": "ok", "expires_at": "2030-01-01T00:00:00"},
         "expires_at must include a time zone (Z or an offset such as +02:00)."),
        ({"name": "ok", "expires_at": "2001-01-01T00:00:00Z"}, "expires_at must be in the future."),
    ],
)  # fmt: skip
def test_bad_create_bodies_are_refused_clearly(
    alice: User, body: dict[str, Any], message: str
) -> None:
    response = client_for(alice).post(TOKENS, body, format="json")
    assert response.json() == {"detail": message, "code": "invalid_request"}
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "The request body is not valid JSON."),
        (b"[1, 2]", "The request body must be a JSON object."),
        (b"", "The request body must be a JSON object."),
        (b"\xff\xfe", "The request body is not valid JSON."),
    ],
)
def test_unparseable_bodies_are_refused(alice: User, content: bytes, message: str) -> None:
    response = client_for(alice).post(TOKENS, content, content_type="application/json")
    assert response.json() == {"detail": message, "code": "invalid_request"}


@pytest.mark.parametrize(
    "query", ["?state=lost", "?page=0", "?page=x", "?page_size=101", "?page_size=-1"]
)
def test_bad_list_queries_are_refused(alice: User, query: str) -> None:
    assert refusal(client_for(alice).get(TOKENS + query)) == (400, "invalid_request")


def test_client_text_in_a_message_is_escaped(alice: User) -> None:
    response = client_for(alice).get(TOKENS + "?state=%1B%5B2J")
    assert "\x1b" not in response.json()["detail"]
    assert "\\x1b[2J" in response.json()["detail"]


def test_unauthenticated_caller_gets_401_from_the_first_authentication_class() -> None:
    # The test settings list KeysmithAuthentication first: DRF answers 401 with its challenge.
    response = APIClient().get(TOKENS)
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Keysmith")


def test_unauthenticated_caller_gets_403_behind_session_authentication() -> None:
    response = APIClient().post("/variants/session/", {"name": "x"}, format="json")
    assert refusal(response) == (403, "not_authenticated")


def test_deactivated_user_manages_nothing(alice: User) -> None:
    client = client_for(alice)
    created = create(client).json()
    User.objects.filter(pk=alice.pk).update(is_active=False)
    # Django's session backend drops an inactive user: nobody is signed in.
    assert refusal(client.get(f"{TOKENS}{created['id']}/")) == (401, "not_authenticated")
    forced = APIClient()
    forced.force_authenticate(User.objects.get(pk=alice.pk))
    assert refusal(forced.post(f"{TOKENS}{created['id']}/revoke/")) == (401, "not_authenticated")
    assert not Token.objects.get(pk=created["id"]).revoked


def test_a_keysmith_token_cannot_manage_tokens(alice: User) -> None:
    _, raw = create_token(name="api", user=alice)
    response = APIClient().post(
        TOKENS, {"name": "minted"}, format="json", HTTP_X_KEYSMITH_TOKEN=raw
    )
    assert response.json() == {
        "detail": "API tokens cannot manage tokens: sign in to manage your tokens.",
        "code": "token_not_allowed",
    }
    assert response.status_code == 403
    # Also when the session is signed in: the request carries a token.
    assert refusal(client_for(alice).get(TOKENS, HTTP_X_KEYSMITH_TOKEN=raw)) == (
        403,
        "token_not_allowed",
    )
    assert Token.objects.count() == 1


def test_a_keysmith_token_may_manage_tokens_when_the_viewset_allows_it(alice: User) -> None:
    _, raw = create_token(name="api", user=alice)
    response = APIClient().post(
        "/variants/token-callers/", {"name": "minted"}, format="json", HTTP_X_KEYSMITH_TOKEN=raw
    )
    assert response.status_code == 201


def test_method_not_allowed_uses_the_same_error_shape(alice: User) -> None:
    response = client_for(alice).delete(TOKENS)
    assert refusal(response) == (405, "method_not_allowed")


@pytest.mark.parametrize("method", ["get", "post"])
def test_database_down_answers_503_with_retry_after(
    alice: User, method: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_for(alice)
    with database_down(), caplog.at_level(logging.ERROR, logger="keysmith"):
        call = client.get if method == "get" else client.post
        response = call(TOKENS, {"name": "x"}, format="json")
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert response.json()["code"] == "service_unavailable"
    assert "server closed the connection" in caplog.text
